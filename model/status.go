package model

import "time"

// EmploymentSpell is one period of work (已外出务工情况). An open spell has
// no end date. PlaceScope is derived from the place's region code and the
// labourer's 户籍, never typed.
type EmploymentSpell struct {
	ID              int64      `gorm:"primaryKey;autoIncrement:false"`
	LabourerID      int64      `gorm:"not null;index:idx_spell_lab,priority:1"`
	StartDate       time.Time  `gorm:"type:date;not null;index:idx_spell_lab,priority:2"`
	EndDate         *time.Time `gorm:"type:date"`
	PlaceCode       string     `gorm:"size:12;not null;index"`
	PlaceScope      string     `gorm:"size:16;not null"`
	Form            string     `gorm:"size:24;not null"`
	FormOther       string     `gorm:"size:50"`
	EmployerName    string     `gorm:"size:100"`
	MonthlyWage     int        `gorm:"not null"` // yuan
	Industry        string     `gorm:"size:24;not null"`
	IndustryOther   string     `gorm:"size:50"`
	Contract        bool       `gorm:"not null;default:false"`
	SocialInsurance bool       `gorm:"not null;default:false"`
	Source          string     `gorm:"size:8;not null"`
	Verified        bool       `gorm:"not null;default:false"`
	Assisted        bool       `gorm:"not null;default:false"` // 经帮扶实现就业
	AssistedAt      *time.Time `gorm:"type:date"`              // 帮扶时间
	JobID           *int64     `gorm:"index"`                  // the job a confirmed hire came from
	ReportID        *int64     `gorm:"index"`
	CreatedBy       int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// ReturnEvent is a 返乡回流 (seed 002 指标解释 7): a labourer lost work and
// came home. One who wants work is the 72-hour service's starting point.
type ReturnEvent struct {
	ID         int64     `gorm:"primaryKey;autoIncrement:false"`
	LabourerID int64     `gorm:"not null;index"`
	ReturnDate time.Time `gorm:"type:date;not null"`
	Reason     string    `gorm:"size:16"`
	WantsWork  bool      `gorm:"not null"`
	PrevPlace  string    `gorm:"size:12"`
	SpellID    *int64
	Source     string `gorm:"size:8;not null"`
	Verified   bool   `gorm:"not null;default:false"`
	ReportID   *int64 `gorm:"index"`
	CreatedBy  int64
	CreatedAt  time.Time
}

// OutingPlan is the 暂未外出务工情况 answer about going out: either a plan
// (意向地 + 意向岗位 + 期望月薪) or the reason for none.
type OutingPlan struct {
	ID           int64      `gorm:"primaryKey;autoIncrement:false"`
	LabourerID   int64      `gorm:"not null;index"`
	HasPlan      bool       `gorm:"not null"`
	DestCode     string     `gorm:"size:12"`
	PlannedMonth *time.Time `gorm:"type:date"`
	Job          string     `gorm:"size:50"`
	ExpectedWage int
	NoPlanReason string `gorm:"size:16"`
	NoPlanOther  string `gorm:"size:100"`
	Source       string `gorm:"size:8;not null"`
	Verified     bool   `gorm:"not null;default:false"`
	ReportID     *int64 `gorm:"index"`
	CreatedBy    int64
	CreatedAt    time.Time
}

// Status report kinds a worker can send from the home page.
const (
	ReportStillWorking = "still_working" // 在岗
	ReportNewJob       = "new_job"       // 换了工作 / 开始务工
	ReportReturned     = "returned"      // 失业返乡
	ReportPlanOut      = "plan_out"      // 想外出
	ReportNoPlan       = "no_plan"       // 暂不外出
)

// StatusReports lists the report kinds with the words on the worker's buttons.
var StatusReports = Enum{
	{ReportStillWorking, "在岗"},
	{ReportNewJob, "换了工作"},
	{ReportReturned, "失业返乡"},
	{ReportPlanOut, "想外出"},
	{ReportNoPlan, "暂不外出"},
}

// Review states of a status report.
const (
	ReviewPending  = "pending" // 待核实
	ReviewVerified = "verified"
	ReviewRejected = "rejected"
)

// ReviewStates labels the review states.
var ReviewStates = Enum{{ReviewPending, "待核实"}, {ReviewVerified, "已核实"}, {ReviewRejected, "未通过"}}

// StatusReport is one status change as it was sent, kept whole; reports from
// workers stay 待核实 until a cadre or the task force verifies them.
type StatusReport struct {
	ID          int64  `gorm:"primaryKey;autoIncrement:false"`
	LabourerID  int64  `gorm:"not null;index"`
	VillageCode string `gorm:"size:12;not null;index"`
	Kind        string `gorm:"size:16;not null"`
	Source      string `gorm:"size:8;not null"`
	Review      string `gorm:"size:10;not null;index"`
	Payload     string `gorm:"type:text"`
	CreatedBy   int64
	CreatedAt   time.Time `gorm:"index"`
}
