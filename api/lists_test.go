package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/registry"
)

// listsCounty is a county no other test of the package writes to, so the
// lists' counts here are exactly the fixture's.
const listsCounty = "622924" // 广河县

type listsFixture struct {
	town, v1, v2, other string
	names               map[string]string // labourer id → fixture name
}

// listsSetup writes the fixture, relative to today's work year (the shared
// stack runs on the real clock). Hand count:
//
//	    hh  village  verified facts                                         base L T notout willing returned
//	A1  1   V1  省外 from last year's 1 Oct, open, 5000                          1  1 1   .     .       .
//	A2  1   V1  县内 last year's November only, 3000; plan 是 today             1  1 .   1     1       .
//	A3  2   V2  省外 last year's 1 Oct … 30 Sep, 4000; return this 1 Oct
//	            (does not want work)                                          1  1 .   1     .       1
//	A4  2   V2  only an unverified 省外 spell                                 1  . .   .     .       .
//	A5  3   other county: 省外 last year, open                                (out of the county)
//
// County: base 4, L 3, T 1, not out 2, willing 1, returned 1, re-exported 0,
// planned 1; households: hh1 2→1 (reduced: 1, 2, 1), hh2 1→0 (zero: 1, 1).
// Both villages are in one town.
func listsSetup(t *testing.T) *listsFixture {
	t.Helper()
	if listsShared != nil {
		return listsShared
	}
	towns := st.regions.Children(listsCounty)
	if len(towns) < 1 {
		t.Fatalf("no towns under %s", listsCounty)
	}
	vs := st.regions.Children(towns[0].Code)
	f := &listsFixture{town: towns[0].Code, v1: vs[0].Code, v2: vs[1].Code, names: map[string]string{}}
	f.other = st.regions.Children(st.regions.Children("622923")[0].Code)[0].Code

	sys := actor.With(context.Background(), &actor.Actor{Role: "system"})
	mk := func(name, village string, household int64) *model.Labourer {
		lab, err := st.registry.CreateLabourer(sys, registry.LabourerInput{HouseholdID: household, Name: name,
			IDNumber: idFor(village[:6], "19850101", int(seq.Add(1))), Phone: fmt.Sprintf("139%08d", seq.Add(1)%1e8),
			VillageCode: village, Ethnicity: "回族", Address: "测试", LabourCapacity: "ordinary", SkillLevel: "none",
			Education: "junior_high", Category: "lifted", State: "normal"})
		if err != nil {
			t.Fatalf("labourer %s: %v", name, err)
		}
		f.names[idString(lab.ID)] = name
		return lab
	}
	today := time.Now().In(lists.China)
	ws := derive.WorkYear(derive.WorkYearOf(today)).Start
	lastStart := ws.AddDate(-1, 0, 0)
	dayBefore := ws.AddDate(0, 0, -1)
	spell := func(lab *model.Labourer, start time.Time, end *time.Time, scope string, wage int, verified bool) {
		if err := st.db.Create(&model.EmploymentSpell{ID: model.NewID(), LabourerID: lab.ID, StartDate: start, EndDate: end,
			PlaceCode: "440300", PlaceScope: scope, Form: "employed", MonthlyWage: wage, Industry: "general_worker",
			Source: model.SourceCadre, Verified: verified}).Error; err != nil {
			t.Fatal(err)
		}
	}
	a1 := mk("甲一", f.v1, 0)
	spell(a1, lastStart, nil, "out_province", 5000, true)
	a2 := mk("甲二", f.v1, a1.HouseholdID)
	novEnd := lastStart.AddDate(0, 2, -1)
	spell(a2, lastStart.AddDate(0, 1, 0), &novEnd, "in_county", 3000, true)
	if err := st.db.Create(&model.OutingPlan{ID: model.NewID(), LabourerID: a2.ID, HasPlan: true, DestCode: "44", Job: "普工",
		ExpectedWage: 4000, Source: model.SourceCadre, Verified: true}).Error; err != nil {
		t.Fatal(err)
	}
	a3 := mk("乙一", f.v2, 0)
	spell(a3, lastStart, &dayBefore, "out_province", 4000, true)
	if err := st.db.Create(&model.ReturnEvent{ID: model.NewID(), LabourerID: a3.ID, ReturnDate: ws, WantsWork: false,
		Source: model.SourceCadre, Verified: true}).Error; err != nil {
		t.Fatal(err)
	}
	a4 := mk("乙二", f.v2, a3.HouseholdID)
	spell(a4, lastStart, nil, "out_province", 5000, false)
	a5 := mk("丙一", f.other, 0)
	spell(a5, lastStart, nil, "out_province", 5000, true)
	listsShared = f
	return f
}

// listsShared is the fixture, written once for the package's tests.
var listsShared *listsFixture

// getXLSX fetches an export.
func getXLSX(t *testing.T, path, token string) (*httptest.ResponseRecorder, *excelize.File) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	st.engine.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("export %s: %d %s", path, w.Code, w.Body.String())
	}
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatalf("export is not a workbook: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return w, x
}

func TestListsAPI(t *testing.T) {
	f := listsSetup(t)
	tf, _ := st.account(t, model.RoleTaskforce, listsCounty)

	// The six counts, the default region being the task force's county.
	r := st.do(t, "GET", "/api/v1/lists", tf, nil)
	if r.Code != 200 {
		t.Fatalf("summary: %d %s", r.Code, r.Raw)
	}
	counts := map[string]int{}
	for _, it := range r.Body["lists"].([]any) {
		m := it.(map[string]any)
		counts[m["code"].(string)] = int(m["count"].(float64))
	}
	want := map[string]int{"labour_base": 4, "out_last_year": 3, "out_this_year": 1, "last_year_not_out": 2, "willing": 1, "returned": 1}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	reg := r.Body["region"].(map[string]any)
	if reg["code"] != listsCounty || reg["has_children"] != true || !strings.Contains(reg["path"].(string), "广河县") {
		t.Errorf("region %v", reg)
	}
	hh := r.Body["households"].(map[string]any)
	if hh["zero_households"] != 1.0 || hh["zero_persons"] != 1.0 || hh["reduced_households"] != 1.0 ||
		hh["reduced_last_persons"] != 2.0 || hh["reduced_this_persons"] != 1.0 || r.Body["last_year_not_out_planned"] != 1.0 {
		t.Errorf("households %v planned %v", hh, r.Body["last_year_not_out_planned"])
	}
	if r.Body["data_date"] != time.Now().In(lists.China).Format("2006-01-02") || r.Body["source"] == "" {
		t.Errorf("data date %v", r.Body["data_date"])
	}
	t.Logf("summary %s: %v households %v", listsCounty, counts, hh)

	// Drill-down: county → towns → villages; parents are the sums of their rows.
	sumRows := func(path string) (int, int, map[string]map[string]any) {
		r := st.do(t, "GET", path, tf, nil)
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", path, r.Code, r.Raw)
		}
		total := int(r.Body["list"].(map[string]any)["count"].(float64))
		sum, rows := 0, map[string]map[string]any{}
		for _, it := range r.Body["items"].([]any) {
			m := it.(map[string]any)
			sum += int(m["count"].(float64))
			rows[m["code"].(string)] = m
		}
		return total, sum, rows
	}
	for _, list := range []string{"labour_base", "out_last_year", "last_year_not_out", "returned"} {
		total, sum, rows := sumRows("/api/v1/lists/" + list + "/regions")
		if total != want[list] || sum != total || int(rows[f.town]["count"].(float64)) != total {
			t.Errorf("%s by town: total %d sum %d", list, total, sum)
		}
		vt, vs, vrows := sumRows("/api/v1/lists/" + list + "/regions?region=" + f.town)
		if vt != total || vs != vt || len(vrows) != len(st.regions.Children(f.town)) {
			t.Errorf("%s by village: total %d sum %d rows %d", list, vt, vs, len(vrows))
		}
	}
	_, _, rows := sumRows("/api/v1/lists/last_year_not_out/regions?region=" + f.town)
	if h, _ := rows[f.v2]["households"].(map[string]any); h == nil || h["zero_households"] != 1.0 || rows[f.v2]["planned"] != 0.0 {
		t.Errorf("V2 row %v", rows[f.v2])
	}
	if _, _, rows := sumRows("/api/v1/lists/returned/regions?region=" + f.town); rows[f.v2]["re_exported"] != 0.0 {
		t.Errorf("returned row %v", rows[f.v2])
	}
	if total, _, rows := sumRows("/api/v1/lists/willing/regions?region=" + f.v1); total != 1 || len(rows) != 0 {
		t.Errorf("a village has no children: total %d rows %d", total, len(rows))
	}

	// People, masked, paged.
	people := func(path string) ([]string, resp) {
		r := st.do(t, "GET", path, tf, nil)
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", path, r.Code, r.Raw)
		}
		var names []string
		for _, it := range r.Body["items"].([]any) {
			m := it.(map[string]any)
			names = append(names, f.names[m["id"].(string)])
			if id := m["id_masked"].(string); len(id) != 18 || id[6:14] != "********" {
				t.Errorf("id not masked: %q", id)
			}
			if ph := m["phone_masked"].(string); !strings.Contains(ph, "****") {
				t.Errorf("phone not masked: %q", ph)
			}
		}
		return names, r
	}
	if names, r := people("/api/v1/lists/last_year_not_out/people"); fmt.Sprint(names) != "[甲二 乙一]" || r.Body["total"] != 2.0 {
		t.Errorf("not out: %v %v", names, r.Body["total"])
	}
	if names, r := people("/api/v1/lists/labour_base/people?page=2&page_size=3"); fmt.Sprint(names) != "[乙二]" || r.Body["total"] != 4.0 {
		t.Errorf("base page 2: %v %v", names, r.Body["total"])
	}
	if names, r := people("/api/v1/lists/returned/people"); fmt.Sprint(names) != "[乙一]" || r.Body["items"].([]any)[0].(map[string]any)["return_date"] == nil {
		t.Errorf("returned: %v %s", names, r.Raw)
	}
	if names, r := people("/api/v1/lists/out_this_year/people"); fmt.Sprint(names) != "[甲一]" ||
		r.Body["items"].([]any)[0].(map[string]any)["place_scope"] != "out_province" {
		t.Errorf("out this year: %v %s", names, r.Raw)
	}

	// Export, re-opened.
	w, x := getXLSX(t, "/api/v1/lists/last_year_not_out/export", tf)
	if ct := w.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("content type %q", ct)
	}
	cd := w.Header().Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, url.PathEscape("去年外出今年未外出_广河县")) {
		t.Errorf("content disposition %q", cd)
	}
	if sheets := fmt.Sprint(x.GetSheetList()); sheets != "[名单 分地区汇总]" {
		t.Errorf("sheets %s", sheets)
	}
	prow, _ := x.GetRows(lists.SheetPeople)
	if len(prow) != lists.HeaderRows+2 || prow[0][0] != "去年外出今年未外出清单" || !strings.HasPrefix(prow[1][0], "地区：") ||
		!strings.HasPrefix(prow[3][0], "数据截止日期：") || !strings.HasPrefix(prow[4][0], "数据来源：") ||
		!reflect.DeepEqual(prow[5], lists.PeopleColumns) {
		t.Errorf("people sheet: %q", prow)
	}
	srow, _ := x.GetRows(lists.SheetSummary)
	if n := len(st.regions.Children(listsCounty)); len(srow) != lists.HeaderRows+n+1 || srow[len(srow)-1][0] != "合计" || srow[len(srow)-1][2] != "2" {
		t.Errorf("summary sheet: %d rows, last %q", len(srow), srow[len(srow)-1])
	}
	t.Logf("export: %d bytes, %d people, %d summary rows", w.Body.Len(), len(prow)-lists.HeaderRows, len(srow)-lists.HeaderRows)
	var audits int64
	st.db.Model(&model.AuditLog{}).Where("action = ?", "lists.export").Count(&audits)
	if audits == 0 {
		t.Error("export not audited")
	}
}

func TestListsAPIScopeAndErrors(t *testing.T) {
	f := listsSetup(t)
	tf, _ := st.account(t, model.RoleTaskforce, listsCounty)
	cadre, _ := st.account(t, model.RoleCadre, f.v1)
	official, _ := st.account(t, model.RoleOfficial, "6229")
	worker, _ := st.worker(t, villageA)

	// A cadre sees their village by default, and only it inside the county.
	r := st.do(t, "GET", "/api/v1/lists", cadre, nil)
	if r.Code != 200 || r.Body["region"].(map[string]any)["code"] != f.v1 || r.Body["lists"].([]any)[0].(map[string]any)["count"] != 2.0 {
		t.Errorf("cadre default: %d %s", r.Code, r.Raw)
	}
	r = st.do(t, "GET", "/api/v1/lists/labour_base/regions?region="+listsCounty, cadre, nil)
	if r.Code != 200 || len(r.Body["items"].([]any)) != 1 || r.Body["list"].(map[string]any)["count"] != 2.0 {
		t.Errorf("cadre in the county: %d %s", r.Code, r.Raw)
	}
	// The city official sees both counties; the city's county rows sum to the city.
	r = st.do(t, "GET", "/api/v1/lists/out_last_year/regions", official, nil)
	if r.Code != 200 {
		t.Fatalf("official: %d %s", r.Code, r.Raw)
	}
	sum := 0
	for _, it := range r.Body["items"].([]any) {
		sum += int(it.(map[string]any)["count"].(float64))
	}
	if total := int(r.Body["list"].(map[string]any)["count"].(float64)); sum != total || total < 4 {
		t.Errorf("city: total %d, rows sum %d", total, sum)
	}

	cases := []struct {
		name, token, path string
		status            int
		code, field       string
	}{
		{"no token", "", "/api/v1/lists", 401, "", ""},
		{"worker", worker, "/api/v1/lists", 403, "forbidden", ""},
		{"bad list", tf, "/api/v1/lists/everyone/people", 400, "validation_failed", "list"},
		{"bad list export", tf, "/api/v1/lists/everyone/export", 400, "validation_failed", "list"},
		{"year not a number", tf, "/api/v1/lists?year=abc", 400, "validation_failed", "year"},
		{"year too early", tf, "/api/v1/lists?year=2013", 400, "validation_failed", "year"},
		{"year in the future", tf, fmt.Sprintf("/api/v1/lists?year=%d", derive.WorkYearOf(time.Now().In(lists.China))+1), 400, "validation_failed", "year"},
		{"region malformed", tf, "/api/v1/lists?region=62x", 400, "validation_failed", "region"},
		{"region bad length", tf, "/api/v1/lists/willing/regions?region=12345", 400, "validation_failed", "region"},
		{"region unknown", tf, "/api/v1/lists?region=629999", 400, "validation_failed", "region"},
		{"page size too big", tf, "/api/v1/lists/willing/people?page_size=1000", 400, "validation_failed", "page_size"},
		{"other county", tf, "/api/v1/lists?region=" + f.other[:6], 403, "forbidden", ""},
		{"other village for a cadre", cadre, "/api/v1/lists/willing/people?region=" + f.v2, 403, "forbidden", ""},
		{"export out of scope", cadre, "/api/v1/lists/willing/export?region=" + f.v2, 403, "forbidden", ""},
	}
	for _, c := range cases {
		r := st.do(t, "GET", c.path, c.token, nil)
		if r.Code != c.status || (c.code != "" && r.errCode() != c.code) || (c.field != "" && fmt.Sprint(r.fields()) != "["+c.field+"]") {
			t.Errorf("%s: %d %s", c.name, r.Code, r.Raw)
		}
		if c.status == 400 {
			fs, _ := r.Body["error"].(map[string]any)["fields"].([]any)
			if len(fs) == 0 || !hasHan(fmt.Sprint(fs[0].(map[string]any)["message"])) {
				t.Errorf("%s: field message not in Chinese: %s", c.name, r.Raw)
			}
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// TestOpenAPIListSchemas checks the lists' schemas against the response types.
func TestOpenAPIListSchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"ListsSummary":   reflect.TypeFor[listsSummaryResponse](),
		"ListRegions":    reflect.TypeFor[listRegionsResponse](),
		"ListRegionRow":  reflect.TypeFor[listRegionRow](),
		"ListPeople":     reflect.TypeFor[listPeopleResponse](),
		"ListPerson":     reflect.TypeFor[listPerson](),
		"ListContext":    reflect.TypeFor[listContext](),
		"ListRegionRef":  reflect.TypeFor[listRegionRef](),
		"ListCount":      reflect.TypeFor[listCount](),
		"ListHouseholds": reflect.TypeFor[listHouseholds](),
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), types[name])
	}
	codes, _ := oaSchema(t, doc, "ListCode")["enum"].([]any)
	labels, _ := oaSchema(t, doc, "ListCode")["x-enum-descriptions"].([]any)
	var got, want []string
	for i := range codes {
		got = append(got, fmt.Sprint(codes[i], "=", labels[i]))
	}
	for _, o := range lists.Lists {
		want = append(want, o.Code+"="+o.Label)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListCode: %v, want %v", got, want)
	}
}
