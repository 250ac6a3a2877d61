package status_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/registry"
	"github.com/jiuyebang/jiuyebang/service/report"
	"github.com/jiuyebang/jiuyebang/service/status"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// sameCard compares what the card shows.
func sameCard(a, b *status.Card) error {
	spell := func(c *status.Card) string {
		if c.Spell == nil {
			return "-"
		}
		end := "open"
		if c.Spell.EndDate != nil {
			end = c.Spell.EndDate.Format("2006-01-02")
		}
		return fmt.Sprintf("%d/%s", c.Spell.ID, end)
	}
	var ra, rb, pa, pb int64
	if a.LastReturn != nil {
		ra = a.LastReturn.ID
	}
	if b.LastReturn != nil {
		rb = b.LastReturn.ID
	}
	if a.Plan != nil {
		pa = a.Plan.ID
	}
	if b.Plan != nil {
		pb = b.Plan.ID
	}
	hist := func(c *status.Card) string {
		s := ""
		for _, h := range c.History {
			s += fmt.Sprintf("%d:%s:%s ", h.ID, h.Kind, h.CreatedAt.In(status.China).Format("2006-01-02 15:04"))
		}
		return s
	}
	la, lb := a.Labourer, b.Labourer
	switch {
	case a.Kind != b.Kind || a.Label != b.Label || a.Since.Format("2006-01-02") != b.Since.Format("2006-01-02"):
		return fmt.Errorf("headline %s %q %s, re-read %s %q %s", a.Kind, a.Label, a.Since, b.Kind, b.Label, b.Since)
	case spell(a) != spell(b):
		return fmt.Errorf("spell %s, re-read %s", spell(a), spell(b))
	case ra != rb || pa != pb:
		return fmt.Errorf("return %d plan %d, re-read %d %d", ra, pa, rb, pb)
	case hist(a) != hist(b):
		return fmt.Errorf("history %s, re-read %s", hist(a), hist(b))
	case la.ID != lb.ID || la.Name != lb.Name || la.IDMasked != lb.IDMasked || la.PhoneMasked != lb.PhoneMasked ||
		la.VillageCode != lb.VillageCode || la.RecordStatus != lb.RecordStatus || la.Working != lb.Working ||
		la.WantsWork != lb.WantsWork || la.PlaceScope != lb.PlaceScope || la.StatusSource != lb.StatusSource || la.Version != lb.Version:
		return fmt.Errorf("labourer %+v, re-read %+v", la, lb)
	}
	return nil
}

// TestCardFromTransaction: the card a report answers with, built from the
// transaction's own rows, is the card a fresh read gives afterwards — also
// when the records are odd (two open jobs, a closed job that started after
// the open one, more than a page of history).
func TestCardFromTransaction(t *testing.T) {
	e := setup(t)
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	spell := func(start string, end *time.Time) {
		t.Helper()
		sp := model.EmploymentSpell{ID: model.NewID(), LabourerID: e.lab, StartDate: day(start), EndDate: end, PlaceCode: "320583",
			PlaceScope: "out_province", Form: "employed", MonthlyWage: 4000, Industry: "general_worker", Source: model.SourceCadre, Verified: true}
		if err := e.db.Create(&sp).Error; err != nil {
			t.Fatal(err)
		}
	}
	ended := day("2026-09-30")
	steps := []struct {
		name   string
		before func()
		r      status.Report
	}{
		{"first plan", nil, status.Report{Kind: "plan_out", DestCode: "44", Job: "普工", ExpectedWage: ip(6000)}},
		{"first job", nil, job(func(r *status.Report) { r.StartDate = "2026-03-01"; r.PlaceCode = "620102" })},
		{"still working", nil, status.Report{Kind: "still_working"}},
		{"job change", nil, job(func(r *status.Report) { r.StartDate = "2026-06-01" })},
		{"return wanting work", nil, status.Report{Kind: "returned", WantsWork: bp(true), ReturnDate: "2026-11-20"}},
		{"no plan", nil, status.Report{Kind: "no_plan", Reason: "family_care"}},
		// A closed job that started after everything else: it heads the card once no job is open.
		{"job after a later closed one", func() { spell("2026-10-01", &ended) }, job(func(r *status.Report) { r.StartDate = "2026-11-21" })},
		{"return after it", nil, status.Report{Kind: "returned", WantsWork: bp(false), ReturnDate: "2026-11-22"}},
		// Two open jobs: a return closes the latest; the other stays open and heads the card.
		{"two open jobs", func() { spell("2026-01-05", nil); spell("2026-02-05", nil) }, status.Report{Kind: "returned", WantsWork: bp(true), ReturnDate: "2026-11-23"}},
		{"new job over the other open one", nil, job(func(r *status.Report) { r.StartDate = "2026-11-23" })},
	}
	for i := 0; i < 14; i++ { // more reports than the card's history holds
		steps = append(steps, struct {
			name   string
			before func()
			r      status.Report
		}{fmt.Sprintf("plan %d", i), nil, status.Report{Kind: "plan_out", DestCode: "3205", Job: "普工", ExpectedWage: ip(5000 + i)}})
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		got, err := e.svc.Submit(e.ctx, e.lab, s.r)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		want, err := e.svc.Card(e.ctx, e.lab)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameCard(got, want); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got.LastReport == nil || got.LastReport.Kind != s.r.Kind {
			t.Fatalf("%s: last report %+v", s.name, got.LastReport)
		}
	}
}

// TestReportWritesTogether: the statements a report sends together all
// land — the report, its fact, the audit row, the outbox event for a
// returnee who wants work (once), the reports' dirty mark when a tracked row
// changed (none for still_working, none through report.Untracked) — and a
// refused report writes nothing.
func TestReportWritesTogether(t *testing.T) {
	e := setup(t)
	count := func(m any, where string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := e.db.Model(m).Where(where, args...).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	dirty := func() int64 { return count(&model.ReportDirty{}, "labourer_id = ?", e.lab) }
	untracked := status.New(report.Untracked(e.db), e.regions, func() time.Time { return fixedNow })
	steps := []struct {
		svc       *status.Service
		r         status.Report
		marks     bool
		outbox    int64
		refused   bool
		spellsEnd int64 // closed spells afterwards
	}{
		{e.svc, job(func(r *status.Report) { r.StartDate = "2026-03-01" }), true, 0, false, 0},
		{e.svc, status.Report{Kind: "still_working"}, false, 0, false, 0},
		{e.svc, job(func(r *status.Report) { r.StartDate = "2026-06-01" }), true, 0, false, 1},
		{e.svc, status.Report{Kind: "returned", WantsWork: bp(true), ReturnDate: "2026-11-20"}, true, 1, false, 2},
		{e.svc, status.Report{Kind: "returned", WantsWork: bp(false), ReturnDate: "2026-11-21"}, true, 0, false, 2},
		{e.svc, status.Report{Kind: "no_plan", Reason: "family_care"}, true, 0, false, 2},
		{e.svc, status.Report{Kind: "plan_out", DestCode: "44"}, false, 0, true, 2},
		{untracked, status.Report{Kind: "plan_out", DestCode: "44", Job: "普工", ExpectedWage: ip(6000)}, false, 0, false, 2},
		{untracked, status.Report{Kind: "returned", WantsWork: bp(true), ReturnDate: "2026-11-22"}, false, 1, false, 2},
	}
	reports, audits, events := int64(0), int64(0), int64(0)
	for i, s := range steps {
		d0 := dirty()
		_, err := s.svc.Submit(e.ctx, e.lab, s.r)
		if (err != nil) != s.refused {
			t.Fatalf("step %d (%s): %v", i, s.r.Kind, err)
		}
		if !s.refused {
			reports++
			audits++
		}
		events += s.outbox
		if n := count(&model.StatusReport{}, "labourer_id = ?", e.lab); n != reports {
			t.Fatalf("step %d: %d reports, want %d", i, n, reports)
		}
		if n := count(&model.AuditLog{}, "subject_type = ? AND subject_id = ? AND action LIKE ?", "labourer", e.lab, "status.%"); n != audits {
			t.Fatalf("step %d: %d audit rows, want %d", i, n, audits)
		}
		if n := count(&model.OutboxEvent{}, "aggregate_id = ? AND kind = ?", e.lab, model.EventReturnReported); n != events {
			t.Fatalf("step %d: %d outbox events, want %d", i, n, events)
		}
		if got := dirty() > d0; got != s.marks {
			t.Fatalf("step %d (%s): marked %v, want %v", i, s.r.Kind, got, s.marks)
		}
		if n := count(&model.EmploymentSpell{}, "labourer_id = ? AND end_date IS NOT NULL", e.lab); n != s.spellsEnd {
			t.Fatalf("step %d: %d closed spells, want %d", i, n, s.spellsEnd)
		}
	}
	var lab model.Labourer
	if err := e.db.Take(&lab, e.lab).Error; err != nil {
		t.Fatal(err)
	}
	if lab.Version != 1+int(reports) || lab.StatusSource != model.SourceSelf || !lab.WantsWork || lab.Working {
		t.Fatalf("status cache %+v after %d reports", lab, reports)
	}
}

// TestFailedStatementRollsBack: when one statement of the batch fails (here
// the audit row, with a request id longer than its column, which MySQL
// refuses), nothing of the report stays.
func TestFailedStatementRollsBack(t *testing.T) {
	if !testenv.Real() {
		t.Skip("SQLite does not enforce column sizes")
	}
	e := setup(t)
	a := *actor.From(e.ctx)
	a.RequestID = strings.Repeat("r", 80)
	ctx := actor.With(context.Background(), &a)
	if _, err := e.svc.Submit(ctx, e.lab, status.Report{Kind: "returned", WantsWork: bp(true)}); err == nil {
		t.Fatal("report with an unwritable audit row accepted")
	}
	for _, m := range []any{&model.StatusReport{}, &model.ReturnEvent{}, &model.ReportDirty{}} {
		var n int64
		if err := e.db.Model(m).Where("labourer_id = ?", e.lab).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("%T: %d rows left (%v)", m, n, err)
		}
	}
	var n int64
	e.db.Model(&model.OutboxEvent{}).Where("aggregate_id = ?", e.lab).Count(&n)
	var lab model.Labourer
	e.db.Take(&lab, e.lab)
	if n != 0 || lab.Version != 1 || lab.StatusSource != "" {
		t.Fatalf("outbox %d, labourer %+v", n, lab)
	}
}

// TestFailedBatchLeavesConnectionClean: after a report whose batch failed
// midway, the connection that ran it goes back to the multi-statement pool
// outside any transaction — the next report on it (the pool has one)
// commits on its own. The application's pool refuses a second statement.
func TestFailedBatchLeavesConnectionClean(t *testing.T) {
	if !testenv.Real() {
		t.Skip("SQLite does not enforce column sizes")
	}
	db := testenv.DB(t)
	if err := db.Exec("SELECT 1; SELECT 2").Error; err == nil {
		t.Fatal("the application's pool ran two statements in one query")
	}
	box, _ := pii.New([]byte(strings.Repeat("a", 32)), []byte(strings.Repeat("b", 32)))
	now := func() time.Time { return fixedNow }
	reg := registry.New(db, box, shared.regions, now)
	svc := status.New(db, shared.regions, now)
	pool := status.MultiPool(svc)
	if pool == nil {
		t.Fatal("no multi-statement pool on MySQL")
	}
	pool.SetMaxOpenConns(1)
	first := "622926198001011234"[:17]
	sys := actor.With(context.Background(), &actor.Actor{Role: "system"})
	lab, err := reg.CreateLabourer(sys, registry.LabourerInput{Name: "马测试", IDNumber: first + string(pii.IDCheckChar(first)),
		Phone: "13800000001", VillageCode: shared.village, Ethnicity: "东乡族", Address: "测试", LabourCapacity: "ordinary",
		SkillLevel: "none", Education: "junior_high", Category: "lifted"})
	if err != nil {
		t.Fatal(err)
	}
	worker := &actor.Actor{Role: model.RoleWorker, AccountID: 7, LabourerID: lab.ID, RequestID: strings.Repeat("r", 80)}
	if _, err := svc.Submit(actor.With(context.Background(), worker), lab.ID, status.Report{Kind: "no_plan", Reason: "farming"}); err == nil {
		t.Fatal("report with an unwritable audit row accepted")
	}
	var open int
	if err := pool.QueryRow("SELECT @@in_transaction").Scan(&open); err != nil || open != 0 {
		t.Fatalf("connection left in a transaction: %d (%v)", open, err)
	}
	ok := *worker
	ok.RequestID = "ok"
	if _, err := svc.Submit(actor.With(context.Background(), &ok), lab.ID, status.Report{Kind: "no_plan", Reason: "farming"}); err != nil {
		t.Fatal(err)
	}
	var reports, plans int64
	db.Model(&model.StatusReport{}).Where("labourer_id = ?", lab.ID).Count(&reports)
	db.Model(&model.OutingPlan{}).Where("labourer_id = ?", lab.ID).Count(&plans)
	if reports != 1 || plans != 1 {
		t.Fatalf("%d reports, %d plans: want the second report only", reports, plans)
	}
}
