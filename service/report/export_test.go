package report_test

import (
	"bytes"
	"reflect"
	"sort"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/report"
)

func merges(t *testing.T, f *excelize.File, sheet string) []string {
	t.Helper()
	ms, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	sort.Strings(out)
	return out
}

func cellOf(t *testing.T, f *excelize.File, sheet, axis string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, axis)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestExportRegion re-opens the region workbook: the seed's lines, the
// merged two-row header, a town followed by its villages, and the totals.
func TestExportRegion(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	ctx := admin()
	sc, err := e.lists.Resolve(ctx, report.Params{Region: county})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.rep.ExportRegion(ctx, sc, &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := report.SheetRegion
	if got := cellOf(t, f, sh, "A1"); got != "东乡族自治县2019年外出务工贫困劳动力2020年未务工就业情况统计表" {
		t.Fatalf("title %q", got)
	}
	for axis, want := range map[string]string{"A2": "数据截止日期：2020年8月25日", "A3": "数据来源：" + report.DataSource, "A4": "单位：人",
		"A5": "行政区划", "B5": "2019年务工人数", "C5": "2019年务工就业人员中至今尚未务工就业人数", "D5": "户内务工人员减少为0",
		"F5": "户内务工人员减少但不为0", "I5": "2019年务工就业人员中2020年计划外出人数",
		"D6": "户数", "E6": "人数", "F6": "户数", "G6": "去年人数", "H6": "今年人数"} {
		if got := cellOf(t, f, sh, axis); got != want {
			t.Errorf("%s = %q, want %q", axis, got, want)
		}
	}
	wantMerges := []string{"A1:I1", "A2:I2", "A3:I3", "A4:I4", "A5:A6", "B5:B6", "C5:C6", "D5:E5", "F5:H5", "I5:I6"}
	sort.Strings(wantMerges)
	if got := merges(t, f, sh); !reflect.DeepEqual(got, wantMerges) {
		t.Fatalf("merges %v, want %v", got, wantMerges)
	}
	rows, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	// Find town t1's row: its villages follow it, and the last row is the total.
	town, _ := e.regions.Get(fx.t1)
	v1, _ := e.regions.Get(fx.v1)
	at := -1
	for i, r := range rows {
		if len(r) > 0 && r[0] == town.Name {
			at = i
		}
	}
	if at < 0 {
		t.Fatal("town row missing")
	}
	if got := rows[at][1:]; !reflect.DeepEqual(got, []string{"3", "2", "1", "1", "1", "2", "1", "1"}) {
		t.Fatalf("town row %v", got)
	}
	if rows[at+1][0] != v1.Name || rows[at+1][1] != "2" {
		t.Fatalf("first village row %v", rows[at+1])
	}
	last := rows[len(rows)-1]
	if last[0] != "合计（东乡族自治县）" || !reflect.DeepEqual(last[1:], []string{"5", "3", "2", "2", "1", "2", "1", "2"}) {
		t.Fatalf("total row %v", last)
	}
}

// TestExportProvince re-opens the province workbook in persons and in 万人.
func TestExportProvince(t *testing.T) {
	e := newEnv(t)
	newFixture(t, e)
	ctx := admin()
	sc, err := e.lists.Resolve(ctx, report.Params{Region: "62"})
	if err != nil {
		t.Fatal(err)
	}
	for _, unit := range []string{report.UnitPerson, report.UnitWan} {
		var buf bytes.Buffer
		if err := e.rep.ExportProvince(ctx, sc, unit, &buf); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		sh := report.SheetProvince
		want := map[string]string{"A1": "甘肃省贫困劳动力外出务工情况", "A2": "(截止2020年8月25日)", "A5": "序号", "B5": "行政区划",
			"C5": "2019年外出务工人数", "D5": "2020年已外出务工人数", "J5": "2020年未外出但有意愿外出务工人数", "D6": "共计",
			"E6": "占2019年外出务工数比例", "F6": "省外务工人数", "G6": "省内县外务工人数", "H6": "县内务工人数", "I6": "跨省点对点输送人数"}
		if unit == report.UnitWan {
			want["A4"] = "单位：万人"
		} else {
			want["A4"] = "单位：人"
		}
		for axis, w := range want {
			if got := cellOf(t, f, sh, axis); got != w {
				t.Errorf("%s: %s = %q, want %q", unit, axis, got, w)
			}
		}
		wantMerges := []string{"A1:J1", "A2:J2", "A3:J3", "A4:J4", "A5:A6", "B5:B6", "C5:C6", "D5:I5", "J5:J6"}
		sort.Strings(wantMerges)
		if got := merges(t, f, sh); !reflect.DeepEqual(got, wantMerges) {
			t.Fatalf("merges %v, want %v", got, wantMerges)
		}
		rows, _ := f.GetRows(sh)
		var linxia, total []string
		for _, r := range rows {
			if len(r) > 1 && r[1] == "临夏回族自治州" {
				linxia = r
			}
		}
		total = rows[len(rows)-1]
		wantRow := []string{"5", "4", "80.00%", "2", "1", "1", "1", "2"}
		if unit == report.UnitWan {
			wantRow = []string{"0.00", "0.00", "80.00%", "0.00", "0.00", "0.00", "0.00", "0.00"}
		}
		if linxia == nil || !reflect.DeepEqual(linxia[2:], wantRow) {
			t.Fatalf("%s: 临夏州 row %v", unit, linxia)
		}
		if total[1] != "合计" || !reflect.DeepEqual(total[2:], wantRow) {
			t.Fatalf("%s: total row %v", unit, total)
		}
		if len(rows) != 6+14+1 {
			t.Fatalf("%d rows, want 14 cities, headers and a total", len(rows))
		}
		f.Close()
	}
}

// TestTargets sets seed 002's goals on the county and reads their progress.
func TestTargets(t *testing.T) {
	e := newEnv(t)
	newFixture(t, e)
	tf := as(model.RoleTaskforce, county)
	if _, err := e.rep.SetTarget(tf, report.TargetInput{Region: county, Year: 2020, Metric: model.MetricTotalOut,
		Comparator: model.CompareGT, Value: 13037}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rep.SetTarget(tf, report.TargetInput{Region: county, Year: 2020, Metric: model.MetricOutProvince,
		Comparator: model.CompareGE, Value: 2}); err != nil {
		t.Fatal(err)
	}
	// Setting again replaces.
	if _, err := e.rep.SetTarget(tf, report.TargetInput{Region: county, Year: 2020, Metric: model.MetricTotalOut,
		Comparator: model.CompareGT, Value: 4}); err != nil {
		t.Fatal(err)
	}
	sc, ps, err := e.rep.Targets(tf, report.Params{Region: county})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Year != 2020 || len(ps) != 2 {
		t.Fatalf("targets %+v", ps)
	}
	for _, p := range ps {
		switch p.Metric {
		case model.MetricTotalOut: // 4 out, must exceed 4: one short
			if p.Current != 4 || p.Met || p.Gap != 1 {
				t.Errorf("total: %+v", p)
			}
		case model.MetricOutProvince: // 2 省外, at least 2: met
			if p.Current != 2 || !p.Met || p.Gap != 0 {
				t.Errorf("省外: %+v", p)
			}
		}
	}
	// The city sees its counties' targets.
	_, ps, err = e.rep.Targets(as(model.RoleOfficial, "6229"), report.Params{Region: "6229"})
	if err != nil || len(ps) != 2 {
		t.Fatalf("city view: %v %+v", err, ps)
	}
	// Bad input, another county, an official.
	_, err = e.rep.SetTarget(tf, report.TargetInput{Region: county, Year: 2020, Metric: "x", Comparator: "lt", Value: -1})
	if ae, ok := apperr.As(err); !ok || len(ae.Fields) != 3 {
		t.Fatalf("bad input: %v", err)
	}
	if _, err := e.rep.SetTarget(tf, report.TargetInput{Region: "622925", Year: 2020, Metric: model.MetricTotalOut,
		Comparator: model.CompareGT, Value: 1}); err == nil {
		t.Fatal("set another county's target")
	}
	if _, err := e.rep.SetTarget(as(model.RoleOfficial, "62"), report.TargetInput{Region: county, Year: 2020,
		Metric: model.MetricTotalOut, Comparator: model.CompareGT, Value: 1}); err == nil {
		t.Fatal("an official set a target")
	}
	if err := e.rep.DeleteTarget(tf, ps[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.rep.DeleteTarget(tf, ps[0].ID); err == nil {
		t.Fatal("deleted twice")
	}
}
