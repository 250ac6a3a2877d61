package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/report"
	"github.com/jiuyebang/jiuyebang/service/synth"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// The test clock starts at seed 000's data date, 2020-08-25 10:00 in China:
// work year 2020 (2019-10-01 … 2020-09-30) against work year 2019.
var start = time.Date(2020, 8, 25, 2, 0, 0, 0, time.UTC)

const county = "622926" // 东乡族自治县

// env is a migrated database with Gansu's regions, the services and a
// clock the test can move.
type env struct {
	db      *gorm.DB
	regions *region.Service
	lists   *lists.Service
	rep     *report.Service
	clock   atomic.Int64
	box     *pii.Box
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{db: testenv.DB(t)}
	e.clock.Store(start.UnixNano())
	now := func() time.Time { return time.Unix(0, e.clock.Load()).UTC() }
	e.regions = region.New(e.db)
	if _, err := e.regions.SeedCountry(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.regions.SeedGansu(ctx); err != nil {
		t.Fatal(err)
	}
	e.lists = lists.New(e.db, e.regions, now)
	var err error
	if e.rep, err = report.New(e.db, e.regions, e.lists, now, testenv.Logger()); err != nil {
		t.Fatal(err)
	}
	if e.box, err = pii.New(make([]byte, 32), []byte("0123456789abcdef0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) advance(days int) { e.clock.Add(int64(days) * int64(24*time.Hour)) }

func admin() context.Context {
	return actor.With(context.Background(), &actor.Actor{Role: model.RoleAdmin, AccountID: 1})
}

func as(role model.Role, scopes ...string) context.Context {
	return actor.With(context.Background(), &actor.Actor{Role: role, AccountID: 2, Scopes: scopes})
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dayp(s string) *time.Time {
	t := day(s)
	return &t
}

// fixture writes the hand-counted households of TestHandCounted.
type fixture struct {
	e              *env
	v1, v2, v3     string // v1, v2 in town t1; v3 in town t2
	t1, t2         string
	transportJobID int64
}

func (f *fixture) household(v string) int64 {
	h := model.Household{ID: model.NewID(), HeadName: "户主", ProvinceCode: v[:2], CityCode: v[:4], CountyCode: v[:6],
		TownCode: v[:9], VillageCode: v}
	must(f.e.db.Create(&h).Error)
	return h.ID
}

var idSeq atomic.Int64

func (f *fixture) labourer(hh int64, v string) int64 {
	n := idSeq.Add(1)
	l := model.Labourer{ID: model.NewID(), HouseholdID: hh, Name: fmt.Sprintf("人%d", n), IDNumberEnc: "x",
		IDNumberHash: fmt.Sprintf("h%d-%d", n, time.Now().UnixNano()), IDMasked: "6229**********0000",
		ProvinceCode: v[:2], CityCode: v[:4], CountyCode: v[:6], TownCode: v[:9], VillageCode: v,
		Category: "lifted", State: "normal", RecordStatus: model.RecordActive}
	must(f.e.db.Create(&l).Error)
	return l.ID
}

func (f *fixture) spell(lab int64, from string, to string, place, scope string, wage int, verified bool, job *int64) int64 {
	sp := model.EmploymentSpell{ID: model.NewID(), LabourerID: lab, StartDate: day(from), PlaceCode: place, PlaceScope: scope,
		Form: "employed", MonthlyWage: wage, Industry: "general_worker", Source: model.SourceCadre, Verified: verified, JobID: job}
	if to != "" {
		sp.EndDate = dayp(to)
	}
	must(f.e.db.Create(&sp).Error)
	return sp.ID
}

func (f *fixture) ret(lab int64, d string, wants bool) {
	must(f.e.db.Create(&model.ReturnEvent{ID: model.NewID(), LabourerID: lab, ReturnDate: day(d), WantsWork: wants,
		Source: model.SourceCadre, Verified: true}).Error)
}

func (f *fixture) plan(lab int64, d string, has bool) {
	must(f.e.db.Create(&model.OutingPlan{ID: model.NewID(), LabourerID: lab, HasPlan: has, Source: model.SourceCadre,
		Verified: true, CreatedAt: day(d).Add(4 * time.Hour)}).Error)
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func newFixture(t *testing.T, e *env) *fixture {
	towns := e.regions.Children(county)
	f := &fixture{e: e, t1: towns[0].Code, t2: towns[1].Code}
	f.v1, f.v2 = e.regions.Children(f.t1)[0].Code, e.regions.Children(f.t1)[1].Code
	f.v3 = e.regions.Children(f.t2)[0].Code
	job := model.Job{ID: model.NewID(), EmployerID: 1, CountyCode: county, Title: "点对点", Industry: "general_worker", Headcount: 10,
		WageMin: 4000, WageMax: 5000, PlaceCode: "440306", MinAge: 18, MaxAge: 50, Transport: true, ValidUntil: day("2021-01-01"),
		Status: model.JobOpen}
	must(e.db.Create(&job).Error)
	f.transportJobID = job.ID
	const out, inProv = "440306", "620102"
	inCounty := f.t1

	// H1 (v1): A, B, C
	h1 := f.household(f.v1)
	a := f.labourer(h1, f.v1)
	f.spell(a, "2018-11-01", "2019-06-30", out, "out_province", 5000, true, nil)
	f.spell(a, "2020-03-01", "", out, "out_province", 5000, true, &f.transportJobID)
	b := f.labourer(h1, f.v1)
	f.spell(b, "2019-01-01", "2019-03-31", inCounty, "in_county", 3000, true, nil)
	f.plan(b, "2020-05-01", true)
	f.labourer(h1, f.v1) // C: no records
	// H2 (v2): D
	h2 := f.household(f.v2)
	d := f.labourer(h2, f.v2)
	f.spell(d, "2019-01-01", "2019-06-30", inProv, "in_province", 4000, true, nil)
	f.ret(d, "2020-02-01", false)
	// H3 (v3): E, F, G
	h3 := f.household(f.v3)
	ee := f.labourer(h3, f.v3)
	f.spell(ee, "2019-05-01", "", out, "out_province", 6000, true, nil)
	ff := f.labourer(h3, f.v3)
	f.spell(ff, "2020-08-20", "", inCounty, "in_county", 2000, true, nil)
	g := f.labourer(h3, f.v3)
	f.spell(g, "2019-01-01", "2019-08-31", out, "out_province", 6000, false, nil) // 待核实: not counted
	// H4 (v3): P, Q
	h4 := f.household(f.v3)
	p := f.labourer(h4, f.v3)
	f.spell(p, "2019-03-01", "2019-04-30", inProv, "in_province", 5000, true, nil)
	f.spell(p, "2020-01-01", "2020-05-31", inProv, "in_province", 5000, true, nil)
	q := f.labourer(h4, f.v3)
	f.spell(q, "2018-10-01", "2019-09-30", out, "out_province", 3000, true, nil)
	f.ret(q, "2020-04-01", true)
	return f
}

// TestHandCounted checks both tables on households counted by hand, as of
// 2020-08-25 (L = 务工 in work year 2019, T = in work year 2020 so far):
//
//	hh  village  who  records                                                   L T  place     other
//	H1  v1       A    省外 2018-11…2019-06 5000; 省外 2020-03-01…open via a
//	                  transport job                                             1 1  省外      点对点
//	             B    县内 2019-01…03 3000; plan 是 2020-05-01                   1 .            planned
//	             C    nothing                                                   . .
//	H2  v2       D    省内县外 2019-01…06 4000; return 2020-02-01 (no wish)       1 .
//	H3  v3       E    省外 2019-05-01…open 6000                                  1 1  省外
//	             F    县内 2020-08-20…open 2000 (at work)                        . 1  县内
//	             G    省外 2019 unverified                                       . .
//	H4  v3       P    省内县外 2019-03…04 (2 months); 2020-01…05 (5 months)       . 1  省内县外
//	             Q    省外 2018-10…2019-09 3000; return 2020-04-01 (wants work)  1 .            planned
//
// H1 fell from 2 to 1 (reduced), H2 from 1 to 0 and H4 from 1 to 0 (zero).
func TestHandCounted(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	ctx := admin()
	tab, err := e.rep.Table(ctx, report.Params{Region: county}, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := report.Figures{LastYear: 5, NotWorking: 3, ZeroHouseholds: 2, ZeroPersons: 2, ReducedHouseholds: 1,
		ReducedLastPersons: 2, ReducedThisPersons: 1, Planned: 2, ThisYear: 4, OutProvince: 2, InProvince: 1, InCounty: 1,
		PointToPoint: 1, WillingNotOut: 2}
	if tab.Total != want {
		t.Fatalf("county total\n got %+v\nwant %+v", tab.Total, want)
	}
	byCode := map[string]report.Figures{}
	for _, r := range tab.Rows {
		byCode[r.Code] = r.Figures
	}
	t1 := report.Figures{LastYear: 3, NotWorking: 2, ZeroHouseholds: 1, ZeroPersons: 1, ReducedHouseholds: 1,
		ReducedLastPersons: 2, ReducedThisPersons: 1, Planned: 1, ThisYear: 1, OutProvince: 1, PointToPoint: 1, WillingNotOut: 1}
	t2 := report.Figures{LastYear: 2, NotWorking: 1, ZeroHouseholds: 1, ZeroPersons: 1, Planned: 1, ThisYear: 3,
		OutProvince: 1, InProvince: 1, InCounty: 1, WillingNotOut: 1}
	if byCode[f.t1] != t1 || byCode[f.t2] != t2 {
		t.Fatalf("towns\n got %+v\n     %+v\nwant %+v\n     %+v", byCode[f.t1], byCode[f.t2], t1, t2)
	}
	if r := tab.Total.Ratio(); r != 0.8 {
		t.Fatalf("ratio %v", r)
	}
	// The same from the records, and the lists' own count of the seed 000 columns.
	rc, err := e.rep.Recount(ctx, report.Params{Region: county}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Total != want {
		t.Fatalf("recount %+v", rc.Total)
	}
	agreeWithLists(t, e, ctx, county)

	// People behind a cell.
	pg, err := e.rep.People(ctx, report.Params{Region: county}, report.ColPlanned, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if pg.Total != 2 || len(pg.Items) != 2 {
		t.Fatalf("planned people: %+v", pg)
	}
	for col, n := range map[string]int{report.ColLastYear: 5, report.ColNotWorking: 3, report.ColZero: 2, report.ColReduced: 2,
		report.ColThisYear: 4, report.ColOutProvince: 2, report.ColInProvince: 1, report.ColInCounty: 1,
		report.ColPointToPoint: 1, report.ColWillingNotOut: 2} {
		pg, err := e.rep.People(ctx, report.Params{Region: county}, col, 1, 100)
		if err != nil {
			t.Fatal(col, err)
		}
		if pg.Total != n || len(pg.Items) != n {
			t.Errorf("%s: %d people (%d items), want %d", col, pg.Total, len(pg.Items), n)
		}
	}

	// A cadre of v3 sees only v3.
	cad := as(model.RoleCadre, f.v3)
	ct, err := e.rep.Table(cad, report.Params{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ct.Scope.Region != f.v3 || ct.Total.LastYear != 2 || ct.Total.ThisYear != 3 || len(ct.Rows) != 0 {
		t.Fatalf("cadre's table: %+v", ct)
	}
	if _, err := e.rep.Table(cad, report.Params{Region: f.v1}, 1); err == nil {
		t.Fatal("a cadre read another village")
	}

	// The year ends: F (at work since 20 August: 1.39 months, 2,780 yuan by
	// 30 September, below the 县内 3,000) no longer counts; nothing else changes.
	e.advance(40) // 2020-10-04: work year 2020 is over
	tab2, err := e.rep.Table(ctx, report.Params{Region: county, Year: 2020}, 1)
	if err != nil {
		t.Fatal(err)
	}
	want.ThisYear, want.InCounty = 3, 0
	if tab2.Total != want {
		t.Fatalf("after the year's end\n got %+v\nwant %+v", tab2.Total, want)
	}
	agreeWithLists(t, e, ctx, county, 2020)
}

// agreeWithLists compares the seed 000 columns of the fast table with
// service/lists' own count on the same records, region by region.
func agreeWithLists(t *testing.T, e *env, ctx context.Context, regionCode string, year ...int) {
	t.Helper()
	p := report.Params{Region: regionCode}
	if len(year) > 0 {
		p.Year = year[0]
	}
	tab, err := e.rep.Table(ctx, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	lc, err := e.lists.Count(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	conv := func(c lists.Counts) [8]int {
		h := c.Households
		return [8]int{c.OutLastYear, c.LastYearNotOut, h.ZeroHouseholds, h.ZeroPersons, h.ReducedHouseholds,
			h.ReducedLastPersons, h.ReducedThisPersons, c.Planned}
	}
	mine := func(f report.Figures) [8]int {
		return [8]int{f.LastYear, f.NotWorking, f.ZeroHouseholds, f.ZeroPersons, f.ReducedHouseholds,
			f.ReducedLastPersons, f.ReducedThisPersons, f.Planned}
	}
	if mine(tab.Total) != conv(lc.Total) {
		t.Fatalf("%s: table %v, lists %v", regionCode, mine(tab.Total), conv(lc.Total))
	}
	if tab.Total.ThisYear != lc.Total.OutThisYear {
		t.Fatalf("%s: this year %d, lists %d", regionCode, tab.Total.ThisYear, lc.Total.OutThisYear)
	}
	lrows := map[string][8]int{}
	for _, r := range lc.Rows {
		lrows[r.Code] = conv(r.Counts)
	}
	for _, r := range tab.Rows {
		if mine(r.Figures) != lrows[r.Code] {
			t.Fatalf("%s row %s: table %v, lists %v", regionCode, r.Code, mine(r.Figures), lrows[r.Code])
		}
	}
}

// population writes a synthetic population of n labourers.
func (e *env) population(t testing.TB, n int, seed uint64) {
	t.Helper()
	g := synth.New(e.db, e.box, e.regions)
	st, err := g.Run(context.Background(), synth.Options{Labourers: n, Seed: seed, Year: 2020, Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	if st.Labourers != int64(n) {
		t.Fatalf("wrote %d labourers, want %d", st.Labourers, n)
	}
}

// sumOK checks that every parent is the sum of its rows, at every depth.
func sumOK(t *testing.T, where string, total report.Figures, rows []report.Row) {
	t.Helper()
	if len(rows) == 0 {
		return
	}
	var s report.Figures
	for _, r := range rows {
		s.Add(r.Figures)
		sumOK(t, where+"/"+r.Code, r.Figures, r.Rows)
	}
	if s != total {
		t.Fatalf("%s: rows sum to %+v, parent %+v", where, s, total)
	}
}

// TestParentIsSumOfChildren on random populations, at every level from the
// province down to villages.
func TestParentIsSumOfChildren(t *testing.T) {
	e := newEnv(t)
	e.population(t, 1200, 7)
	ctx := admin()
	g, err := e.rep.Table(ctx, report.Params{Region: "62"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if g.Total.LastYear == 0 || g.Total.ThisYear == 0 || g.Total.NotWorking == 0 || g.Total.ZeroHouseholds == 0 ||
		g.Total.ReducedHouseholds == 0 || g.Total.OutProvince == 0 || g.Total.PointToPoint == 0 || g.Total.Planned == 0 {
		t.Fatalf("the population is too thin to test: %+v", g.Total)
	}
	sumOK(t, "62", g.Total, g.Rows)
	// Down one branch to the villages.
	code := ""
	for _, r := range g.Rows {
		if r.LastYear > 0 {
			code = r.Code
			break
		}
	}
	for lvl := model.LevelCity; lvl < model.LevelVillage && code != ""; lvl++ {
		tab, err := e.rep.Table(ctx, report.Params{Region: code}, 1)
		if err != nil {
			t.Fatal(err)
		}
		sumOK(t, code, tab.Total, tab.Rows)
		next := ""
		for _, r := range tab.Rows {
			if r.LastYear > 0 {
				next = r.Code
			}
		}
		code = next
	}
	// Seed 000's identity holds on every row.
	for _, r := range g.Rows {
		if r.ZeroPersons+r.ReducedLastPersons-r.ReducedThisPersons != r.NotWorking {
			t.Fatalf("%s: %+v breaks 零务工人数 + 减少户去年 − 减少户今年 = 未务工", r.Name, r.Figures)
		}
		if r.OutProvince+r.InProvince+r.InCounty != r.ThisYear {
			t.Fatalf("%s: places do not add up: %+v", r.Name, r.Figures)
		}
	}
}

// compare checks the fast tables against the recount and the lists.
func compare(t *testing.T, e *env, step string) {
	t.Helper()
	ctx := admin()
	for _, code := range []string{"62", "6229", county} {
		fast, err := e.rep.Table(ctx, report.Params{Region: code}, 2)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := e.rep.Recount(ctx, report.Params{Region: code}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast.Total, slow.Total) || !reflect.DeepEqual(fast.Rows, slow.Rows) {
			t.Fatalf("%s, %s: fast %+v, recount %+v", step, code, fast.Total, slow.Total)
		}
		agreeWithLists(t, e, ctx, code)
		compareTrend(t, e, ctx, step, report.Params{Region: code}, fast.Total)
	}
}

// TestFastPathIsExact changes records at random in every way the services
// write them — creates, updates by id and by model, struct saves, deletes,
// transactions, moves between villages, exits, a transport job's flag — and
// lets days pass, comparing the pre-aggregated tables with a recount from
// the records and with service/lists after each round.
func TestFastPathIsExact(t *testing.T) {
	e := newEnv(t)
	e.population(t, 800, 11)
	compare(t, e, "initial")
	db := e.db
	r := rand.New(rand.NewPCG(3, 5))
	var labs []model.Labourer
	must(db.Where("county_code LIKE ?", "6229%").Find(&labs).Error)
	if len(labs) < 20 {
		t.Fatalf("only %d labourers in 临夏州", len(labs))
	}
	pick := func() model.Labourer { return labs[r.IntN(len(labs))] }
	var villages []string
	for _, tw := range e.regions.Children(county) {
		for _, v := range e.regions.Children(tw.Code) {
			villages = append(villages, v.Code)
		}
	}
	var jobs []model.Job
	must(db.Where("transport = ?", true).Find(&jobs).Error)
	today := func() time.Time {
		n := time.Unix(0, e.clock.Load()).In(lists.China)
		return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	}
	for round := 0; round < 6; round++ {
		for i := 0; i < 25; i++ {
			l := pick()
			switch r.IntN(12) {
			case 0: // a new job this year, maybe through a transport job
				sp := model.EmploymentSpell{ID: model.NewID(), LabourerID: l.ID, StartDate: today().AddDate(0, 0, -r.IntN(200)),
					PlaceCode: "440306", PlaceScope: "out_province", Form: "employed", MonthlyWage: 3000 + r.IntN(3000),
					Industry: "general_worker", Source: model.SourceCadre, Verified: true}
				if r.IntN(2) == 0 && len(jobs) > 0 {
					sp.JobID = &jobs[0].ID
				}
				if r.IntN(3) == 0 {
					sp.StartDate = today().AddDate(0, 0, 1+r.IntN(20)) // starts later: expires today's row
				}
				must(db.Create(&sp).Error)
			case 1: // an open spell ends, by id
				var sp model.EmploymentSpell
				if db.Where("labourer_id = ? AND end_date IS NULL", l.ID).Take(&sp).Error == nil {
					end := today().AddDate(0, 0, r.IntN(30)-20)
					if end.Before(sp.StartDate) {
						end = sp.StartDate
					}
					must(db.Model(&model.EmploymentSpell{}).Where("id = ?", sp.ID).Update("end_date", end).Error)
				}
			case 2: // verification withdrawn, by model
				var sp model.EmploymentSpell
				if db.Where("labourer_id = ?", l.ID).Take(&sp).Error == nil {
					must(db.Model(&sp).Update("verified", !sp.Verified).Error)
				}
			case 3: // a struct save changing the wage
				var sp model.EmploymentSpell
				if db.Where("labourer_id = ?", l.ID).Take(&sp).Error == nil {
					sp.MonthlyWage = 500 + r.IntN(6000)
					must(db.Save(&sp).Error)
				}
			case 4: // a return, in a transaction with a closing spell
				must(db.Transaction(func(tx *gorm.DB) error {
					d := today().AddDate(0, 0, -r.IntN(100))
					if err := tx.Model(&model.EmploymentSpell{}).Where("labourer_id = ? AND end_date IS NULL", l.ID).
						Updates(map[string]any{"end_date": d.AddDate(0, 0, -1)}).Error; err != nil {
						return err
					}
					return tx.Create(&model.ReturnEvent{ID: model.NewID(), LabourerID: l.ID, ReturnDate: d, WantsWork: r.IntN(2) == 0,
						Source: model.SourceCadre, Verified: true}).Error
				}))
			case 5: // a return is deleted
				must(db.Where("labourer_id = ?", l.ID).Delete(&model.ReturnEvent{}).Error)
			case 6: // a plan, recorded today or later (dated plans expire rows)
				must(db.Create(&model.OutingPlan{ID: model.NewID(), LabourerID: l.ID, HasPlan: r.IntN(2) == 0,
					Source: model.SourceCadre, Verified: true, CreatedAt: time.Unix(0, e.clock.Load()).AddDate(0, 0, r.IntN(5))}).Error)
			case 7: // moves to another village with a new household
				v := villages[r.IntN(len(villages))]
				h := model.Household{ID: model.NewID(), HeadName: l.Name, ProvinceCode: v[:2], CityCode: v[:4], CountyCode: v[:6],
					TownCode: v[:9], VillageCode: v}
				must(db.Create(&h).Error)
				must(db.Model(&model.Labourer{}).Where("id = ?", l.ID).Updates(map[string]any{"household_id": h.ID,
					"province_code": v[:2], "city_code": v[:4], "county_code": v[:6], "town_code": v[:9], "village_code": v}).Error)
			case 8: // leaves the ledger, or comes back
				st := "perm_exit"
				if r.IntN(2) == 0 {
					st = "normal"
				}
				must(db.Model(&model.Labourer{}).Where("id = ?", l.ID).Update("state", st).Error)
			case 9: // a transport job's flag
				if len(jobs) > 0 {
					j := jobs[r.IntN(len(jobs))]
					must(db.Model(&model.Job{}).Where("id = ?", j.ID).Update("transport", r.IntN(2) == 0).Error)
				}
			case 10: // an untracked column only: no mark needed, none written
				must(db.Model(&model.Labourer{}).Where("id = ?", l.ID).Updates(map[string]any{"working": true, "wants_work": false}).Error)
			case 11: // a spell deleted by model
				var sp model.EmploymentSpell
				if db.Where("labourer_id = ?", l.ID).Take(&sp).Error == nil {
					must(db.Delete(&sp).Error)
				}
			}
		}
		if round%2 == 1 {
			e.advance(1 + r.IntN(15)) // rows expire as days pass
		}
		compare(t, e, fmt.Sprintf("round %d", round))
	}
	// Into the next work year: 2020 is finished, 2021 has begun.
	e.advance(45)
	compare(t, e, "next year")
}
