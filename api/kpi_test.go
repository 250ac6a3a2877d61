package api

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/kpi"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// kpiPlaces are a county of 甘南州 no other API test uses, one of its towns
// and two villages of that town.
type kpiPlaces struct{ county, town, va, vb string }

func kpiSetup(t *testing.T) kpiPlaces {
	t.Helper()
	p := kpiPlaces{county: st.regions.Children("6230")[0].Code}
	p.town = st.regions.Children(p.county)[0].Code
	vs := st.regions.Children(p.town)
	p.va, p.vb = vs[0].Code, vs[1].Code
	return p
}

func kpiTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, kpi.China)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// kpiFixtures writes, in China time:
//
//	va  case 2025-05-10 10:00 placed 05-11 10:00 (24 h)
//	    case 2025-06-02 10:00 open (overdue, escalated)
//	    claim transport 2025-05-15, paid through a batch, 300.00
//	vb  case 2025-05-20 10:00 declined 05-22 10:00
//	    claim job_seeking 2025-06-10, rejected, 500.00
//
// so the town has, in May, 2 opened, 1 placed within 72 h (rate 0.5), 1
// declined, median 24 h; in June 1 opened, still open, overdue and
// escalated; 1 willing returnee open now; 2 claims, 1 approved and paid
// (300.00), 1 rejected.
func kpiFixtures(t *testing.T, p kpiPlaces) {
	t.Helper()
	aCase := func(v, opened, closed, status string, overdue bool) {
		o := kpiTime(opened)
		c := model.ReturnCase{ID: model.NewID(), LabourerID: model.NewID(), ReturnEventID: model.NewID(), VillageCode: v,
			CountyCode: v[:6], OpenedAt: o, DueAt: o.Add(72 * time.Hour), Status: status, Overdue: overdue, Escalated: overdue}
		if closed != "" {
			cl := kpiTime(closed)
			c.ClosedAt = &cl
			c.PlacedWithin72h = status == model.CasePlaced && cl.Sub(o) <= 72*time.Hour
		}
		testenv.Must(t, st.db.Create(&c).Error)
	}
	aCase(p.va, "2025-05-10 10:00", "2025-05-11 10:00", model.CasePlaced, false)
	aCase(p.va, "2025-06-02 10:00", "", model.CaseOpen, true)
	aCase(p.vb, "2025-05-20 10:00", "2025-05-22 10:00", model.CaseDeclined, false)
	claim := func(v, kind string, state model.ClaimState, fen int64, at string, paid bool) {
		lab, _ := st.labourer(t, v)
		c := model.SubsidyClaim{ID: model.NewID(), LabourerID: lab.ID, PolicyID: model.NewID(), Year: 2025, Kind: kind,
			Mode: model.ModeReviewed, CountyCode: v[:6], AmountFen: fen, State: state, PolicyVersion: 1, Version: 1,
			CreatedAt: kpiTime(at), UpdatedAt: kpiTime(at)}
		testenv.Must(t, st.db.Create(&c).Error)
		if paid {
			testenv.Must(t, st.db.Create(&model.BatchLine{ID: model.NewID(), BatchID: model.NewID(), Seq: 1, ClaimID: c.ID,
				LabourerID: lab.ID, PayeeName: lab.Name, AccountEnc: "x", AccountHash: "x", AccountMasked: "6222****0001",
				BankName: "农商银行", AmountFen: fen, Purpose: "交通补助", State: model.LinePaid}).Error)
		}
	}
	claim(p.va, model.SubsidyTransport, model.ClaimPaid, 30000, "2025-05-15 10:00", true)
	claim(p.vb, model.SubsidyJobSeeking, model.ClaimRejected, 50000, "2025-06-10 10:00", false)
}

// get digs into a decoded JSON body: keys for objects, ints for arrays.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func TestKPIRoutes(t *testing.T) {
	p := kpiSetup(t)
	kpiFixtures(t, p)
	tf, _ := st.account(t, model.RoleTaskforce, p.county)
	q := "?region=" + p.town + "&from=2025-05&to=2025-06"

	r := st.do(t, "GET", "/api/v1/kpi/cases"+q, tf, nil)
	if r.Code != 200 {
		t.Fatalf("cases: %d %s", r.Code, r.Raw)
	}
	b := r.Body
	if get(b, "region", "code") != p.town || get(b, "from") != "2025-05" || get(b, "data_date") != "2025-06-30" ||
		fmt.Sprint(get(b, "months")) != "[2025-05 2025-06]" {
		t.Errorf("context: %v %v %v %v", get(b, "region"), get(b, "from"), get(b, "data_date"), get(b, "months"))
	}
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"total", "months", 0, "opened"}, 2.0},
		{[]any{"total", "months", 0, "placed_within_72h"}, 1.0},
		{[]any{"total", "months", 0, "placed_within_72h_rate"}, 0.5},
		{[]any{"total", "months", 0, "declined"}, 1.0},
		{[]any{"total", "months", 0, "median_hours_to_placement"}, 24.0},
		{[]any{"total", "months", 0, "month"}, "2025-05"},
		{[]any{"total", "months", 1, "still_open"}, 1.0},
		{[]any{"total", "months", 1, "overdue"}, 1.0},
		{[]any{"total", "months", 1, "escalated"}, 1.0},
		{[]any{"total", "months", 1, "open_at_month_end"}, 1.0},
		{[]any{"total", "months", 1, "median_hours_to_placement"}, nil},
		{[]any{"total", "period", "opened"}, 3.0},
		{[]any{"total", "willing_open_now"}, 1.0},
		{[]any{"items", 0, "code"}, p.va},
		{[]any{"items", 0, "period", "opened"}, 2.0},
		{[]any{"items", 1, "code"}, p.vb},
		{[]any{"items", 1, "period", "declined"}, 1.0},
	} {
		if got := get(b, c.path...); got != c.want {
			t.Errorf("cases %v = %v, want %v", c.path, got, c.want)
		}
	}
	// Parent = sum of rows, for every month and count.
	items, _ := b["items"].([]any)
	for m := 0; m < 2; m++ {
		for _, f := range []string{"opened", "placed", "placed_within_72h", "declined", "still_open", "overdue", "escalated", "open_at_month_end"} {
			var sum float64
			for i := range items {
				sum += get(items[i], "months", m, f).(float64)
			}
			if got := get(b, "total", "months", m, f).(float64); got != sum {
				t.Errorf("month %d %s: total %v ≠ sum %v", m, f, got, sum)
			}
		}
	}

	r = st.do(t, "GET", "/api/v1/kpi/subsidies"+q, tf, nil)
	if r.Code != 200 {
		t.Fatalf("subsidies: %d %s", r.Code, r.Raw)
	}
	b = r.Body
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"total", "period", "all", "submitted"}, 2.0},
		{[]any{"total", "period", "all", "approved"}, 1.0},
		{[]any{"total", "period", "all", "rejected"}, 1.0},
		{[]any{"total", "period", "all", "paid"}, 1.0},
		{[]any{"total", "period", "all", "paid_fen"}, 30000.0},
		{[]any{"total", "period", "all", "paid_yuan"}, "300.00"},
		{[]any{"total", "period", "transport", "approved_yuan"}, "300.00"},
		{[]any{"total", "months", 1, "job_seeking", "rejected"}, 1.0},
		{[]any{"total", "months", 1, "month"}, "2025-06"},
		{[]any{"items", 0, "months", 0, "transport", "paid"}, 1.0},
		{[]any{"items", 1, "period", "job_seeking", "submitted"}, 1.0},
	} {
		if got := get(b, c.path...); got != c.want {
			t.Errorf("subsidies %v = %v, want %v", c.path, got, c.want)
		}
	}

	// Default region: the task force's county.
	r = st.do(t, "GET", "/api/v1/kpi/subsidies?from=2025-05&to=2025-06", tf, nil)
	if r.Code != 200 || get(r.Body, "region", "code") != p.county || get(r.Body, "total", "period", "all", "submitted") != 2.0 {
		t.Errorf("default region: %d %v", r.Code, get(r.Body, "region"))
	}
}

func TestKPIAccessAndValidation(t *testing.T) {
	p := kpiSetup(t)
	tf, _ := st.account(t, model.RoleTaskforce, p.county)
	offHere, _ := st.account(t, model.RoleOfficial, "6230")
	offThere, _ := st.account(t, model.RoleOfficial, "6201")
	cadre, _ := st.account(t, model.RoleCadre, p.va)
	admin, _ := st.account(t, model.RoleAdmin)
	for _, c := range []struct {
		name, token, query string
		status             int
		fields             []string
	}{
		{"task force, its town", tf, "?region=" + p.town + "&from=2025-05&to=2025-06", 200, nil},
		{"task force, another county", tf, "?region=" + testCounty, 403, nil},
		{"official of the prefecture", offHere, "?from=2025-06&to=2025-06", 200, nil},
		{"official elsewhere", offThere, "?region=" + p.town, 403, nil},
		{"cadre", cadre, "?region=" + p.va, 403, nil},
		{"admin, a province", admin, "?region=62&from=2025-06&to=2025-06", 200, nil},
		{"from after to", tf, "?from=2025-07&to=2025-06", 400, []string{"from"}},
		{"more than 36 months", tf, "?from=2022-06&to=2025-06", 400, []string{"to"}},
		{"bad month", tf, "?from=2025-13&to=2025-06", 400, []string{"from"}},
		{"bad region and month", tf, "?region=62x&to=2025/06", 400, []string{"region", "to"}},
		{"future month", tf, "?to=2099-01", 400, []string{"to"}},
		{"unknown region", tf, "?region=629999", 400, []string{"region"}},
	} {
		for _, route := range []string{"/api/v1/kpi/cases", "/api/v1/kpi/subsidies", "/api/v1/kpi/cases/export", "/api/v1/kpi/subsidies/export"} {
			r := st.do(t, "GET", route+c.query, c.token, nil)
			if r.Code != c.status {
				t.Errorf("%s %s: %d, want %d (%s)", c.name, route, r.Code, c.status, r.Raw)
				continue
			}
			if c.fields != nil && !reflect.DeepEqual(r.fields(), c.fields) {
				t.Errorf("%s %s: fields %v, want %v", c.name, route, r.fields(), c.fields)
			}
			if r.Code >= 400 {
				msg, _ := get(r.Body, "error", "message").(string)
				if msg == "" || !strings.ContainsFunc(msg, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
					t.Errorf("%s %s: message %q is not Chinese", c.name, route, msg)
				}
			}
		}
	}
	if r := st.do(t, "GET", "/api/v1/kpi/cases", "", nil); r.Code != 401 {
		t.Errorf("anonymous: %d", r.Code)
	}
}

func TestKPIExport(t *testing.T) {
	p := kpiSetup(t)
	tf, _ := st.account(t, model.RoleTaskforce, p.county)
	town, _ := st.regions.Get(p.town)
	va, _ := st.regions.Get(p.va)
	for _, c := range []struct {
		route, sheet string
		cells        map[string]string
		merges       []string
	}{
		{"/api/v1/kpi/cases/export", kpi.SheetCases, map[string]string{
			"A1": town.Name + "返乡回流人员72小时就业服务成效统计表（2025年5月—2025年6月）",
			"A2": "数据截止日期：2025年6月30日", "A3": "数据来源：" + kpi.CaseSource, "A4": "单位：人、%、小时",
			"C5": "当月开始跟踪的返乡回流人员", "D6": "已上岗",
			"A7": va.Name, "B7": "2025年5月", "C7": "1", "D7": "1", "E7": "1", "F7": "100.0%", "L7": "24.0",
			"B8": "2025年6月", "C8": "1", "I8": "1", "K8": "1", "B9": "合计", "M9": "1",
		}, []string{"A1:M1", "A5:A6", "C5:J5", "M5:M6", "A7:A9"}},
		{"/api/v1/kpi/subsidies/export", kpi.SheetSubsidies, map[string]string{
			"A4": "单位：人次、元", "C5": "外出务工交通补助", "U5": "合计", "AA5": "预付补贴追回（追回）", "H6": "发放金额",
			"A7": va.Name, "C7": "1", "D7": "1", "F7": "1", "G7": "300.00", "H7": "300.00", "U7": "1",
		}, []string{"A1:AD1", "C5:H5", "U5:Z5", "AA5:AD5", "A7:A9"}},
	} {
		req := httptest.NewRequest("GET", c.route+"?region="+p.town+"&from=2025-05&to=2025-06", nil)
		req.Header.Set("Authorization", "Bearer "+tf)
		w := httptest.NewRecorder()
		st.engine.ServeHTTP(w, req)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", c.route, w.Code, w.Body.String())
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("%s: content type %q", c.route, ct)
		}
		if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''") || !strings.Contains(cd, "2025-05") {
			t.Errorf("%s: disposition %q", c.route, cd)
		}
		f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatalf("%s: reopen: %v", c.route, err)
		}
		for cell, want := range c.cells {
			if got, _ := f.GetCellValue(c.sheet, cell); got != want {
				t.Errorf("%s %s = %q, want %q", c.route, cell, got, want)
			}
		}
		ms, _ := f.GetMergeCells(c.sheet)
		have := map[string]bool{}
		for _, m := range ms {
			have[m.GetStartAxis()+":"+m.GetEndAxis()] = true
		}
		for _, m := range c.merges {
			if !have[m] {
				t.Errorf("%s: %s not merged", c.route, m)
			}
		}
		f.Close()
	}
}

func TestOpenAPIKPISchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"KPIContext":        reflect.TypeFor[kpiContext](),
		"KPIRegionRef":      reflect.TypeFor[kpiRegionRef](),
		"KPICaseFigures":    reflect.TypeFor[kpiCaseFigures](),
		"KPICaseMonth":      reflect.TypeFor[kpiCaseMonth](),
		"KPICaseRow":        reflect.TypeFor[kpiCaseRow](),
		"KPICaseTable":      reflect.TypeFor[kpiCasesResponse](),
		"KPISubsidyCounts":  reflect.TypeFor[kpiSubsidyCounts](),
		"KPISubsidyFigures": reflect.TypeFor[kpiSubsidyFigures](),
		"KPISubsidyMonth":   reflect.TypeFor[kpiSubsidyMonth](),
		"KPISubsidyRow":     reflect.TypeFor[kpiSubsidyRow](),
		"KPISubsidyTable":   reflect.TypeFor[kpiSubsidiesResponse](),
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), types[name])
	}
}
