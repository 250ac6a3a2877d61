package api

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/report"
)

// mustReports is report.New for the test stack.
func mustReports(s *report.Service, err error) *report.Service {
	if err != nil {
		panic(err)
	}
	return s
}

// reportsCounty is used by these tests only (临洮县), so the figures are theirs.
const reportsCounty = "621124"

// TestReportsAPI: both tables, people behind a cell, both workbooks and
// targets, on two labourers in a county of their own, relative to today.
func TestReportsAPI(t *testing.T) {
	today := time.Now().In(lists.China)
	cur := derive.WorkYearOf(today)
	last := derive.WorkYear(cur - 1)
	town := st.regions.Children(reportsCounty)[0].Code
	village := st.regions.Children(town)[0].Code
	a, _ := st.labourer(t, village)
	b, _ := st.labourer(t, village)
	end := last.Start.AddDate(0, 8, -1)
	mk := func(lab *model.Labourer, start time.Time, end *time.Time, place, scope string, wage int) {
		if err := st.db.Create(&model.EmploymentSpell{ID: model.NewID(), LabourerID: lab.ID, StartDate: start, EndDate: end,
			PlaceCode: place, PlaceScope: scope, Form: "employed", MonthlyWage: wage, Industry: "general_worker",
			Source: model.SourceCadre, Verified: true}).Error; err != nil {
			t.Fatal(err)
		}
	}
	mk(a, last.Start, &end, "440306", "out_province", 5000)
	mk(a, derive.WorkYear(cur).Start, nil, "440306", "out_province", 5000)
	bEnd := last.Start.AddDate(0, 3, -1)
	mk(b, last.Start, &bEnd, town, "in_county", 3000)
	if err := st.db.Create(&model.OutingPlan{ID: model.NewID(), LabourerID: b.ID, HasPlan: true, DestCode: "440306", Job: "普工",
		ExpectedWage: 5000, Source: model.SourceCadre, Verified: true}).Error; err != nil {
		t.Fatal(err)
	}
	official, _ := st.account(t, model.RoleOfficial, "6211")
	tf, _ := st.account(t, model.RoleTaskforce, reportsCounty)
	worker, _ := st.worker(t, villageA)

	r := st.do(t, "GET", "/api/v1/reports/regions?region="+reportsCounty, official, nil)
	if r.Code != 200 {
		t.Fatalf("regions: %d %s", r.Code, r.Raw)
	}
	total := r.Body["total"].(map[string]any)
	want := map[string]float64{"last_year": 2, "not_working": 1, "zero_households": 1, "zero_persons": 1, "reduced_households": 0,
		"reduced_last_persons": 0, "reduced_this_persons": 0, "planned": 1}
	for k, v := range want {
		if total[k] != v {
			t.Errorf("region total %s = %v, want %v", k, total[k], v)
		}
	}
	sum := 0.0
	for _, it := range r.Body["items"].([]any) {
		sum += it.(map[string]any)["last_year"].(float64)
	}
	if sum != 2 || r.Body["year"] != float64(cur) || r.Body["source"] != report.DataSource {
		t.Errorf("regions: rows sum %v; %s", sum, r.Raw)
	}

	r = st.do(t, "GET", "/api/v1/reports/provinces?region="+reportsCounty, official, nil)
	if r.Code != 200 {
		t.Fatalf("provinces: %d %s", r.Code, r.Raw)
	}
	total = r.Body["total"].(map[string]any)
	for k, v := range map[string]float64{"last_year": 2, "this_year": 1, "ratio": 0.5, "out_province": 1, "in_province": 0,
		"in_county": 0, "point_to_point": 0, "willing_not_out": 1} {
		if total[k] != v {
			t.Errorf("province total %s = %v, want %v", k, total[k], v)
		}
	}

	r = st.do(t, "GET", "/api/v1/reports/people?column=planned&region="+reportsCounty, official, nil)
	if r.Code != 200 || r.Body["total"] != 1.0 || r.Body["items"].([]any)[0].(map[string]any)["id"] != idString(b.ID) {
		t.Errorf("people: %d %s", r.Code, r.Raw)
	}
	if m := r.Body["items"].([]any)[0].(map[string]any); !strings.Contains(m["id_masked"].(string), "****") {
		t.Errorf("id not masked: %v", m)
	}

	w, x := getXLSX(t, "/api/v1/reports/regions/export?region="+reportsCounty, official)
	if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("content disposition %q", cd)
	}
	rows, _ := x.GetRows(report.SheetRegion)
	if len(rows) < 8 || rows[4][0] != "行政区划" || rows[5][3] != "户数" || rows[len(rows)-1][1] != "2" {
		t.Errorf("region workbook: %q", rows)
	}
	ms, _ := x.GetMergeCells(report.SheetRegion)
	var got []string
	for _, m := range ms {
		got = append(got, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	sort.Strings(got)
	if fmt.Sprint(got) != "[A1:I1 A2:I2 A3:I3 A4:I4 A5:A6 B5:B6 C5:C6 D5:E5 F5:H5 I5:I6]" {
		t.Errorf("merges %v", got)
	}
	_, x = getXLSX(t, "/api/v1/reports/provinces/export?unit=wan&region="+reportsCounty, official)
	if v, _ := x.GetCellValue(report.SheetProvince, "A4"); v != "单位：万人" {
		t.Errorf("unit line %q", v)
	}

	// Targets: the task force sets seed 002's kind of goal; the official reads it.
	r = st.do(t, "PUT", "/api/v1/reports/targets", tf, map[string]any{"region": reportsCounty, "year": cur,
		"metric": "total_out", "comparator": "gt", "value": 1})
	if r.Code != 200 || r.Body["current"] != 1.0 || r.Body["met"] != false || r.Body["gap"] != 1.0 || r.Body["comparator_label"] != "超过" {
		t.Fatalf("set target: %d %s", r.Code, r.Raw)
	}
	id := r.Body["id"].(string)
	r = st.do(t, "GET", "/api/v1/reports/targets?region="+reportsCounty, official, nil)
	if r.Code != 200 || len(r.Body["items"].([]any)) != 1 {
		t.Errorf("targets: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "DELETE", "/api/v1/reports/targets/"+id, tf, nil); r.Code != 204 {
		t.Errorf("delete target: %d %s", r.Code, r.Raw)
	}

	cases := []struct {
		name, method, token, path string
		body                      any
		status                    int
		field                     string
	}{
		{"no token", "GET", "", "/api/v1/reports/regions", nil, 401, ""},
		{"worker", "GET", worker, "/api/v1/reports/regions", nil, 403, ""},
		{"official sets a target", "PUT", official, "/api/v1/reports/targets", map[string]any{"region": reportsCounty}, 403, ""},
		{"other county", "GET", tf, "/api/v1/reports/provinces?region=622925", nil, 403, ""},
		{"bad column", "GET", official, "/api/v1/reports/people?column=all", nil, 400, "column"},
		{"bad unit", "GET", official, "/api/v1/reports/provinces/export?unit=kg", nil, 400, "unit"},
		{"bad year", "GET", official, "/api/v1/reports/regions?year=2013", nil, 400, "year"},
		{"bad target", "PUT", tf, "/api/v1/reports/targets", map[string]any{"region": reportsCounty, "year": cur, "metric": "total_out",
			"comparator": "gt", "value": -5}, 400, "value"},
		{"missing target", "DELETE", tf, "/api/v1/reports/targets/12345", nil, 404, ""},
	}
	for _, c := range cases {
		r := st.do(t, c.method, c.path, c.token, c.body)
		if r.Code != c.status || (c.field != "" && fmt.Sprint(r.fields()) != "["+c.field+"]") {
			t.Errorf("%s: %d %s", c.name, r.Code, r.Raw)
		}
	}
}

// TestOpenAPIReportSchemas checks the reports' schemas against the response types.
func TestOpenAPIReportSchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"ReportRegionTable":   reflect.TypeFor[regionTableResponse](),
		"ReportRegionRow":     reflect.TypeFor[regionTableRow](),
		"ReportRegionFigures": reflect.TypeFor[regionFigures](),
		"ReportProvinceTable": reflect.TypeFor[provinceTableResponse](),
		"ReportProvinceRow":   reflect.TypeFor[provinceTableRow](),
		"ReportPeople":        reflect.TypeFor[reportPeopleResponse](),
		"ReportPerson":        reflect.TypeFor[reportPerson](),
		"ReportTarget":        reflect.TypeFor[targetView](),
		"ReportTargets":       reflect.TypeFor[targetsResponse](),
		"ReportTargetRequest": reflect.TypeFor[targetRequest](),
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), types[name])
	}
	codes, _ := oaSchema(t, doc, "ReportColumnCode")["enum"].([]any)
	labels, _ := oaSchema(t, doc, "ReportColumnCode")["x-enum-descriptions"].([]any)
	var got, want []string
	for i := range codes {
		got = append(got, fmt.Sprint(codes[i], "=", labels[i]))
	}
	for _, o := range report.Columns {
		want = append(want, o.Code+"="+o.Label)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReportColumnCode = %v, want %v", got, want)
	}
}
