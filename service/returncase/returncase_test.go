package returncase

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/match"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// recordingScheduler remembers what was scheduled.
type recordingScheduler struct {
	mu  sync.Mutex
	got map[string]time.Time
}

func (r *recordingScheduler) Schedule(_ context.Context, caseID int64, hour int, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.got == nil {
		r.got = map[string]time.Time{}
	}
	r.got[TaskID(caseID, hour)] = at
	return nil
}

func TestCaseOpensOnceAndPushesBestJobs(t *testing.T) {
	sched := &recordingScheduler{}
	e := setup(t, sched)
	near := e.job(t, homeVillage[:6], "general_worker", 4000, nil)
	e.job(t, beijing, "general_worker", 9000, nil) // outside the first round's places
	lab := e.labourer(t, homeVillage, nil)
	ev := e.returned(t, lab)

	e.deliver(t, ev, e.svc.HandleReturnReported)
	e.deliver(t, ev, e.svc.HandleReturnReported) // a second delivery: the done marker stops it
	if _, created, err := e.svc.Open(context.Background(), e.db, e.caseOf(t, lab.ID).ReturnEventID, e.clk.Now()); err != nil || created {
		t.Fatalf("Open again: created=%v err=%v", created, err)
	}

	if n := e.count(t, &model.ReturnCase{}, "labourer_id = ?", lab.ID); n != 1 {
		t.Fatalf("cases = %d, want 1", n)
	}
	c := e.caseOf(t, lab.ID)
	if c.Status != model.CaseOpen || c.Checkpoint != 0 || c.NextCheckAt == nil ||
		!c.NextCheckAt.Equal(c.OpenedAt.Add(24*time.Hour)) || !c.DueAt.Equal(c.OpenedAt.Add(72*time.Hour)) {
		t.Fatalf("case %+v", c)
	}
	var recs []model.Recommendation
	testenv.Must(t, e.db.Where("case_id = ?", c.ID).Find(&recs).Error)
	if len(recs) != 1 || recs[0].JobID != near.ID || !recs[0].Pushed {
		t.Fatalf("recommendations %+v, want only the near job", recs)
	}
	var reasons []match.Reason
	testenv.Must(t, json.Unmarshal([]byte(recs[0].Reasons), &reasons))
	if len(reasons) == 0 || reasons[0].Code != match.ReasonSameCounty {
		t.Fatalf("reasons %+v", reasons)
	}
	if n := e.count(t, &model.Message{}, "labourer_id = ?", lab.ID); n != 1 {
		t.Fatalf("messages = %d, want 1", n)
	}
	if n := e.count(t, &model.OutboxEvent{}, "kind = ? AND aggregate_id = ?", model.EventCaseScheduled, c.ID); n != 1 {
		t.Fatalf("case.scheduled events = %d", n)
	}
	var sev model.OutboxEvent
	testenv.Must(t, e.db.Where("kind = ? AND aggregate_id = ?", model.EventCaseScheduled, c.ID).Take(&sev).Error)
	e.deliver(t, sev, e.svc.HandleScheduled)
	if at, ok := sched.got[TaskID(c.ID, 24)]; !ok || !at.Equal(c.OpenedAt.Add(24*time.Hour)) {
		t.Fatalf("scheduled %v", sched.got)
	}

	// A second return while the case is open opens nothing more.
	ev2 := e.returned(t, lab)
	e.deliver(t, ev2, e.svc.HandleReturnReported)
	if n := e.count(t, &model.ReturnCase{}, "labourer_id = ?", lab.ID); n != 1 {
		t.Fatalf("cases after a second return = %d", n)
	}
}

func TestCheckpointsFireExactlyOnce(t *testing.T) {
	e := setup(t, nil)
	e.job(t, homeVillage[:6], "general_worker", 4000, nil)
	far := e.job(t, beijing, "general_worker", 5000, nil) // found by the wider 24-hour search
	lab := e.labourer(t, homeVillage, nil)
	e.deliver(t, e.returned(t, lab), e.svc.HandleReturnReported)
	c := e.caseOf(t, lab.ID)
	t0 := c.OpenedAt
	ctx := context.Background()

	fire := func(at time.Duration, want []int) {
		t.Helper()
		e.clk.Set(t0.Add(at))
		got, err := e.svc.Fire(ctx, c.ID)
		testenv.Must(t, err)
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("at +%v fired %v, want %v", at, got, want)
		}
	}
	fire(23*time.Hour+59*time.Minute, nil)
	if n, _ := e.svc.Sweep(ctx, 0); n != 0 {
		t.Fatalf("sweep before +24h fired %d", n)
	}

	// +24h: re-match wider, tell the cadre. Once, however often it is delivered.
	fire(24*time.Hour, []int{24})
	fire(24*time.Hour+time.Minute, nil)
	if n, _ := e.svc.Sweep(ctx, 0); n != 0 {
		t.Fatalf("sweep after +24h fired %d again", n)
	}
	if n := e.count(t, &model.Recommendation{}, "case_id = ? AND job_id = ? AND round = 24", c.ID, far.ID); n != 1 {
		t.Fatalf("wide re-match did not recommend the far job (%d)", n)
	}
	if n := e.count(t, &model.Message{}, "labourer_id = ?", lab.ID); n != 2 {
		t.Fatalf("messages after +24h = %d, want 2", n)
	}

	// +48h: eight deliveries at once (task, retries, sweeper) → one checkpoint.
	e.clk.Set(t0.Add(48 * time.Hour))
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hs, err := e.svc.Fire(ctx, c.ID)
			if err != nil {
				return // a loser of the version race rolls back; its retry finds the checkpoint done
			}
			mu.Lock()
			total += len(hs)
			mu.Unlock()
		}()
	}
	wg.Wait()
	fire(48*time.Hour, nil)
	if total != 1 {
		t.Fatalf("+48h fired %d times by concurrent deliveries", total)
	}
	it, err := e.svc.Get(actor.With(ctx, &actor.Actor{Role: model.RoleAdmin}), c.ID)
	testenv.Must(t, err)
	if !it.VisitRequired || it.NextCheckpoint != 72 {
		t.Fatalf("after +48h: visit required %v, next %d", it.VisitRequired, it.NextCheckpoint)
	}

	// +72h: overdue and escalated.
	fire(72*time.Hour, []int{72})
	fire(96*time.Hour, nil)
	c = e.caseOf(t, lab.ID)
	if !c.Overdue || !c.Escalated || c.Checkpoint != 72 || c.NextCheckAt != nil || c.Status != model.CaseOpen {
		t.Fatalf("after +72h: %+v", c)
	}
	acts := e.actions(t, c.ID)
	for _, k := range []string{model.ActionCheckpoint24, model.ActionCheckpoint48, model.ActionCheckpoint72, model.ActionEscalated, model.ActionCadreNotified, model.ActionOpened} {
		if acts[k] != 1 {
			t.Errorf("action %s recorded %d times, want 1 (%v)", k, acts[k], acts)
		}
	}
	t.Logf("checkpoints +24h/+48h/+72h fired once each; actions %v", acts)
}

func TestHireAt30hCancelsTheRest(t *testing.T) {
	e := setup(t, nil)
	job := e.job(t, homeVillage[:6], "general_worker", 4000, nil)
	lab := e.labourer(t, homeVillage, nil)
	e.deliver(t, e.returned(t, lab), e.svc.HandleReturnReported)
	c := e.caseOf(t, lab.ID)
	ctx := context.Background()

	e.clk.Set(c.OpenedAt.Add(24 * time.Hour))
	if hs, _ := e.svc.Fire(ctx, c.ID); !reflect.DeepEqual(hs, []int{24}) {
		t.Fatalf("+24h fired %v", hs)
	}
	e.clk.Set(c.OpenedAt.Add(30 * time.Hour))
	ev := e.hire(t, lab, job)
	e.deliver(t, ev, e.svc.HandleHireConfirmed)
	e.deliver(t, ev, e.svc.HandleHireConfirmed)
	c = e.caseOf(t, lab.ID)
	if c.Status != model.CasePlaced || !c.PlacedWithin72h || c.PlacedJobID == nil || *c.PlacedJobID != job.ID ||
		c.NextCheckAt != nil || c.ClosedAt == nil || c.ClosedAt.Sub(c.OpenedAt) != 30*time.Hour {
		t.Fatalf("after the hire: %+v", c)
	}
	for _, at := range []time.Duration{48 * time.Hour, 72 * time.Hour, 100 * time.Hour} {
		e.clk.Set(c.OpenedAt.Add(at))
		if hs, err := e.svc.Fire(ctx, c.ID); err != nil || len(hs) != 0 {
			t.Fatalf("+%v on a placed case fired %v (%v)", at, hs, err)
		}
		if n, _ := e.svc.Sweep(ctx, 0); n != 0 {
			t.Fatalf("sweep at +%v fired %d", at, n)
		}
	}
	acts := e.actions(t, c.ID)
	if acts[model.ActionCheckpoint48] != 0 || acts[model.ActionCheckpoint72] != 0 || acts[model.ActionPlaced] != 1 {
		t.Fatalf("actions %v", acts)
	}
	// KPIs: one case, placed within 72 h after 30 h.
	k, err := e.svc.KPIs(actor.With(ctx, &actor.Actor{Role: model.RoleAdmin}), "", c.OpenedAt.Add(-time.Hour), c.OpenedAt.Add(time.Hour))
	testenv.Must(t, err)
	if k.Opened != 1 || k.Placed != 1 || k.PlacedWithin72h != 1 || k.Overdue != 0 || k.WillingOpen != 0 ||
		k.MedianHoursToPlacement == nil || *k.MedianHoursToPlacement != 30 {
		t.Fatalf("kpis %+v", k)
	}
}

func TestSweeperCatchesUpLostCheckpoints(t *testing.T) {
	e := setup(t, nil)
	lab := e.labourer(t, homeVillage, nil)
	e.deliver(t, e.returned(t, lab), e.svc.HandleReturnReported)
	c := e.caseOf(t, lab.ID)
	ctx := context.Background()
	// Every task was lost; the sweeper runs at +73h and fires all three, in order, once.
	e.clk.Set(c.OpenedAt.Add(73 * time.Hour))
	n, err := e.svc.Sweep(ctx, time.Minute)
	testenv.Must(t, err)
	if n != 3 {
		t.Fatalf("sweep fired %d checkpoints, want 3", n)
	}
	if n, _ := e.svc.Sweep(ctx, 0); n != 0 {
		t.Fatalf("second sweep fired %d", n)
	}
	c = e.caseOf(t, lab.ID)
	if c.Checkpoint != 72 || !c.Escalated {
		t.Fatalf("case %+v", c)
	}
	// The task force's list and the KPIs show it.
	tf := actor.With(ctx, &actor.Actor{Role: model.RoleTaskforce, Scopes: []string{homeVillage[:6]}})
	p, err := e.svc.List(tf, Filter{Escalated: true})
	testenv.Must(t, err)
	if p.Total != 1 || p.Items[0].Countdown >= 0 {
		t.Fatalf("escalated list %+v", p)
	}
	k, err := e.svc.KPIs(tf, "", c.OpenedAt.Add(-time.Hour), c.OpenedAt.Add(time.Hour))
	testenv.Must(t, err)
	if k.Open != 1 || k.Overdue != 1 || k.WillingOpen != 1 || k.Escalated != 1 {
		t.Fatalf("kpis %+v", k)
	}
	// Another county's task force sees nothing.
	other := actor.With(ctx, &actor.Actor{Role: model.RoleTaskforce, Scopes: []string{"622925"}})
	if p, _ := e.svc.List(other, Filter{}); p.Total != 0 {
		t.Fatalf("other county sees %d cases", p.Total)
	}
	if _, err := e.svc.Get(other, c.ID); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Fatalf("other county Get: %v", err)
	}
}

func TestCadreActionsAndDecline(t *testing.T) {
	e := setup(t, nil)
	job := e.job(t, homeVillage[:6], "general_worker", 4000, nil)
	lab := e.labourer(t, homeVillage, nil)
	e.deliver(t, e.returned(t, lab), e.svc.HandleReturnReported)
	c := e.caseOf(t, lab.ID)
	ctx := context.Background()
	cadre := actor.With(ctx, &actor.Actor{AccountID: 9, Role: model.RoleCadre, Scopes: []string{homeVillage}})
	stranger := actor.With(ctx, &actor.Actor{AccountID: 10, Role: model.RoleCadre, Scopes: []string{"622926100202"}})

	if _, err := e.svc.Act(cadre, c.ID, model.ActionCalled, "电话已联系", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Act(cadre, c.ID, model.ActionDelivered, "", []int64{job.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Act(cadre, c.ID, model.ActionDelivered, "", []int64{12345}); !apperr.IsKind(err, apperr.KindValidation) {
		t.Fatalf("foreign job id: %v", err)
	}
	if _, err := e.svc.Act(cadre, c.ID, "paid", "", nil); !apperr.IsKind(err, apperr.KindValidation) {
		t.Fatalf("bad kind: %v", err)
	}
	if _, err := e.svc.Act(stranger, c.ID, model.ActionCalled, "", nil); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Fatalf("out of scope: %v", err)
	}
	if c2 := e.caseOf(t, lab.ID); c2.VisitedAt == nil {
		t.Fatal("delivery did not record the visit")
	}
	if _, err := e.svc.Decline(cadre, c.ID, "bogus", ""); !apperr.IsKind(err, apperr.KindValidation) {
		t.Fatalf("bad reason: %v", err)
	}
	if _, err := e.svc.Decline(cadre, c.ID, "other", ""); !apperr.IsKind(err, apperr.KindValidation) {
		t.Fatalf("other without note: %v", err)
	}
	if _, err := e.svc.Decline(cadre, c.ID, "family_care", "需照顾老人"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Decline(cadre, c.ID, "family_care", ""); !apperr.IsKind(err, apperr.KindConflict) {
		t.Fatalf("decline twice: %v", err)
	}
	e.clk.Set(c.OpenedAt.Add(80 * time.Hour))
	if n, _ := e.svc.Sweep(ctx, 0); n != 0 {
		t.Fatalf("declined case fired %d checkpoints", n)
	}
	acts := e.actions(t, c.ID)
	if acts[model.ActionCalled] != 1 || acts[model.ActionDelivered] != 1 || acts[model.ActionDeclined] != 1 {
		t.Fatalf("actions %v", acts)
	}
}

func TestApprovedJobRematchesOpenCases(t *testing.T) {
	e := setup(t, nil)
	lab := e.labourer(t, homeVillage, nil)
	far := e.labourer(t, "110101001001", nil) // a 北京 labourer: too far for a 东乡 job
	e.deliver(t, e.returned(t, lab), e.svc.HandleReturnReported)
	e.deliver(t, e.returned(t, far), e.svc.HandleReturnReported)
	c := e.caseOf(t, lab.ID)
	if n := e.count(t, &model.Recommendation{}, "case_id = ?", c.ID); n != 0 {
		t.Fatalf("recommendations with no jobs: %d", n)
	}
	job := e.job(t, homeVillage[:6], "general_worker", 4000, nil)
	ctx := context.Background()
	ev := model.OutboxEvent{}
	testenv.Must(t, e.db.Transaction(func(tx *gorm.DB) error {
		var err error
		ev, err = outbox.Add(ctx, tx, model.EventJobApproved, job.ID, map[string]string{"job_id": strconv.FormatInt(job.ID, 10)})
		return err
	}))
	e.deliver(t, ev, e.svc.HandleJobApproved)
	if n := e.count(t, &model.Recommendation{}, "case_id = ? AND job_id = ? AND round = -1", c.ID, job.ID); n != 1 {
		t.Fatalf("new job not recommended to the open case (%d)", n)
	}
	if n := e.count(t, &model.Message{}, "labourer_id = ?", lab.ID); n != 1 {
		t.Fatalf("messages = %d", n)
	}
	if n := e.count(t, &model.Recommendation{}, "labourer_id = ?", far.ID); n != 0 {
		t.Fatalf("far labourer got %d recommendations", n)
	}
	// Approved again (a re-delivery of another event for the same job): no second push.
	if _, err := e.svc.Rematch(ctx, e.db, job.ID); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, &model.Message{}, "labourer_id = ?", lab.ID); n != 1 {
		t.Fatalf("messages after a second re-match = %d", n)
	}
	// The worker's feed has it with reasons, marked pushed.
	w := actor.With(ctx, &actor.Actor{Role: model.RoleWorker, LabourerID: lab.ID})
	feed, err := e.svc.Feed(w, 10)
	testenv.Must(t, err)
	if len(feed) != 1 || feed[0].Job.ID != job.ID || !feed[0].Pushed || len(feed[0].Reasons) == 0 {
		t.Fatalf("feed %+v", feed)
	}
}
