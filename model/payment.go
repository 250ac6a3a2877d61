package model

import "time"

// Public notice (公示) and payment batches (issue 5, items 5 and 6). Money is
// an integer number of 分 (fen) in *_fen columns, as in model/subsidy.go.

// DefaultNoticeWorkingDays is how long a list of approved claims stays on
// public notice unless the task force sets another length. County 人社 notices
// of transport subsidies run about a working week (e.g. 抚远市 2024: 4月9日至
// 4月15日, five working days; 竹溪县 2021: seven days); five working days is
// the common floor. It is data: each Notice stores its own Days.
const DefaultNoticeWorkingDays = 5

// MaxNoticeWorkingDays bounds a notice's length (about six weeks).
const MaxNoticeWorkingDays = 30

// Notice states.
const (
	NoticeOpen   = "open"   // on notice; objections may be lodged
	NoticeClosed = "closed" // the period ended and every item has an outcome
)

// NoticeStates labels the notice states.
var NoticeStates = Enum{{NoticeOpen, "公示中"}, {NoticeClosed, "公示结束"}}

// Notice item outcomes.
const (
	NoticeItemListed   = "listed"   // on notice
	NoticeItemPassed   = "passed"   // period ended with no open objection: claim notice_passed
	NoticeItemObjected = "objected" // an objection was upheld: claim objected
)

// NoticeItemStates labels the notice item outcomes.
var NoticeItemStates = Enum{{NoticeItemListed, "公示中"}, {NoticeItemPassed, "无异议"}, {NoticeItemObjected, "异议成立"}}

// Objection states and resolutions.
const (
	ObjectionOpen      = "open"
	ObjectionResolved  = "resolved"
	ObjectionUpheld    = "upheld"    // the objection is right: the claim goes back (objected)
	ObjectionDismissed = "dismissed" // the objection is unfounded: the claim stays on its way
)

// ObjectionStates labels the objection states.
var ObjectionStates = Enum{{ObjectionOpen, "待处理"}, {ObjectionResolved, "已处理"}}

// ObjectionResolutions labels the resolutions.
var ObjectionResolutions = Enum{{ObjectionUpheld, "异议成立"}, {ObjectionDismissed, "异议不成立"}}

// Notice is one public notice (公示) of approved claims of a county. Claims
// move approved → in_notice when it is published; after EndsAt, an item
// without an open objection moves its claim to notice_passed.
type Notice struct {
	ID             int64     `gorm:"primaryKey;autoIncrement:false"`
	CountyCode     string    `gorm:"size:6;not null;index"`
	Title          string    `gorm:"size:100;not null"`
	PublishedAt    time.Time `gorm:"not null"`
	Days           int       `gorm:"not null"` // working days on notice
	EndsAt         time.Time `gorm:"not null;index"`
	State          string    `gorm:"size:8;not null;index"`
	Items          int       `gorm:"not null;default:0"`
	TotalFen       int64     `gorm:"not null;default:0"`
	OpenObjections int       `gorm:"not null;default:0"`
	PublishedBy    int64     `gorm:"not null"`
	ClosedAt       *time.Time
	Version        int `gorm:"not null;default:1"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// NoticeItem is one claim on a notice. The name is stored masked (马*军):
// the notice is shown to everyone in scope and never needs the whole name.
type NoticeItem struct {
	ID          int64  `gorm:"primaryKey;autoIncrement:false"`
	NoticeID    int64  `gorm:"not null;index"`
	ClaimID     int64  `gorm:"not null;index"`
	LabourerID  int64  `gorm:"not null;index"`
	NameMasked  string `gorm:"size:50;not null"`
	VillageCode string `gorm:"size:12;not null;index"`
	Kind        string `gorm:"size:16;not null"`
	AmountFen   int64  `gorm:"not null"`
	State       string `gorm:"size:10;not null;index"`
	Version     int    `gorm:"not null;default:1"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Objection is an objection (异议) to one notice item, lodged by a cadre or
// the task force on a villager's behalf or by a worker about their own
// village's notice. While one is open the claim cannot pass the notice, so
// it cannot be paid.
type Objection struct {
	ID           int64  `gorm:"primaryKey;autoIncrement:false"`
	NoticeID     int64  `gorm:"not null;index"`
	NoticeItemID int64  `gorm:"not null;index"`
	ClaimID      int64  `gorm:"not null;index"`
	LodgedBy     int64  `gorm:"not null"`
	LodgedRole   string `gorm:"size:16;not null"`
	OnBehalfOf   string `gorm:"size:50"` // the villager a cadre writes for, if any
	Text         string `gorm:"size:500;not null"`
	State        string `gorm:"size:10;not null;index"`
	Resolution   string `gorm:"size:10"`
	Note         string `gorm:"size:500"` // the resolution's reasoning
	ResolvedBy   *int64
	ResolvedAt   *time.Time
	Version      int `gorm:"not null;default:1"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Batch states: draft (lines chosen) → prepared (the maker submits it) →
// approved (a different account, the checker) → exported (bank file
// produced) → reconciled (every line marked, totals checked). A draft or
// prepared batch may be cancelled instead (its claims go back to wait for
// another batch); from approved on it goes to the bank.
const (
	BatchDraft      = "draft"
	BatchPrepared   = "prepared"
	BatchApproved   = "approved"
	BatchExported   = "exported"
	BatchReconciled = "reconciled"
	BatchCancelled  = "cancelled"
)

// BatchStates labels the batch states.
var BatchStates = Enum{
	{BatchDraft, "草稿"}, {BatchPrepared, "待复核"}, {BatchApproved, "已复核"},
	{BatchExported, "已导出"}, {BatchReconciled, "已对账"}, {BatchCancelled, "已撤销"},
}

// Batch is a payment batch (发放批次) of one county. PreparedBy and
// ApprovedBy must differ (maker–checker, SECURITY.md); the service refuses
// the approval and a test proves it.
type Batch struct {
	ID         int64  `gorm:"primaryKey;autoIncrement:false"`
	CountyCode string `gorm:"size:6;not null;index"`
	Title      string `gorm:"size:100;not null"`
	State      string `gorm:"size:12;not null;index"`
	CreatedBy  int64  `gorm:"not null"`
	PreparedBy *int64
	PreparedAt *time.Time
	// The CHECK makes the database refuse a checker who is the maker too.
	ApprovedBy   *int64 `gorm:"check:chk_batch_checker,approved_by IS NULL OR (approved_by <> prepared_by AND approved_by <> created_by)"`
	ApprovedAt   *time.Time
	ExportedBy   *int64
	ExportedAt   *time.Time
	ReconciledBy *int64
	ReconciledAt *time.Time
	CancelledBy  *int64
	CancelledAt  *time.Time
	CancelReason string `gorm:"size:200"`
	Lines        int    `gorm:"not null;default:0"`
	TotalFen     int64  `gorm:"not null;default:0"`
	PaidLines    int    `gorm:"not null;default:0"`
	PaidFen      int64  `gorm:"not null;default:0"`
	FailedLines  int    `gorm:"not null;default:0"`
	FailedFen    int64  `gorm:"not null;default:0"`
	Version      int    `gorm:"not null;default:1"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Batch line states.
const (
	LinePending   = "pending"
	LinePaid      = "paid"
	LineFailed    = "failed"
	LineCancelled = "cancelled" // its batch was cancelled before approval
)

// BatchLineStates labels the line states.
var BatchLineStates = Enum{{LinePending, "待发放"}, {LinePaid, "已发放"}, {LineFailed, "发放失败"}, {LineCancelled, "已撤销"}}

// BatchLine is one payment in a batch. The account number is a copy of the
// payee's bank account at preparation time, sealed for this row
// (batch_lines/account_enc/id), found by blind index, shown masked; whole
// only in the bank file.
type BatchLine struct {
	ID            int64  `gorm:"primaryKey;autoIncrement:false"`
	BatchID       int64  `gorm:"not null;index;uniqueIndex:ux_line_seq,priority:1"`
	Seq           int    `gorm:"not null;uniqueIndex:ux_line_seq,priority:2"` // 序号 in the bank file
	ClaimID       int64  `gorm:"not null;index"`
	LabourerID    int64  `gorm:"not null;index"`
	PayeeName     string `gorm:"size:100;not null"`
	AccountEnc    string `gorm:"size:160;not null"`
	AccountHash   string `gorm:"size:64;not null;index"`
	AccountMasked string `gorm:"size:40;not null"`
	BankName      string `gorm:"size:100;not null"`
	AmountFen     int64  `gorm:"not null"`
	Purpose       string `gorm:"size:100;not null"`
	State         string `gorm:"size:10;not null;index"`
	FailureReason string `gorm:"size:200"`
	MarkedBy      *int64
	MarkedAt      *time.Time
	Version       int `gorm:"not null;default:1"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Bank account owners.
const (
	OwnerLabourer = "labourer"
	OwnerEmployer = "employer" // a 帮扶车间 receiving the workshop subsidy
)

// BankAccount is where a payee's subsidies are paid: one current account per
// owner, entered by the task force or by the worker, every write audited.
// The number is sealed (bank_accounts/account_enc/id), blind-indexed under
// the "bank" namespace and stored masked for display.
type BankAccount struct {
	ID            int64  `gorm:"primaryKey;autoIncrement:false"`
	OwnerType     string `gorm:"size:10;not null;uniqueIndex:ux_bank_owner,priority:1"`
	OwnerID       int64  `gorm:"not null;uniqueIndex:ux_bank_owner,priority:2"`
	HolderName    string `gorm:"size:100;not null"`
	AccountEnc    string `gorm:"size:160;not null"`
	AccountHash   string `gorm:"size:64;not null;index"`
	AccountMasked string `gorm:"size:40;not null"`
	BankName      string `gorm:"size:100;not null"`
	EnteredBy     int64  `gorm:"not null"`
	EnteredRole   string `gorm:"size:16;not null"`
	Version       int    `gorm:"not null;default:1"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// paymentModels lists the entities for public notice and payment batches (issue 5).
func paymentModels() []any {
	return []any{&Notice{}, &NoticeItem{}, &Objection{}, &Batch{}, &BatchLine{}, &BankAccount{}}
}
