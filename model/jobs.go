package model

import "time"

// Employer kinds (issue 4; seed 004 三 帮扶车间/乡村就业工厂, 四 公益性岗位).
const (
	EmployerEnterprise    = "enterprise"     // 企业
	EmployerWorkshop      = "workshop"       // 帮扶车间 / 乡村就业工厂
	EmployerBase          = "base"           // 就业帮扶基地
	EmployerPublicWelfare = "public_welfare" // 公益性岗位用人单位
	EmployerAgency        = "agency"         // 人力资源服务机构 / 劳务经纪人
)

// EmployerKinds labels the employer kinds.
var EmployerKinds = Enum{
	{EmployerEnterprise, "企业"},
	{EmployerWorkshop, "帮扶车间/乡村就业工厂"},
	{EmployerBase, "就业帮扶基地"},
	{EmployerPublicWelfare, "公益性岗位用人单位"},
	{EmployerAgency, "人力资源服务机构/劳务经纪人"},
}

// Employer review states: registered, then verified or rejected by the task
// force of the employer's county.
const (
	EmployerPending  = "pending"
	EmployerVerified = "verified"
	EmployerRejected = "rejected"
)

// EmployerStates labels the employer review states.
var EmployerStates = Enum{{EmployerPending, "待审核"}, {EmployerVerified, "已认证"}, {EmployerRejected, "未通过"}}

// Employer is an organisation that posts jobs (用人单位). The contact phone is
// encrypted at rest like a labourer's (SECURITY.md 9). CountyCode is derived
// from RegionCode and decides which task force reviews it.
type Employer struct {
	ID           int64  `gorm:"primaryKey;autoIncrement:false"`
	CreditCode   string `gorm:"size:18;not null;uniqueIndex"` // 统一社会信用代码 (GB 32100)
	Name         string `gorm:"size:100;not null"`
	Kind         string `gorm:"size:16;not null"`
	RegionCode   string `gorm:"size:12;not null;index"`
	CountyCode   string `gorm:"size:6;not null;index"`
	Address      string `gorm:"size:200"`
	ContactName  string `gorm:"size:50"`
	PhoneEnc     string `gorm:"size:128"`
	PhoneHash    string `gorm:"size:64;index"`
	PhoneMasked  string `gorm:"size:16"`
	Status       string `gorm:"size:10;not null;index"`
	RejectReason string `gorm:"size:200"`
	ReviewedBy   *int64
	ReviewedAt   *time.Time
	CreatedBy    int64
	Version      int `gorm:"not null;default:1"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// EmployerMember marks an account as a member of an employer; Admin members
// may add further members. Account.EmployerID is what authorises a member's
// requests; this row adds the admin flag.
type EmployerMember struct {
	AccountID  int64 `gorm:"primaryKey;autoIncrement:false"`
	EmployerID int64 `gorm:"not null;index"`
	Admin      bool  `gorm:"not null;default:false"`
	CreatedBy  int64
	CreatedAt  time.Time
}

// Job states: posted jobs wait for moderation (pending), then are open or
// rejected; an open job closes when filled, expired or withdrawn.
const (
	JobPending  = "pending"
	JobOpen     = "open"
	JobRejected = "rejected"
	JobClosed   = "closed"
)

// JobStates labels the job states.
var JobStates = Enum{{JobPending, "待审核"}, {JobOpen, "招聘中"}, {JobRejected, "未通过"}, {JobClosed, "已结束"}}

// Why a job closed.
const (
	JobClosedFilled    = "filled"
	JobClosedExpired   = "expired"
	JobClosedWithdrawn = "withdrawn"
)

// JobCloseReasons labels why a job closed.
var JobCloseReasons = Enum{{JobClosedFilled, "已招满"}, {JobClosedExpired, "已过期"}, {JobClosedWithdrawn, "单位撤回"}}

// Job is an opening posted by a verified employer. Wages are yuan per month.
// Capacities is a comma-separated list of accepted LabourCapacities codes
// (empty = any). MinSkill is a SkillLevels code ("" or "none" = any).
// Filled counts confirmed hires; a job is full when Filled = Headcount.
// CountyCode is the employer's county (the task force that moderates it);
// PlaceCode is where the work is.
type Job struct {
	ID            int64     `gorm:"primaryKey;autoIncrement:false"`
	EmployerID    int64     `gorm:"not null;index"`
	CountyCode    string    `gorm:"size:6;not null;index"`
	Title         string    `gorm:"size:60;not null"`
	Industry      string    `gorm:"size:24;not null;index"`
	IndustryOther string    `gorm:"size:50"`
	Headcount     int       `gorm:"not null"`
	Filled        int       `gorm:"not null;default:0"`
	WageMin       int       `gorm:"not null"`
	WageMax       int       `gorm:"not null"`
	PlaceCode     string    `gorm:"size:12;not null;index"`
	MinAge        int       `gorm:"not null"`
	MaxAge        int       `gorm:"not null"`
	Capacities    string    `gorm:"size:64"`
	MinSkill      string    `gorm:"size:24"`
	Housing       bool      `gorm:"not null;default:false"`
	Meals         bool      `gorm:"not null;default:false"`
	Transport     bool      `gorm:"not null;default:false"` // 点对点 organised transport
	Description   string    `gorm:"size:1000"`
	ValidUntil    time.Time `gorm:"not null;index"`
	Status        string    `gorm:"size:10;not null;index"`
	RejectReason  string    `gorm:"size:200"`
	CloseReason   string    `gorm:"size:10"`
	ReviewedBy    *int64
	ReviewedAt    *time.Time
	ClosedAt      *time.Time
	CreatedBy     int64
	CreatedAt     time.Time `gorm:"index"`
	UpdatedAt     time.Time
}

// Application kinds: 感兴趣 (interest) or 报名 (apply). An interest can be
// upgraded to an application; one row per job and labourer.
const (
	ApplicationInterest = "interest"
	ApplicationApply    = "apply"
)

// ApplicationKinds labels the application kinds.
var ApplicationKinds = Enum{{ApplicationInterest, "感兴趣"}, {ApplicationApply, "报名"}}

// Application states.
const (
	AppSubmitted = "submitted" // 已报名 / 感兴趣
	AppInvited   = "invited"   // 单位已邀约
	AppHired     = "hired"     // 已录用
	AppLeft      = "left"      // 已离职
	AppWithdrawn = "withdrawn" // 本人撤回
	AppDeclined  = "declined"  // 单位婉拒
)

// ApplicationStates labels the application states.
var ApplicationStates = Enum{
	{AppSubmitted, "已报名"},
	{AppInvited, "已邀约"},
	{AppHired, "已录用"},
	{AppLeft, "已离职"},
	{AppWithdrawn, "已撤回"},
	{AppDeclined, "未录用"},
}

// Application is a worker's 感兴趣 or 报名 for a job; one per job and
// labourer (a unique index turns a second one into a conflict).
type Application struct {
	ID         int64  `gorm:"primaryKey;autoIncrement:false"`
	JobID      int64  `gorm:"not null;uniqueIndex:uq_app_job_lab,priority:1"`
	LabourerID int64  `gorm:"not null;uniqueIndex:uq_app_job_lab,priority:2;index"`
	EmployerID int64  `gorm:"not null;index"`
	Kind       string `gorm:"size:10;not null"`
	Status     string `gorm:"size:10;not null;index"`
	Note       string `gorm:"size:200"`
	InvitedAt  *time.Time
	HireID     *int64
	CreatedBy  int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Hire is a confirmed hire: the employer confirmed that the worker started
// on HiredAt. It points at the verified EmploymentSpell it wrote; a
// departure sets LeftAt and closes that spell.
type Hire struct {
	ID            int64      `gorm:"primaryKey;autoIncrement:false"`
	JobID         int64      `gorm:"not null;index"`
	ApplicationID int64      `gorm:"not null;uniqueIndex"`
	LabourerID    int64      `gorm:"not null;index"`
	EmployerID    int64      `gorm:"not null;index"`
	SpellID       int64      `gorm:"not null"`
	HiredAt       time.Time  `gorm:"type:date;not null"`
	MonthlyWage   int        `gorm:"not null"`
	LeftAt        *time.Time `gorm:"type:date"`
	LeaveReason   string     `gorm:"size:200"`
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Outbox event kinds of this capability.
const (
	// EventJobApproved: a job passed moderation and is open; the 72-hour
	// service re-matches open cases against it. Payload: {"job_id": "…"}.
	EventJobApproved = "job.approved"
	// EventHireConfirmed: an employer confirmed a hire; the 72-hour service
	// closes the worker's open case as placed. Payload: {"labourer_id",
	// "job_id", "application_id", "hired_at" (YYYY-MM-DD)}.
	EventHireConfirmed = "hire.confirmed"
)

// ChangeSourceHire is the LedgerChange source of a confirmed hire or departure.
const ChangeSourceHire = "hire"

// jobModels lists the entities for employers, jobs, applications and hires (issue 4).
func jobModels() []any { return []any{&Employer{}, &EmployerMember{}, &Job{}, &Application{}, &Hire{}} }
