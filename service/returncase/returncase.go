// Package returncase runs the 72-hour service for returnees who want work
// (seed 002 三(二)2: 点对点推送岗位、人岗匹配、送岗上门, 72 小时内实现上岗,
// 动态清零; DESIGN.md "The 72-hour case").
//
// Life of a case:
//
//   - T0: a return with wants_work is recorded; its outbox event
//     (model.EventReturnReported) opens the case in the handler's
//     transaction — unique on the return event, so a second delivery does
//     nothing — matches at once, writes the recommendations, pushes the best
//     jobs (push.Notice, deduplicated per case and round) and adds an outbox
//     event of its own (model.EventCaseScheduled) whose handler schedules
//     the checkpoint tasks after commit.
//   - T0+24h: re-match wider and tell the cadre; T0+48h: the cadre must
//     deliver jobs to the door (送岗上门) and record it; T0+72h: overdue,
//     escalated to the task force. Each checkpoint is an asynq task with a
//     deterministic id ("case:<id>:<hour>") scheduled with ProcessAt, and
//     the database decides: Fire locks the case, skips a closed case or a
//     checkpoint already done, and records the checkpoint (with a unique
//     action key) and advances Checkpoint/NextCheckAt in one transaction.
//     A sweeper fires whatever is due but was not fired (the task was lost
//     in a Redis flush) and re-schedules every open case's next checkpoint.
//   - Closed by a confirmed hire (model.EventHireConfirmed → placed, with
//     placed-within-72h) or by a decline with a reason; later checkpoints
//     then find a closed case and do nothing. A newly approved job
//     (model.EventJobApproved) is matched against every open case.
//
// All time comes from an injectable clock.
package returncase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/match"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/push"
)

// Notifier tells a worker something inside the caller's transaction;
// *push.Service implements it.
type Notifier interface {
	Notify(ctx context.Context, tx *gorm.DB, n push.Notice) error
}

// Scheduler schedules a checkpoint task to run at a time; scheduling the same
// case and hour twice must be harmless. *Timer implements it on asynq.
type Scheduler interface {
	Schedule(ctx context.Context, caseID int64, hour int, at time.Time) error
}

// Checkpoints are the hours after T0 at which the case is checked.
var Checkpoints = []int{model.CheckpointWiden, model.CheckpointVisit, model.CheckpointOverdue}

// Options tune the service; zero values take the defaults.
type Options struct {
	Now       func() time.Time
	Logger    *slog.Logger
	Scheduler Scheduler // nil: only the sweeper fires checkpoints
	// PushN is how many jobs one push names (default 5).
	PushN int
	// ReverseN bounds how many open cases one newly approved job is pushed
	// to (default 3 × headcount left, at most 50).
	ReverseMax int
	// ReverseMinScore is the lowest score at which a new job is pushed to an
	// open case (default 30: a near place or the right trade, at least).
	ReverseMinScore int
}

// Service is the 72-hour service.
type Service struct {
	db     *gorm.DB
	match  *match.Service
	notify Notifier
	sched  Scheduler
	now    func() time.Time
	log    *slog.Logger
	opt    Options
	mysql  bool
}

// New builds the service; notify may be nil (recommendations are then
// recorded but nobody is told).
func New(db *gorm.DB, m *match.Service, notify Notifier, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.PushN <= 0 {
		opt.PushN = 5
	}
	if opt.ReverseMax <= 0 {
		opt.ReverseMax = 50
	}
	if opt.ReverseMinScore <= 0 {
		opt.ReverseMinScore = 30
	}
	return &Service{db: db, match: m, notify: notify, sched: opt.Scheduler, now: opt.Now,
		log: opt.Logger.With("component", "returncase"), opt: opt, mysql: infra.Dialect(db) == infra.DialectMySQL}
}

// Match is the matching service the case service uses.
func (s *Service) Match() *match.Service { return s.match }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// lock reads rows FOR UPDATE on MySQL (SQLite serializes transactions anyway).
func (s *Service) lock(tx *gorm.DB) *gorm.DB {
	if s.mysql {
		return tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	return tx
}

// CheckAt is when a checkpoint of a case opened at t0 is due.
func CheckAt(t0 time.Time, hour int) time.Time { return t0.Add(time.Duration(hour) * time.Hour) }

// nextAfter is the checkpoint after hour (0 when none is left).
func nextAfter(hour int) int {
	for _, h := range Checkpoints {
		if h > hour {
			return h
		}
	}
	return 0
}

func key(format string, args ...any) *string {
	k := fmt.Sprintf(format, args...)
	return &k
}

// payloadID reads an id the outbox payload carries as a JSON string or number.
func payloadID(raw, field string) (int64, error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return 0, fmt.Errorf("payload: %w", err)
	}
	switch v := m[field].(type) {
	case string:
		return strconv.ParseInt(v, 10, 64)
	case float64:
		return int64(v), nil
	}
	return 0, fmt.Errorf("payload has no %s", field)
}

// ---- opening ------------------------------------------------------------

// HandleReturnReported is the outbox handler of model.EventReturnReported:
// it opens the case at T0 = the event's time.
func (s *Service) HandleReturnReported(ctx context.Context, tx *gorm.DB, ev model.OutboxEvent) error {
	retID, err := payloadID(ev.Payload, "return_event_id")
	if err != nil {
		s.log.ErrorContext(ctx, "return.reported without a return event; nothing opened", "event", ev.ID, "err", err)
		return nil
	}
	t0 := ev.CreatedAt
	if now := s.now(); t0.IsZero() || t0.After(now) {
		t0 = now
	}
	_, _, err = s.Open(ctx, tx, retID, t0)
	return err
}

// Open opens the case of a return event at t0 inside tx, once: a second call
// for the same event returns the existing case with created false. Nothing is
// opened (nil case) when the return no longer wants work, the labourer is
// working again, or already has an open case.
func (s *Service) Open(ctx context.Context, tx *gorm.DB, returnEventID int64, t0 time.Time) (*model.ReturnCase, bool, error) {
	tx = tx.WithContext(ctx)
	var existing model.ReturnCase
	err := tx.Where("return_event_id = ?", returnEventID).Take(&existing).Error
	if err == nil {
		return &existing, false, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, fmt.Errorf("open case: %w", err)
	}
	var ret model.ReturnEvent
	if err := tx.Take(&ret, returnEventID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			s.log.WarnContext(ctx, "return event not found; no case", "return_event", returnEventID)
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("open case: %w", err)
	}
	var lab model.Labourer
	if err := s.lock(tx).Select("id", "village_code", "county_code", "working", "wants_work").Take(&lab, ret.LabourerID).Error; err != nil {
		return nil, false, fmt.Errorf("open case: labourer: %w", err)
	}
	if !ret.WantsWork || lab.Working {
		s.log.InfoContext(ctx, "no case: the returnee does not want work now or is working", "return_event", returnEventID)
		return nil, false, nil
	}
	var open int64
	if err := tx.Model(&model.ReturnCase{}).Where("labourer_id = ? AND status = ?", lab.ID, model.CaseOpen).Count(&open).Error; err != nil {
		return nil, false, fmt.Errorf("open case: %w", err)
	}
	if open > 0 {
		s.log.InfoContext(ctx, "no second case: the labourer has an open one", "labourer", lab.ID)
		return nil, false, nil
	}
	t0 = t0.UTC()
	next := CheckAt(t0, Checkpoints[0])
	c := model.ReturnCase{ID: model.NewID(), LabourerID: lab.ID, ReturnEventID: ret.ID, VillageCode: lab.VillageCode,
		CountyCode: lab.CountyCode, OpenedAt: t0, DueAt: CheckAt(t0, model.CaseDeadlineHours), Status: model.CaseOpen,
		NextCheckAt: &next, Version: 1}
	if err := tx.Create(&c).Error; err != nil {
		return nil, false, fmt.Errorf("open case: %w", err)
	}
	if err := s.action(ctx, tx, c.ID, model.ActionOpened, "返乡有就业意愿，开始72小时跟踪服务", nil, key("case:%d:opened", c.ID)); err != nil {
		return nil, false, err
	}
	if _, err := s.recommend(ctx, tx, &c, 0, match.Options{N: s.opt.PushN}); err != nil {
		return nil, false, err
	}
	if _, err := outbox.Add(ctx, tx, model.EventCaseScheduled, c.ID, map[string]string{"case_id": strconv.FormatInt(c.ID, 10)}); err != nil {
		return nil, false, err
	}
	return &c, true, nil
}

// HandleScheduled is the outbox handler of model.EventCaseScheduled: it
// schedules the case's next checkpoint task. It runs after the opening
// transaction committed, so a task never fires for a case that is not there.
func (s *Service) HandleScheduled(ctx context.Context, tx *gorm.DB, ev model.OutboxEvent) error {
	if s.sched == nil {
		return nil
	}
	var c model.ReturnCase
	if err := tx.WithContext(ctx).Take(&c, ev.AggregateID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		return err
	}
	return s.scheduleNext(ctx, &c)
}

func (s *Service) scheduleNext(ctx context.Context, c *model.ReturnCase) error {
	if s.sched == nil || c.Status != model.CaseOpen || c.NextCheckAt == nil {
		return nil
	}
	h := nextAfter(c.Checkpoint)
	if h == 0 {
		return nil
	}
	return s.sched.Schedule(ctx, c.ID, h, CheckAt(c.OpenedAt, h))
}

// action records one case action inside tx; a dedupe key already recorded
// makes it a no-op (reported by ok false).
func (s *Service) action(ctx context.Context, tx *gorm.DB, caseID int64, kind, note string, jobIDs []int64, dedupe *string) error {
	_, err := s.actionOnce(ctx, tx, caseID, kind, note, jobIDs, dedupe)
	return err
}

func (s *Service) actionOnce(ctx context.Context, tx *gorm.DB, caseID int64, kind, note string, jobIDs []int64, dedupe *string) (bool, error) {
	a := actor.From(ctx)
	ids := make([]string, len(jobIDs))
	for i, id := range jobIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	row := model.CaseAction{ID: model.NewID(), CaseID: caseID, Kind: kind, ActorID: a.AccountID, ActorRole: string(a.Role),
		Note: clip(note, 200), JobIDs: clip(strings.Join(ids, ","), 400), DedupeKey: dedupe, At: s.now().UTC()}
	q := tx.WithContext(ctx)
	if dedupe != nil {
		res := q.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return false, fmt.Errorf("case action %s: %w", kind, res.Error)
		}
		return res.RowsAffected == 1, nil
	}
	if err := q.Create(&row).Error; err != nil {
		return false, fmt.Errorf("case action %s: %w", kind, err)
	}
	return true, nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// recommend matches a case, stores the new recommendations (jobs already
// recommended to the worker are skipped) and pushes them in one notice
// deduplicated by case and round. It returns the jobs recommended.
func (s *Service) recommend(ctx context.Context, tx *gorm.DB, c *model.ReturnCase, round int, opt match.Options) ([]match.Match, error) {
	p, err := s.match.Profile(ctx, tx, c.LabourerID)
	if err != nil {
		return nil, fmt.Errorf("recommend: %w", err)
	}
	var seen []int64
	if err := tx.WithContext(ctx).Model(&model.Recommendation{}).Where("labourer_id = ?", c.LabourerID).Pluck("job_id", &seen).Error; err != nil {
		return nil, fmt.Errorf("recommend: %w", err)
	}
	opt.Exclude = make(map[int64]bool, len(seen))
	for _, id := range seen {
		opt.Exclude[id] = true
	}
	ms, err := s.match.Search(ctx, tx, p, opt)
	if err != nil {
		return nil, err
	}
	if err := s.store(ctx, tx, c, round, ms); err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, nil
	}
	return ms, s.pushJobs(ctx, tx, c, fmt.Sprintf("case:%d:match:%d", c.ID, round), ms)
}

// store writes recommendation rows, skipping a (labourer, job) pair that exists.
func (s *Service) store(ctx context.Context, tx *gorm.DB, c *model.ReturnCase, round int, ms []match.Match) error {
	if len(ms) == 0 {
		return nil
	}
	rows := make([]model.Recommendation, len(ms))
	for i, m := range ms {
		b, _ := json.Marshal(m.Reasons)
		rows[i] = model.Recommendation{ID: model.NewID(), CaseID: c.ID, LabourerID: c.LabourerID, JobID: m.JobID,
			Score: m.Score, Reasons: string(b), Round: round, Pushed: s.notify != nil, CreatedAt: s.now().UTC()}
	}
	if err := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return fmt.Errorf("store recommendations: %w", err)
	}
	return nil
}

// pushJobs tells the worker about jobs in one inbox message (and WeChat or SMS).
func (s *Service) pushJobs(ctx context.Context, tx *gorm.DB, c *model.ReturnCase, dedupe string, ms []match.Match) error {
	if s.notify == nil || len(ms) == 0 {
		return nil
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.JobID
	}
	var jobs []model.Job
	if err := tx.WithContext(ctx).Select("id", "title", "wage_min", "wage_max", "place_code").Where("id IN ?", ids).Find(&jobs).Error; err != nil {
		return fmt.Errorf("push jobs: %w", err)
	}
	byID := make(map[int64]model.Job, len(jobs))
	for _, j := range jobs {
		byID[j.ID] = j
	}
	first, ok := byID[ms[0].JobID]
	if !ok {
		return nil
	}
	var names []string
	for _, m := range ms {
		if j, ok := byID[m.JobID]; ok {
			names = append(names, fmt.Sprintf("%s（%d–%d元/月）", j.Title, j.WageMin, j.WageMax))
		}
	}
	reason := ""
	if len(ms[0].Reasons) > 0 {
		reason = "，" + ms[0].Reasons[0].Label
	}
	n := push.Notice{LabourerID: c.LabourerID, Kind: push.KindJobMatch,
		Title: fmt.Sprintf("为您推荐%d个岗位", len(names)),
		Body:  "根据您的情况推荐：" + strings.Join(names, "；") + reason + "。点开查看，感兴趣可直接报名。",
		Link:  "/worker/jobs/recommended",
		Data: map[string]string{"thing1": clip(first.Title, 20), "amount2": fmt.Sprintf("%d元/月", first.WageMin),
			"thing3": clip(fmt.Sprintf("共%d个岗位", len(names)), 20)},
		DedupeKey: dedupe}
	if err := s.notify.Notify(ctx, tx, n); err != nil {
		return fmt.Errorf("push jobs: %w", err)
	}
	return nil
}

// tell sends a case update to the worker.
func (s *Service) tell(ctx context.Context, tx *gorm.DB, c *model.ReturnCase, dedupe, title, body string) error {
	if s.notify == nil {
		return nil
	}
	return s.notify.Notify(ctx, tx, push.Notice{LabourerID: c.LabourerID, Kind: push.KindCaseUpdate, Title: title, Body: body,
		Link: "/worker/jobs/recommended", Data: map[string]string{"thing1": clip(title, 20)}, DedupeKey: dedupe})
}

// ---- checkpoints --------------------------------------------------------

// Fire runs, in one transaction, every checkpoint of the case that is due
// and not yet done, in order, and returns the hours it ran. A closed case,
// a checkpoint already done or one not yet due does nothing, so any number
// of deliveries (the asynq task, its retries, the sweeper) fire each
// checkpoint once.
func (s *Service) Fire(ctx context.Context, caseID int64) ([]int, error) {
	var fired []int
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		fired = fired[:0]
		var c model.ReturnCase
		if err := s.lock(tx).Take(&c, caseID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil
			}
			return err
		}
		now := s.now()
		for _, h := range Checkpoints {
			if c.Status != model.CaseOpen || h <= c.Checkpoint || now.Before(CheckAt(c.OpenedAt, h)) {
				continue
			}
			if err := s.checkpoint(ctx, tx, &c, h, now); err != nil {
				return err
			}
			fired = append(fired, h)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fire case %d: %w", caseID, err)
	}
	return fired, nil
}

// checkpoint applies one checkpoint and advances the case (conditional on its
// version: a concurrent writer makes this transaction fail and retry).
func (s *Service) checkpoint(ctx context.Context, tx *gorm.DB, c *model.ReturnCase, h int, now time.Time) error {
	kind := map[int]string{24: model.ActionCheckpoint24, 48: model.ActionCheckpoint48, 72: model.ActionCheckpoint72}[h]
	notes := map[int]string{
		24: "24小时未上岗：已扩大范围重新匹配岗位，请村干部电话联系",
		48: "48小时未上岗：村干部须送岗上门并记录",
		72: "72小时未上岗：已超时，上报县专班",
	}
	ok, err := s.actionOnce(ctx, tx, c.ID, kind, notes[h], nil, key("case:%d:cp:%d", c.ID, h))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("checkpoint %d of case %d already recorded but not advanced", h, c.ID)
	}
	upd := map[string]any{"checkpoint": h, "version": gorm.Expr("version + 1"), "updated_at": now.UTC()}
	if next := nextAfter(h); next != 0 {
		upd["next_check_at"] = CheckAt(c.OpenedAt, next)
	} else {
		upd["next_check_at"] = nil
	}
	switch h {
	case model.CheckpointWiden:
		if _, err := s.recommend(ctx, tx, c, h, match.Options{N: s.opt.PushN, Wide: true}); err != nil {
			return err
		}
		if err := s.action(ctx, tx, c.ID, model.ActionCadreNotified, "已提醒村干部电话联系返乡人员", nil, key("case:%d:cadre:%d", c.ID, h)); err != nil {
			return err
		}
	case model.CheckpointVisit:
		if err := s.tell(ctx, tx, c, fmt.Sprintf("case:%d:visit", c.ID), "村干部将上门送岗", "村干部将上门为您介绍合适的岗位，请保持电话畅通。"); err != nil {
			return err
		}
	case model.CheckpointOverdue:
		upd["overdue"], upd["escalated"], upd["escalated_at"] = true, true, now.UTC()
		if err := s.action(ctx, tx, c.ID, model.ActionEscalated, "72小时内未实现上岗，已上报县专班督办", nil, key("case:%d:escalated", c.ID)); err != nil {
			return err
		}
	}
	res := tx.Model(&model.ReturnCase{}).Where("id = ? AND version = ? AND status = ?", c.ID, c.Version, model.CaseOpen).Updates(upd)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("case %d changed while its checkpoint %d ran", c.ID, h)
	}
	c.Checkpoint, c.Version = h, c.Version+1
	if h == model.CheckpointOverdue {
		c.Overdue, c.Escalated = true, true
	}
	return nil
}

// Due lists open cases whose next checkpoint was due before cutoff, oldest first.
func (s *Service) Due(ctx context.Context, cutoff time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&model.ReturnCase{}).
		Where("status = ? AND next_check_at IS NOT NULL AND next_check_at <= ?", model.CaseOpen, cutoff.UTC()).
		Order("next_check_at").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// Sweep fires the checkpoints that were due more than grace ago (their task
// was lost, or asynq is behind) and returns how many checkpoints it ran.
func (s *Service) Sweep(ctx context.Context, grace time.Duration) (int, error) {
	total := 0
	for {
		ids, err := s.Due(ctx, s.now().Add(-grace), 500)
		if err != nil {
			return total, fmt.Errorf("case sweep: %w", err)
		}
		progress := 0
		for _, id := range ids {
			hs, err := s.Fire(ctx, id)
			if err != nil {
				return total, err
			}
			total += len(hs)
			progress += len(hs)
		}
		if len(ids) < 500 || progress == 0 {
			return total, nil
		}
	}
}

// Reschedule schedules the next checkpoint of every open case again (after a
// Redis flush the queue holds none of them; for the ones still there the
// deterministic task id makes this a no-op). It returns how many it handed.
func (s *Service) Reschedule(ctx context.Context) (int, error) {
	if s.sched == nil {
		return 0, nil
	}
	var after int64
	n := 0
	for {
		var cs []model.ReturnCase
		if err := s.db.WithContext(ctx).Select("id", "opened_at", "status", "checkpoint", "next_check_at").
			Where("status = ? AND next_check_at IS NOT NULL AND id > ?", model.CaseOpen, after).
			Order("id").Limit(1000).Find(&cs).Error; err != nil {
			return n, fmt.Errorf("case reschedule: %w", err)
		}
		for i := range cs {
			if err := s.scheduleNext(ctx, &cs[i]); err != nil {
				return n, fmt.Errorf("case reschedule: %w", err)
			}
			n++
		}
		if len(cs) < 1000 {
			return n, nil
		}
		after = cs[len(cs)-1].ID
	}
}

// SweepOptions tune RunSweeper.
type SweepOptions struct {
	Every        time.Duration // how often due checkpoints are swept (default 30s)
	Grace        time.Duration // how late a checkpoint may be before the sweeper fires it (default 1m)
	RebuildEvery time.Duration // how often every open case's next task is scheduled again (default 2m)
}

// RunSweeper sweeps and rebuilds until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, o SweepOptions) {
	if o.Every <= 0 {
		o.Every = 30 * time.Second
	}
	if o.Grace < 0 {
		o.Grace = 0
	} else if o.Grace == 0 {
		o.Grace = time.Minute
	}
	if o.RebuildEvery <= 0 {
		o.RebuildEvery = 2 * time.Minute
	}
	t := time.NewTicker(o.Every)
	defer t.Stop()
	var lastRebuild time.Time
	for {
		if n, err := s.Sweep(ctx, o.Grace); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "case sweep failed; will retry", "err", err)
		} else if n > 0 {
			s.log.WarnContext(ctx, "case sweeper fired checkpoints whose task was late or lost", "fired", n)
		}
		if time.Since(lastRebuild) >= o.RebuildEvery {
			if _, err := s.Reschedule(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "case reschedule failed; will retry", "err", err)
			} else {
				lastRebuild = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ---- closing ------------------------------------------------------------

// HandleHireConfirmed is the outbox handler of model.EventHireConfirmed: the
// worker's open case closes as placed.
func (s *Service) HandleHireConfirmed(ctx context.Context, tx *gorm.DB, ev model.OutboxEvent) error {
	labID, err := payloadID(ev.Payload, "labourer_id")
	if err != nil {
		labID = ev.AggregateID
	}
	jobID, _ := payloadID(ev.Payload, "job_id")
	if jobID != 0 && s.match != nil {
		if _, err := s.match.RefreshJob(ctx, tx, jobID); err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			return err
		}
	}
	_, err = s.Place(ctx, tx, labID, jobID)
	return err
}

// Place closes the labourer's open case as placed by a hire into jobID,
// inside tx; no open case is not an error (nil case).
func (s *Service) Place(ctx context.Context, tx *gorm.DB, labourerID, jobID int64) (*model.ReturnCase, error) {
	tx = tx.WithContext(ctx)
	var c model.ReturnCase
	err := s.lock(tx).Where("labourer_id = ? AND status = ?", labourerID, model.CaseOpen).Order("opened_at").Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("place case: %w", err)
	}
	now := s.now().UTC()
	within := !now.After(c.DueAt)
	upd := map[string]any{"status": model.CasePlaced, "closed_at": now, "close_reason": "hired", "next_check_at": nil,
		"placed_within_72h": within, "version": gorm.Expr("version + 1"), "updated_at": now}
	if jobID != 0 {
		upd["placed_job_id"] = jobID
	}
	res := tx.Model(&model.ReturnCase{}).Where("id = ? AND version = ? AND status = ?", c.ID, c.Version, model.CaseOpen).Updates(upd)
	if res.Error != nil {
		return nil, fmt.Errorf("place case: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, fmt.Errorf("place case %d: changed concurrently", c.ID)
	}
	note := fmt.Sprintf("已上岗（用时%.1f小时）", now.Sub(c.OpenedAt).Hours())
	var jobs []int64
	if jobID != 0 {
		jobs = []int64{jobID}
	}
	if err := s.action(ctx, tx, c.ID, model.ActionPlaced, note, jobs, key("case:%d:closed", c.ID)); err != nil {
		return nil, err
	}
	if err := tx.Take(&c, c.ID).Error; err != nil {
		return nil, err
	}
	return &c, nil
}

// Decline closes an open case as declined with a reason (model.DeclineReasons)
// — the worker for their own case, or a cadre or the task force in scope.
func (s *Service) Decline(ctx context.Context, caseID int64, reason, note string) (*model.ReturnCase, error) {
	var f apperr.Fields
	if !model.DeclineReasons.Valid(reason) {
		f.Add("reason", "invalid_enum", "请选择放弃的原因")
	}
	note = strings.TrimSpace(note)
	if reason == "other" && note == "" {
		f.Add("note", "required", "请填写具体原因")
	}
	if len([]rune(note)) > 200 {
		f.Add("note", "too_long", "说明不能超过200字")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out model.ReturnCase
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		c, err := s.lockInScope(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if c.Status != model.CaseOpen {
			return apperr.Conflict("case_closed", "这个跟踪服务已经结束")
		}
		now := s.now().UTC()
		res := tx.Model(&model.ReturnCase{}).Where("id = ? AND version = ? AND status = ?", c.ID, c.Version, model.CaseOpen).
			Updates(map[string]any{"status": model.CaseDeclined, "closed_at": now, "close_reason": reason, "close_note": note,
				"next_check_at": nil, "version": gorm.Expr("version + 1"), "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("case_changed", "记录已被其他人修改，请刷新后重试")
		}
		label := model.DeclineReasons.Label(reason)
		if note != "" {
			label += "：" + note
		}
		if err := s.action(ctx, tx, c.ID, model.ActionDeclined, label, nil, key("case:%d:closed", c.ID)); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Entry{Action: "case.decline", SubjectType: "return_case", SubjectID: c.ID,
			Purpose: "72小时跟踪服务", Before: map[string]any{"status": c.Status}, After: map[string]any{"status": model.CaseDeclined, "reason": reason}}); err != nil {
			return err
		}
		return tx.Take(&out, c.ID).Error
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// lockInScope loads and locks a case the actor may act on.
func (s *Service) lockInScope(ctx context.Context, tx *gorm.DB, id int64) (*model.ReturnCase, error) {
	var c model.ReturnCase
	if err := s.lock(tx.WithContext(ctx)).Take(&c, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("跟踪记录")
		}
		return nil, err
	}
	if !canSee(actor.From(ctx), &c) {
		return nil, apperr.NotFound("跟踪记录")
	}
	return &c, nil
}

// canSee: a worker their own case; back office within scope.
func canSee(a *actor.Actor, c *model.ReturnCase) bool {
	if a.Role == model.RoleWorker {
		return a.LabourerID != 0 && a.LabourerID == c.LabourerID
	}
	return a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin) && a.InScope(c.VillageCode) || a.AllRegions()
}

// Cadre actions that can be recorded by hand.
var cadreActions = map[string]bool{model.ActionCalled: true, model.ActionVisited: true, model.ActionDelivered: true, model.ActionNote: true}

// Act records a cadre action (called, visited, jobs_delivered, note) on an
// open case in the actor's scope; delivered jobs must be open jobs.
func (s *Service) Act(ctx context.Context, caseID int64, kind, note string, jobIDs []int64) (*model.CaseAction, error) {
	var f apperr.Fields
	if !cadreActions[kind] {
		f.Add("kind", "invalid_enum", "操作类型不对")
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 200 {
		f.Add("note", "too_long", "备注不能超过200字")
	}
	if kind == model.ActionNote && note == "" {
		f.Add("note", "required", "请填写备注")
	}
	if kind == model.ActionDelivered && len(jobIDs) == 0 {
		f.Add("job_ids", "required", "请选择送达的岗位")
	}
	if len(jobIDs) > 20 {
		f.Add("job_ids", "too_many", "一次最多送达20个岗位")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	a := actor.From(ctx)
	if !a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	var out model.CaseAction
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		c, err := s.lockInScope(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if c.Status != model.CaseOpen {
			return apperr.Conflict("case_closed", "这个跟踪服务已经结束")
		}
		if len(jobIDs) > 0 {
			var n int64
			if err := tx.Model(&model.Job{}).Where("id IN ? AND status = ? AND valid_until >= ?", jobIDs, model.JobOpen, s.now()).
				Count(&n).Error; err != nil {
				return err
			}
			if int(n) != len(uniq(jobIDs)) {
				return apperr.Invalid("job_ids", "job_not_open", "有岗位不存在或已停止招聘")
			}
		}
		now := s.now().UTC()
		out = model.CaseAction{ID: model.NewID(), CaseID: c.ID, Kind: kind, ActorID: a.AccountID, ActorRole: string(a.Role),
			Note: note, JobIDs: joinIDs(uniq(jobIDs)), At: now}
		if err := tx.Create(&out).Error; err != nil {
			return err
		}
		upd := map[string]any{"version": gorm.Expr("version + 1"), "updated_at": now}
		if kind == model.ActionVisited || kind == model.ActionDelivered {
			upd["visited_at"] = now
		}
		if err := tx.Model(&model.ReturnCase{}).Where("id = ?", c.ID).Updates(upd).Error; err != nil {
			return err
		}
		if kind == model.ActionDelivered {
			if err := s.deliver(ctx, tx, c, uniq(jobIDs), out.ID); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "case." + kind, SubjectType: "return_case", SubjectID: c.ID,
			Purpose: "72小时跟踪服务", After: map[string]any{"kind": kind, "job_ids": out.JobIDs}})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// deliver records jobs delivered at the door as recommendations for the worker.
func (s *Service) deliver(ctx context.Context, tx *gorm.DB, c *model.ReturnCase, jobIDs []int64, actionID int64) error {
	p, err := s.match.Profile(ctx, tx, c.LabourerID)
	if err != nil {
		return err
	}
	var jobs []model.Job
	if err := tx.Where("id IN ?", jobIDs).Find(&jobs).Error; err != nil {
		return err
	}
	var ms []match.Match
	for i := range jobs {
		m, ok := match.Score(p, match.JobFrom(&jobs[i]), s.now(), s.match.Namer())
		if !ok {
			m = match.Match{JobID: jobs[i].ID, Reasons: []match.Reason{{Code: "delivered", Label: "村干部送岗上门"}}}
		}
		ms = append(ms, m)
	}
	return s.store(ctx, tx, c, 48, ms)
}

func uniq(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// ---- reverse matching ---------------------------------------------------

// HandleJobApproved is the outbox handler of model.EventJobApproved: the new
// job enters the index and is pushed to the open cases it suits best.
func (s *Service) HandleJobApproved(ctx context.Context, tx *gorm.DB, ev model.OutboxEvent) error {
	jobID, err := payloadID(ev.Payload, "job_id")
	if err != nil {
		jobID = ev.AggregateID
	}
	_, err = s.Rematch(ctx, tx, jobID)
	return err
}

// Rematch scores a job against every open case inside tx and pushes it to the
// best ones (at most 3 per place left, ReverseMax in all, score at least
// ReverseMinScore, never twice to one worker). It returns the cases told.
func (s *Service) Rematch(ctx context.Context, tx *gorm.DB, jobID int64) ([]int64, error) {
	j, err := s.match.RefreshJob(ctx, tx, jobID)
	if err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			return nil, nil
		}
		return nil, err
	}
	now := s.now()
	if !j.Open || j.ValidUntil.Before(now) || j.Filled >= j.Headcount {
		return nil, nil
	}
	var cases []model.ReturnCase
	if err := tx.WithContext(ctx).Where("status = ?", model.CaseOpen).Order("opened_at").Limit(20000).Find(&cases).Error; err != nil {
		return nil, err
	}
	if len(cases) == 0 {
		return nil, nil
	}
	labIDs := make([]int64, len(cases))
	byLab := make(map[int64]*model.ReturnCase, len(cases))
	for i := range cases {
		labIDs[i] = cases[i].LabourerID
		byLab[cases[i].LabourerID] = &cases[i]
	}
	var already []int64
	if err := tx.Model(&model.Recommendation{}).Where("job_id = ?", jobID).Pluck("labourer_id", &already).Error; err != nil {
		return nil, err
	}
	skip := make(map[int64]bool, len(already))
	for _, id := range already {
		skip[id] = true
	}
	profiles, err := s.match.Profiles(ctx, tx, labIDs)
	if err != nil {
		return nil, err
	}
	type hit struct {
		c *model.ReturnCase
		m match.Match
	}
	var hits []hit
	for _, p := range profiles {
		if skip[p.LabourerID] {
			continue
		}
		m, ok := match.Score(p, j, now, s.match.Namer())
		if ok && m.Score >= s.opt.ReverseMinScore {
			hits = append(hits, hit{byLab[p.LabourerID], m})
		}
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].m.Score != hits[b].m.Score {
			return hits[a].m.Score > hits[b].m.Score
		}
		return hits[a].c.OpenedAt.Before(hits[b].c.OpenedAt) // waited longest first
	})
	limit := min(3*(j.Headcount-j.Filled), s.opt.ReverseMax)
	var told []int64
	for _, h := range hits[:min(limit, len(hits))] {
		if err := s.store(ctx, tx, h.c, -1, []match.Match{h.m}); err != nil {
			return nil, err
		}
		if err := s.pushJobs(ctx, tx, h.c, fmt.Sprintf("case:%d:job:%d", h.c.ID, jobID), []match.Match{h.m}); err != nil {
			return nil, err
		}
		if err := s.action(ctx, tx, h.c.ID, model.ActionRematched, "新发布岗位："+j.Title, []int64{jobID},
			key("case:%d:job:%d", h.c.ID, jobID)); err != nil {
			return nil, err
		}
		told = append(told, h.c.ID)
	}
	return told, nil
}
