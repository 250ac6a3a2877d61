package lists_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// The test clock is seed 000's data date: 2020-08-25, 10:00 in China, inside
// work year 2020 (2019-10-01 … 2020-09-30); last year is work year 2019.
var now = time.Date(2020, 8, 25, 2, 0, 0, 0, time.UTC)

const county, otherCountyCode = "622926", "622925" // 东乡族自治县, 和政县

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dayp(s string) *time.Time {
	if s == "" {
		return nil
	}
	t := day(s)
	return &t
}

// Fixture people. Hand count as of 2020-08-25 (L = 务工 in work year 2019,
// T = 务工 in work year 2020 so far; W = willing; R = returned this year,
// RE = re-exported):
//
//	#   hh village  facts                                                        base L T notout W R RE
//	P1  1  V1a  省外 2019-03-01…open, 4000                                          1   1 1   .    . . .
//	P2  1  V1a  县内 2019-06 (1 month × 3000); plan 是 2020-05-10                    1   1 .   1    1 . .
//	P3  2  V1a  省外 2019-01-01…2019-12-31, 5000 (T: Oct–Dec = 3 months, 15000)     1   1 1   .    . . .
//	P4  2  V1a  省内县外 2019-07…08 (2 months × 10000: 县外 needs 3 months)          1   . .   .    . . .
//	P5  3  V1b  省外 2018-12-01…2020-02-29, 6000; return 2020-03-01 (wants);
//	            县内 2020-04-01…open, 3500                                           1   1 1   .    . 1 1
//	P6  3  V1b  县内 2018-10-01…2019-09-30, 2500 (12 months); plan 否 2020-06-01     1   1 .   1    . . .
//	P7  4  V1b  省外 2019 UNVERIFIED; 省外 2020-05-01…open, 3000 (3.8 months);
//	            an unverified return                                                 1   . 1   .    . . .
//	P8  5  V2a  省外 2019-04-01…2019-09-30, 3000; return 2019-10-05 (wants)          1   1 .   1    1 1 .
//	P9  5  V2a  自主创业 2019-01-01…open, 8000 (not 务工)                             1   . .   .    . . .
//	P10 6  V2a  pending record with verified spells                                  .   . .   .    . . .
//	P11 7  V2a  永久退出 with verified spells                                         .   . .   .    . . .
//	P12 8  X    省外 2019-01-01…open, 5000 (another county)                          (other county)
//	P13 9  V1a  县内 2020-08-01…open, 2000 (0.8 month, at work, year in progress)    1   . 1   .    . . .
//	P14 2  V1a  return 2020-02-10 (wants); plan 否 2020-07-01 (later: not willing)   1   . .   .    . 1 .
//
// County 622926: base 11, L 6, T 5, not out 3 (P2 P6 P8), willing 2 (P2 P8),
// returned 3 (P5 P8 P14) of whom re-exported 1 (P5), planned 2 (P2 P8).
// Households among last year's workers: hh1 2→1 and hh3 2→1 reduced (2
// households, 4 last, 2 this); hh5 1→0 zero (1 household, 1 person); hh2 1→1
// unchanged. 1 + 4 − 2 = 3 = not out.
// Town 1 (V1a + V1b): base 9, L 5, T 5, not out 2, willing 1, returned 2, re 1.
// Town 2 (V2a): base 2, L 1, T 0, not out 1, willing 1, returned 1, re 0.
// V1a: base 6, L 3, T 3, not out 1, willing 1, returned 1. V1b: base 3, L 2, T 2, not out 1, returned 1, re 1.

type fixture struct {
	db                          *gorm.DB
	regions                     *region.Service
	svc                         *lists.Service
	town1, town2, v1a, v1b, v2a string
	x                           string
	p5spell                     int64
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := testenv.DB(t)
	rs := region.New(db)
	if _, err := rs.SeedCountry(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.SeedGansu(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, regions: rs, svc: lists.New(db, rs, func() time.Time { return now })}
	towns := rs.Children(county)
	f.town1, f.town2 = towns[0].Code, towns[1].Code
	f.v1a, f.v1b = rs.Children(f.town1)[0].Code, rs.Children(f.town1)[1].Code
	f.v2a = rs.Children(f.town2)[0].Code
	f.x = rs.Children(rs.Children(otherCountyCode)[0].Code)[0].Code

	hh := map[int]int64{}
	n := 0
	lab := func(household int, village string, mod func(*model.Labourer)) int64 {
		n++
		if hh[household] == 0 {
			hh[household] = model.NewID()
			testenv.Must(t, db.Create(&model.Household{ID: hh[household], HeadName: fmt.Sprintf("户主%d", household),
				ProvinceCode: village[:2], CityCode: village[:4], CountyCode: village[:6], TownCode: village[:9], VillageCode: village}).Error)
		}
		l := &model.Labourer{ID: model.NewID(), HouseholdID: hh[household], Name: fmt.Sprintf("P%d", n),
			IDNumberEnc: "x", IDNumberHash: fmt.Sprintf("hash-%d", n), IDMasked: fmt.Sprintf("6229**********%04d", n),
			PhoneMasked: fmt.Sprintf("138****%04d", n), BirthDate: day("1980-01-01"),
			ProvinceCode: village[:2], CityCode: village[:4], CountyCode: village[:6], TownCode: village[:9], VillageCode: village,
			Category: "lifted", State: "normal", RecordStatus: model.RecordActive}
		if mod != nil {
			mod(l)
		}
		testenv.Must(t, db.Create(l).Error)
		return l.ID
	}
	spell := func(lab int64, start, end, scope, form string, wage int, verified bool) int64 {
		sp := &model.EmploymentSpell{ID: model.NewID(), LabourerID: lab, StartDate: day(start), EndDate: dayp(end),
			PlaceCode: "440300", PlaceScope: scope, Form: form, MonthlyWage: wage, Industry: "general_worker",
			Source: model.SourceCadre, Verified: verified}
		testenv.Must(t, db.Create(sp).Error)
		return sp.ID
	}
	ret := func(lab int64, date string, wants, verified bool, spellID *int64) {
		testenv.Must(t, db.Create(&model.ReturnEvent{ID: model.NewID(), LabourerID: lab, ReturnDate: day(date), Reason: "epidemic",
			WantsWork: wants, SpellID: spellID, Source: model.SourceCadre, Verified: verified}).Error)
	}
	plan := func(lab int64, date string, has bool) {
		// Recorded at 20:00 in China that day (12:00 UTC).
		testenv.Must(t, db.Create(&model.OutingPlan{ID: model.NewID(), LabourerID: lab, HasPlan: has, DestCode: "44",
			Job: "普工", ExpectedWage: 4000, Source: model.SourceCadre, Verified: true,
			CreatedAt: day(date).Add(12 * time.Hour)}).Error)
	}
	const in, prov, out = "in_county", "in_province", "out_province"
	p1 := lab(1, f.v1a, nil)
	spell(p1, "2019-03-01", "", out, "employed", 4000, true)
	p2 := lab(1, f.v1a, nil)
	spell(p2, "2019-06-01", "2019-06-30", in, "flexible", 3000, true)
	plan(p2, "2020-05-10", true)
	p3 := lab(2, f.v1a, nil)
	spell(p3, "2019-01-01", "2019-12-31", out, "employed", 5000, true)
	p4 := lab(2, f.v1a, nil)
	spell(p4, "2019-07-01", "2019-08-31", prov, "employed", 10000, true)
	p5 := lab(3, f.v1b, nil)
	f.p5spell = spell(p5, "2018-12-01", "2020-02-29", out, "employed", 6000, true)
	ret(p5, "2020-03-01", true, true, &f.p5spell)
	spell(p5, "2020-04-01", "", in, "workshop", 3500, true)
	p6 := lab(3, f.v1b, nil)
	spell(p6, "2018-10-01", "2019-09-30", in, "public_welfare", 2500, true)
	plan(p6, "2020-06-01", false)
	p7 := lab(4, f.v1b, nil)
	spell(p7, "2019-01-01", "2019-09-30", out, "employed", 9000, false)
	spell(p7, "2020-05-01", "", out, "employed", 3000, true)
	ret(p7, "2020-04-20", true, false, nil)
	p8 := lab(5, f.v2a, nil)
	spell(p8, "2019-04-01", "2019-09-30", out, "employed", 3000, true)
	ret(p8, "2019-10-05", true, true, nil)
	p9 := lab(5, f.v2a, nil)
	spell(p9, "2019-01-01", "", in, derive.FormSelfEmployed, 8000, true)
	p10 := lab(6, f.v2a, func(l *model.Labourer) { l.RecordStatus = model.RecordPending })
	spell(p10, "2019-01-01", "", out, "employed", 5000, true)
	p11 := lab(7, f.v2a, func(l *model.Labourer) { l.State, l.StateReason = "perm_exit", "death" })
	spell(p11, "2019-01-01", "2019-12-31", out, "employed", 5000, true)
	p12 := lab(8, f.x, nil)
	spell(p12, "2019-01-01", "", out, "employed", 5000, true)
	p13 := lab(9, f.v1a, nil)
	spell(p13, "2020-08-01", "", in, "flexible", 2000, true)
	p14 := lab(2, f.v1a, nil)
	ret(p14, "2020-02-10", true, true, nil)
	plan(p14, "2020-07-01", false)
	return f
}

func as(role model.Role, scopes ...string) context.Context {
	return actor.With(context.Background(), &actor.Actor{AccountID: 1, Role: role, Scopes: scopes})
}

// six is the six counts plus re-exported and planned, in order.
type six [8]int

func sixOf(c lists.Counts) six {
	return six{c.LabourBase, c.OutLastYear, c.OutThisYear, c.LastYearNotOut, c.Willing, c.Returned, c.ReExported, c.Planned}
}

func TestSixLists(t *testing.T) {
	f := setup(t)
	tf := as(model.RoleTaskforce, county)

	res, err := f.svc.Count(tf, lists.Params{})
	testenv.Must(t, err)
	if res.Scope.Region != county || res.Scope.Year != 2020 || !res.Scope.AsOf.Equal(day("2020-08-25")) {
		t.Fatalf("scope: %+v", res.Scope)
	}
	if got, want := sixOf(res.Total), (six{11, 6, 5, 3, 2, 3, 1, 2}); got != want {
		t.Errorf("county: %v, want %v", got, want)
	}
	wantHH := derive.HouseholdChange{ZeroHouseholds: 1, ZeroPersons: 1, ReducedHouseholds: 2, ReducedLastPersons: 4, ReducedThisPersons: 2}
	if res.Total.Households != wantHH {
		t.Errorf("households: %+v, want %+v", res.Total.Households, wantHH)
	}
	h := res.Total.Households
	if h.ZeroPersons+h.ReducedLastPersons-h.ReducedThisPersons != res.Total.LastYearNotOut {
		t.Errorf("seed 000 identity broken: %+v vs %d", h, res.Total.LastYearNotOut)
	}
	t.Logf("county %s work year 2020 as of 2020-08-25: base/L/T/notout/willing/returned/re/planned = %v, households %+v", county, sixOf(res.Total), h)

	// Drill-down: county → towns → villages, each parent the sum of its rows
	// and equal to the child's own request.
	rows := map[string]lists.RegionCounts{}
	for _, r := range res.Rows {
		rows[r.Code] = r
		if !r.Known {
			t.Errorf("unknown child row %s", r.Code)
		}
	}
	if len(res.Rows) != len(f.regions.Children(county)) {
		t.Errorf("county rows = %d, want every town (%d)", len(res.Rows), len(f.regions.Children(county)))
	}
	if got, want := sixOf(rows[f.town1].Counts), (six{9, 5, 5, 2, 1, 2, 1, 1}); got != want {
		t.Errorf("town 1: %v, want %v", got, want)
	}
	if got, want := sixOf(rows[f.town2].Counts), (six{2, 1, 0, 1, 1, 1, 0, 1}); got != want {
		t.Errorf("town 2: %v, want %v", got, want)
	}
	checkSums(t, f, tf, res)

	town, err := f.svc.Count(tf, lists.Params{Region: f.town1})
	testenv.Must(t, err)
	vrows := map[string]lists.Counts{}
	for _, r := range town.Rows {
		vrows[r.Code] = r.Counts
	}
	if got, want := sixOf(vrows[f.v1a]), (six{6, 3, 3, 1, 1, 1, 0, 1}); got != want {
		t.Errorf("V1a: %v, want %v", got, want)
	}
	if got, want := sixOf(vrows[f.v1b]), (six{3, 2, 2, 1, 0, 1, 1, 0}); got != want {
		t.Errorf("V1b: %v, want %v", got, want)
	}
	checkSums(t, f, tf, town)
	vil, err := f.svc.Count(tf, lists.Params{Region: f.v1a})
	testenv.Must(t, err)
	if len(vil.Rows) != 0 || sixOf(vil.Total) != sixOf(vrows[f.v1a]) {
		t.Errorf("village V1a: rows %d, total %v", len(vil.Rows), sixOf(vil.Total))
	}

	// Last year seen as its own work year gives this year's "last year".
	y19, err := f.svc.Count(tf, lists.Params{Year: 2019})
	testenv.Must(t, err)
	if y19.Total.OutThisYear != res.Total.OutLastYear || !y19.Scope.AsOf.Equal(day("2019-09-30")) {
		t.Errorf("work year 2019: out %d as of %s, want %d as of 2019-09-30", y19.Total.OutThisYear, y19.Scope.AsOf, res.Total.OutLastYear)
	}

	// Up the tree: the city and the province see the other county too (P12).
	off := as(model.RoleOfficial, "62")
	prov, err := f.svc.Count(off, lists.Params{})
	testenv.Must(t, err)
	if prov.Scope.Region != "62" || sixOf(prov.Total) != (six{12, 7, 6, 3, 2, 3, 1, 2}) {
		t.Errorf("province: %s %v", prov.Scope.Region, sixOf(prov.Total))
	}
	checkSums(t, f, off, prov)
	admin, err := f.svc.Count(as(model.RoleAdmin), lists.Params{})
	testenv.Must(t, err)
	if admin.Scope.Region != "" || sixOf(admin.Total) != sixOf(prov.Total) {
		t.Errorf("admin, all regions: %q %v", admin.Scope.Region, sixOf(admin.Total))
	}
}

// checkSums asserts every parent is the sum of its child rows, and each child
// row equals the child's own request.
func checkSums(t *testing.T, f *fixture, ctx context.Context, res *lists.Result) {
	t.Helper()
	var sum lists.Counts
	for _, r := range res.Rows {
		sum.Add(r.Counts)
	}
	if sum != res.Total {
		t.Errorf("%s: children sum to %+v, parent has %+v", res.Scope.Region, sum, res.Total)
	}
	for _, r := range res.Rows {
		if r.LabourBase == 0 {
			continue
		}
		own, err := f.svc.Count(ctx, lists.Params{Region: r.Code, Year: res.Scope.Year})
		testenv.Must(t, err)
		if own.Total != r.Counts {
			t.Errorf("%s: row %+v, own request %+v", r.Code, r.Counts, own.Total)
		}
	}
}

func TestScopeLimits(t *testing.T) {
	f := setup(t)
	// A cadre of V1a: default region is the village; the county shows only their part.
	cadre := as(model.RoleCadre, f.v1a)
	res, err := f.svc.Count(cadre, lists.Params{})
	testenv.Must(t, err)
	if res.Scope.Region != f.v1a || sixOf(res.Total) != (six{6, 3, 3, 1, 1, 1, 0, 1}) {
		t.Errorf("cadre default: %s %v", res.Scope.Region, sixOf(res.Total))
	}
	res, err = f.svc.Count(cadre, lists.Params{Region: county})
	testenv.Must(t, err)
	if res.Total.LabourBase != 6 || len(res.Rows) != 1 || res.Rows[0].Code != f.town1 {
		t.Errorf("cadre, county: base %d rows %+v", res.Total.LabourBase, res.Rows)
	}
	// Two villages in one town default to the town.
	two := as(model.RoleCadre, f.v1a, f.v1b)
	res, err = f.svc.Count(two, lists.Params{})
	testenv.Must(t, err)
	if res.Scope.Region != f.town1 || res.Total.LabourBase != 9 || len(res.Rows) != 2 {
		t.Errorf("cadre of two villages: %s base %d rows %d", res.Scope.Region, res.Total.LabourBase, len(res.Rows))
	}
	// Outside the scope: forbidden.
	for _, c := range []struct {
		ctx    context.Context
		region string
	}{{cadre, f.v2a}, {cadre, f.town2}, {as(model.RoleTaskforce, county), f.x}, {as(model.RoleTaskforce, county), otherCountyCode}} {
		if _, err := f.svc.Count(c.ctx, lists.Params{Region: c.region}); !apperr.IsKind(err, apperr.KindForbidden) {
			t.Errorf("%s: %v, want forbidden", c.region, err)
		}
	}
	// Workers and employers may not read lists.
	for _, r := range []model.Role{model.RoleWorker, model.RoleEmployer} {
		if _, err := f.svc.Count(as(r, county), lists.Params{}); !apperr.IsKind(err, apperr.KindForbidden) {
			t.Errorf("%s: %v, want forbidden", r, err)
		}
	}
	// Bad regions and years are field errors.
	for _, p := range []lists.Params{{Region: "62x"}, {Region: "12345"}, {Region: "629999"}, {Year: 2013}, {Year: 2021}} {
		_, err := f.svc.Count(as(model.RoleAdmin), p)
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindValidation {
			t.Errorf("%+v: %v, want a validation error", p, err)
		}
	}
}

func TestPeopleAndExport(t *testing.T) {
	f := setup(t)
	tf := as(model.RoleTaskforce, county)
	names := func(p *lists.Page) []string {
		var out []string
		for _, it := range p.Items {
			out = append(out, it.Name)
		}
		return out
	}
	want := map[string][]string{
		lists.LabourBase:     {"P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P13", "P14"},
		lists.OutLastYear:    {"P1", "P2", "P3", "P5", "P6", "P8"},
		lists.OutThisYear:    {"P1", "P3", "P5", "P7", "P13"},
		lists.LastYearNotOut: {"P2", "P6", "P8"},
		lists.Willing:        {"P2", "P8"},
		lists.Returned:       {"P5", "P8", "P14"},
	}
	for _, o := range lists.Lists {
		p, err := f.svc.People(tf, o.Code, lists.Params{}, 1, 100)
		testenv.Must(t, err)
		if fmt.Sprint(names(p)) != fmt.Sprint(want[o.Code]) || p.Total != len(want[o.Code]) {
			t.Errorf("%s: %v (total %d), want %v", o.Code, names(p), p.Total, want[o.Code])
		}
		for _, it := range p.Items {
			if len(it.IDMasked) != 18 || it.IDMasked[6:14] != "********" {
				t.Errorf("%s: id not masked: %q", o.Code, it.IDMasked)
			}
		}
	}
	// Paging: page 2 of size 2 of the labour base, and of a derived list.
	p, err := f.svc.People(tf, lists.LabourBase, lists.Params{}, 2, 2)
	testenv.Must(t, err)
	if fmt.Sprint(names(p)) != "[P3 P4]" || p.Total != 11 {
		t.Errorf("base page 2: %v total %d", names(p), p.Total)
	}
	p, err = f.svc.People(tf, lists.OutLastYear, lists.Params{}, 2, 4)
	testenv.Must(t, err)
	if fmt.Sprint(names(p)) != "[P6 P8]" || p.Total != 6 {
		t.Errorf("last year page 2: %v total %d", names(p), p.Total)
	}
	// A person's facts: P5 returned and went out again.
	p, err = f.svc.People(tf, lists.Returned, lists.Params{Region: f.v1b}, 1, 10)
	testenv.Must(t, err)
	if len(p.Items) != 1 || !p.Items[0].ReExported || p.Items[0].Return == nil || p.Items[0].ThisYear.AtWorkScope != "in_county" {
		t.Errorf("P5: %+v", p.Items)
	}
	if _, err := f.svc.People(tf, "nonsense", lists.Params{}, 1, 10); !apperr.IsKind(err, apperr.KindValidation) {
		t.Errorf("bad list: %v", err)
	}

	// Export, re-opened.
	sc, err := f.svc.Resolve(tf, lists.Params{})
	testenv.Must(t, err)
	var buf bytes.Buffer
	testenv.Must(t, f.svc.Export(tf, lists.LastYearNotOut, sc, &buf))
	x, err := excelize.OpenReader(&buf)
	testenv.Must(t, err)
	defer x.Close()
	if got := fmt.Sprint(x.GetSheetList()); got != "[名单 分地区汇总]" {
		t.Fatalf("sheets %s", got)
	}
	people, err := x.GetRows(lists.SheetPeople)
	testenv.Must(t, err)
	if len(people) != lists.HeaderRows+3 {
		t.Fatalf("people rows = %d, want %d header + 3", len(people), lists.HeaderRows)
	}
	if people[0][0] != "去年外出今年未外出清单" || people[1][0] != "地区："+f.regions.PathName(county) ||
		people[2][0] != "年度：2020年度（2019年10月至2020年9月）" || people[3][0] != "数据截止日期：2020年8月25日" ||
		people[4][0] == "" || fmt.Sprint(people[5]) != fmt.Sprint(lists.PeopleColumns) {
		t.Errorf("header rows: %q", people[:6])
	}
	if r := people[6]; r[1] != "P2" || r[2] != "6229**********0002" || r[3] != "138****0002" {
		t.Errorf("first person row: %q", r)
	}
	summary, err := x.GetRows(lists.SheetSummary)
	testenv.Must(t, err)
	towns := f.regions.Children(county)
	if len(summary) != lists.HeaderRows+len(towns)+1 {
		t.Fatalf("summary rows = %d, want %d", len(summary), lists.HeaderRows+len(towns)+1)
	}
	last := summary[len(summary)-1]
	if last[0] != "合计" || last[2] != "3" {
		t.Errorf("total row %q", last)
	}
	for _, r := range summary[lists.HeaderRows:] {
		if r[1] == f.town1 && r[2] != "2" || r[1] == f.town2 && r[2] != "1" {
			t.Errorf("summary row %q", r)
		}
	}
	t.Logf("export %s: %d people rows, %d summary rows, %d bytes", lists.FileName(lists.LastYearNotOut, sc), len(people)-lists.HeaderRows, len(summary)-lists.HeaderRows, buf.Len())
}
