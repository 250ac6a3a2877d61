package returncase

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/match"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/push"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// Test places: a village of 东乡族自治县 (临夏州, 甘肃), another county of
// 甘肃, and 天津 (a 东西部协作 partner) and 北京 (neither).
const (
	homeVillage = "622926100201"
	otherGansu  = "620102"
	tianjin     = "120101"
	beijing     = "110101"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type env struct {
	db    *gorm.DB
	clk   *fakeClock
	match *match.Service
	push  *push.Service
	svc   *Service
}

func setup(t testing.TB, sched Scheduler) *env {
	t.Helper()
	db := testenv.DB(t)
	clk := newClock()
	e := &env{db: db, clk: clk}
	e.match = match.New(db, nil, clk.Now, testenv.Logger())
	e.push = push.New(db, nil, nil, nil, push.Config{Now: clk.Now, Logger: testenv.Logger()})
	e.svc = New(db, e.match, e.push, Options{Now: clk.Now, Logger: testenv.Logger(), Scheduler: sched})
	return e
}

var seq atomic.Int64

// labourer writes a household and a labourer who returned home wanting work.
func (e *env) labourer(t testing.TB, village string, mut func(*model.Labourer)) *model.Labourer {
	t.Helper()
	n := seq.Add(1)
	hh := model.Household{ID: model.NewID(), HeadName: "户主", ProvinceCode: village[:2], CityCode: village[:4],
		CountyCode: village[:6], TownCode: village[:9], VillageCode: village}
	testenv.Must(t, e.db.Create(&hh).Error)
	lab := model.Labourer{ID: model.NewID(), HouseholdID: hh.ID, Name: fmt.Sprintf("返乡%d", n), IDNumberEnc: "x",
		IDNumberHash: fmt.Sprintf("h%d-%d", n, time.Now().UnixNano()), IDMasked: "6229**********0001",
		BirthDate: time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC), ProvinceCode: village[:2], CityCode: village[:4],
		CountyCode: village[:6], TownCode: village[:9], VillageCode: village, LabourCapacity: "ordinary", SkillLevel: "none",
		Category: "lifted", State: "normal", RecordStatus: model.RecordActive, WantsWork: true, PhoneMasked: "138****0001"}
	if mut != nil {
		mut(&lab)
	}
	testenv.Must(t, e.db.Create(&lab).Error)
	return &lab
}

// returned records a return wanting work with its outbox event, as the
// status service does, and returns the event.
func (e *env) returned(t testing.TB, lab *model.Labourer) model.OutboxEvent {
	t.Helper()
	var ev model.OutboxEvent
	testenv.Must(t, e.db.Transaction(func(tx *gorm.DB) error {
		ret := model.ReturnEvent{ID: model.NewID(), LabourerID: lab.ID, ReturnDate: e.clk.Now(), WantsWork: true, Source: model.SourceSelf}
		if err := tx.Create(&ret).Error; err != nil {
			return err
		}
		var err error
		ev, err = outbox.Add(context.Background(), tx, model.EventReturnReported, lab.ID, map[string]any{
			"return_event_id": fmt.Sprint(ret.ID), "labourer_id": fmt.Sprint(lab.ID), "village_code": lab.VillageCode})
		return err
	}))
	return ev
}

// job writes an open job.
func (e *env) job(t testing.TB, place, industry string, wageMin int, mut func(*model.Job)) *model.Job {
	t.Helper()
	j := model.Job{ID: model.NewID(), EmployerID: 1, CountyCode: place[:min(6, len(place))], Title: "岗位" + industry,
		Industry: industry, Headcount: 5, WageMin: wageMin, WageMax: wageMin + 1500, PlaceCode: place, MinAge: 18, MaxAge: 55,
		ValidUntil: e.clk.Now().Add(30 * 24 * time.Hour), Status: model.JobOpen}
	if mut != nil {
		mut(&j)
	}
	testenv.Must(t, e.db.Create(&j).Error)
	return &j
}

// deliver runs an outbox handler the way the worker does (Handle: effect and
// done marker in one transaction).
func (e *env) deliver(t testing.TB, ev model.OutboxEvent, fn outbox.HandlerFunc) {
	t.Helper()
	body, _ := json.Marshal(outbox.TaskPayload{EventID: ev.ID, AggregateID: ev.AggregateID, Payload: json.RawMessage(ev.Payload)})
	testenv.Must(t, outbox.Handle(e.db, fn)(context.Background(), asynq.NewTask(ev.Kind, body)))
}

func (e *env) caseOf(t testing.TB, labID int64) model.ReturnCase {
	t.Helper()
	var c model.ReturnCase
	testenv.Must(t, e.db.Where("labourer_id = ?", labID).Order("opened_at DESC").Take(&c).Error)
	return c
}

func (e *env) count(t testing.TB, m any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	testenv.Must(t, e.db.Model(m).Where(where, args...).Count(&n).Error)
	return n
}

// actions counts a case's actions by kind.
func (e *env) actions(t testing.TB, caseID int64) map[string]int {
	t.Helper()
	var rows []model.CaseAction
	testenv.Must(t, e.db.Where("case_id = ?", caseID).Find(&rows).Error)
	out := map[string]int{}
	for _, r := range rows {
		out[r.Kind]++
	}
	return out
}

// hire confirms a hire the way the jobs service announces it.
func (e *env) hire(t testing.TB, lab *model.Labourer, job *model.Job) model.OutboxEvent {
	t.Helper()
	var ev model.OutboxEvent
	testenv.Must(t, e.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&model.Job{}).Where("id = ?", job.ID).Update("filled", gorm.Expr("filled + 1")).Error; err != nil {
			return err
		}
		if err := tx.Model(&model.Labourer{}).Where("id = ?", lab.ID).Updates(map[string]any{"working": true, "wants_work": false}).Error; err != nil {
			return err
		}
		var err error
		ev, err = outbox.Add(context.Background(), tx, model.EventHireConfirmed, lab.ID, map[string]any{
			"labourer_id": fmt.Sprint(lab.ID), "job_id": fmt.Sprint(job.ID), "application_id": "1", "hired_at": e.clk.Now().Format("2006-01-02")})
		return err
	}))
	return ev
}
