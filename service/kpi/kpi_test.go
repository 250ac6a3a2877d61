package kpi_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/kpi"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/returncase"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

const (
	county      = "622926" // 东乡族自治县
	otherCounty = "622925" // 和政县
	city        = "6229"   // 临夏回族自治州
)

// now is the test clock: 2024-04-10 12:00 in China.
var now = cst("2024-04-10 12:00")

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, kpi.China)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

type env struct {
	db      *gorm.DB
	regions *region.Service
	svc     *kpi.Service
	// Two villages of one town (t1), a village of another town (t2), and a
	// village of another county.
	t1, t2, v1, v2, v3, vOther string
}

// shared is the package's database with the regions seeded once (seeding
// Gansu's villages is the slow part); each test empties the tables it fills.
var shared struct {
	db      *gorm.DB
	regions *region.Service
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jyb-kpi-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	db, cleanup, err := testenv.NewDB("kpi", dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	shared.db, shared.regions = db, region.New(db)
	if _, err := shared.regions.SeedCountry(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := shared.regions.SeedGansu(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{db: shared.db, regions: shared.regions}
	for _, m := range []any{&model.ReturnCase{}, &model.SubsidyClaim{}, &model.BatchLine{}, &model.Labourer{}, &model.AuditLog{}} {
		testenv.Must(t, e.db.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(m).Error)
	}
	towns := e.regions.Children(county)
	e.t1, e.t2 = towns[0].Code, towns[1].Code
	e.v1, e.v2 = e.regions.Children(e.t1)[0].Code, e.regions.Children(e.t1)[1].Code
	e.v3 = e.regions.Children(e.t2)[0].Code
	e.vOther = e.regions.Children(e.regions.Children(otherCounty)[0].Code)[0].Code
	cases := returncase.New(e.db, nil, nil, returncase.Options{Now: func() time.Time { return now }})
	e.svc = kpi.New(e.db, e.regions, cases)
	return e
}

func as(role model.Role, scopes ...string) context.Context {
	return actor.With(context.Background(), &actor.Actor{Role: role, AccountID: 7, Scopes: scopes})
}

var admin = as(model.RoleAdmin)

// aCase inserts a case. closed is "" for an open case; placed tells a hire
// from a decline.
func (e *env) aCase(t testing.TB, village, opened, closed string, placed, overdue, escalated bool) {
	t.Helper()
	o := cst(opened)
	c := model.ReturnCase{ID: model.NewID(), LabourerID: model.NewID(), ReturnEventID: model.NewID(), VillageCode: village,
		CountyCode: village[:6], OpenedAt: o, DueAt: o.Add(72 * time.Hour), Status: model.CaseOpen, Overdue: overdue,
		Escalated: escalated, Checkpoint: 72}
	if closed != "" {
		cl := cst(closed)
		c.ClosedAt = &cl
		c.Status = model.CaseDeclined
		if placed {
			c.Status = model.CasePlaced
			c.PlacedWithin72h = cl.Sub(o) <= 72*time.Hour
		}
	}
	testenv.Must(t, e.db.Create(&c).Error)
}

// caseFixtures are the hand-counted cases (times in China).
//
//	v1 (town t1)  c1 02-05 10:00 placed 02-06 10:00 (24 h, within 72 h)
//	              c2 02-20 08:00 placed 02-25 08:00 (120 h; overdue, escalated)
//	              c3 02-27 09:00 declined 03-02 09:00 (overdue)
//	              c4 03-10 09:00 open (overdue, escalated)
//	v2 (town t1)  c5 02-10 12:00 placed 02-12 00:00 (36 h)
//	              c6 03-01 00:00 placed 03-01 12:00 (12 h) — 2-29 16:00 UTC: March in China
//	              c7 03-31 23:00 open (overdue, escalated) — still March in China
//	v3 (town t2)  c8 01-15 10:00 open, before the range (overdue, escalated)
//	other county  c9 02-10 10:00 open (overdue, escalated)
//	622926999999  c10 03-05 10:00 declined 03-06 10:00 — a village code no town of the county holds
func (e *env) caseFixtures(t testing.TB) {
	e.aCase(t, e.v1, "2024-02-05 10:00", "2024-02-06 10:00", true, false, false)
	e.aCase(t, e.v1, "2024-02-20 08:00", "2024-02-25 08:00", true, true, true)
	e.aCase(t, e.v1, "2024-02-27 09:00", "2024-03-02 09:00", false, true, false)
	e.aCase(t, e.v1, "2024-03-10 09:00", "", false, true, true)
	e.aCase(t, e.v2, "2024-02-10 12:00", "2024-02-12 00:00", true, false, false)
	e.aCase(t, e.v2, "2024-03-01 00:00", "2024-03-01 12:00", true, false, false)
	e.aCase(t, e.v2, "2024-03-31 23:00", "", false, true, true)
	e.aCase(t, e.v3, "2024-01-15 10:00", "", false, true, true)
	e.aCase(t, e.vOther, "2024-02-10 10:00", "", false, true, true)
	e.aCase(t, county+"999999", "2024-03-05 10:00", "2024-03-06 10:00", false, false, false)
}

func fp(v float64) *float64 { return &v }

// fig writes a CaseFigures: opened, placed, within 72 h, declined, still
// open, overdue, escalated, open at month end, rate, median.
func fig(o, p, w, d, s, od, es, end int64, rate, median *float64) kpi.CaseFigures {
	return kpi.CaseFigures{Opened: o, Placed: p, PlacedWithin72h: w, Declined: d, StillOpen: s, Overdue: od, Escalated: es,
		OpenAtMonthEnd: end, PlacedWithin72hRate: rate, MedianHoursToPlacement: median}
}

func show(f kpi.CaseFigures) string {
	p := func(v *float64) string {
		if v == nil {
			return "nil"
		}
		return fmt.Sprint(*v)
	}
	return fmt.Sprintf("opened=%d placed=%d w72=%d declined=%d still=%d overdue=%d escalated=%d end=%d rate=%s median=%s",
		f.Opened, f.Placed, f.PlacedWithin72h, f.Declined, f.StillOpen, f.Overdue, f.Escalated, f.OpenAtMonthEnd, p(f.PlacedWithin72hRate), p(f.MedianHoursToPlacement))
}

func checkFig(t *testing.T, where string, got, want kpi.CaseFigures) {
	t.Helper()
	if show(got) != show(want) {
		t.Errorf("%s:\n got %s\nwant %s", where, show(got), show(want))
	}
}

func TestCaseTableHandCounted(t *testing.T) {
	e := newEnv(t)
	e.caseFixtures(t)
	tab, err := e.svc.Cases(as(model.RoleTaskforce, county), kpi.Query{Region: e.t1, From: "2024-02", To: "2024-03"})
	testenv.Must(t, err)
	if len(tab.Rows) != len(e.regions.Children(e.t1)) {
		t.Fatalf("rows = %d, want every village of the town", len(tab.Rows))
	}
	byCode := map[string]kpi.CaseRow{}
	for _, r := range tab.Rows {
		byCode[r.Code] = r
	}
	v1, v2 := byCode[e.v1], byCode[e.v2]
	// v1, February: c1, c2, c3 opened; c1 and c2 placed, c1 within 72 h
	// (1/3); c3 declined; c2 and c3 overdue, c2 escalated; median of 24 and
	// 120 h = 72; open at the end of February: c3 (declined on 3-2).
	checkFig(t, "v1 2024-02", v1.Months[0], fig(3, 2, 1, 1, 0, 2, 1, 1, fp(0.333), fp(72)))
	// v1, March: c4 opened and still open, overdue (due 3-13) and escalated;
	// open at the end of March: c4.
	checkFig(t, "v1 2024-03", v1.Months[1], fig(1, 0, 0, 0, 1, 1, 1, 1, fp(0), nil))
	checkFig(t, "v1 total", v1.Total, fig(4, 2, 1, 1, 1, 3, 2, 1, fp(0.25), fp(72)))
	// v2: c5 in February (36 h); c6 and c7 in March (c6 at 00:00 China
	// time, c7 at 23:00 on the 31st), c6 placed in 12 h, c7 still open.
	checkFig(t, "v2 2024-02", v2.Months[0], fig(1, 1, 1, 0, 0, 0, 0, 0, fp(1), fp(36)))
	checkFig(t, "v2 2024-03", v2.Months[1], fig(2, 1, 1, 0, 1, 1, 1, 1, fp(0.5), fp(12)))
	checkFig(t, "v2 total", v2.Total, fig(3, 2, 2, 0, 1, 1, 1, 1, fp(0.667), fp(24)))
	// The town: counts are the sums; the medians come from its own cases:
	// February {24, 120, 36} → 36 (not the mean of 72 and 36), the range
	// {12, 24, 36, 120} → 30.
	checkFig(t, "t1 2024-02", tab.Region.Months[0], fig(4, 3, 2, 1, 0, 2, 1, 1, fp(0.5), fp(36)))
	checkFig(t, "t1 2024-03", tab.Region.Months[1], fig(3, 1, 1, 0, 2, 2, 2, 2, fp(0.333), fp(12)))
	checkFig(t, "t1 total", tab.Region.Total, fig(7, 4, 3, 1, 2, 4, 3, 2, fp(0.429), fp(30)))
	if v1.WillingOpenNow != 1 || v2.WillingOpenNow != 1 || tab.Region.WillingOpenNow != 2 {
		t.Errorf("willing open now = %d, %d, %d; want 1, 1, 2", v1.WillingOpenNow, v2.WillingOpenNow, tab.Region.WillingOpenNow)
	}
	if tab.From != "2024-02" || tab.To != "2024-03" || !tab.AsOf.Equal(cst("2024-04-01 00:00").Add(-time.Second)) {
		t.Errorf("range %s..%s as of %v", tab.From, tab.To, tab.AsOf)
	}

	// The county: rows are towns; t2 holds c8 (open since January, so in
	// both month-end stocks and open now); c10's village lies under no town
	// and makes the 其他 row; c9 is another county's.
	tab, err = e.svc.Cases(as(model.RoleTaskforce, county), kpi.Query{Region: county, From: "2024-02", To: "2024-03"})
	testenv.Must(t, err)
	byCode = map[string]kpi.CaseRow{}
	for _, r := range tab.Rows {
		byCode[r.Code] = r
	}
	checkFig(t, "t1 in county", byCode[e.t1].Total, fig(7, 4, 3, 1, 2, 4, 3, 2, fp(0.429), fp(30)))
	checkFig(t, "t2 2024-03", byCode[e.t2].Months[1], fig(0, 0, 0, 0, 0, 0, 0, 1, nil, nil))
	other, ok := byCode[kpi.OtherCode]
	if !ok || tab.Rows[len(tab.Rows)-1].Code != kpi.OtherCode {
		t.Fatalf("no 其他 row last: %v", tab.Rows[len(tab.Rows)-1].Place)
	}
	checkFig(t, "other 2024-03", other.Months[1], fig(1, 0, 0, 1, 0, 0, 0, 0, fp(0), nil))
	checkFig(t, "county 2024-02", tab.Region.Months[0], fig(4, 3, 2, 1, 0, 2, 1, 2, fp(0.5), fp(36)))
	checkFig(t, "county 2024-03", tab.Region.Months[1], fig(4, 1, 1, 1, 2, 2, 2, 3, fp(0.25), fp(12)))
	if tab.Region.WillingOpenNow != 3 {
		t.Errorf("county willing open now = %d, want 3 (c4, c7, c8)", tab.Region.WillingOpenNow)
	}
	assertCaseSums(t, tab)
}

// assertCaseSums checks that the region's counts are the sums of its rows.
func assertCaseSums(t *testing.T, tab *kpi.CaseTable) {
	t.Helper()
	for m := -1; m < len(tab.Months); m++ {
		pick := func(r kpi.CaseRow) kpi.CaseFigures {
			if m < 0 {
				return r.Total
			}
			return r.Months[m]
		}
		var sum kpi.CaseFigures
		for _, r := range tab.Rows {
			f := pick(r)
			sum.Opened += f.Opened
			sum.Placed += f.Placed
			sum.PlacedWithin72h += f.PlacedWithin72h
			sum.Declined += f.Declined
			sum.StillOpen += f.StillOpen
			sum.Overdue += f.Overdue
			sum.Escalated += f.Escalated
			sum.OpenAtMonthEnd += f.OpenAtMonthEnd
		}
		p := pick(tab.Region)
		p.PlacedWithin72hRate, p.MedianHoursToPlacement = nil, nil
		checkFig(t, fmt.Sprintf("%s month %d = sum of rows", tab.Code, m), sum, p)
		if p.Opened != p.Placed+p.Declined+p.StillOpen {
			t.Errorf("%s month %d: opened %d ≠ placed + declined + still open", tab.Code, m, p.Opened)
		}
	}
	var willing int64
	for _, r := range tab.Rows {
		willing += r.WillingOpenNow
	}
	if willing != tab.Region.WillingOpenNow {
		t.Errorf("%s: willing open now %d ≠ sum of rows %d", tab.Code, tab.Region.WillingOpenNow, willing)
	}
}

func TestCaseTableScope(t *testing.T) {
	e := newEnv(t)
	e.caseFixtures(t)
	q := kpi.Query{From: "2024-02", To: "2024-03"}
	// The task force's default region is its county; another county is 403;
	// cadres and workers may not read the table at all.
	tab, err := e.svc.Cases(as(model.RoleTaskforce, county), q)
	testenv.Must(t, err)
	if tab.Code != county || tab.Region.Total.Opened != 8 {
		t.Errorf("default region %q opened %d, want %s with 8", tab.Code, tab.Region.Total.Opened, county)
	}
	for _, c := range []struct {
		ctx    context.Context
		region string
	}{
		{as(model.RoleTaskforce, county), otherCounty},
		{as(model.RoleOfficial, otherCounty), e.t1},
		{as(model.RoleCadre, e.v1), e.v1},
		{as(model.RoleWorker), ""},
	} {
		q := q
		q.Region = c.region
		if _, err := e.svc.Cases(c.ctx, q); !apperr.IsKind(err, apperr.KindForbidden) {
			t.Errorf("%s → %v, want forbidden", c.region, err)
		}
		if _, err := e.svc.Subsidies(c.ctx, q); !apperr.IsKind(err, apperr.KindForbidden) {
			t.Errorf("subsidies %s → %v, want forbidden", c.region, err)
		}
	}
	// The city for a county task force: only its county's row, and the other
	// county's case is not counted.
	q.Region = city
	tab, err = e.svc.Cases(as(model.RoleTaskforce, county), q)
	testenv.Must(t, err)
	if len(tab.Rows) != 1 || tab.Rows[0].Code != county || tab.Region.Total.Opened != 8 {
		t.Errorf("city for the county task force: %d rows, opened %d", len(tab.Rows), tab.Region.Total.Opened)
	}
	// The city's official sees both counties.
	tab, err = e.svc.Cases(as(model.RoleOfficial, city), q)
	testenv.Must(t, err)
	for _, r := range tab.Rows {
		if r.Code == otherCounty && r.Total.Opened != 1 {
			t.Errorf("other county opened %d, want 1", r.Total.Opened)
		}
	}
	if tab.Region.Total.Opened != 9 {
		t.Errorf("city opened %d, want 9", tab.Region.Total.Opened)
	}
	assertCaseSums(t, tab)
	// Admins default to everything: the provinces.
	q.Region = ""
	tab, err = e.svc.Cases(admin, q)
	testenv.Must(t, err)
	if tab.Code != "" || tab.Region.Total.Opened != 9 {
		t.Errorf("admin default %q opened %d", tab.Code, tab.Region.Total.Opened)
	}
	assertCaseSums(t, tab)
}

func TestMonthValidation(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ from, to, field, code string }{
		{"2024-03", "2024-02", "from", "after_to"},
		{"2021-03", "2024-03", "to", "range_too_long"}, // 37 months
		{"2024-13", "2024-03", "from", "invalid_month"},
		{"2024-1", "2024-03", "from", "invalid_month"},
		{"2024-01", "2024-05", "to", "future_month"},
		{"", "march", "to", "invalid_month"},
	} {
		_, err := e.svc.Cases(admin, kpi.Query{From: c.from, To: c.to})
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.KindValidation || len(ae.Fields) == 0 || ae.Fields[0].Field != c.field || ae.Fields[0].Code != c.code {
			t.Errorf("%s..%s → %v, want %s %s", c.from, c.to, err, c.field, c.code)
		}
	}
	if _, err := e.svc.Cases(admin, kpi.Query{Region: "62292", From: "2024-01"}); !apperr.IsKind(err, apperr.KindValidation) {
		t.Errorf("bad region → %v", err)
	}
	// Exactly 36 months is allowed; no months means January to this month.
	// (A village: one row keeps the test quick.)
	tab, err := e.svc.Cases(admin, kpi.Query{Region: e.v1, From: "2021-04", To: "2024-03"})
	testenv.Must(t, err)
	if len(tab.Months) != 36 {
		t.Errorf("months = %d", len(tab.Months))
	}
	tab, err = e.svc.Cases(admin, kpi.Query{Region: e.v1})
	testenv.Must(t, err)
	if len(tab.Rows) != 1 || tab.Rows[0].Code != e.v1 {
		t.Errorf("a village's rows: %v", tab.Rows)
	}
	if tab.From != "2024-01" || tab.To != "2024-04" || !tab.AsOf.Equal(now) {
		t.Errorf("default range %s..%s as of %v", tab.From, tab.To, tab.AsOf)
	}
}

// TestCaseTableRandomSums: on a random population over the county's towns
// and villages, every region's counts are the sums of its rows, and its
// median is the median of its own cases.
func TestCaseTableRandomSums(t *testing.T) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(6, 4))
	var villages []string
	for _, town := range e.regions.Children(county)[:4] {
		for _, v := range e.regions.Children(town.Code)[:3] {
			villages = append(villages, v.Code)
		}
	}
	villages = append(villages, e.vOther)
	var hours []float64 // placed in the county, opened 2024-01..03
	start := cst("2023-12-01 00:00")
	for range 150 {
		v := villages[rng.IntN(len(villages))]
		o := start.Add(time.Duration(rng.IntN(120*24)) * time.Hour)
		if o.After(now) {
			continue
		}
		opened := o.In(kpi.China).Format("2006-01-02 15:04")
		closed, placed := "", false
		if rng.IntN(3) > 0 {
			c := o.Add(time.Duration(1+rng.IntN(150)) * time.Hour)
			if c.Before(now) {
				closed, placed = c.In(kpi.China).Format("2006-01-02 15:04"), rng.IntN(4) > 0
				if placed && v[:6] == county && !o.Before(cst("2024-01-01 00:00")) && o.Before(cst("2024-04-01 00:00")) {
					hours = append(hours, c.Sub(o).Hours())
				}
			}
		}
		e.aCase(t, v, opened, closed, placed, rng.IntN(3) == 0, rng.IntN(4) == 0)
	}
	for _, region := range []string{county, e.regions.Children(county)[0].Code, city} {
		tab, err := e.svc.Cases(admin, kpi.Query{Region: region, From: "2024-01", To: "2024-03"})
		testenv.Must(t, err)
		assertCaseSums(t, tab)
		if region == county {
			sort.Float64s(hours)
			want := hours[len(hours)/2]
			if len(hours)%2 == 0 {
				want = (hours[len(hours)/2-1] + hours[len(hours)/2]) / 2
			}
			if got := tab.Region.Total.MedianHoursToPlacement; got == nil || *got != float64(int(want*10+0.5))/10 {
				t.Errorf("county median %v, want %.1f from %d cases", got, want, len(hours))
			}
		}
	}
}

// Subsidy fixtures.

func (e *env) labourer(t testing.TB, village string) int64 {
	t.Helper()
	id := model.NewID()
	l := model.Labourer{ID: id, HouseholdID: 1, Name: "测试", IDNumberEnc: "x", IDNumberHash: fmt.Sprint(id), IDMasked: "6229**********0001",
		ProvinceCode: village[:2], CityCode: village[:4], CountyCode: village[:6], TownCode: village[:9], VillageCode: village,
		Category: "lifted"}
	testenv.Must(t, e.db.Create(&l).Error)
	return id
}

func (e *env) claim(t testing.TB, lab int64, county, kind string, state model.ClaimState, fen int64, created string, line string) {
	t.Helper()
	c := model.SubsidyClaim{ID: model.NewID(), LabourerID: lab, PolicyID: model.NewID(), Year: 2024, Kind: kind, Mode: model.ModeReviewed,
		CountyCode: county, AmountFen: fen, State: state, PolicyVersion: 1, Version: 1, CreatedAt: cst(created), UpdatedAt: cst(created)}
	testenv.Must(t, e.db.Create(&c).Error)
	if line != "" {
		l := model.BatchLine{ID: model.NewID(), BatchID: model.NewID(), Seq: 1, ClaimID: c.ID, LabourerID: lab, PayeeName: "测试",
			AccountEnc: "x", AccountHash: "x", AccountMasked: "6222****0001", BankName: "农商银行", AmountFen: fen, Purpose: "补贴", State: line}
		testenv.Must(t, e.db.Create(&l).Error)
	}
}

// subsidyFixtures are the hand-counted claims (submitted at, China time).
//
//	L1 (v1)  s1 transport   02-03  paid (batch line paid)     300.00
//	         s3 job_seeking 02-20  recovery (advance paid, 追回) 500.00
//	L2 (v1)  s2 transport   02-15  rejected                   300.00
//	         s6 workshop    03-12  in_notice                 3000.00
//	L3 (v2)  s7 job_seeking 02-28  pay_failed (line failed)   500.00
//	         s4 transport   03-01 00:30 submitted (UTC: 2-29)  200.00
//	         s5 workshop    03-10  recovered (advance paid)  3000.00
//	L4 (other county) s8 transport 02-05 paid                 200.00
func (e *env) subsidyFixtures(t testing.TB) {
	l1, l2, l3, l4 := e.labourer(t, e.v1), e.labourer(t, e.v1), e.labourer(t, e.v2), e.labourer(t, e.vOther)
	e.claim(t, l1, county, model.SubsidyTransport, model.ClaimPaid, 30000, "2024-02-03 10:00", model.LinePaid)
	e.claim(t, l1, county, model.SubsidyJobSeeking, model.ClaimRecovery, 50000, "2024-02-20 10:00", model.LinePaid)
	e.claim(t, l2, county, model.SubsidyTransport, model.ClaimRejected, 30000, "2024-02-15 10:00", "")
	e.claim(t, l2, county, model.SubsidyWorkshop, model.ClaimInNotice, 300000, "2024-03-12 10:00", "")
	e.claim(t, l3, county, model.SubsidyJobSeeking, model.ClaimPayFailed, 50000, "2024-02-28 10:00", model.LineFailed)
	e.claim(t, l3, county, model.SubsidyTransport, model.ClaimSubmitted, 20000, "2024-03-01 00:30", "")
	e.claim(t, l3, county, model.SubsidyWorkshop, model.ClaimRecovered, 300000, "2024-03-10 10:00", model.LinePaid)
	e.claim(t, l4, otherCounty, model.SubsidyTransport, model.ClaimPaid, 20000, "2024-02-05 10:00", model.LinePaid)
}

// sc writes SubsidyCounts: submitted, pending, approved, rejected, paid,
// recovery, recovered; approved, paid, recovery, recovered 分.
func sc(sub, pend, appr, rej, paid, rec, recd, apprF, paidF, recF, recdF int64) kpi.SubsidyCounts {
	return kpi.SubsidyCounts{Submitted: sub, Pending: pend, Approved: appr, Rejected: rej, Paid: paid, Recovery: rec, Recovered: recd,
		ApprovedFen: apprF, PaidFen: paidF, RecoveryFen: recF, RecoveredFen: recdF}
}

func checkCounts(t *testing.T, where string, got, want kpi.SubsidyCounts) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", where, got, want)
	}
}

func TestSubsidyTableHandCounted(t *testing.T) {
	e := newEnv(t)
	e.subsidyFixtures(t)
	tab, err := e.svc.Subsidies(as(model.RoleTaskforce, county), kpi.Query{Region: e.t1, From: "2024-02", To: "2024-03"})
	testenv.Must(t, err)
	byCode := map[string]kpi.SubsidyRow{}
	for _, r := range tab.Rows {
		byCode[r.Code] = r
	}
	v1, v2 := byCode[e.v1], byCode[e.v2]
	const tr, js, ws = 0, 1, 2
	// v1, February: s1 paid through a batch, s2 rejected (transport); s3
	// prepaid and on the 追回 list (job seeking).
	checkCounts(t, "v1 2024-02 transport", v1.Months[0].Kinds[tr], sc(2, 0, 1, 1, 1, 0, 0, 30000, 30000, 0, 0))
	checkCounts(t, "v1 2024-02 job seeking", v1.Months[0].Kinds[js], sc(1, 0, 1, 0, 1, 1, 0, 50000, 50000, 50000, 0))
	checkCounts(t, "v1 2024-02 all", v1.Months[0].All, sc(3, 0, 2, 1, 2, 1, 0, 80000, 80000, 50000, 0))
	// v1, March: s6 on notice — approved, not paid.
	checkCounts(t, "v1 2024-03 workshop", v1.Months[1].Kinds[ws], sc(1, 0, 1, 0, 0, 0, 0, 300000, 0, 0, 0))
	// v2, February: s7 approved, its payment failed.
	checkCounts(t, "v2 2024-02 all", v2.Months[0].All, sc(1, 0, 1, 0, 0, 0, 0, 50000, 0, 0, 0))
	// v2, March: s4 waiting (submitted at 00:30 on 3-1 China time), s5
	// prepaid, then recovered.
	checkCounts(t, "v2 2024-03 transport", v2.Months[1].Kinds[tr], sc(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0))
	checkCounts(t, "v2 2024-03 all", v2.Months[1].All, sc(2, 1, 1, 0, 1, 1, 1, 300000, 300000, 300000, 300000))
	// The town: 7 claims; approved s1 s3 s5 s6 s7 = 7,300 元; paid s1 s3 s5 =
	// 3,800 元; 追回 s3 s5 = 3,500 元, of which s5 recovered.
	checkCounts(t, "t1 total", tab.Region.Total.All, sc(7, 1, 5, 1, 3, 2, 1, 730000, 380000, 350000, 300000))
	assertSubsidySums(t, tab)

	// The city: the county task force sees its county only; the city's
	// official sees s8 in the other county too.
	tab, err = e.svc.Subsidies(as(model.RoleTaskforce, county), kpi.Query{Region: city, From: "2024-02", To: "2024-03"})
	testenv.Must(t, err)
	if len(tab.Rows) != 1 || tab.Region.Total.All.Submitted != 7 {
		t.Errorf("city for the county task force: %d rows, %d claims", len(tab.Rows), tab.Region.Total.All.Submitted)
	}
	tab, err = e.svc.Subsidies(as(model.RoleOfficial, city), kpi.Query{Region: city, From: "2024-02", To: "2024-03"})
	testenv.Must(t, err)
	checkCounts(t, "city total", tab.Region.Total.All, sc(8, 1, 6, 1, 4, 2, 1, 750000, 400000, 350000, 300000))
	assertSubsidySums(t, tab)
	// The county, by town.
	tab, err = e.svc.Subsidies(admin, kpi.Query{Region: county, From: "2024-02", To: "2024-03"})
	testenv.Must(t, err)
	if tab.Rows[0].Code != e.t1 || tab.Rows[0].Total.All.Submitted != 7 {
		t.Errorf("county by town: %s %d", tab.Rows[0].Code, tab.Rows[0].Total.All.Submitted)
	}
	assertSubsidySums(t, tab)
}

func assertSubsidySums(t *testing.T, tab *kpi.SubsidyTable) {
	t.Helper()
	for m := -1; m < len(tab.Months); m++ {
		pick := func(r kpi.SubsidyRow) kpi.SubsidyFigures {
			if m < 0 {
				return r.Total
			}
			return r.Months[m]
		}
		var sum kpi.SubsidyFigures
		for _, r := range tab.Rows {
			f := pick(r)
			for k := range f.Kinds {
				addCounts(&sum.Kinds[k], f.Kinds[k])
			}
			addCounts(&sum.All, f.All)
		}
		p := pick(tab.Region)
		if sum != p {
			t.Errorf("%s month %d: region %+v ≠ sum of rows %+v", tab.Code, m, p, sum)
		}
		var kinds kpi.SubsidyCounts
		for _, k := range p.Kinds {
			addCounts(&kinds, k)
		}
		if kinds != p.All {
			t.Errorf("%s month %d: all %+v ≠ sum of kinds %+v", tab.Code, m, p.All, kinds)
		}
		if p.All.Submitted != p.All.Pending+p.All.Approved+p.All.Rejected {
			t.Errorf("%s month %d: submitted ≠ pending + approved + rejected", tab.Code, m)
		}
	}
}

func addCounts(c *kpi.SubsidyCounts, o kpi.SubsidyCounts) {
	c.Submitted += o.Submitted
	c.Pending += o.Pending
	c.Approved += o.Approved
	c.Rejected += o.Rejected
	c.Paid += o.Paid
	c.Recovery += o.Recovery
	c.Recovered += o.Recovered
	c.ApprovedFen += o.ApprovedFen
	c.PaidFen += o.PaidFen
	c.RecoveryFen += o.RecoveryFen
	c.RecoveredFen += o.RecoveredFen
}

func TestSubsidyTableRandomSums(t *testing.T) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(9, 9))
	// Every state there is, so a new one must find its column.
	var states []model.ClaimState
	for _, o := range model.ClaimStates {
		states = append(states, model.ClaimState(o.Code))
	}
	var labs []int64
	var homes []string
	for _, town := range e.regions.Children(county)[:4] {
		for _, v := range e.regions.Children(town.Code)[:2] {
			labs, homes = append(labs, e.labourer(t, v.Code)), append(homes, v.Code)
		}
	}
	labs, homes = append(labs, e.labourer(t, e.vOther)), append(homes, e.vOther)
	for range 120 {
		i := rng.IntN(len(labs))
		st := states[rng.IntN(len(states))]
		line := ""
		if st == model.ClaimPaid {
			line = model.LinePaid
		}
		at := cst("2024-01-01 00:00").Add(time.Duration(rng.IntN(90*24)) * time.Hour).In(kpi.China).Format("2006-01-02 15:04")
		e.claim(t, labs[i], homes[i][:6], kpi.SubsidyKinds[rng.IntN(3)], st, int64(100+rng.IntN(5000))*100, at, line)
	}
	for _, region := range []string{county, e.regions.Children(county)[1].Code, city, ""} {
		tab, err := e.svc.Subsidies(admin, kpi.Query{Region: region, From: "2024-01", To: "2024-03"})
		testenv.Must(t, err)
		assertSubsidySums(t, tab)
		if region == city && tab.Region.Total.All.Submitted != 120 {
			t.Errorf("city claims %d, want 120", tab.Region.Total.All.Submitted)
		}
	}
}

// TestExportWorkbooks re-opens both workbooks with excelize and checks the
// lines above the table, the headers, the merges and the hand-counted values.
func TestExportWorkbooks(t *testing.T) {
	e := newEnv(t)
	e.caseFixtures(t)
	e.subsidyFixtures(t)
	ctx := as(model.RoleTaskforce, county)
	var buf bytes.Buffer
	sc, err := e.svc.ExportCases(ctx, kpi.Query{Region: e.t1, From: "2024-02", To: "2024-03"}, &buf)
	testenv.Must(t, err)
	f, err := excelize.OpenReader(&buf)
	testenv.Must(t, err)
	defer f.Close()
	get := func(f *excelize.File, sheet, c string) string {
		v, err := f.GetCellValue(sheet, c)
		testenv.Must(t, err)
		return v
	}
	town, _ := e.regions.Get(e.t1)
	v1, _ := e.regions.Get(e.v1)
	s := kpi.SheetCases
	for c, want := range map[string]string{
		"A1": town.Name + "返乡回流人员72小时就业服务成效统计表（2024年2月—2024年3月）",
		"A2": "数据截止日期：2024年3月31日", "A3": "数据来源：" + kpi.CaseSource, "A4": "单位：人、%、小时",
		"A5": "地区", "B5": "月份", "C5": "当月开始跟踪的返乡回流人员", "C6": "人数", "E6": "其中72小时内上岗",
		"K5": "月末仍在跟踪人数", "M5": "目前有就业意愿仍未上岗人数（目标：清零）",
		// v1 is the first village: rows 7 (2024-02), 8 (2024-03), 9 (合计).
		"A7": v1.Name, "B7": "2024年2月", "C7": "3", "D7": "2", "E7": "1", "F7": "33.3%", "I7": "2", "K7": "1", "L7": "72.0", "M7": "",
		"B8": "2024年3月", "F8": "0.0%", "L8": "—",
		"B9": "合计", "C9": "4", "M9": "1",
	} {
		if got := get(f, s, c); got != want {
			t.Errorf("%s %s = %q, want %q", s, c, got, want)
		}
	}
	merges := mergeSet(t, f, s)
	for _, m := range []string{"A1:M1", "A2:M2", "A4:M4", "A5:A6", "B5:B6", "C5:J5", "K5:K6", "M5:M6", "A7:A9"} {
		if !merges[m] {
			t.Errorf("%s: %s not merged (have %v)", s, m, keys(merges))
		}
	}
	// The last block is the town itself: its 合计 row has the town's range.
	rows, err := f.GetRows(s)
	testenv.Must(t, err)
	last := rows[len(rows)-1]
	if last[0] != "合计（"+town.Name+"）" || last[1] != "合计" || last[2] != "7" || last[5] != "42.9%" || last[11] != "30.0" || last[12] != "2" {
		t.Errorf("last row %v", last)
	}
	if want := 6 + 3*(len(e.regions.Children(e.t1))+1); len(rows) != want {
		t.Errorf("rows = %d, want %d", len(rows), want)
	}
	if !sc.AsOf.Equal(cst("2024-04-01 00:00").Add(-time.Second)) {
		t.Errorf("as of %v", sc.AsOf)
	}

	buf.Reset()
	_, err = e.svc.ExportSubsidies(ctx, kpi.Query{Region: e.t1, From: "2024-02", To: "2024-03"}, &buf)
	testenv.Must(t, err)
	g, err := excelize.OpenReader(&buf)
	testenv.Must(t, err)
	defer g.Close()
	s = kpi.SheetSubsidies
	for c, want := range map[string]string{
		"A4": "单位：人次、元", "C5": "外出务工交通补助", "I5": "一次性求职创业补贴", "O5": "帮扶车间吸纳就业奖补", "U5": "合计",
		"AA5": "预付补贴追回（追回）", "C6": "申领", "G6": "通过金额", "AD6": "已追回金额",
		// v1, February: transport 2 submitted, 1 approved, 1 rejected, 1 paid, 300.00 and 300.00.
		"C7": "2", "D7": "1", "E7": "1", "F7": "1", "G7": "300.00", "H7": "300.00",
		"U7": "3", "Y7": "800.00", "Z7": "800.00", "AA7": "1", "AB7": "500.00",
	} {
		if got := get(g, s, c); got != want {
			t.Errorf("%s %s = %q, want %q", s, c, got, want)
		}
	}
	merges = mergeSet(t, g, s)
	for _, m := range []string{"A1:AD1", "C5:H5", "I5:N5", "O5:T5", "U5:Z5", "AA5:AD5", "A5:A6", "A7:A9"} {
		if !merges[m] {
			t.Errorf("%s: %s not merged", s, m)
		}
	}
	rows, err = g.GetRows(s)
	testenv.Must(t, err)
	last = rows[len(rows)-1]
	if last[20] != "7" || last[24] != "7,300.00" || last[25] != "3,800.00" || last[27] != "3,500.00" {
		t.Errorf("subsidy last row %v", last)
	}
	var n int64
	testenv.Must(t, e.db.Model(&model.AuditLog{}).Where("action IN ?", []string{"kpi.export_cases", "kpi.export_subsidies"}).Count(&n).Error)
	if n != 2 {
		t.Errorf("export audit rows = %d, want 2", n)
	}
}

func mergeSet(t *testing.T, f *excelize.File, sheet string) map[string]bool {
	t.Helper()
	ms, err := f.GetMergeCells(sheet)
	testenv.Must(t, err)
	out := map[string]bool{}
	for _, m := range ms {
		out[m.GetStartAxis()+":"+m.GetEndAxis()] = true
	}
	return out
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
