package subsidy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/payment"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// advancePolicy is a 定额预付 transport policy (one verified month) with the
// settlement deadline given.
func (e *advanceEnv) advancePolicy(settleBy time.Time) *model.SubsidyPolicy {
	e.t.Helper()
	p := &model.SubsidyPolicy{ID: model.NewID(), ProvinceCode: "62", Year: 2026, Kind: model.SubsidyTransport, Name: "脱贫劳动力外出务工交通补助（定额预付）",
		Mode: model.ModePrepaid, ByDestination: true, AmountInProvinceFen: 20000, AmountOutProvinceFen: 50000, Categories: "lifted,monitored",
		OutOfCounty: true, MonthsRequired: 1, WindowFrom: date("2026-01-01"), WindowTo: date("2026-06-30"), SettleBy: &settleBy,
		Active: true, Version: 1}
	testenv.Must(e.t, e.db.Create(p).Error)
	return p
}

// bankRun puts the claims in a batch of their own and takes it through
// maker–checker and the bank file; each line is then marked with result
// (paid | failed), or left in the batch when result is "".
func (e *advanceEnv) bankRun(maker, checker context.Context, ids []int64, result string) *model.Batch {
	e.t.Helper()
	b, skipped, err := e.pay.CreateBatch(maker, payment.BatchInput{CountyCode: testCounty, ClaimIDs: ids})
	if err != nil || len(skipped) != 0 || b.Lines != len(ids) {
		e.t.Fatalf("batch %+v %v %v", b, skipped, err)
	}
	if result == "" {
		return b
	}
	if _, err := e.pay.Prepare(maker, b.ID, 0); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.pay.Approve(checker, b.ID, 0, ""); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.pay.Export(maker, b.ID, 0, payment.FormatCSV, "报送农业银行代发"); err != nil {
		e.t.Fatal(err)
	}
	var lines []model.BatchLine
	testenv.Must(e.t, e.db.Where("batch_id = ?", b.ID).Find(&lines).Error)
	for _, l := range lines {
		in := payment.MarkInput{Result: result}
		if result == model.LineFailed {
			in.Reason = "户名与账号不符"
		}
		if _, err := e.pay.MarkLine(maker, b.ID, l.ID, in); err != nil {
			e.t.Fatal(err)
		}
	}
	return b
}

// sweepAudits counts a claim's audit rows of the settlement check's moves to
// approved and lapsed, and those among them written with the check's purpose.
func (e *advanceEnv) sweepAudits(id int64) (n, withPurpose int64) {
	e.t.Helper()
	q := e.db.Model(&model.AuditLog{}).Where("subject_id = ? AND action IN ?", id, []string{"subsidy.claim.approved", "subsidy.claim.lapsed"})
	testenv.Must(e.t, q.Count(&n).Error)
	testenv.Must(e.t, e.db.Model(&model.AuditLog{}).Where("subject_id = ? AND action IN ? AND purpose = ?", id,
		[]string{"subsidy.claim.approved", "subsidy.claim.lapsed"}, SweepPurpose).Count(&withPurpose).Error)
	return n, withPurpose
}

func monthsCondition(c *model.SubsidyClaim) *Condition {
	for _, cond := range ClaimConditions(c) {
		if cond.Code == CondMonths {
			return &cond
		}
	}
	return nil
}

// TestUnpaidAdvanceAfterDeadline (定额预付, seed 004 一): an advance never paid
// — still waiting for a batch (advance_due) or failed by the bank
// (pay_failed) — is left alone up to its settlement deadline. After it, the
// settlement check approves the claim when the verified months were reached
// (事后补助: the money is paid after 公示, as an ordinary subsidy) and lets it
// lapse otherwise (nothing was paid, so nothing is recovered). A claim in a
// batch is never touched. Each move is audited once; a second run changes
// nothing.
func TestUnpaidAdvanceAfterDeadline(t *testing.T) {
	e := newAdvanceEnv(t)
	maker, checker := e.account(model.RoleTaskforce, testCounty), e.account(model.RoleTaskforce, testCounty)
	// The check runs on 2026-04-16: a deadline of the 15th has passed, one of the 16th has not.
	passed, today := e.advancePolicy(date("2026-04-15")), e.advancePolicy(date("2026-04-16"))
	trip := date("2026-02-26")
	back := trip.AddDate(0, 0, 12) // came home after twelve days: under one month

	cases := []struct {
		name   string
		policy *model.SubsidyPolicy
		months bool             // the verified months reach the policy's by the check
		at     model.ClaimState // where the claim stands at the check
		want   model.ClaimState
	}{
		{"unpaid past the deadline, months reached", passed, true, model.ClaimAdvanceDue, model.ClaimApproved},
		{"unpaid past the deadline, months not reached", passed, false, model.ClaimAdvanceDue, model.ClaimLapsed},
		{"bank failed, past the deadline, months reached", passed, true, model.ClaimPayFailed, model.ClaimApproved},
		{"bank failed, past the deadline, months not reached", passed, false, model.ClaimPayFailed, model.ClaimLapsed},
		{"in a batch past the deadline, months reached", passed, true, model.ClaimInBatch, model.ClaimInBatch},
		{"in a batch past the deadline, months not reached", passed, false, model.ClaimInBatch, model.ClaimInBatch},
		{"unpaid on the deadline day, months reached", today, true, model.ClaimAdvanceDue, model.ClaimAdvanceDue},
		{"unpaid on the deadline day, months not reached", today, false, model.ClaimAdvanceDue, model.ClaimAdvanceDue},
		{"bank failed on the deadline day, months not reached", today, false, model.ClaimPayFailed, model.ClaimPayFailed},
	}
	ids := make([]int64, len(cases))
	var failed, inBatch []int64
	for i, tc := range cases {
		var end *time.Time
		if !tc.months {
			end = &back
		}
		w, _ := e.worker(maker, trip.AddDate(0, 0, 1), end)
		c, created, err := e.sub.Claim(w, ClaimInput{PolicyID: tc.policy.ID, TripFrom: testCounty, TripTo: shenzhen, TripDate: "2026-02-26"})
		if err != nil || !created || c.State != model.ClaimAdvanceDue {
			t.Fatalf("%s: claim %+v %v", tc.name, c, err)
		}
		ids[i] = c.ID
		switch tc.at {
		case model.ClaimPayFailed:
			failed = append(failed, c.ID)
		case model.ClaimInBatch:
			inBatch = append(inBatch, c.ID)
		}
	}
	e.bankRun(maker, checker, failed, model.LineFailed)
	e.bankRun(maker, checker, inBatch, "")
	before := map[int64]*model.SubsidyClaim{}
	for i, tc := range cases {
		c := e.claim(ids[i])
		if c.State != tc.at {
			t.Fatalf("%s: set up in %s, want %s", tc.name, c.State, tc.at)
		}
		before[c.ID] = c
	}

	e.clock.add(45 * 24 * time.Hour) // 2026-04-16
	r, err := e.sub.SettlementCheck(maker)
	if want := (SweepResult{Checked: 4, AfterTheFact: 2, Lapsed: 2}); err != nil || r != want {
		t.Fatalf("check: %+v %v, want %+v", r, err, want)
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, was := e.claim(ids[i]), before[ids[i]]
			if c.State != tc.want {
				t.Fatalf("state %s, want %s", c.State, tc.want)
			}
			n, withPurpose := e.sweepAudits(c.ID)
			cond := monthsCondition(c)
			switch tc.want {
			case model.ClaimApproved:
				// Paid as an ordinary subsidy from now on: 公示, then a batch, then paid (not prepaid).
				if c.Mode != model.ModeReviewed || c.Reason != ReasonAfterTheFact || model.ReadyToPay(c.Mode) != model.ClaimNoticePassed ||
					model.PaidState(c.Mode) != model.ClaimPaid || ClaimTerms(c).Mode != model.ModePrepaid {
					t.Fatalf("approved claim: mode %s, reason %q, terms' mode %s", c.Mode, c.Reason, ClaimTerms(c).Mode)
				}
				if cond == nil || !cond.Met || !strings.Contains(cond.Reason, "要求不少于1个月") {
					t.Fatalf("months condition after the check: %+v", cond)
				}
			case model.ClaimLapsed:
				if c.Mode != model.ModePrepaid || c.Reason != ReasonLapsed || !model.ClaimTerminal(c.State) {
					t.Fatalf("lapsed claim: mode %s, reason %q", c.Mode, c.Reason)
				}
				if cond == nil || cond.Met {
					t.Fatalf("months condition after the check: %+v", cond)
				}
			default:
				if c.Version != was.Version || c.Reason != was.Reason || c.Mode != model.ModePrepaid || n != 0 {
					t.Fatalf("touched: version %d→%d, reason %q, mode %s, %d audit rows", was.Version, c.Version, c.Reason, c.Mode, n)
				}
				return
			}
			if c.Version != was.Version+1 || c.AmountFen != was.AmountFen || n != 1 || withPurpose != 1 {
				t.Fatalf("moved: version %d→%d, amount %d→%d, %d audit rows (%d with the purpose)",
					was.Version, c.Version, was.AmountFen, c.AmountFen, n, withPurpose)
			}
		})
	}

	// A second run finds nothing to do and writes nothing.
	var audits int64
	testenv.Must(t, e.db.Model(&model.AuditLog{}).Count(&audits).Error)
	if r, err := e.sub.SettlementCheck(maker); err != nil || r != (SweepResult{}) {
		t.Fatalf("second check: %+v %v", r, err)
	}
	var again int64
	testenv.Must(t, e.db.Model(&model.AuditLog{}).Count(&again).Error)
	if again != audits {
		t.Fatalf("second check wrote %d audit rows", again-audits)
	}
	for i, tc := range cases {
		if c := e.claim(ids[i]); c.State != tc.want {
			t.Errorf("%s: after the second check %s", tc.name, c.State)
		}
	}
}

// TestAfterTheFactPaidAsOrdinarySubsidy follows an unpaid advance approved
// after its deadline through 公示 and a batch: the bank file does not call it
// an advance, a bank failure is retried like any payment (the settlement
// check leaves it alone even though its deadline is past) and the bank's
// payment makes it paid — not prepaid, so it is never settled or recovered.
func TestAfterTheFactPaidAsOrdinarySubsidy(t *testing.T) {
	e := newAdvanceEnv(t)
	maker, checker := e.account(model.RoleTaskforce, testCounty), e.account(model.RoleTaskforce, testCounty)
	p := e.advancePolicy(date("2026-04-15"))
	w, _ := e.worker(maker, date("2026-02-27"), nil)
	c, _, err := e.sub.Claim(w, ClaimInput{PolicyID: p.ID, TripFrom: testCounty, TripTo: shenzhen, TripDate: "2026-02-26"})
	if err != nil || c.State != model.ClaimAdvanceDue {
		t.Fatalf("claim %+v %v", c, err)
	}
	e.clock.add(45 * 24 * time.Hour) // 2026-04-16, past the deadline, the advance never paid
	// The worker's own list runs the check (settlement on read).
	mine, err := e.sub.MyClaims(w)
	if err != nil || len(mine) != 1 || mine[0].State != model.ClaimApproved || mine[0].Mode != model.ModeReviewed {
		t.Fatalf("my claims: %+v %v", mine, err)
	}
	if _, err := e.sub.Settle(maker, c.ID, Action{}); !apperr.IsKind(err, apperr.KindConflict) {
		t.Fatalf("settle an approved claim: %v", err)
	}

	// 公示, five working days, no objection.
	n, err := e.pay.Publish(maker, payment.PublishInput{CountyCode: testCounty, ClaimIDs: []int64{c.ID}})
	if err != nil || n.Items != 1 {
		t.Fatalf("publish: %+v %v", n, err)
	}
	e.clock.add(8 * 24 * time.Hour)
	if _, err := e.pay.Close(maker, n.ID); err != nil {
		t.Fatal(err)
	}
	if s := e.claim(c.ID).State; s != model.ClaimNoticePassed {
		t.Fatalf("after the notice: %s", s)
	}

	// The first batch fails at the bank; the check leaves the failure alone.
	b := e.bankRun(maker, checker, []int64{c.ID}, model.LineFailed)
	var line model.BatchLine
	testenv.Must(t, e.db.Where("batch_id = ?", b.ID).Take(&line).Error)
	if line.Purpose != "2026年外出务工交通补助" {
		t.Fatalf("bank file 用途 %q: an after-the-fact payment is not an advance", line.Purpose)
	}
	if s := e.claim(c.ID).State; s != model.ClaimPayFailed {
		t.Fatalf("after the failed line: %s", s)
	}
	if r, err := e.sub.SettlementCheck(maker); err != nil || r != (SweepResult{}) {
		t.Fatalf("check on the failed payment: %+v %v", r, err)
	}

	// The next batch pays it.
	e.bankRun(maker, checker, []int64{c.ID}, model.LinePaid)
	got := e.claim(c.ID)
	if got.State != model.ClaimPaid {
		t.Fatalf("after the paid line: %s", got.State)
	}
	if r, err := e.sub.SettlementCheck(maker); err != nil || r != (SweepResult{}) {
		t.Fatalf("check on the paid claim: %+v %v", r, err)
	}
	for _, a := range []string{"subsidy.claim.create", "subsidy.claim.approved", "claim.in_notice", "claim.notice_passed", "claim.pay_failed", "claim.paid"} {
		if n := e.audits(a, c.ID); n != 1 {
			t.Errorf("%s audited %d times", a, n)
		}
	}
	if n := e.audits("claim.in_batch", c.ID); n != 2 {
		t.Errorf("claim.in_batch audited %d times, want 2", n)
	}
}
