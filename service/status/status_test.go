package status_test

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/registry"
	"github.com/jiuyebang/jiuyebang/service/status"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// fixedNow is the test clock: 2026-11-23 10:00 in China.
var fixedNow = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

type env struct {
	db      *gorm.DB
	regions *region.Service
	svc     *status.Service
	reg     *registry.Service
	ctx     context.Context
	lab     int64
	village string
}

var seq atomic.Int64

// fresh adds another labourer and returns a worker context for them.
func (e *env) fresh(t *testing.T) (context.Context, int64) {
	t.Helper()
	n := seq.Add(1)
	first := "622926" + time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n)).Format("20060102") + "123"
	sys := actor.With(context.Background(), &actor.Actor{Role: "system"})
	lab, err := e.reg.CreateLabourer(sys, registry.LabourerInput{Name: "马测试", IDNumber: first + string(pii.IDCheckChar(first)),
		Phone: "13800000001", VillageCode: e.village, Ethnicity: "东乡族", Address: "测试", LabourCapacity: "ordinary",
		SkillLevel: "none", Education: "junior_high", Category: "lifted"})
	if err != nil {
		t.Fatal(err)
	}
	return actor.With(context.Background(), &actor.Actor{Role: model.RoleWorker, AccountID: 100 + n, LabourerID: lab.ID}), lab.ID
}

// shared is one seeded database for the package's tests; each test makes
// its own labourers, so they do not see each other's rows.
var shared *env

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "jyb-status-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		db, cleanup, err := testenv.NewDB("status", dir)
		if err != nil {
			panic(err)
		}
		defer cleanup()
		regions := region.New(db)
		ctx := context.Background()
		if _, err := regions.SeedCountry(ctx); err != nil {
			panic(err)
		}
		if _, err := regions.SeedGansu(ctx); err != nil {
			panic(err)
		}
		box, _ := pii.New([]byte(strings.Repeat("a", 32)), []byte(strings.Repeat("b", 32)))
		now := func() time.Time { return fixedNow }
		village := regions.Children(regions.Children("622926")[0].Code)[0].Code
		shared = &env{db: db, regions: regions, svc: status.New(db, regions, now), reg: registry.New(db, box, regions, now), village: village}
		return m.Run()
	}())
}

// setup gives a test its own labourer and a worker context for them.
func setup(t *testing.T) *env {
	t.Helper()
	e := *shared
	e.ctx, e.lab = shared.fresh(t)
	return &e
}

func ip(i int) *int   { return &i }
func bp(b bool) *bool { return &b }

func job(mod func(*status.Report)) status.Report {
	r := status.Report{Kind: "new_job", StartDate: "2026-10-01", PlaceCode: "320583", Form: "employed",
		EmployerName: "昆山电子厂", MonthlyWage: ip(5200), Industry: "general_worker", Contract: bp(true), SocialInsurance: bp(false)}
	if mod != nil {
		mod(&r)
	}
	return r
}

// TestFillRules checks each fill rule both ways: the valid report is
// accepted, and each broken one is refused on the named field.
func TestFillRules(t *testing.T) {
	cases := []struct {
		name  string
		r     status.Report
		field string // "" = accepted
	}{
		{"new job complete", job(nil), ""},
		{"new job in county", job(func(r *status.Report) { r.PlaceCode = "622926" }), ""},
		{"flexible work needs no employer", job(func(r *status.Report) { r.Form = "flexible"; r.EmployerName = "" }), ""},
		{"unit job needs employer", job(func(r *status.Report) { r.EmployerName = "" }), "employer_name"},
		{"other form needs a note", job(func(r *status.Report) { r.Form = "other" }), "form_other"},
		{"other form with note", job(func(r *status.Report) { r.Form = "other"; r.FormOther = "劳务派遣" }), ""},
		{"other industry needs a note", job(func(r *status.Report) { r.Industry = "other" }), "industry_other"},
		{"unknown form", job(func(r *status.Report) { r.Form = "astronaut" }), "form"},
		{"unknown industry", job(func(r *status.Report) { r.Industry = "x" }), "industry"},
		{"missing wage", job(func(r *status.Report) { r.MonthlyWage = nil }), "monthly_wage"},
		{"negative wage", job(func(r *status.Report) { r.MonthlyWage = ip(-1) }), "monthly_wage"},
		{"absurd wage", job(func(r *status.Report) { r.MonthlyWage = ip(status.MaxMonthlyWage + 1) }), "monthly_wage"},
		{"highest wage", job(func(r *status.Report) { r.MonthlyWage = ip(status.MaxMonthlyWage) }), ""},
		{"future start", job(func(r *status.Report) { r.StartDate = "2026-11-24" }), "start_date"},
		{"start today", job(func(r *status.Report) { r.StartDate = "2026-11-23" }), ""},
		{"start before 16", job(func(r *status.Report) { r.StartDate = "2005-12-31" }), "start_date"},
		{"bad date", job(func(r *status.Report) { r.StartDate = "2026-13-01" }), "start_date"},
		{"unknown place", job(func(r *status.Report) { r.PlaceCode = "999999" }), "place_code"},
		{"province place inside Gansu", job(func(r *status.Report) { r.PlaceCode = "62" }), "place_code"},
		{"province place outside Gansu", job(func(r *status.Report) { r.PlaceCode = "32" }), ""},
		{"contract unanswered", job(func(r *status.Report) { r.Contract = nil }), "contract"},
		{"insurance unanswered", job(func(r *status.Report) { r.SocialInsurance = nil }), "social_insurance"},
		{"returned wanting work", status.Report{Kind: "returned", WantsWork: bp(true)}, ""},
		{"returned with reason", status.Report{Kind: "returned", WantsWork: bp(false), Reason: "illness", ReturnDate: "2026-11-20"}, ""},
		{"returned without answer", status.Report{Kind: "returned"}, "wants_work"},
		{"returned future", status.Report{Kind: "returned", WantsWork: bp(true), ReturnDate: "2026-12-01"}, "return_date"},
		{"returned bad reason", status.Report{Kind: "returned", WantsWork: bp(true), Reason: "bored"}, "reason"},
		// Fill rule 3: a plan needs 意向地 + 意向岗位 + 期望月薪; no plan needs a reason.
		{"plan complete", status.Report{Kind: "plan_out", DestCode: "3205", Job: "普工", ExpectedWage: ip(5000), PlannedMonth: "2026-12"}, ""},
		{"plan without place", status.Report{Kind: "plan_out", Job: "普工", ExpectedWage: ip(5000)}, "dest_code"},
		{"plan without job", status.Report{Kind: "plan_out", DestCode: "3205", ExpectedWage: ip(5000)}, "job"},
		{"plan without wage", status.Report{Kind: "plan_out", DestCode: "3205", Job: "普工"}, "expected_wage"},
		{"plan in the past", status.Report{Kind: "plan_out", DestCode: "3205", Job: "普工", ExpectedWage: ip(5000), PlannedMonth: "2026-10"}, "planned_month"},
		{"plan to a village", status.Report{Kind: "plan_out", DestCode: "622926100001", Job: "普工", ExpectedWage: ip(5000)}, "dest_code"},
		{"no plan with reason", status.Report{Kind: "no_plan", Reason: "family_care"}, ""},
		{"no plan without reason", status.Report{Kind: "no_plan"}, "reason"},
		{"no plan other needs text", status.Report{Kind: "no_plan", Reason: "other"}, "reason_other"},
		{"no plan other with text", status.Report{Kind: "no_plan", Reason: "other", ReasonOther: "在家盖房"}, ""},
		{"unknown kind", status.Report{Kind: "retired"}, "kind"},
		{"still working without a job", status.Report{Kind: "still_working"}, "kind"},
	}
	e := setup(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, lab := e.fresh(t)
			_, err := e.svc.Submit(ctx, lab, c.r)
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.KindValidation {
				t.Fatalf("want validation error on %s, got %v", c.field, err)
			}
			found := false
			for _, f := range ae.Fields {
				if f.Field == c.field {
					found = true
					if !hasCJK(f.Message) {
						t.Errorf("message not in Chinese: %q", f.Message)
					}
				}
			}
			if !found {
				t.Fatalf("want error on %s, got %v", c.field, ae.Fields)
			}
		})
	}
}

func hasCJK(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// TestHistoryAndCard follows a worker through a year: a job, a change of job,
// a return wanting work, and a plan. Every step is kept and the card follows.
func TestHistoryAndCard(t *testing.T) {
	e := setup(t)
	steps := []struct {
		r         status.Report
		wantKind  string
		wantLabel string
	}{
		{job(func(r *status.Report) { r.StartDate = "2026-03-01"; r.PlaceCode = "620102" }), status.CurrentWorking, "在岗务工（省内县外）"},
		{job(func(r *status.Report) { r.StartDate = "2026-06-01" }), status.CurrentWorking, "在岗务工（省外）"},
		{status.Report{Kind: "still_working"}, status.CurrentWorking, "在岗务工（省外）"},
		{status.Report{Kind: "returned", WantsWork: bp(true), ReturnDate: "2026-11-20", Reason: "personal"}, status.CurrentReturned, "失业返乡，想找工作"},
		{status.Report{Kind: "no_plan", Reason: "family_care"}, status.CurrentNoPlan, "暂不外出（照顾家人）"},
		{status.Report{Kind: "plan_out", DestCode: "44", Job: "普工", ExpectedWage: ip(6000)}, status.CurrentPlanOut, "想外出务工"},
	}
	for i, s := range steps {
		if _, err := e.svc.Submit(e.ctx, e.lab, s.r); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		card, err := e.svc.Card(e.ctx, e.lab)
		if err != nil {
			t.Fatal(err)
		}
		if card.Kind != s.wantKind || card.Label != s.wantLabel {
			t.Fatalf("step %d: card %s %q, want %s %q", i, card.Kind, card.Label, s.wantKind, s.wantLabel)
		}
		if len(card.History) != i+1 || card.LastReport.Review != model.ReviewPending || card.LastReport.Source != model.SourceSelf {
			t.Fatalf("step %d: history %d, last %+v", i, len(card.History), card.LastReport)
		}
	}
	card, _ := e.svc.Card(e.ctx, e.lab)
	// The second job closed the first the day before it started; the return closed the second.
	if card.Spell == nil || card.Spell.EndDate == nil || card.Spell.EndDate.Format("2006-01-02") != "2026-11-20" {
		t.Fatalf("latest spell not closed at the return: %+v", card.Spell)
	}
	if card.LastReturn.PrevPlace != "320583" {
		t.Fatalf("return's previous place %q", card.LastReturn.PrevPlace)
	}
	// A new job may not start before the current one.
	if _, err := e.svc.Submit(e.ctx, e.lab, job(func(r *status.Report) { r.StartDate = "2026-11-21" })); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Submit(e.ctx, e.lab, job(func(r *status.Report) { r.StartDate = "2026-11-01" }))
	if !apperr.IsKind(err, apperr.KindValidation) {
		t.Fatalf("job starting before the current one accepted: %v", err)
	}
}

// TestWorkerOnlyForSelf: a worker cannot report for anyone else.
func TestWorkerOnlyForSelf(t *testing.T) {
	e := setup(t)
	_, someoneElse := shared.fresh(t)
	other := actor.With(context.Background(), &actor.Actor{Role: model.RoleWorker, AccountID: 10, LabourerID: someoneElse})
	if _, err := e.svc.Submit(other, e.lab, status.Report{Kind: "no_plan", Reason: "farming"}); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Fatalf("reported for someone else: %v", err)
	}
	unbound := actor.With(context.Background(), &actor.Actor{Role: model.RoleWorker, AccountID: 11})
	if _, err := e.svc.Submit(unbound, e.lab, status.Report{Kind: "no_plan", Reason: "farming"}); !apperr.IsKind(err, apperr.KindForbidden) {
		t.Fatalf("unbound worker reported: %v", err)
	}
}
