package report_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/report"
)

// compareTrend checks the fast trend against its recount from the records,
// and its ends against the table: the month in progress is the table's
// 今年已外出务工, the previous year's September its 去年外出务工人数.
func compareTrend(t *testing.T, e *env, ctx context.Context, step string, p report.Params, total report.Figures) {
	t.Helper()
	fast, err := e.rep.Trend(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := e.rep.RecountTrend(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast.Months, slow.Months) {
		for i := range fast.Months {
			if fast.Months[i] != slow.Months[i] {
				t.Errorf("%s, %s, month %d: fast %+v, recount %+v", step, p.Region, i+1, fast.Months[i], slow.Months[i])
			}
		}
		t.FailNow()
	}
	var cur *report.TrendMonth
	for i := range fast.Months {
		if m := &fast.Months[i]; m.Reached {
			cur = m
		}
	}
	want := report.MonthFigures{Total: total.ThisYear, OutProvince: total.OutProvince, InProvince: total.InProvince, InCounty: total.InCounty}
	if cur == nil || cur.This != want || !cur.AsOf.Equal(fast.Scope.AsOf) {
		t.Fatalf("%s, %s: the data date's point %+v, table %+v", step, p.Region, cur, want)
	}
	if got := fast.Months[report.Months-1].Last.Total; got != total.LastYear {
		t.Fatalf("%s, %s: last September %d, table's last year %d", step, p.Region, got, total.LastYear)
	}
	for _, m := range fast.Months {
		if m.This.OutProvince+m.This.InProvince+m.This.InCounty != m.This.Total ||
			m.Last.OutProvince+m.Last.InProvince+m.Last.InCounty != m.Last.Total {
			t.Fatalf("%s, %s: month %d does not add up: %+v", step, p.Region, m.Month, m)
		}
	}
}

// TestTrendHandCounted checks the trend on TestHandCounted's households, by
// month's end (o 省外, p 省内县外, c 县内):
//
//	      work year 2020 (Oct 2019 …)                 work year 2019 (Oct 2018 …)
//	A     o from March 2020 (at work)                 o from November (in work, then 8 months ≥ 9,000)
//	B     —                                           c from January (3 months, 9,000 in the county)
//	D     —                                           p from January (6 months)
//	E     o every month (at work)                     o from May
//	F     c on 25 August (at work since the 20th)     —
//	P     p from January (5 months by June)           p in March and April only (2 months: too few)
//	Q     —                                           o every month (12 months)
func TestTrendHandCounted(t *testing.T) {
	e := newEnv(t)
	newFixture(t, e)
	ctx := admin()
	tr, err := e.rep.Trend(ctx, report.Params{Region: county})
	if err != nil {
		t.Fatal(err)
	}
	f := func(o, p, c int) report.MonthFigures {
		return report.MonthFigures{Total: o + p + c, OutProvince: o, InProvince: p, InCounty: c}
	}
	this := []report.MonthFigures{f(1, 0, 0), f(1, 0, 0), f(1, 0, 0), f(1, 1, 0), f(1, 1, 0), f(2, 1, 0), f(2, 1, 0), f(2, 1, 0),
		f(2, 1, 0), f(2, 1, 0), f(2, 1, 1), {}}
	last := []report.MonthFigures{f(1, 0, 0), f(2, 0, 0), f(2, 0, 0), f(2, 1, 1), f(2, 1, 1), f(2, 2, 1), f(2, 2, 1), f(3, 1, 1),
		f(3, 1, 1), f(3, 1, 1), f(3, 1, 1), f(3, 1, 1)}
	check := func(tr *report.Trend, this, last []report.MonthFigures, reached int) {
		t.Helper()
		for i, m := range tr.Months {
			if m.This != this[i] || m.Last != last[i] || m.Reached != (i < reached) {
				t.Errorf("month %d (%s): this %+v last %+v reached %v; want %+v %+v %v", m.Month, m.End.Format("2006-01"),
					m.This, m.Last, m.Reached, this[i], last[i], i < reached)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	check(tr, this, last, 11)
	if m := tr.Months[10]; m.AsOf.Format("2006-01-02") != "2020-08-25" || m.End.Format("2006-01-02") != "2020-08-31" ||
		m.LastEnd.Format("2006-01-02") != "2019-08-31" {
		t.Fatalf("August: %+v", m)
	}
	if m := tr.Months[0]; m.Start.Format("2006-01-02") != "2019-10-01" || m.AsOf.Format("2006-01-02") != "2019-10-31" {
		t.Fatalf("October: %+v", m)
	}
	// A cadre of one village reads only that village's months.
	v3 := e.regions.Children(e.regions.Children(county)[1].Code)[0].Code // E, F, P, Q
	cad := as(model.RoleCadre, v3)
	for _, p := range []report.Params{{}, {Region: county}} { // the county, as the cadre sees it: v3 alone
		ct, err := e.rep.Trend(cad, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := ct.Months[10].This; got != f(1, 1, 1) {
			t.Fatalf("v3 in August: %+v", got)
		}
	}
	v1 := e.regions.Children(e.regions.Children(county)[0].Code)[0].Code
	if _, err := e.rep.Trend(cad, report.Params{Region: v1}); err == nil {
		t.Fatal("a cadre read another village's trend")
	}

	// The year ends: F falls out in September (below the 县内 thresholds),
	// and August is now read at its end.
	e.advance(40)
	tr, err = e.rep.Trend(ctx, report.Params{Region: county, Year: 2020})
	if err != nil {
		t.Fatal(err)
	}
	this[11] = f(2, 1, 0)
	check(tr, this, last, 12)
	tab, err := e.rep.Table(ctx, report.Params{Region: county, Year: 2020}, 1)
	if err != nil {
		t.Fatal(err)
	}
	compareTrend(t, e, ctx, "after the year's end", report.Params{Region: county, Year: 2020}, tab.Total)
	// Work year 2021 has begun: its last year is 2020, month by month.
	tr21, err := e.rep.Trend(ctx, report.Params{Region: county, Year: 2021})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range tr21.Months {
		if m.Last != tr.Months[i].This {
			t.Fatalf("2021's last year, month %d: %+v; 2020's own: %+v", i+1, m.Last, tr.Months[i].This)
		}
	}
	if !tr21.Months[0].Reached || tr21.Months[1].Reached {
		t.Fatalf("2021 on 4 October: %+v", tr21.Months[:2])
	}
}

// TestTrendRebuildsOldRows: rows built before the month strings existed
// (an older ReportYear.Version) are rebuilt on first use, not read.
func TestTrendRebuildsOldRows(t *testing.T) {
	e := newEnv(t)
	newFixture(t, e)
	ctx := admin()
	if _, err := e.rep.Trend(ctx, report.Params{Region: county}); err != nil {
		t.Fatal(err)
	}
	// What an older binary left: no month strings, no month rows, version 0.
	must(e.db.Model(&model.ReportFact{}).Where("1 = 1").Updates(map[string]any{"this_months": "", "last_months": ""}).Error)
	must(e.db.Where("1 = 1").Delete(&model.ReportMonth{}).Error)
	must(e.db.Model(&model.ReportYear{}).Where("year > 0").Update("version", 0).Error)
	tab, err := e.rep.Table(ctx, report.Params{Region: county}, 1)
	if err != nil {
		t.Fatal(err)
	}
	compareTrend(t, e, ctx, "rebuilt", report.Params{Region: county}, tab.Total)
	var n int64
	must(e.db.Model(&model.ReportMonth{}).Count(&n).Error)
	if n == 0 {
		t.Fatal("no month rows after the rebuild")
	}
}
