package derive

import (
	"math"
	"testing"
	"time"
)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dp(s string) *time.Time { t := d(s); return &t }

func TestWorkYearOf(t *testing.T) {
	cases := []struct {
		date string
		want int
	}{
		{"2019-09-30", 2019}, {"2019-10-01", 2020}, {"2020-01-01", 2020}, {"2020-09-30", 2020},
		{"2020-10-01", 2021}, {"2020-12-31", 2021},
	}
	for _, c := range cases {
		if got := WorkYearOf(d(c.date)); got != c.want {
			t.Errorf("WorkYearOf(%s) = %d, want %d", c.date, got, c.want)
		}
	}
	w := WorkYear(2020)
	if !w.Start.Equal(d("2019-10-01")) || !w.End.Equal(d("2020-09-30")) {
		t.Errorf("WorkYear(2020) = %v … %v", w.Start, w.End)
	}
}

func TestMonthsBetween(t *testing.T) {
	cases := []struct {
		from, to string
		want     float64
	}{
		{"2019-10-01", "2019-10-31", 1},
		{"2019-11-01", "2019-11-27", 0.9},               // 27/30
		{"2019-10-01", "2019-10-15", 15.0 / 31},         // half of October
		{"2020-02-01", "2020-02-29", 1},                 // leap February whole
		{"2019-10-16", "2019-11-15", 16.0/31 + 15.0/30}, // across a month end
		{"2019-10-01", "2020-09-30", 12},                // the whole work year
		{"2019-10-01", "2019-12-28", 2 + 28.0/31},       // 2.903
		{"2020-01-31", "2020-01-31", 1.0 / 31},          // one day
		{"2019-12-01", "2020-01-31", 2},                 // across a year end
	}
	for _, c := range cases {
		got := monthsBetween(dayNum(d(c.from)), dayNum(d(c.to)))
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s…%s = %.6f months, want %.6f", c.from, c.to, got, c.want)
		}
	}
}

// TestAssessThresholds takes every 务工 threshold both ways (seed 002 工作目标
// and 指标解释 3), 自主创业, work-year clipping and open spells.
func TestAssessThresholds(t *testing.T) {
	in, prov, out := ScopeInCounty, ScopeInProvince, ScopeOutProvince
	yearEnd := d("2020-09-30")
	cases := []struct {
		name    string
		spells  []Spell
		asOf    time.Time
		months  float64
		income  float64
		counted bool
	}{
		// 县内: 1 month and 3,000 yuan.
		{"县内 0.9 month × 5000 = 4500: too short", []Spell{{Start: d("2019-11-01"), End: dp("2019-11-27"), Scope: in, Form: "employed", MonthlyWage: 5000}}, yearEnd, 0.9, 4500, false},
		{"县内 1 month × 5000: counts", []Spell{{Start: d("2019-11-01"), End: dp("2019-11-30"), Scope: in, Form: "employed", MonthlyWage: 5000}}, yearEnd, 1, 5000, true},
		{"县内 1 month × 2999: too little", []Spell{{Start: d("2019-11-01"), End: dp("2019-11-30"), Scope: in, Form: "flexible", MonthlyWage: 2999}}, yearEnd, 1, 2999, false},
		{"县内 1 month × 3000: counts", []Spell{{Start: d("2019-11-01"), End: dp("2019-11-30"), Scope: in, Form: "flexible", MonthlyWage: 3000}}, yearEnd, 1, 3000, true},
		// 县外: 3 months and 9,000 yuan.
		{"县外 2.9 months × 5000: too short", []Spell{{Start: d("2019-10-01"), End: dp("2019-12-28"), Scope: out, Form: "employed", MonthlyWage: 5000}}, yearEnd, 2 + 28.0/31, (2 + 28.0/31) * 5000, false},
		{"县外 3 months × 5000: counts", []Spell{{Start: d("2019-10-01"), End: dp("2019-12-31"), Scope: out, Form: "employed", MonthlyWage: 5000}}, yearEnd, 3, 15000, true},
		{"县外 3 months, 6000 + 2999 = 8999: too little", []Spell{{Start: d("2020-03-01"), End: dp("2020-04-30"), Scope: prov, Form: "employed", MonthlyWage: 3000}, {Start: d("2020-05-01"), End: dp("2020-05-31"), Scope: out, Form: "employed", MonthlyWage: 2999}}, yearEnd, 3, 8999, false},
		{"县外 3 months, 6000 + 3000 = 9000: counts", []Spell{{Start: d("2020-03-01"), End: dp("2020-04-30"), Scope: prov, Form: "employed", MonthlyWage: 3000}, {Start: d("2020-05-01"), End: dp("2020-05-31"), Scope: out, Form: "employed", MonthlyWage: 3000}}, yearEnd, 3, 9000, true},
		{"县外 1.5 months × 6000 = 9000: the 县内 rule is not used for 县外 work", []Spell{{Start: d("2020-03-01"), End: dp("2020-04-15"), Scope: out, Form: "employed", MonthlyWage: 6000}}, yearEnd, 1.5, 9000, false},
		// Mixed years.
		{"mixed: 县内 part alone meets 县内 rule", []Spell{{Start: d("2019-10-01"), End: dp("2019-10-31"), Scope: in, Form: "employed", MonthlyWage: 3000}, {Start: d("2019-11-01"), End: dp("2019-11-30"), Scope: out, Form: "employed", MonthlyWage: 4000}}, yearEnd, 2, 7000, true},
		{"mixed: neither alone, together ≥ 3 months and ≥ 9000", []Spell{{Start: d("2019-10-01"), End: dp("2019-11-30"), Scope: in, Form: "employed", MonthlyWage: 1000}, {Start: d("2019-12-01"), End: dp("2020-01-31"), Scope: out, Form: "employed", MonthlyWage: 3600}}, yearEnd, 4, 9200, true},
		{"mixed: neither alone, together short of 9000", []Spell{{Start: d("2019-10-01"), End: dp("2019-11-30"), Scope: in, Form: "employed", MonthlyWage: 1000}, {Start: d("2019-12-01"), End: dp("2020-01-31"), Scope: out, Form: "employed", MonthlyWage: 3400}}, yearEnd, 4, 8800, false},
		// 自主创业 is not 务工.
		{"自主创业 a whole year: not counted", []Spell{{Start: d("2019-10-01"), Scope: in, Form: FormSelfEmployed, MonthlyWage: 8000}}, yearEnd, 0, 0, false},
		{"自主创业 replaced by a job", []Spell{{Start: d("2019-10-01"), End: dp("2020-06-30"), Scope: in, Form: FormSelfEmployed, MonthlyWage: 8000}, {Start: d("2020-07-01"), End: dp("2020-07-31"), Scope: in, Form: "employed", MonthlyWage: 3000}}, yearEnd, 1, 3000, true},
		// Clipping at the work year's edges.
		{"spell ends 30 Sep of the previous year: outside", []Spell{{Start: d("2019-01-01"), End: dp("2019-09-30"), Scope: out, Form: "employed", MonthlyWage: 9000}}, yearEnd, 0, 0, false},
		{"spell starts 1 Oct of the next year: outside", []Spell{{Start: d("2020-10-01"), Scope: out, Form: "employed", MonthlyWage: 9000}}, d("2020-12-01"), 0, 0, false},
		{"spell over both edges: clipped to 12 months", []Spell{{Start: d("2019-06-01"), End: dp("2021-01-31"), Scope: out, Form: "employed", MonthlyWage: 1000}}, d("2021-03-01"), 12, 12000, true},
		{"spell from 1 Jul to 30 Sep 2019: 3 months, last year", []Spell{{Start: d("2019-07-01"), End: dp("2019-09-30"), Scope: out, Form: "employed", MonthlyWage: 3000}}, yearEnd, 0, 0, false},
		// Open spells run to the as-of date.
		{"open 县外 spell from 1 Jun, as of 31 Aug: 3 months", []Spell{{Start: d("2020-06-01"), Scope: out, Form: "employed", MonthlyWage: 3000}}, d("2020-08-31"), 3, 9000, true},
		{"open 县外 spell from 1 Jul, as of 1 Aug: at work, year in progress", []Spell{{Start: d("2020-07-01"), Scope: out, Form: "employed", MonthlyWage: 3000}}, d("2020-08-01"), 1 + 1.0/31, 3000 * (1 + 1.0/31), true},
		{"ended 县外 spell, as of 1 Aug: not at work, short", []Spell{{Start: d("2020-06-01"), End: dp("2020-07-15"), Scope: out, Form: "employed", MonthlyWage: 3000}}, d("2020-08-01"), 1 + 15.0/31, 3000 * (1 + 15.0/31), false},
		// Overlaps are not counted twice: the later start owns the shared days.
		{"overlap: a second job from 1 Nov replaces the first", []Spell{{Start: d("2019-10-01"), End: dp("2019-12-31"), Scope: out, Form: "employed", MonthlyWage: 2000}, {Start: d("2019-11-01"), End: dp("2019-11-30"), Scope: out, Form: "employed", MonthlyWage: 5000}}, yearEnd, 3, 9000, true},
		{"duplicate spells count once", []Spell{{ID: 1, Start: d("2019-10-01"), End: dp("2019-12-31"), Scope: out, Form: "employed", MonthlyWage: 3000}, {ID: 2, Start: d("2019-10-01"), End: dp("2019-12-31"), Scope: out, Form: "employed", MonthlyWage: 3000}}, yearEnd, 3, 9000, true},
		{"spell ending before it starts is ignored", []Spell{{Start: d("2020-03-01"), End: dp("2020-02-01"), Scope: in, Form: "employed", MonthlyWage: 3000}}, yearEnd, 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := Assess(c.spells, 2020, c.asOf)
			if math.Abs(f.Months()-c.months) > 1e-6 || math.Abs(f.Income()-c.income) > 1e-6 {
				t.Errorf("months %.4f income %.2f, want %.4f and %.2f", f.Months(), f.Income(), c.months, c.income)
			}
			if f.Counted != c.counted {
				t.Errorf("counted = %v, want %v (facts %+v)", f.Counted, c.counted, f)
			}
		})
	}
}

func TestAssessAsOfAndYears(t *testing.T) {
	sp := []Spell{{Start: d("2019-10-01"), Scope: ScopeOutProvince, Form: "employed", MonthlyWage: 4000}}
	// Work year 2020 seen on 15 Mar 2020: in progress, 5.48 months so far.
	f := Assess(sp, 2020, d("2020-03-15"))
	if !f.InProgress || !f.AtWork || !f.Counted || !f.AsOf.Equal(d("2020-03-15")) {
		t.Errorf("in progress: %+v", f)
	}
	if want := 5 + 15.0/31; math.Abs(f.Months()-want) > 1e-9 || math.Abs(f.OutProvinceMonths-want) > 1e-9 {
		t.Errorf("months %.4f, want %.4f", f.Months(), want)
	}
	// The same year seen after it ended is clipped at 30 Sep.
	f = Assess(sp, 2020, d("2021-05-01"))
	if f.InProgress || f.Months() != 12 || !f.AsOf.Equal(d("2020-09-30")) {
		t.Errorf("finished: %+v", f)
	}
	// A year in the future has nothing.
	f = Assess(sp, 2022, d("2021-05-01"))
	if f.Months() != 0 || f.Counted {
		t.Errorf("future: %+v", f)
	}
	// A finished year is judged by the thresholds alone, even if the spell is still open at its end.
	short := []Spell{{Start: d("2020-08-01"), Scope: ScopeInProvince, Form: "employed", MonthlyWage: 9000}}
	if f = Assess(short, 2020, d("2020-12-01")); f.Counted || !f.AtWork {
		t.Errorf("finished year with 2 months: %+v", f)
	}
	if f = Assess(short, 2020, d("2020-09-29")); !f.Counted {
		t.Errorf("year in progress, at work: %+v", f)
	}
	// 自主创业 at the as-of date is not "at work".
	self := []Spell{{Start: d("2020-08-01"), Scope: ScopeInCounty, Form: FormSelfEmployed, MonthlyWage: 9000}}
	if f = Assess(self, 2020, d("2020-09-01")); f.AtWork || f.Counted || f.SelfEmployedMonths == 0 {
		t.Errorf("self-employed: %+v", f)
	}
	// The as-of time of day and zone do not matter, only the date.
	late := time.Date(2020, 3, 15, 23, 59, 0, 0, time.FixedZone("CST", 8*3600))
	if g := Assess(sp, 2020, late); g.Months() != Assess(sp, 2020, d("2020-03-15")).Months() {
		t.Errorf("as-of with a time: %v", g.Months())
	}
}

func TestCompareHouseholds(t *testing.T) {
	// Household 1: two workers last year, none this year → zero (1 household, 2 persons).
	// Household 2: three last year, one of them this year → reduced (1, 3, 1).
	// Household 3: one last year, working again; a new worker this year → unchanged.
	// Household 4: nobody worked last year; one works this year → not compared.
	// Household 5: two last year, two again → unchanged.
	// Household 6: one last year, not again; a new worker this year → zero among
	//   last year's workers (the seed compares last year's workers).
	members := []Member{
		{1, true, false}, {1, true, false}, {1, false, false},
		{2, true, false}, {2, true, true}, {2, true, false},
		{3, true, true}, {3, false, true},
		{4, false, true},
		{5, true, true}, {5, true, true},
		{6, true, false}, {6, false, true},
	}
	h := CompareHouseholds(members)
	want := HouseholdChange{ZeroHouseholds: 2, ZeroPersons: 3, ReducedHouseholds: 1, ReducedLastPersons: 3, ReducedThisPersons: 1}
	if h != want {
		t.Errorf("got %+v, want %+v", h, want)
	}
	// Seed 000's identity: zero persons + reduced last − reduced this = last year's workers not working now.
	notAgain := 0
	for _, m := range members {
		if m.LastYear && !m.ThisYear {
			notAgain++
		}
	}
	if got := h.ZeroPersons + h.ReducedLastPersons - h.ReducedThisPersons; got != notAgain {
		t.Errorf("identity: %d, want %d", got, notAgain)
	}
	var sum HouseholdChange
	sum.Add(h)
	sum.Add(h)
	if sum.ZeroPersons != 6 || sum.ReducedThisPersons != 2 {
		t.Errorf("Add: %+v", sum)
	}
}
