package verify

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/registry"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// fixedNow is the test clock: 2026-11-23 10:00 in China (work year 2026).
var fixedNow = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

type env struct {
	svc                *Service
	regions            *region.Service
	village, otherTown string
	lab                *model.Labourer
	basic              registry.LabourerInput
}

var shared *env

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "jyb-verify-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		db, cleanup, err := testenv.NewDB("verify", dir)
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
		reg := registry.New(db, box, regions, now)
		towns := regions.Children("622926")
		e := &env{svc: New(db, box, reg, regions, now), regions: regions,
			village: regions.Children(towns[0].Code)[0].Code, otherTown: towns[1].Code}
		first := "622926" + "19900101" + "123"
		sys := actor.With(ctx, &actor.Actor{Role: "system"})
		lab, err := reg.CreateLabourer(sys, registry.LabourerInput{Name: "马测试", IDNumber: first + string(pii.IDCheckChar(first)),
			Phone: "13800000001", VillageCode: e.village, Ethnicity: "东乡族", Address: "测试", LabourCapacity: "ordinary",
			SkillLevel: "none", Education: "junior_high", Category: "lifted"})
		if err != nil {
			panic(err)
		}
		e.lab = lab
		if e.basic, err = e.svc.basicOf(lab, 0, ""); err != nil {
			panic(err)
		}
		shared = e
		return m.Run()
	}())
}

func yes() *bool            { b := true; return &b }
func no() *bool             { b := false; return &b }
func num(n int) *int        { return &n }
func fl(f float64) *float64 { return &f }

// working is a valid form of someone at work out of the province, for the
// previous work year (2025-10 … 2026-09) with 10 months and 50,000 yuan.
func working() Form {
	months := []string{"2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"}
	return Form{Verification: "verified",
		Basic: Basic{Name: "马测试", Ethnicity: "东乡族", Address: "测试", State: "normal", LabourCapacity: "ordinary",
			SkillLevel: "none", TwoAfter: no(), Education: "junior_high", Category: "lifted"},
		Working:  yes(),
		WorkYear: WorkYear{StartYear: 2025, Months: months, MonthsWorked: fl(10), Income: num(50000), FlexibleDays: num(0)},
		Employment: &Employment{PlaceCode: "440306", Form: "employed", EmployerName: "深圳某厂", StartDate: "2025-12-01",
			Wage: num(5000), Industry: "general_worker", Contract: yes(), SocialInsurance: yes(), Assisted: no(),
			StartupLed: no(), Organised: "point_to_point"},
		Return:   &Return{Returned: no()},
		Services: &Services{None: true},
	}
}

// notWorking is a valid form of a returnee at home who plans to go out.
func notWorking() Form {
	f := working()
	f.Working, f.Employment = no(), nil
	f.WorkYear = WorkYear{StartYear: 2026, Months: []string{"2026-10"}, MonthsWorked: fl(0.5), Income: num(2500)}
	f.NotOut = &NotOut{Type: "lost_job", LostJobDate: "2026-10-20", HasPlan: yes(), DestCode: "4403", Job: "电子厂普工", ExpectedWage: num(5000), PlannedMonth: "2027-02"}
	f.Return = &Return{Returned: yes(), Reason: "epidemic", PrevPlaceCode: "440306", ReturnDate: "2026-10-20"}
	f.Training = &Training{Wish: yes(), Category: "skill", Job: "电工", Month: "2027-01"}
	f.Services = &Services{Items: map[string]int{"guidance": 1, "placement": 2}}
	return f
}

func validate(t *testing.T, f Form) []apperr.FieldError {
	t.Helper()
	_, err := shared.svc.Validate(shared.lab, shared.basic, &f, fixedNow)
	if err == nil {
		return nil
	}
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindValidation {
		t.Fatalf("not a validation error: %v", err)
	}
	return e.Fields
}

func TestValidFormsPass(t *testing.T) {
	cases := map[string]func(f *Form){
		"working out of province":     func(f *Form) {},
		"assisted with month":         func(f *Form) { f.Employment.Assisted, f.Employment.AssistedMonth = yes(), "2025-11" },
		"form other with note":        func(f *Form) { f.Employment.Form, f.Employment.FormOther = "other", "零工" },
		"industry other with note":    func(f *Form) { f.Employment.Industry, f.Employment.IndustryOther = "other", "快递" },
		"self employed, no employer":  func(f *Form) { f.Employment.Form, f.Employment.EmployerName = "self_employed", "" },
		"services with counts":        func(f *Form) { f.Services = &Services{Items: map[string]int{"training": 3}} },
		"no training wish":            func(f *Form) { f.Training = &Training{Wish: no()} },
		"half months":                 func(f *Form) { f.WorkYear.MonthsWorked = fl(9.5) },
		"in county, town level":       func(f *Form) { f.Employment.PlaceCode = shared.otherTown },
		"flexible days within months": func(f *Form) { f.WorkYear.FlexibleDays = num(200) },
		"current work year": func(f *Form) {
			f.WorkYear = WorkYear{StartYear: 2026, Months: []string{"2026-10", "2026-11"}, MonthsWorked: fl(2), Income: num(10000)}
		},
		"returnee re-exported (再输出)": func(f *Form) {
			f.Return = &Return{Returned: yes(), Reason: "farming", PrevPlaceCode: "440306", ReturnDate: "2025-11-01"}
		},
		"returnee from another town": func(f *Form) {
			f.Return = &Return{Returned: yes(), Reason: "illness", PrevPlaceCode: shared.otherTown, ReturnDate: "2025-11-01"}
		},
		"phone corrected": func(f *Form) { f.Basic.Phone = "13900000002" },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			f := working()
			mut(&f)
			if fe := validate(t, f); fe != nil {
				t.Fatalf("want valid, got %v", fe)
			}
		})
	}
	notCases := map[string]func(f *Form){
		"returnee with plan": func(f *Form) {},
		"no plan with reason": func(f *Form) {
			f.NotOut = &NotOut{Type: "never_out", HasPlan: no(), NoPlanReason: "family_care"}
			f.Return = &Return{Returned: no()}
		},
		"no plan, other reason": func(f *Form) {
			f.NotOut.HasPlan, f.NotOut.DestCode, f.NotOut.Job, f.NotOut.ExpectedWage, f.NotOut.PlannedMonth = no(), "", "", nil, ""
			f.NotOut.NoPlanReason, f.NotOut.NoPlanOther = "other", "要盖房"
		},
		"plan without month": func(f *Form) { f.NotOut.PlannedMonth = "" },
		"plan to a province": func(f *Form) { f.NotOut.DestCode = "44" },
		"perm exit, no not_out": func(f *Form) {
			f.Basic.State, f.Basic.StateReason, f.NotOut = "perm_exit", "death", nil
			f.Return = &Return{Returned: no()}
		},
		"temp exit, not working": func(f *Form) { f.Basic.State, f.Basic.StateReason = "temp_exit", "school" },
	}
	for name, mut := range notCases {
		t.Run(name, func(t *testing.T) {
			f := notWorking()
			mut(&f)
			if fe := validate(t, f); fe != nil {
				t.Fatalf("want valid, got %v", fe)
			}
		})
	}
}

// TestFillRules: every rule broken once, on the field it names.
func TestFillRules(t *testing.T) {
	type tc struct {
		name  string
		base  func() Form
		mut   func(f *Form)
		field string
		code  string
	}
	W, N := working, notWorking
	cases := []tc{
		// 核实情况 (single choice; 未核实 is not a result).
		{"verification missing", W, func(f *Form) { f.Verification = "" }, "verification", "invalid_enum"},
		{"verification unverified", W, func(f *Form) { f.Verification = "unverified" }, "verification", "not_verified"},
		// 基本信息 (填表规则 1, through registry.ValidateBasic).
		{"name missing", W, func(f *Form) { f.Basic.Name = "" }, "basic.name", "required"},
		{"ethnicity bad", W, func(f *Form) { f.Basic.Ethnicity = "火星族" }, "basic.ethnicity", "invalid_enum"},
		{"address missing", W, func(f *Form) { f.Basic.Address = "" }, "basic.address", "required"},
		{"phone bad", W, func(f *Form) { f.Basic.Phone = "12345" }, "basic.phone", "invalid_phone"},
		{"state missing", W, func(f *Form) { f.Basic.State = "" }, "basic.state", "invalid_enum"},
		{"state reason for normal", W, func(f *Form) { f.Basic.StateReason = "school" }, "basic.state_reason", "not_allowed"},
		{"temp exit without reason", N, func(f *Form) { f.Basic.State = "temp_exit" }, "basic.state_reason", "invalid_enum"},
		{"capacity bad", W, func(f *Form) { f.Basic.LabourCapacity = "none" }, "basic.labour_capacity", "invalid_enum"},
		{"skilled without level", W, func(f *Form) { f.Basic.LabourCapacity = "skilled" }, "basic.skill_level", "skill_required"},
		{"ordinary with certificate", W, func(f *Form) { f.Basic.SkillLevel = "junior" }, "basic.labour_capacity", "has_certificate"},
		{"two_after not ticked", W, func(f *Form) { f.Basic.TwoAfter = nil }, "basic.two_after", "required"},
		{"two_after without graduation", W, func(f *Form) { f.Basic.TwoAfter = yes() }, "basic.graduation_date", "required"},
		{"two_after over 5 years (指标解释 2)", W, func(f *Form) { f.Basic.TwoAfter, f.Basic.GraduationDate = yes(), "2020-07" }, "basic.two_after", "two_after_expired"},
		{"category bad", W, func(f *Form) { f.Basic.Category = "x" }, "basic.category", "invalid_enum"},
		// 是否务工 and the two blocks (填表规则 2).
		{"working not ticked", W, func(f *Form) { f.Working = nil }, "working", "required"},
		{"working without employment", W, func(f *Form) { f.Employment = nil }, "employment", "required"},
		{"working with not_out", W, func(f *Form) { f.NotOut = N().NotOut }, "not_out", "not_allowed"},
		{"not working without not_out", N, func(f *Form) { f.NotOut = nil }, "not_out", "required"},
		{"not working with employment", N, func(f *Form) { f.Employment = W().Employment }, "employment", "not_allowed"},
		{"exited but working", W, func(f *Form) { f.Basic.State, f.Basic.StateReason = "temp_exit", "military" }, "working", "exited_not_working"},
		// 已外出务工情况, every item.
		{"place missing", W, func(f *Form) { f.Employment.PlaceCode = "" }, "employment.place_code", "required"},
		{"place unknown", W, func(f *Form) { f.Employment.PlaceCode = "449999" }, "employment.place_code", "unknown_region"},
		{"place in province too coarse", W, func(f *Form) { f.Employment.PlaceCode = "6201" }, "employment.place_code", "region_level"},
		{"place county with towns (down to town)", W, func(f *Form) { f.Employment.PlaceCode = "622926" }, "employment.place_code", "region_level"},
		{"form bad", W, func(f *Form) { f.Employment.Form = "x" }, "employment.form", "invalid_enum"},
		{"form other without note", W, func(f *Form) { f.Employment.Form = "other" }, "employment.form_other", "required"},
		{"form note without other", W, func(f *Form) { f.Employment.FormOther = "零工" }, "employment.form_other", "not_allowed"},
		{"employer missing", W, func(f *Form) { f.Employment.EmployerName = "" }, "employment.employer_name", "required"},
		{"start date missing", W, func(f *Form) { f.Employment.StartDate = "" }, "employment.start_date", "required"},
		{"start date future", W, func(f *Form) { f.Employment.StartDate = "2026-12-01" }, "employment.start_date", "future_date"},
		{"start before 16", W, func(f *Form) { f.Employment.StartDate = "2005-01-01" }, "employment.start_date", "before_work_age"},
		{"wage missing", W, func(f *Form) { f.Employment.Wage = nil }, "employment.wage", "required"},
		{"wage zero", W, func(f *Form) { f.Employment.Wage = num(0) }, "employment.wage", "not_positive"},
		{"wage absurd", W, func(f *Form) { f.Employment.Wage = num(MaxMonthlyWage + 1) }, "employment.wage", "too_large"},
		{"industry bad", W, func(f *Form) { f.Employment.Industry = "" }, "employment.industry", "invalid_enum"},
		{"industry other without note", W, func(f *Form) { f.Employment.Industry = "other" }, "employment.industry_other", "required"},
		{"contract not ticked", W, func(f *Form) { f.Employment.Contract = nil }, "employment.contract", "required"},
		{"insurance not ticked", W, func(f *Form) { f.Employment.SocialInsurance = nil }, "employment.social_insurance", "required"},
		{"startup_led not ticked", W, func(f *Form) { f.Employment.StartupLed = nil }, "employment.startup_led", "required"},
		{"assisted not ticked", W, func(f *Form) { f.Employment.Assisted = nil }, "employment.assisted", "required"},
		{"assisted without month", W, func(f *Form) { f.Employment.Assisted = yes() }, "employment.assisted_month", "required"},
		{"assisted month future", W, func(f *Form) { f.Employment.Assisted, f.Employment.AssistedMonth = yes(), "2027-01" }, "employment.assisted_month", "future_date"},
		{"month without assisted", W, func(f *Form) { f.Employment.AssistedMonth = "2025-11" }, "employment.assisted_month", "not_allowed"},
		{"organised not ticked", W, func(f *Form) { f.Employment.Organised = "" }, "employment.organised", "invalid_enum"},
		// 暂未外出务工情况 (填表规则 3).
		{"not_out type missing", N, func(f *Form) { f.NotOut.Type = "" }, "not_out.type", "invalid_enum"},
		{"lost job without date", N, func(f *Form) { f.NotOut.LostJobDate = "" }, "not_out.lost_job_date", "required"},
		{"never out with date", N, func(f *Form) { f.NotOut.Type = "never_out"; f.Return = &Return{Returned: no()} }, "not_out.lost_job_date", "not_allowed"},
		{"has_plan not ticked", N, func(f *Form) { f.NotOut.HasPlan = nil }, "not_out.has_plan", "required"},
		{"plan without destination", N, func(f *Form) { f.NotOut.DestCode = "" }, "not_out.dest_code", "required"},
		{"plan destination too fine", N, func(f *Form) { f.NotOut.DestCode = "440306" }, "not_out.dest_code", "region_level"},
		{"plan without job", N, func(f *Form) { f.NotOut.Job = "" }, "not_out.job", "required"},
		{"plan without wage", N, func(f *Form) { f.NotOut.ExpectedWage = nil }, "not_out.expected_wage", "required"},
		{"plan month past", N, func(f *Form) { f.NotOut.PlannedMonth = "2026-01" }, "not_out.planned_month", "past_date"},
		{"plan with no-plan reason", N, func(f *Form) { f.NotOut.NoPlanReason = "farming" }, "not_out.no_plan_reason", "not_allowed"},
		{"no plan without reason", N, func(f *Form) { f.NotOut = &NotOut{Type: "lost_job", LostJobDate: "2026-10-20", HasPlan: no()} }, "not_out.no_plan_reason", "invalid_enum"},
		{"no plan, other without note", N, func(f *Form) {
			f.NotOut = &NotOut{Type: "lost_job", LostJobDate: "2026-10-20", HasPlan: no(), NoPlanReason: "other"}
		}, "not_out.no_plan_other", "required"},
		{"no plan with destination", N, func(f *Form) {
			f.NotOut = &NotOut{Type: "lost_job", LostJobDate: "2026-10-20", HasPlan: no(), NoPlanReason: "farming", DestCode: "44"}
		}, "not_out.dest_code", "not_allowed"},
		{"no plan with wage", N, func(f *Form) {
			f.NotOut = &NotOut{Type: "lost_job", LostJobDate: "2026-10-20", HasPlan: no(), NoPlanReason: "farming", ExpectedWage: num(3000)}
		}, "not_out.expected_wage", "not_allowed"},
		// 年度累计务工时间, 收入, 具体务工时间, 灵活就业天数 (指标解释 3).
		{"work year not current or last", W, func(f *Form) { f.WorkYear.StartYear = 2023 }, "work_year.start_year", "invalid_work_year"},
		{"month outside the form", W, func(f *Form) { f.WorkYear.Months = append(f.WorkYear.Months, "2025-09") }, "work_year.months", "out_of_year"},
		{"month in future", W, func(f *Form) { f.WorkYear.Months = append(f.WorkYear.Months, "2026-12") }, "work_year.months", "future_date"},
		{"month twice", W, func(f *Form) { f.WorkYear.Months = append(f.WorkYear.Months, "2026-01") }, "work_year.months", "duplicate"},
		{"months_worked missing", W, func(f *Form) { f.WorkYear.MonthsWorked = nil }, "work_year.months_worked", "required"},
		{"months_worked over ticked", W, func(f *Form) { f.WorkYear.MonthsWorked = fl(11) }, "work_year.months_worked", "exceeds_months"},
		{"months_worked over 12", W, func(f *Form) { f.WorkYear.MonthsWorked = fl(13) }, "work_year.months_worked", "out_of_range"},
		{"months_worked two decimals", W, func(f *Form) { f.WorkYear.MonthsWorked = fl(3.25) }, "work_year.months_worked", "precision"},
		{"months ticked but zero worked", W, func(f *Form) { f.WorkYear.MonthsWorked = fl(0); f.WorkYear.Income = num(0) }, "work_year.months_worked", "months_ticked"},
		{"income missing", W, func(f *Form) { f.WorkYear.Income = nil }, "work_year.income", "required"},
		{"income negative", W, func(f *Form) { f.WorkYear.Income = num(-1) }, "work_year.income", "out_of_range"},
		{"income without work", W, func(f *Form) { f.WorkYear.Months, f.WorkYear.MonthsWorked = nil, fl(0) }, "work_year.income", "income_without_work"},
		{"flexible days over months", W, func(f *Form) {
			f.WorkYear.MonthsWorked = fl(1)
			f.WorkYear.Months = []string{"2026-01"}
			f.WorkYear.FlexibleDays = num(40)
		}, "work_year.flexible_days", "exceeds_months"},
		{"flexible days negative", W, func(f *Form) { f.WorkYear.FlexibleDays = num(-1) }, "work_year.flexible_days", "out_of_range"},
		// 返乡回流情况 (指标解释 7).
		{"returned not ticked", W, func(f *Form) { f.Return = nil }, "return.returned", "required"},
		{"not returned with details", W, func(f *Form) { f.Return.Reason = "epidemic" }, "return.returned", "not_allowed"},
		{"returned without reason", N, func(f *Form) { f.Return.Reason = "" }, "return.reason", "invalid_enum"},
		{"returned without place", N, func(f *Form) { f.Return.PrevPlaceCode = "" }, "return.prev_place_code", "required"},
		{"returned from own town", N, func(f *Form) { f.Return.PrevPlaceCode = shared.village[:9] }, "return.prev_place_code", "not_a_return"},
		{"returned without date", N, func(f *Form) { f.Return.ReturnDate = "" }, "return.return_date", "required"},
		{"returned after the current job", W, func(f *Form) {
			f.Return = &Return{Returned: yes(), Reason: "farming", PrevPlaceCode: "440306", ReturnDate: "2026-01-01"}
		}, "return.return_date", "after_current_job"},
		{"returnee never out", N, func(f *Form) { f.NotOut.Type, f.NotOut.LostJobDate = "never_out", "" }, "not_out.type", "returnee_lost_job"},
		// 培训意愿 (填表规则 4).
		{"wish without category", N, func(f *Form) { f.Training.Category = "" }, "training.category", "invalid_enum"},
		{"wish without job", N, func(f *Form) { f.Training.Job = "" }, "training.job", "required"},
		{"wish without month", N, func(f *Form) { f.Training.Month = "" }, "training.month", "required"},
		{"wish month past", N, func(f *Form) { f.Training.Month = "2025-01" }, "training.month", "past_date"},
		{"no wish with details", N, func(f *Form) { f.Training.Wish = no() }, "training.wish", "not_allowed"},
		{"details without wish", N, func(f *Form) { f.Training.Wish = nil }, "training.wish", "required"},
		// 就业服务 (填表规则 5).
		{"services missing", W, func(f *Form) { f.Services = nil }, "services.items", "required"},
		{"services empty", W, func(f *Form) { f.Services = &Services{} }, "services.items", "required"},
		{"services and none", N, func(f *Form) { f.Services.None = true }, "services.none", "not_allowed"},
		{"service count zero", N, func(f *Form) { f.Services.Items["guidance"] = 0 }, "services.items.guidance", "out_of_range"},
		{"service unknown", N, func(f *Form) { f.Services.Items["x"] = 1 }, "services.items", "invalid_enum"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.base()
			c.mut(&f)
			fe := validate(t, f)
			for _, e := range fe {
				if e.Field == c.field && e.Code == c.code {
					if e.Message == "" || !hasHan(e.Message) {
						t.Errorf("message %q is not Chinese", e.Message)
					}
					return
				}
			}
			t.Fatalf("want %s/%s, got %v", c.field, c.code, fe)
		})
	}
	t.Logf("fill-rule violations tried = %d", len(cases))
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// TestThresholds: 指标解释 3 / 二 工作目标 and 指标解释 4, each side of each line.
func TestThresholds(t *testing.T) {
	cases := []struct {
		scope, form string
		months      float64
		income      int
		want        bool
	}{
		{"in_county", "employed", 1, 3000, true},
		{"in_county", "employed", 0.9, 3000, false},
		{"in_county", "employed", 1, 2999, false},
		{"in_province", "employed", 3, 9000, true},
		{"in_province", "employed", 2.9, 9000, false},
		{"in_province", "employed", 3, 8999, false},
		{"out_province", "flexible", 3, 9000, true},
		{"out_province", "flexible", 12, 8999, false},
		{"out_province", "self_employed", 12, 100000, false}, // 自主创业: 只采集信息，不统计为务工人员
		{"", "employed", 12, 100000, false},
	}
	for _, c := range cases {
		if got := CountsAsWorker(c.scope, c.form, c.months, c.income); got != c.want {
			t.Errorf("CountsAsWorker(%s, %s, %.1f, %d) = %v, want %v", c.scope, c.form, c.months, c.income, got, c.want)
		}
	}
	// Through the form: out of province, 10 months and 50,000 counts; 2 months does not.
	ck, err := shared.svc.Validate(shared.lab, shared.basic, ptr(working()), fixedNow)
	if err != nil || !ck.countsAsWorker || ck.placeScope != "out_province" {
		t.Fatalf("counts: %v %+v", err, ck)
	}
	f := working()
	f.WorkYear.Months, f.WorkYear.MonthsWorked, f.WorkYear.Income = []string{"2026-09", "2026-08"}, fl(2), num(10000)
	if ck, err = shared.svc.Validate(shared.lab, shared.basic, &f, fixedNow); err != nil || ck.countsAsWorker {
		t.Fatalf("2 months out of county must not count: %v %+v", err, ck)
	}
}

func ptr[T any](v T) *T { return &v }

func TestWorkYearAndDeadline(t *testing.T) {
	for in, want := range map[string]int{"2026-09-30T23:00:00+08:00": 2025, "2026-10-01T00:00:00+08:00": 2026, "2027-01-15T00:00:00+08:00": 2026} {
		tm, _ := time.Parse(time.RFC3339, in)
		if got := WorkYearOf(tm); got != want {
			t.Errorf("WorkYearOf(%s) = %d, want %d", in, got, want)
		}
	}
	d, err := Deadline("2026-11")
	if err != nil || !d.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, China)) {
		t.Fatalf("deadline %v %v", d, err)
	}
}

func png(n int) string {
	b := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, n)...)
	return base64.StdEncoding.EncodeToString(b)
}

func jpeg(n int) string {
	b := append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{1}, n)...)
	return base64.StdEncoding.EncodeToString(b)
}

func TestProof(t *testing.T) {
	at := fixedNow.Add(-time.Hour).Format(time.RFC3339)
	loc := &Location{Lat: 35.6, Lng: 103.4, Accuracy: 20}
	good := func() Proof {
		return Proof{VisitedAt: at, Method: "visit", Location: loc, ConfirmMethod: "signature", Signature: png(100), Photos: []string{jpeg(100)}}
	}
	if p, err := shared.svc.checkProof(ptr(good()), "verified"); err != nil || len(p.images) != 2 {
		t.Fatalf("good proof: %v", err)
	}
	phone := Proof{VisitedAt: at, Method: "phone", ConfirmMethod: "worker_account"}
	if _, err := shared.svc.checkProof(&phone, "verified"); err != nil {
		t.Fatalf("phone + worker account: %v", err)
	}
	unreachable := Proof{VisitedAt: at, Attempts: []Attempt{{At: at, Method: "phone", Note: "关机"}, {At: at, Method: "visit"}}}
	if _, err := shared.svc.checkProof(&unreachable, "unreachable"); err != nil {
		t.Fatalf("unreachable: %v", err)
	}
	cases := []struct {
		name, verification string
		mut                func(p *Proof)
		field, code        string
	}{
		{"time missing", "verified", func(p *Proof) { p.VisitedAt = "" }, "proof.visited_at", "required"},
		{"time future", "verified", func(p *Proof) { p.VisitedAt = fixedNow.Add(time.Hour).Format(time.RFC3339) }, "proof.visited_at", "future_time"},
		{"draft too old", "verified", func(p *Proof) { p.VisitedAt = fixedNow.AddDate(0, -3, 0).Format(time.RFC3339) }, "proof.visited_at", "too_old"},
		{"visit without location", "verified", func(p *Proof) { p.Location = nil }, "proof.location", "required"},
		{"location abroad", "verified", func(p *Proof) { p.Location = &Location{Lat: 48.8, Lng: 2.3, Accuracy: 10} }, "proof.location", "outside_china"},
		{"location inaccurate", "verified", func(p *Proof) { p.Location = &Location{Lat: 35.6, Lng: 103.4, Accuracy: 9000} }, "proof.location.accuracy", "out_of_range"},
		{"method missing", "verified", func(p *Proof) { p.Method = "" }, "proof.method", "invalid_enum"},
		{"confirm missing", "verified", func(p *Proof) { p.ConfirmMethod = "" }, "proof.confirm_method", "invalid_enum"},
		{"signature missing", "verified", func(p *Proof) { p.Signature = "" }, "proof.signature", "required"},
		{"signature not png", "verified", func(p *Proof) { p.Signature = jpeg(10) }, "proof.signature", "not_png"},
		{"signature too large", "verified", func(p *Proof) { p.Signature = png(MaxSignatureBytes) }, "proof.signature", "image_too_large"},
		{"signature not base64", "verified", func(p *Proof) { p.Signature = "!!!" }, "proof.signature", "invalid_base64"},
		{"signature with worker confirm", "verified", func(p *Proof) { p.ConfirmMethod = "worker_account" }, "proof.signature", "not_allowed"},
		{"phone visit signed", "verified", func(p *Proof) { p.Method = "phone" }, "proof.confirm_method", "phone_needs_account"},
		{"photo not an image", "verified", func(p *Proof) { p.Photos = []string{base64.StdEncoding.EncodeToString([]byte("<html>hello</html>"))} }, "proof.photos.0", "bad_image_type"},
		{"photo too large", "verified", func(p *Proof) { p.Photos = []string{jpeg(MaxPhotoBytes)} }, "proof.photos.0", "image_too_large"},
		{"too many photos", "verified", func(p *Proof) { p.Photos = []string{jpeg(1), jpeg(1), jpeg(1)} }, "proof.photos", "too_many"},
		{"attempts when verified", "verified", func(p *Proof) { p.Attempts = unreachable.Attempts }, "proof.attempts", "not_allowed"},
		{"unreachable without attempts", "unreachable", func(p *Proof) { *p = Proof{VisitedAt: at} }, "proof.attempts", "required"},
		{"attempt bad method", "unreachable", func(p *Proof) { *p = Proof{VisitedAt: at, Attempts: []Attempt{{At: at, Method: "pigeon"}}} }, "proof.attempts.0.method", "invalid_enum"},
		{"attempt in future", "unreachable", func(p *Proof) {
			*p = Proof{VisitedAt: at, Attempts: []Attempt{{At: fixedNow.Add(time.Hour).Format(time.RFC3339), Method: "phone"}}}
		}, "proof.attempts.0.at", "future_time"},
		{"unreachable signed", "unreachable", func(p *Proof) { p.Attempts = unreachable.Attempts }, "proof.confirm_method", "not_allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := good()
			c.mut(&p)
			_, err := shared.svc.checkProof(&p, c.verification)
			e, _ := apperr.As(err)
			if e != nil {
				for _, fe := range e.Fields {
					if fe.Field == c.field && fe.Code == c.code {
						return
					}
				}
			}
			t.Fatalf("want %s/%s, got %v", c.field, c.code, err)
		})
	}
}
