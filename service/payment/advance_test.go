package payment

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// advance makes a 定额预付 claim whose advance is approved (advance_due).
func (e *env) advance(village string, amount int64) *model.SubsidyClaim {
	e.t.Helper()
	c := e.claim(village, amount, true)
	if err := e.db.Model(&model.SubsidyClaim{}).Where("id = ?", c.ID).
		Updates(map[string]any{"mode": model.ModePrepaid, "state": model.ClaimAdvanceDue}).Error; err != nil {
		e.t.Fatal(err)
	}
	c.Mode, c.State = model.ModePrepaid, model.ClaimAdvanceDue
	return c
}

func (e *env) line(batchID, claimID int64) model.BatchLine {
	e.t.Helper()
	var l model.BatchLine
	if err := e.db.Where("batch_id = ? AND claim_id = ?", batchID, claimID).Take(&l).Error; err != nil {
		e.t.Fatal(err)
	}
	return l
}

func (e *env) audits(action string, subject int64) int64 {
	var n int64
	e.db.Model(&model.AuditLog{}).Where("action = ? AND subject_id = ?", action, subject).Count(&n)
	return n
}

// TestAdvancePaidThroughBatch: a 定额预付 advance skips 公示, is paid through
// the maker–checker batch like any other money (用途 定额预付 in the bank
// file), becomes prepaid when the bank paid it, and goes back for another
// batch when the bank failed it.
func TestAdvancePaidThroughBatch(t *testing.T) {
	e := newEnv(t)
	maker := e.account(model.RoleTaskforce, county)
	checker := e.account(model.RoleTaskforce, county)
	adv, adv2 := e.advance(village, 50000), e.advance(village, 20000)
	normal := e.claim(village, 80000, true)
	e.passed(maker, normal)

	// An advance is not published: it is paid at departure.
	if _, err := e.svc.Publish(maker, PublishInput{CountyCode: county, ClaimIDs: []int64{adv.ID}}); kind(err) != "claim_not_approved" {
		t.Fatalf("publish an advance: %v", err)
	}
	b, skipped, err := e.svc.CreateBatch(maker, BatchInput{CountyCode: county})
	if err != nil || b.Lines != 3 || len(skipped) != 0 || b.TotalFen != 150000 {
		t.Fatalf("batch %+v %v %v", b, skipped, err)
	}
	la, ln := e.line(b.ID, adv.ID), e.line(b.ID, normal.ID)
	if la.Purpose != "2024年外出务工交通补助定额预付" || ln.Purpose != "2024年外出务工交通补助" {
		t.Fatalf("purposes %q, %q", la.Purpose, ln.Purpose)
	}
	if e.state(adv.ID) != model.ClaimInBatch || e.audits("claim.in_batch", adv.ID) != 1 {
		t.Fatalf("advance in batch: %s, audits %d", e.state(adv.ID), e.audits("claim.in_batch", adv.ID))
	}
	if _, err := e.svc.Prepare(maker, b.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(maker, b.ID, 0, ""); kind(err) != "same_account" {
		t.Fatalf("maker approves the advance batch: %v", err)
	}
	if _, err := e.svc.Approve(checker, b.ID, 0, ""); err != nil {
		t.Fatal(err)
	}
	f, err := e.svc.Export(maker, b.ID, 0, FormatCSV, "报送农业银行代发")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(f.Data), PurposeAdvance); n != 2 {
		t.Fatalf("bank file lines with 用途 定额预付 = %d, want 2:\n%s", n, f.Data)
	}
	// The bank paid the first advance and the ordinary claim, and failed the second advance.
	if _, err := e.svc.MarkLine(maker, b.ID, la.ID, MarkInput{Result: model.LinePaid}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.MarkLine(maker, b.ID, ln.ID, MarkInput{Result: model.LinePaid}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.MarkLine(maker, b.ID, e.line(b.ID, adv2.ID).ID, MarkInput{Result: model.LineFailed, Reason: "账户已销户"}); err != nil {
		t.Fatal(err)
	}
	if e.state(adv.ID) != model.ClaimPrepaid || e.state(normal.ID) != model.ClaimPaid || e.state(adv2.ID) != model.ClaimPayFailed {
		t.Fatalf("after the bank: advance %s, ordinary %s, failed advance %s", e.state(adv.ID), e.state(normal.ID), e.state(adv2.ID))
	}
	if e.audits("claim.prepaid", adv.ID) != 1 || e.audits("batch_line.paid", la.ID) != 1 {
		t.Fatal("the advance's payment is not audited")
	}
	got, r, err := e.svc.Reconcile(maker, b.ID)
	if err != nil || !r.Balanced() || r.PaidFen != 130000 || r.FailedFen != 20000 || got.State != model.BatchReconciled {
		t.Fatalf("reconcile %+v %+v %v", got, r, err)
	}
	// The failed advance goes into the next batch and is paid there.
	b2, _, err := e.svc.CreateBatch(maker, BatchInput{CountyCode: county})
	if err != nil || b2.Lines != 1 || e.line(b2.ID, adv2.ID).Purpose != "2024年外出务工交通补助定额预付" {
		t.Fatalf("retry batch %+v %v", b2, err)
	}
	e.svc.Prepare(maker, b2.ID, 0)
	e.svc.Approve(checker, b2.ID, 0, "")
	if _, err := e.svc.Export(maker, b2.ID, 0, FormatCSV, "报送农业银行代发"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.MarkLine(maker, b2.ID, e.line(b2.ID, adv2.ID).ID, MarkInput{Result: model.LinePaid}); err != nil {
		t.Fatal(err)
	}
	if e.state(adv2.ID) != model.ClaimPrepaid {
		t.Fatalf("retried advance: %s", e.state(adv2.ID))
	}
	t.Logf("advances paid through batches = 2 (one after a failed line), published = 0, bank file 用途 定额预付 = 2")
}

// TestCancelBatch: a draft or prepared batch can be cancelled with a reason;
// its claims go back (ordinary → notice_passed, advance → advance_due),
// conditionally and audited; an approved batch or a marked line cannot.
func TestCancelBatch(t *testing.T) {
	e := newEnv(t)
	maker := e.account(model.RoleTaskforce, county)
	checker := e.account(model.RoleTaskforce, county)
	cadre := e.account(model.RoleCadre, village)
	far := e.account(model.RoleTaskforce, "622925")
	normal, adv := e.claim(village, 80000, true), e.advance(village, 50000)
	e.passed(maker, normal)
	b, _, err := e.svc.CreateBatch(maker, BatchInput{CountyCode: county, Title: "四月第一批"})
	if err != nil || b.Lines != 2 {
		t.Fatalf("batch %+v %v", b, err)
	}
	if _, err := e.svc.Cancel(maker, b.ID, CancelInput{Reason: " "}); kind(err) != "validation_failed" {
		t.Fatalf("cancel without a reason: %v", err)
	}
	if _, err := e.svc.Cancel(cadre, b.ID, CancelInput{Reason: "选错了人"}); !apperr.IsKind(err, apperr.KindNotFound) && !apperr.IsKind(err, apperr.KindForbidden) {
		t.Fatalf("cadre cancels: %v", err)
	}
	if _, err := e.svc.Cancel(far, b.ID, CancelInput{Reason: "选错了人"}); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Fatalf("another county cancels: %v", err)
	}
	if _, err := e.svc.Cancel(maker, b.ID, CancelInput{Reason: "选错了人", Version: b.Version + 5}); kind(err) != "batch_changed" {
		t.Fatalf("cancel at a stale version: %v", err)
	}
	if e.state(normal.ID) != model.ClaimInBatch {
		t.Fatal("a refused cancel changed a claim")
	}
	got, err := e.svc.Cancel(maker, b.ID, CancelInput{Reason: "收款账户待核实", Version: b.Version})
	if err != nil || got.State != model.BatchCancelled || got.CancelReason != "收款账户待核实" || got.CancelledBy == nil {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if e.state(normal.ID) != model.ClaimNoticePassed || e.state(adv.ID) != model.ClaimAdvanceDue {
		t.Fatalf("claims after cancel: %s %s", e.state(normal.ID), e.state(adv.ID))
	}
	var pending int64
	e.db.Model(&model.BatchLine{}).Where("batch_id = ? AND state <> ?", b.ID, model.LineCancelled).Count(&pending)
	if pending != 0 {
		t.Fatalf("lines not cancelled = %d", pending)
	}
	if e.audits("batch.cancelled", b.ID) != 1 || e.audits("claim.notice_passed", normal.ID) != 2 || e.audits("claim.advance_due", adv.ID) != 1 {
		t.Fatalf("audits: batch %d, ordinary %d, advance %d", e.audits("batch.cancelled", b.ID),
			e.audits("claim.notice_passed", normal.ID), e.audits("claim.advance_due", adv.ID))
	}
	if _, err := e.svc.Cancel(maker, b.ID, CancelInput{Reason: "再撤一次"}); kind(err) != "batch_not_cancellable" {
		t.Fatalf("cancel twice: %v", err)
	}
	if _, err := e.svc.Prepare(maker, b.ID, 0); kind(err) != "batch_changed" {
		t.Fatalf("prepare a cancelled batch: %v", err)
	}

	// The claims go into a new batch; a prepared one can be cancelled too.
	b2, _, err := e.svc.CreateBatch(maker, BatchInput{CountyCode: county})
	if err != nil || b2.Lines != 2 {
		t.Fatalf("new batch %+v %v", b2, err)
	}
	e.svc.Prepare(maker, b2.ID, 0)
	// A line that somehow has a result blocks the cancel, and nothing changes.
	l := e.line(b2.ID, normal.ID)
	e.db.Model(&model.BatchLine{}).Where("id = ?", l.ID).Update("state", model.LinePaid)
	if _, err := e.svc.Cancel(checker, b2.ID, CancelInput{Reason: "名单有误"}); kind(err) != "line_marked" {
		t.Fatalf("cancel with a marked line: %v", err)
	}
	if cur, _ := e.svc.Batch(maker, b2.ID); cur.State != model.BatchPrepared || e.state(adv.ID) != model.ClaimInBatch {
		t.Fatalf("a refused cancel changed the batch (%s) or a claim (%s)", cur.State, e.state(adv.ID))
	}
	e.db.Model(&model.BatchLine{}).Where("id = ?", l.ID).Update("state", model.LinePending)

	// Cancel racing approve: exactly one wins.
	var wg sync.WaitGroup
	var cancelled, approved atomic.Int64
	start := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(2)
		chk := e.account(model.RoleTaskforce, county)
		go func() {
			defer wg.Done()
			<-start
			if _, err := e.svc.Cancel(maker, b2.ID, CancelInput{Reason: "名单有误"}); err == nil {
				cancelled.Add(1)
			}
		}()
		go func(ctx context.Context) {
			defer wg.Done()
			<-start
			if _, err := e.svc.Approve(ctx, b2.ID, 0, ""); err == nil {
				approved.Add(1)
			}
		}(chk)
	}
	close(start)
	wg.Wait()
	if cancelled.Load()+approved.Load() != 1 {
		t.Fatalf("cancels won %d, approvals won %d: want one in all", cancelled.Load(), approved.Load())
	}
	cur, _ := e.svc.Batch(maker, b2.ID)
	want := model.ClaimInBatch
	if cancelled.Load() == 1 {
		want = model.ClaimNoticePassed
	}
	if e.state(normal.ID) != want {
		t.Fatalf("batch %s, claim %s (want %s)", cur.State, e.state(normal.ID), want)
	}
	// An approved batch cannot be cancelled.
	if cur.State == model.BatchApproved {
		if _, err := e.svc.Cancel(maker, b2.ID, CancelInput{Reason: "名单有误"}); kind(err) != "batch_not_cancellable" {
			t.Fatalf("cancel an approved batch: %v", err)
		}
	}
	t.Logf("cancel vs approve: cancels won %d, approvals won %d, lost updates 0", cancelled.Load(), approved.Load())
}
