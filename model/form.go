package model

import "time"

// LedgerChange records one confirmed change to a labourer's ledger entry,
// field by field, for the 异动 export to the national system (seed 002
// 填表说明 5). Personal numbers appear masked. Written in the same
// transaction as the change.
type LedgerChange struct {
	ID         int64     `gorm:"primaryKey;autoIncrement:false"`
	LabourerID int64     `gorm:"not null;index"`
	CountyCode string    `gorm:"size:6;not null;index:idx_change_county_at,priority:1"`
	Source     string    `gorm:"size:16;not null"` // form, self_report, import, hire
	SourceID   int64     `gorm:"not null"`
	Fields     string    `gorm:"type:text;not null"` // JSON: {"field": {"old": …, "new": …}}
	At         time.Time `gorm:"not null;index:idx_change_county_at,priority:2"`
}

// Sources of a LedgerChange written by verification.
const (
	ChangeSourceForm       = "form"
	ChangeSourceSelfReport = "self_report"
)

// Form states: a cadre submits, the task force confirms or rejects (seed 002
// 三(一)3: 凡未报专班认可的信息采集表，一律不能录入).
const (
	FormSubmitted = "submitted" // 待核实
	FormConfirmed = "confirmed" // 已确认
	FormRejected  = "rejected"  // 已退回
)

// FormStates labels the form states.
var FormStates = Enum{{FormSubmitted, "待专班确认"}, {FormConfirmed, "已确认"}, {FormRejected, "已退回"}}

// Verifications: 核实情况 (seed 002 附件1).
var Verifications = Enum{
	{"unverified", "未核实"},
	{"verified", "已核实"},
	{"unreachable", "联系不上"},
}

// NotOutTypes: 未外出务工类型 (seed 002 附件1).
var NotOutTypes = Enum{
	{"never_out", "从未外出就业过(包括新成长劳动力)"},
	{"lost_job", "就业转失业"},
}

// OrganisedOutputs: 有组织劳务输出 (seed 002 附件1); the form has two boxes and
// no "否", so "none" is the unticked answer.
var OrganisedOutputs = Enum{
	{"none", "否"},
	{"point_to_point", "专车、专列点对点输送"},
	{"job_fair", "免费专场招聘会"},
}

// TrainingCategories: 意愿培训类别 (seed 002 附件1).
var TrainingCategories = Enum{
	{"skill", "技能培训"},
	{"startup", "创业培训"},
}

// EmploymentServices: 本年度享受就业服务项目 (seed 002 附件1, 指标解释 8).
var EmploymentServices = Enum{
	{"guidance", "职业指导"},
	{"placement", "职业介绍"},
	{"startup", "创业服务"},
	{"training", "职业培训"},
	{"other", "其他"},
}

// ContactMethods: how an attempt to reach a labourer was made (seed 002
// 三(一)3: 电话或入户核实).
var ContactMethods = Enum{
	{"visit", "入户"},
	{"phone", "电话"},
	{"wechat", "微信"},
	{"other", "其他"},
}

// ConfirmMethods: how the labourer confirmed the visit (贫困户签字).
var ConfirmMethods = Enum{
	{"signature", "本人手写签名"},
	{"worker_account", "本人微信确认"},
}

// VerifyForm is one submitted collection form (seed 002 附件1) for one
// labourer and month, with the proof of the visit. The form itself is kept
// whole as JSON (Payload, without clear personal numbers); the columns are
// what queues, tasks and completion filter on. IdempotencyKey is generated
// on the phone so a resend of an offline draft finds this row.
type VerifyForm struct {
	ID             int64  `gorm:"primaryKey;autoIncrement:false"`
	IdempotencyKey string `gorm:"size:36;not null;uniqueIndex"`
	LabourerID     int64  `gorm:"not null;index"`
	CountyCode     string `gorm:"size:6;not null;index:idx_form_county_period,priority:1"`
	VillageCode    string `gorm:"size:12;not null;index"`
	Period         string `gorm:"size:7;not null;index:idx_form_county_period,priority:2"` // YYYY-MM, China time of the visit
	State          string `gorm:"size:10;not null;index"`
	Verification   string `gorm:"size:12;not null"`
	BaseVersion    int    `gorm:"not null"`
	Payload        string `gorm:"type:text;not null"`
	PhoneEnc       string `gorm:"size:128"` // a corrected phone, sealed; empty when unchanged
	CountsAsWorker bool   `gorm:"not null;default:false"`
	// Proof of the visit.
	VisitedAt         time.Time `gorm:"not null"`
	Lat               *float64
	Lng               *float64
	Accuracy          *float64
	ConfirmMethod     string `gorm:"size:16"`
	WorkerConfirmedAt *time.Time
	Attempts          string `gorm:"type:text"` // JSON list, for 联系不上
	// Submission and review.
	SubmittedBy  int64     `gorm:"not null;index"`
	SubmittedAt  time.Time `gorm:"not null"`
	ReviewedBy   int64
	ReviewedAt   *time.Time
	RejectReason string `gorm:"size:200"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// FormImage is a signature or photo of a visit, stored in the database so
// every API server can serve it. Size-capped and type-sniffed on the way in.
type FormImage struct {
	ID        int64  `gorm:"primaryKey;autoIncrement:false"`
	FormID    int64  `gorm:"not null;index"`
	Kind      string `gorm:"size:10;not null"` // signature, photo
	Mime      string `gorm:"size:20;not null"`
	Size      int    `gorm:"not null"`
	SHA256    string `gorm:"size:64;not null"`
	Data      []byte `gorm:"not null"`
	CreatedAt time.Time
}

// ReportReview is the task force's decision on a worker's self-report, with
// the reason when it was rejected (the report row itself only holds the state).
type ReportReview struct {
	ReportID   int64     `gorm:"primaryKey;autoIncrement:false"`
	Decision   string    `gorm:"size:10;not null"`
	Reason     string    `gorm:"size:200"`
	ReviewedBy int64     `gorm:"not null"`
	ReviewedAt time.Time `gorm:"not null"`
}

// formModels lists the collection-form entities (issue 3: verification).
func formModels() []any {
	return []any{&LedgerChange{}, &VerifyForm{}, &FormImage{}, &ReportReview{}}
}
