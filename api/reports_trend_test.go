package api

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/lists"
)

// trendCounty is used by TestReportTrendAPI only (渭源县), so the figures are its own.
const trendCounty = "621125"

// TestReportTrendAPI: the dashboard's monthly trend on two labourers, relative
// to today — one at work 省外 since the work year began, one who worked 县内
// for the first three months of last year — its ends agreeing with the
// province table, its scope and its bad input.
func TestReportTrendAPI(t *testing.T) {
	today := time.Now().In(lists.China)
	cur := derive.WorkYearOf(today)
	town := st.regions.Children(trendCounty)[0].Code
	village := st.regions.Children(town)[0].Code
	a, _ := st.labourer(t, village)
	b, _ := st.labourer(t, village)
	mk := func(lab *model.Labourer, start time.Time, end *time.Time, place, scope string, wage int) {
		if err := st.db.Create(&model.EmploymentSpell{ID: model.NewID(), LabourerID: lab.ID, StartDate: start, EndDate: end,
			PlaceCode: place, PlaceScope: scope, Form: "employed", MonthlyWage: wage, Industry: "general_worker",
			Source: model.SourceCadre, Verified: true}).Error; err != nil {
			t.Fatal(err)
		}
	}
	mk(a, derive.WorkYear(cur).Start, nil, "440306", "out_province", 5000)
	last := derive.WorkYear(cur - 1)
	bEnd := last.Start.AddDate(0, 3, -1) // October to December
	mk(b, last.Start, &bEnd, town, "in_county", 3000)
	official, _ := st.account(t, model.RoleOfficial, "6211")
	tf, _ := st.account(t, model.RoleTaskforce, trendCounty)
	other, _ := st.account(t, model.RoleTaskforce, reportsCounty)
	worker, _ := st.worker(t, villageA)

	r := st.do(t, "GET", "/api/v1/reports/trend?region="+trendCounty, official, nil)
	if r.Code != 200 {
		t.Fatalf("trend: %d %s", r.Code, r.Raw)
	}
	if r.Body["year"] != float64(cur) || r.Body["last_year"] != float64(cur-1) || r.Body["region"].(map[string]any)["code"] != trendCounty {
		t.Fatalf("trend context: %s", r.Raw)
	}
	months := r.Body["months"].([]any)
	if len(months) != 12 {
		t.Fatalf("%d months", len(months))
	}
	dataDate := r.Body["data_date"].(string)
	var reached []map[string]any
	for i, x := range months {
		m := x.(map[string]any)
		start := derive.WorkYear(cur).Start.AddDate(0, i, 0)
		if m["month"] != start.Format("2006-01") || m["label"] != fmt.Sprintf("%d月", int(start.Month())) ||
			m["last_month"] != start.AddDate(-1, 0, 0).Format("2006-01") {
			t.Errorf("month %d: %v", i+1, m)
		}
		// Last year: b counts 县内 from October on (at work, then 3 months and 9,000 yuan).
		if lf := m["last_year"].(map[string]any); lf["total"] != 1.0 || lf["in_county"] != 1.0 {
			t.Errorf("month %d last year: %v", i+1, lf)
		}
		if m["reached"] == true {
			reached = append(reached, m)
			// a is at work 省外 at every month's end this year.
			if tf := m["this_year"].(map[string]any); tf["total"] != 1.0 || tf["out_province"] != 1.0 {
				t.Errorf("month %d this year: %v", i+1, tf)
			}
		} else if m["this_year"] != nil || m["as_of"] != nil {
			t.Errorf("month %d not reached but has figures: %v", i+1, m)
		}
	}
	if len(reached) == 0 || reached[len(reached)-1]["as_of"] != dataDate {
		t.Fatalf("the last month reached is not as of the data date %s: %v", dataDate, reached)
	}
	// The ends agree with the province table.
	p := st.do(t, "GET", "/api/v1/reports/provinces?region="+trendCounty, official, nil)
	pt := p.Body["total"].(map[string]any)
	lastPoint := reached[len(reached)-1]["this_year"].(map[string]any)
	if p.Code != 200 || pt["this_year"] != lastPoint["total"] || pt["out_province"] != lastPoint["out_province"] ||
		pt["last_year"] != months[11].(map[string]any)["last_year"].(map[string]any)["total"] {
		t.Errorf("table %v, trend's ends %v / %v", pt, lastPoint, months[11])
	}
	// The task force of the county reads it too.
	if r := st.do(t, "GET", "/api/v1/reports/trend", tf, nil); r.Code != 200 || r.Body["region"].(map[string]any)["code"] != trendCounty {
		t.Errorf("task force's own county: %d %s", r.Code, r.Raw)
	}

	cases := []struct {
		name, token, path string
		status            int
		code, field       string
	}{
		{"no token", "", "/api/v1/reports/trend", 401, "", ""},
		{"worker", worker, "/api/v1/reports/trend", 403, "", ""},
		{"another county's task force", other, "/api/v1/reports/trend?region=" + trendCounty, 403, "forbidden", ""},
		{"an official outside their city", official, "/api/v1/reports/trend?region=622926", 403, "forbidden", ""},
		{"year not a number", official, "/api/v1/reports/trend?year=abc", 400, "validation_failed", "year"},
		{"year before 2014", official, "/api/v1/reports/trend?year=2013", 400, "validation_failed", "year"},
		{"next year", official, fmt.Sprintf("/api/v1/reports/trend?year=%d", cur+1), 400, "validation_failed", "year"},
		{"bad region code", official, "/api/v1/reports/trend?region=62x1", 400, "validation_failed", "region"},
		{"unknown region", official, "/api/v1/reports/trend?region=629899", 400, "validation_failed", "region"},
	}
	for _, c := range cases {
		r := st.do(t, "GET", c.path, c.token, nil)
		if r.Code != c.status || (c.field != "" && fmt.Sprint(r.fields()) != "["+c.field+"]") {
			t.Errorf("%s: %d %s", c.name, r.Code, r.Raw)
			continue
		}
		if c.code != "" {
			e, _ := r.Body["error"].(map[string]any)
			if e == nil || e["code"] != c.code || !hasHan(fmt.Sprint(e["message"])) {
				t.Errorf("%s: error %v", c.name, r.Raw)
			}
			fs, _ := e["fields"].([]any)
			for _, f := range fs {
				if !hasHan(fmt.Sprint(f.(map[string]any)["message"])) {
					t.Errorf("%s: field message not in Chinese: %v", c.name, f)
				}
			}
		}
	}
}

// TestOpenAPITrendSchemas checks the trend's schemas against its response types.
func TestOpenAPITrendSchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"ReportTrend":        reflect.TypeFor[trendResponse](),
		"ReportTrendMonth":   reflect.TypeFor[trendMonth](),
		"ReportTrendFigures": reflect.TypeFor[trendFigures](),
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), types[name])
	}
}
