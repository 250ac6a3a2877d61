package subsidy

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/payment"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

const (
	testCounty  = "622926"
	testVillage = "622926100001"
	shenzhen    = "440305" // 省外
)

// fakeRegions places codes by prefix; the region service's own tests cover the real tree.
type fakeRegions struct{}

func (fakeRegions) ValidateCode(string, string, int) error { return nil }
func (fakeRegions) ValidateWorkPlace(string, string) error { return nil }
func (fakeRegions) PlaceScope(home, place string) string {
	switch {
	case strings.HasPrefix(place, home[:6]):
		return derive.ScopeInCounty
	case strings.HasPrefix(place, home[:2]):
		return derive.ScopeInProvince
	}
	return derive.ScopeOutProvince
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// advanceEnv is a database with the subsidy and payment services on one clock.
type advanceEnv struct {
	t     *testing.T
	db    *gorm.DB
	clock *testClock
	sub   *Service
	pay   *payment.Service
	n     int
}

func newAdvanceEnv(t *testing.T) *advanceEnv {
	db := testenv.DB(t)
	box, err := pii.New(bytes.Repeat([]byte{5}, 32), []byte(strings.Repeat("y", 32)))
	if err != nil {
		t.Fatal(err)
	}
	c := &testClock{t: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)} // a Monday, 10:00 in China
	return &advanceEnv{t: t, db: db, clock: c, sub: New(db, fakeRegions{}, c.now), pay: payment.New(db, box, payment.Options{Now: c.now})}
}

func (e *advanceEnv) account(role model.Role, scope string) context.Context {
	e.t.Helper()
	id := model.NewID()
	u := fmt.Sprintf("s%d", id)
	testenv.Must(e.t, e.db.Create(&model.Account{ID: id, Role: role, Username: &u, DisplayName: u}).Error)
	return actor.With(context.Background(), &actor.Actor{AccountID: id, Role: role, Scopes: []string{scope}})
}

// worker makes a 脱贫 labourer with a bank account and verified out-of-province
// work from start (to end, if given), and returns the worker's context.
func (e *advanceEnv) worker(tf context.Context, start time.Time, end *time.Time) (context.Context, *model.Labourer) {
	e.t.Helper()
	e.n++
	lab := &model.Labourer{ID: model.NewID(), HouseholdID: 1, Name: fmt.Sprintf("马%d军", e.n), IDNumberEnc: "x",
		IDNumberHash: fmt.Sprintf("adv-%d-%d", e.n, time.Now().UnixNano()), IDMasked: "x", ProvinceCode: "62", CityCode: "6229",
		CountyCode: testCounty, TownCode: testVillage[:9], VillageCode: testVillage, Category: "lifted", State: "normal",
		RecordStatus: model.RecordActive}
	testenv.Must(e.t, e.db.Create(lab).Error)
	testenv.Must(e.t, e.db.Create(&model.EmploymentSpell{ID: model.NewID(), LabourerID: lab.ID, StartDate: start, EndDate: end,
		PlaceCode: shenzhen, PlaceScope: derive.ScopeOutProvince, Form: "employed", MonthlyWage: 5000, Industry: "general_worker",
		Source: model.SourceCadre, Verified: true}).Error)
	if _, err := e.pay.SetLabourerAccount(tf, lab.ID, payment.BankInput{HolderName: lab.Name,
		Number: fmt.Sprintf("62284800%011d", e.n), BankName: "中国农业银行东乡县支行"}); err != nil {
		e.t.Fatal(err)
	}
	return actor.With(context.Background(), &actor.Actor{AccountID: model.NewID(), Role: model.RoleWorker, LabourerID: lab.ID}), lab
}

func (e *advanceEnv) claim(id int64) *model.SubsidyClaim {
	e.t.Helper()
	var c model.SubsidyClaim
	testenv.Must(e.t, e.db.Take(&c, id).Error)
	return &c
}

func (e *advanceEnv) audits(action string, id int64) int64 {
	var n int64
	testenv.Must(e.t, e.db.Model(&model.AuditLog{}).Where("action = ? AND subject_id = ?", action, id).Count(&n).Error)
	return n
}

func date(s string) time.Time {
	d, _ := time.Parse(dateLayout, s)
	return d
}

// TestAdvanceLifecycle (定额预付, seed 004 一): the claim is approved at once
// as an advance (advance_due) — nothing to settle or recover before the money
// goes out; it is paid through a maker–checker batch (prepaid); then it is
// settled when the verified months reach the policy's, or put on the 追回
// list when the deadline passes without them. Every move is audited.
func TestAdvanceLifecycle(t *testing.T) {
	e := newAdvanceEnv(t)
	maker, checker := e.account(model.RoleTaskforce, testCounty), e.account(model.RoleTaskforce, testCounty)
	settleBy := date("2026-04-15")
	p := model.SubsidyPolicy{ID: model.NewID(), ProvinceCode: "62", Year: 2026, Kind: model.SubsidyTransport, Name: "脱贫劳动力外出务工交通补助（定额预付）",
		Mode: model.ModePrepaid, ByDestination: true, AmountInProvinceFen: 20000, AmountOutProvinceFen: 50000, Categories: "lifted,monitored",
		OutOfCounty: true, MonthsRequired: 1, WindowFrom: date("2026-01-01"), WindowTo: date("2026-06-30"), SettleBy: &settleBy,
		Active: true, Version: 1}
	testenv.Must(t, e.db.Create(&p).Error)
	trip := date("2026-02-26")
	stays, _ := e.worker(maker, trip.AddDate(0, 0, 1), nil)
	back := trip.AddDate(0, 0, 12)
	leaves, _ := e.worker(maker, trip.AddDate(0, 0, 1), &back)
	var ids []int64
	for _, w := range []context.Context{stays, leaves} {
		c, created, err := e.sub.Claim(w, ClaimInput{PolicyID: p.ID, TripFrom: testCounty, TripTo: shenzhen, TripDate: "2026-02-26"})
		if err != nil || !created || c.State != model.ClaimAdvanceDue || c.AmountFen != 50000 || c.Mode != model.ModePrepaid {
			t.Fatalf("claim: %+v %v", c, err)
		}
		ids = append(ids, c.ID)
	}
	// Not paid yet: the settlement check leaves the advances alone up to and
	// including the deadline day (TestUnpaidAdvanceAfterDeadline has what follows it).
	e.clock.add(44 * 24 * time.Hour) // 2026-04-15, the deadline
	if r, err := e.sub.SettlementCheck(maker); err != nil || r != (SweepResult{}) {
		t.Fatalf("settlement check before payment: %+v %v", r, err)
	}
	e.clock.add(-44 * 24 * time.Hour)
	if _, err := e.sub.Settle(maker, ids[0], Action{}); !apperr.IsKind(err, apperr.KindConflict) {
		t.Fatalf("settle an unpaid advance: %v", err)
	}

	// Paid through the batch like any money.
	b, _, err := e.pay.CreateBatch(maker, payment.BatchInput{CountyCode: testCounty})
	if err != nil || b.Lines != 2 || b.TotalFen != 100000 {
		t.Fatalf("batch %+v %v", b, err)
	}
	if _, err := e.pay.Prepare(maker, b.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pay.Approve(checker, b.ID, 0, ""); err != nil {
		t.Fatal(err)
	}
	f, err := e.pay.Export(maker, b.ID, 0, payment.FormatCSV, "报送农业银行代发")
	if err != nil || strings.Count(string(f.Data), payment.PurposeAdvance) != 2 {
		t.Fatalf("bank file: %v\n%s", err, f.Data)
	}
	var lines []model.BatchLine
	testenv.Must(t, e.db.Where("batch_id = ?", b.ID).Find(&lines).Error)
	for _, l := range lines {
		if _, err := e.pay.MarkLine(maker, b.ID, l.ID, payment.MarkInput{Result: model.LinePaid}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		if c := e.claim(id); c.State != model.ClaimPrepaid {
			t.Fatalf("after payment: %s", c.State)
		}
	}
	// Ten days after the trip nobody has a month yet, and the deadline is ahead.
	if r, err := e.sub.SettlementCheck(maker); err != nil || r.Checked != 2 || r.Settled != 0 || r.Recovery != 0 {
		t.Fatalf("early check: %+v %v", r, err)
	}
	// After the deadline: the one still at work is settled, the one who came back after twelve days is on the 追回 list.
	e.clock.add(50 * 24 * time.Hour)
	r, err := e.sub.SettlementCheck(maker)
	if err != nil || r.Settled != 1 || r.Recovery != 1 {
		t.Fatalf("check after the deadline: %+v %v", r, err)
	}
	settled, recovery := e.claim(ids[0]), e.claim(ids[1])
	if settled.State != model.ClaimSettled || settled.SettledAt == nil || recovery.State != model.ClaimRecovery {
		t.Fatalf("states %s %s", settled.State, recovery.State)
	}
	if _, err := e.sub.Recovered(maker, recovery.ID, Action{Version: recovery.Version, Reason: "已退回预付的500元"}); err != nil {
		t.Fatal(err)
	}
	// The money trail: approved, put in a batch, paid, settled or recovered — one audit row each.
	for id, actions := range map[int64][]string{
		ids[0]: {"subsidy.claim.create", "claim.in_batch", "claim.prepaid", "subsidy.claim.settled"},
		ids[1]: {"subsidy.claim.create", "claim.in_batch", "claim.prepaid", "subsidy.claim.recovery", "subsidy.claim.recovered"},
	} {
		for _, a := range actions {
			if n := e.audits(a, id); n != 1 {
				t.Errorf("claim %d: %s audited %d times", id, a, n)
			}
		}
	}
	if c := e.claim(ids[1]); c.State != model.ClaimRecovered {
		t.Fatalf("recovered: %s", c.State)
	}
}

// TestAdvanceReviewed: a 定额预付 claim the data cannot prove waits for the
// task force; approving it makes the advance due (not prepaid: nothing is
// paid until its batch line is).
func TestAdvanceReviewed(t *testing.T) {
	e := newAdvanceEnv(t)
	tf := e.account(model.RoleTaskforce, testCounty)
	settleBy := date("2026-05-31")
	p := model.SubsidyPolicy{ID: model.NewID(), ProvinceCode: "62", Year: 2026, Kind: model.SubsidyTransport, Name: "定额预付",
		Mode: model.ModePrepaid, AmountFen: 30000, Categories: "lifted", OutOfCounty: true, MonthsRequired: 3,
		WindowFrom: date("2026-01-01"), WindowTo: date("2026-06-30"), SettleBy: &settleBy, Active: true, Version: 1}
	testenv.Must(t, e.db.Create(&p).Error)
	w, lab := e.worker(tf, date("2026-02-20"), nil)
	// The verified work is not there yet: the claim goes to the task force.
	testenv.Must(t, e.db.Where("labourer_id = ?", lab.ID).Delete(&model.EmploymentSpell{}).Error)
	c, _, err := e.sub.Claim(w, ClaimInput{PolicyID: p.ID, TripFrom: testCounty, TripTo: shenzhen, TripDate: "2026-02-26"})
	if err != nil || c.State != model.ClaimSubmitted {
		t.Fatalf("claim: %+v %v", c, err)
	}
	got, err := e.sub.Approve(tf, c.ID, Action{Version: c.Version, Reason: "电话核实已到深圳"})
	if err != nil || got.State != model.ClaimAdvanceDue || got.DecidedBy == nil {
		t.Fatalf("approve: %+v %v", got, err)
	}
	if _, err := e.sub.Approve(tf, c.ID, Action{Version: got.Version}); !apperr.IsKind(err, apperr.KindConflict) {
		t.Fatalf("approve twice: %v", err)
	}
}
