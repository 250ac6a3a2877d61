package model

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Money in the subsidy and payment tables is an integer number of 分 (fen,
// 0.01 yuan), in columns and JSON fields named *_fen. Never floats.

// Subsidy kinds (seed 004 一 交通补助, seed 001 四 一次性求职创业补贴, seed 004 三 帮扶车间奖补).
const (
	SubsidyTransport  = "transport"   // 外出务工交通补助
	SubsidyJobSeeking = "job_seeking" // 一次性求职创业补贴 (有组织劳务输出到县外)
	SubsidyWorkshop   = "workshop"    // 乡村就业工厂(帮扶车间)吸纳就业奖补, paid to the employer
)

// SubsidyKinds labels the subsidy kinds.
var SubsidyKinds = Enum{
	{SubsidyTransport, "外出务工交通补助"},
	{SubsidyJobSeeking, "一次性求职创业补贴"},
	{SubsidyWorkshop, "帮扶车间吸纳就业奖补"},
}

// Policy modes: how a claim under the policy is decided.
const (
	ModeAuto     = "auto"     // 免审即享: approved at once when the ledger proves every condition
	ModePrepaid  = "prepaid"  // 定额预付: a fixed amount paid at departure, settled once the months are verified
	ModeReviewed = "reviewed" // 审核: every claim goes to the task force
)

// PolicyModes labels the policy modes.
var PolicyModes = Enum{{ModeAuto, "免审即享"}, {ModePrepaid, "定额预付"}, {ModeReviewed, "审核发放"}}

// SubsidyPolicy is one subsidy policy of a province for a year, kept as
// data. Amounts are in 分: AmountFen when fixed, or AmountInProvinceFen
// (省内县外) and AmountOutProvinceFen (省外) by destination when ByDestination.
// Categories is a comma-separated list of PopulationCategories codes ("" =
// any registered labourer); Documents a comma-separated list of document
// codes (e.g. "ticket"). A claim copies the terms it was decided under, so an
// edit (which bumps Version) never changes a claim already made.
type SubsidyPolicy struct {
	ID                   int64      `gorm:"primaryKey;autoIncrement:false"`
	ProvinceCode         string     `gorm:"size:2;not null;index:idx_policy_prov_year,priority:1"`
	Year                 int        `gorm:"not null;index:idx_policy_prov_year,priority:2"`
	Kind                 string     `gorm:"size:16;not null"`
	Name                 string     `gorm:"size:100;not null"`
	Mode                 string     `gorm:"size:10;not null"`
	ByDestination        bool       `gorm:"not null;default:false"`
	AmountFen            int64      `gorm:"not null;default:0"`
	AmountInProvinceFen  int64      `gorm:"not null;default:0"`
	AmountOutProvinceFen int64      `gorm:"not null;default:0"`
	Categories           string     `gorm:"size:100"`
	OutOfCounty          bool       `gorm:"not null;default:false"` // verified work outside the home county required
	MonthsRequired       int        `gorm:"not null;default:0"`     // verified months of work in the year required
	Organised            bool       `gorm:"not null;default:false"` // organised (有组织/点对点) work required
	NativeOnly           bool       `gorm:"not null;default:false"` // 籍贯 province must be the policy's province
	WindowFrom           time.Time  `gorm:"type:date;not null"`
	WindowTo             time.Time  `gorm:"type:date;not null"`
	SettleBy             *time.Time `gorm:"type:date"` // 定额预付: deadline to reach MonthsRequired
	Documents            string     `gorm:"size:100"`
	Active               bool       `gorm:"not null;default:true"`
	CreatedBy            int64
	UpdatedBy            int64
	Version              int `gorm:"not null;default:1"`
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// ClaimState is the state of a subsidy claim. Other packages (public notice,
// payment batches) move claims only along AllowedTransition, with
// TransitionClaim.
type ClaimState string

// Claim states.
//
//	submitted → approved (免审即享 at once, or by review) | rejected | advance_due (定额预付)
//	approved → in_notice → notice_passed | objected
//	objected → notice_passed (objection dismissed) | rejected (objection upheld)
//	notice_passed → in_batch → paid | pay_failed;  pay_failed → in_batch (retry)
//	advance_due (定额预付, no 公示) → in_batch → prepaid (the advance is paid) | pay_failed
//	in_batch → notice_passed | advance_due (the batch was cancelled before approval)
//	prepaid → settled | recovery (追回 list);  recovery → settled | recovered
//	advance_due | pay_failed (定额预付, never paid) past the settlement deadline →
//	  approved (the months were reached: paid after the fact, through 公示, as ModeReviewed) | lapsed
//
// Which of the mode-dependent moves applies is ReadyToPay and PaidState.
const (
	ClaimSubmitted    ClaimState = "submitted"
	ClaimApproved     ClaimState = "approved"
	ClaimRejected     ClaimState = "rejected"
	ClaimInNotice     ClaimState = "in_notice"
	ClaimNoticePassed ClaimState = "notice_passed"
	ClaimObjected     ClaimState = "objected"
	ClaimInBatch      ClaimState = "in_batch"
	ClaimPaid         ClaimState = "paid"
	ClaimPayFailed    ClaimState = "pay_failed"
	ClaimAdvanceDue   ClaimState = "advance_due" // 定额预付 approved, the advance waits for a payment batch
	ClaimPrepaid      ClaimState = "prepaid"     // the advance was paid through a batch; waits for settlement
	ClaimSettled      ClaimState = "settled"
	ClaimRecovery     ClaimState = "recovery"
	ClaimRecovered    ClaimState = "recovered"
	ClaimLapsed       ClaimState = "lapsed" // 定额预付 advance never paid, months not reached by the deadline: nothing to pay or recover
)

// ClaimStates labels the claim states for the phone and the back office.
var ClaimStates = Enum{
	{string(ClaimSubmitted), "待审核"},
	{string(ClaimApproved), "已通过"},
	{string(ClaimRejected), "未通过"},
	{string(ClaimInNotice), "公示中"},
	{string(ClaimNoticePassed), "公示无异议"},
	{string(ClaimObjected), "公示有异议"},
	{string(ClaimInBatch), "发放中"},
	{string(ClaimPaid), "已发放"},
	{string(ClaimPayFailed), "发放失败"},
	{string(ClaimAdvanceDue), "待预付"},
	{string(ClaimPrepaid), "已预付"},
	{string(ClaimSettled), "已结算"},
	{string(ClaimRecovery), "待追回"},
	{string(ClaimRecovered), "已追回"},
	{string(ClaimLapsed), "已失效"},
}

// Label returns the state's Chinese label.
func (s ClaimState) Label() string { return ClaimStates.Label(string(s)) }

var claimTransitions = map[ClaimState][]ClaimState{
	ClaimSubmitted:    {ClaimApproved, ClaimRejected, ClaimAdvanceDue},
	ClaimApproved:     {ClaimInNotice},
	ClaimInNotice:     {ClaimNoticePassed, ClaimObjected},
	ClaimObjected:     {ClaimNoticePassed, ClaimRejected},
	ClaimNoticePassed: {ClaimInBatch},
	ClaimAdvanceDue:   {ClaimInBatch, ClaimApproved, ClaimLapsed},
	ClaimInBatch:      {ClaimPaid, ClaimPrepaid, ClaimPayFailed, ClaimNoticePassed, ClaimAdvanceDue},
	ClaimPayFailed:    {ClaimInBatch, ClaimApproved, ClaimLapsed},
	ClaimPrepaid:      {ClaimSettled, ClaimRecovery},
	ClaimRecovery:     {ClaimSettled, ClaimRecovered},
}

// AllowedTransition reports whether a claim may move from one state to another.
func AllowedTransition(from, to ClaimState) bool {
	for _, s := range claimTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// ReadyToPay is the state a claim of the mode waits in for a payment batch
// (and returns to when its batch is cancelled): advance_due for 定额预付,
// whose advance is paid without 公示, notice_passed for every other mode.
func ReadyToPay(mode string) ClaimState {
	if mode == ModePrepaid {
		return ClaimAdvanceDue
	}
	return ClaimNoticePassed
}

// PaidState is the state a claim of the mode takes when the bank paid its
// batch line: prepaid (the advance, still to be settled) for 定额预付, paid
// for every other mode.
func PaidState(mode string) ClaimState {
	if mode == ModePrepaid {
		return ClaimPrepaid
	}
	return ClaimPaid
}

// ClaimTerminal reports whether no transition leaves the state.
func ClaimTerminal(s ClaimState) bool { return len(claimTransitions[s]) == 0 }

// SubsidyClaim is one claim of one labourer under one policy for one year;
// UNIQUE(labourer_id, policy_id, year) makes a second claim impossible
// (SECURITY.md 11). AmountFen is computed by the server from the policy terms
// copied into Terms; a worker never types it. Conditions holds the
// eligibility check as JSON ([]Condition of service/subsidy). EmployerID is
// set for workshop claims (paid to the 帮扶车间). Every state change is
// conditional on State and Version (TransitionClaim). Mode is the policy's
// mode, with one exception: a 定额预付 advance never paid by its settlement
// deadline, whose months were reached, becomes ModeReviewed when the
// settlement check approves it (事后补助), so ReadyToPay, PaidState and the
// bank file's 用途 treat it as an ordinary subsidy; Terms keeps the policy's
// mode.
type SubsidyClaim struct {
	ID            int64      `gorm:"primaryKey;autoIncrement:false"`
	LabourerID    int64      `gorm:"not null;uniqueIndex:ux_claim_once,priority:1"`
	PolicyID      int64      `gorm:"not null;uniqueIndex:ux_claim_once,priority:2;index"`
	Year          int        `gorm:"not null;uniqueIndex:ux_claim_once,priority:3"`
	Kind          string     `gorm:"size:16;not null;index"`
	Mode          string     `gorm:"size:10;not null"`
	CountyCode    string     `gorm:"size:6;not null;index"` // the labourer's county: whose task force decides
	EmployerID    *int64     `gorm:"index"`
	SpellID       *int64     // the employment spell the claim relies on
	TripFrom      string     `gorm:"size:12"`
	TripTo        string     `gorm:"size:12"`
	TripDate      *time.Time `gorm:"type:date"`
	DestScope     string     `gorm:"size:16"` // PlaceScopes code derived from TripTo (or the spell's place)
	HasTicket     bool       `gorm:"not null;default:false"`
	AmountFen     int64      `gorm:"not null"`
	State         ClaimState `gorm:"size:16;not null;index"`
	Conditions    string     `gorm:"type:text"`
	Terms         string     `gorm:"type:text"` // policy terms snapshot (JSON)
	PolicyVersion int        `gorm:"not null"`
	Reason        string     `gorm:"size:200"` // rejection / decision reason
	SettleBy      *time.Time `gorm:"type:date"`
	DecidedBy     *int64
	DecidedAt     *time.Time
	SettledAt     *time.Time
	CreatedBy     int64
	Version       int       `gorm:"not null;default:1"`
	CreatedAt     time.Time `gorm:"index"`
	UpdatedAt     time.Time
}

// ClaimTicket is a claim's ticket photo, kept apart so lists never load it.
// Size is capped and the type sniffed before it is stored.
type ClaimTicket struct {
	ClaimID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Mime      string `gorm:"size:32;not null"`
	Data      []byte `gorm:"type:mediumblob;not null"`
	CreatedAt time.Time
}

// ErrClaimStale is returned by TransitionClaim when the claim was not in the
// expected state and version (someone else moved it first).
var ErrClaimStale = errStale("claim changed concurrently")

// ErrClaimTransition is returned by TransitionClaim for a move AllowedTransition refuses.
var ErrClaimTransition = errStale("claim transition not allowed")

type errStale string

func (e errStale) Error() string { return string(e) }

// TransitionClaim moves a claim from one state to another if and only if it
// is still in that state at that version: UPDATE … WHERE id AND state AND
// version; exactly one row must change. extra sets further columns in the
// same statement. It does not audit: callers write the audit entry in the
// same transaction.
func TransitionClaim(ctx context.Context, tx *gorm.DB, id int64, from, to ClaimState, version int, extra map[string]any) error {
	if !AllowedTransition(from, to) {
		return ErrClaimTransition
	}
	set := map[string]any{}
	for k, v := range extra {
		set[k] = v
	}
	set["state"] = to
	set["version"] = gorm.Expr("version + 1")
	set["updated_at"] = time.Now().UTC()
	res := tx.WithContext(ctx).Model(&SubsidyClaim{}).
		Where("id = ? AND state = ? AND version = ?", id, from, version).Updates(set)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return ErrClaimStale
	}
	return nil
}

// subsidyModels lists the entities for subsidy policies and claims (issue 5).
func subsidyModels() []any { return []any{&SubsidyPolicy{}, &SubsidyClaim{}, &ClaimTicket{}} }
