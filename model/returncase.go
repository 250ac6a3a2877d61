package model

import "time"

// Case states of the 72-hour service (seed 002 三(二)2): open from T0 until a
// confirmed hire places the worker or the worker (or the cadre for them)
// declines with a reason.
const (
	CaseOpen     = "open"
	CasePlaced   = "placed"
	CaseDeclined = "declined"
)

// CaseStates labels the case states.
var CaseStates = Enum{{CaseOpen, "跟踪中"}, {CasePlaced, "已上岗"}, {CaseDeclined, "已放弃"}}

// Case checkpoints, in hours after T0 (seed 002 三(二)2: 72 小时内实现上岗).
const (
	CheckpointWiden   = 24 // re-match wider and tell the cadre
	CheckpointVisit   = 48 // the cadre must deliver jobs to the door (送岗上门)
	CheckpointOverdue = 72 // overdue: escalate to the task force
	CaseDeadlineHours = 72
)

// EventCaseScheduled is written with a newly opened case; its handler
// schedules the case's checkpoint tasks after the opening commits.
const EventCaseScheduled = "case.scheduled"

// Case action kinds: what cadres did, what the checkpoints did, how the case closed.
const (
	ActionOpened        = "opened"
	ActionCalled        = "called"         // 电话联系
	ActionVisited       = "visited"        // 入户 / 送岗上门
	ActionDelivered     = "jobs_delivered" // 送岗（岗位信息送达）
	ActionNote          = "note"
	ActionCheckpoint24  = "checkpoint_24"
	ActionCheckpoint48  = "checkpoint_48"
	ActionCheckpoint72  = "checkpoint_72"
	ActionEscalated     = "escalated"
	ActionRematched     = "rematched" // a newly approved job matched the case
	ActionPlaced        = "placed"
	ActionDeclined      = "declined"
	ActionCadreNotified = "cadre_notified"
)

// CaseActionKinds labels the action kinds.
var CaseActionKinds = Enum{
	{ActionOpened, "开始跟踪"},
	{ActionCalled, "已电话联系"},
	{ActionVisited, "已入户走访"},
	{ActionDelivered, "已送岗上门"},
	{ActionNote, "备注"},
	{ActionCheckpoint24, "24小时：扩大范围重新匹配"},
	{ActionCheckpoint48, "48小时：需送岗上门"},
	{ActionCheckpoint72, "72小时：已超时"},
	{ActionEscalated, "已上报县专班"},
	{ActionRematched, "新岗位匹配"},
	{ActionPlaced, "已上岗"},
	{ActionDeclined, "已放弃"},
	{ActionCadreNotified, "已提醒村干部"},
}

// DeclineReasons: why a returnee leaves the 72-hour service without a job.
var DeclineReasons = Enum{
	{"found_own", "已自行找到工作"},
	{"no_longer_wants", "暂无就业意愿"},
	{"farming", "务农"},
	{"family_care", "照顾家人"},
	{"health", "身体原因"},
	{"unreachable", "长期联系不上"},
	{"other", "其他"},
}

// ReturnCase is one returnee's 72-hour case, opened at T0 (OpenedAt) from a
// return event that wants work (unique: one case per event). Checkpoint is
// the last checkpoint done (0, 24, 48, 72); NextCheckAt is when the next one
// is due (nil when none is left or the case is closed): the sweeper finds due
// checkpoints by it, so the database, not the queue, decides what must fire.
type ReturnCase struct {
	ID              int64      `gorm:"primaryKey;autoIncrement:false"`
	LabourerID      int64      `gorm:"not null;index"`
	ReturnEventID   int64      `gorm:"not null;uniqueIndex"`
	VillageCode     string     `gorm:"size:12;not null;index"`
	CountyCode      string     `gorm:"size:6;not null;index:idx_case_county_opened,priority:1"`
	OpenedAt        time.Time  `gorm:"not null;index:idx_case_county_opened,priority:2"`
	DueAt           time.Time  `gorm:"not null"`
	Status          string     `gorm:"size:10;not null;index:idx_case_status_next,priority:1"`
	NextCheckAt     *time.Time `gorm:"index:idx_case_status_next,priority:2"`
	Checkpoint      int        `gorm:"not null;default:0"`
	Overdue         bool       `gorm:"not null;default:false"`
	Escalated       bool       `gorm:"not null;default:false"`
	EscalatedAt     *time.Time
	VisitedAt       *time.Time
	ClosedAt        *time.Time
	CloseReason     string `gorm:"size:24"`
	CloseNote       string `gorm:"size:200"`
	PlacedJobID     *int64
	PlacedWithin72h bool `gorm:"column:placed_within_72h;not null;default:false"`
	Version         int  `gorm:"not null;default:1"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// CaseAction is one thing done on a case, by a cadre or by the system. A
// non-empty DedupeKey is unique, so a checkpoint or a retried action is
// recorded once.
type CaseAction struct {
	ID        int64   `gorm:"primaryKey;autoIncrement:false"`
	CaseID    int64   `gorm:"not null;index"`
	Kind      string  `gorm:"size:24;not null"`
	ActorID   int64   `gorm:"not null;default:0"`
	ActorRole string  `gorm:"size:16"`
	Note      string  `gorm:"size:200"`
	JobIDs    string  `gorm:"size:400"` // comma-separated ids of the jobs delivered or matched
	DedupeKey *string `gorm:"size:64;uniqueIndex"`
	At        time.Time
}

// Recommendation is a job matched to a labourer, with its score and reasons
// (JSON list of {code,label,points}). One row per labourer and job: a job is
// pushed to a worker at most once. CaseID is 0 for a plain feed match.
type Recommendation struct {
	ID         int64  `gorm:"primaryKey;autoIncrement:false"`
	CaseID     int64  `gorm:"not null;index"`
	LabourerID int64  `gorm:"not null;uniqueIndex:uq_rec_lab_job,priority:1"`
	JobID      int64  `gorm:"not null;uniqueIndex:uq_rec_lab_job,priority:2;index"`
	Score      int    `gorm:"not null"`
	Reasons    string `gorm:"type:text"`
	Round      int    `gorm:"not null;default:0"` // 0 at T0, 24 widened, -1 a newly approved job
	Pushed     bool   `gorm:"not null;default:false"`
	CreatedAt  time.Time
}

// caseModels lists the entities for 72-hour returnee cases, their actions and recommendations (issue 4).
func caseModels() []any { return []any{&ReturnCase{}, &CaseAction{}, &Recommendation{}} }
