package returncase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/match"
)

// Rec is a stored recommendation with its job.
type Rec struct {
	model.Recommendation
	Job     *model.Job
	Reasons []match.Reason
}

// Item is a case as the boards show it.
type Item struct {
	Case           model.ReturnCase
	LabourerName   string
	PhoneMasked    string
	NextCheckpoint int   // hours after T0 of the next checkpoint, 0 if none
	Countdown      int64 // seconds until T0+72h; negative once overdue
	VisitRequired  bool  // the 48-hour checkpoint passed and nobody visited
	Recs           []Rec
	Actions        []model.CaseAction // only on the detail
}

// Filter selects cases for a board.
type Filter struct {
	Status    string // "" = open
	Region    string // region code prefix, within the actor's scope
	Escalated bool   // only escalated or overdue cases
	Page      int
	PageSize  int
}

// Page is a page of cases.
type Page struct {
	Items    []Item
	Total    int64
	Page     int
	PageSize int
}

// scoped limits a query on return_cases to the actor's scope and, if given,
// a region the actor covers.
func scoped(ctx context.Context, q *gorm.DB, region string) (*gorm.DB, error) {
	a := actor.From(ctx)
	q = a.ScopeLabourers(q, "return_cases.village_code", "return_cases.labourer_id")
	if region != "" {
		if !a.CoversRegion(region) {
			return nil, apperr.Forbidden("不在您的管辖范围内")
		}
		q = q.Where("return_cases.village_code LIKE ?", region+"%")
	}
	return q, nil
}

// List answers a board: the cadre's open cases (T0, due time, countdown,
// next checkpoint, recommendations), or the task force's escalated ones.
func (s *Service) List(ctx context.Context, f Filter) (*Page, error) {
	if f.Status == "" {
		f.Status = model.CaseOpen
	}
	if f.Status != "all" && !model.CaseStates.Valid(f.Status) {
		return nil, apperr.Invalid("status", "invalid_enum", "状态不对")
	}
	if f.Region != "" && model.LevelOf(f.Region) == 0 {
		return nil, apperr.Invalid("region", "invalid_region_code", "地区编码格式不对")
	}
	f.Page, f.PageSize = max(f.Page, 1), min(max(f.PageSize, 1), 100)
	if f.PageSize == 1 && f.Page == 1 {
		f.PageSize = 20
	}
	q, err := scoped(ctx, s.db.WithContext(ctx).Model(&model.ReturnCase{}), f.Region)
	if err != nil {
		return nil, err
	}
	if f.Status != "all" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Escalated {
		q = q.Where("(escalated = ? OR overdue = ? OR (status = ? AND due_at < ?))", true, true, model.CaseOpen, s.now().UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	var cs []model.ReturnCase
	if err := q.Order("due_at, id").Offset((f.Page - 1) * f.PageSize).Limit(f.PageSize).Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	items, err := s.items(ctx, cs, 3)
	if err != nil {
		return nil, err
	}
	return &Page{Items: items, Total: total, Page: f.Page, PageSize: f.PageSize}, nil
}

// Get is one case with every recommendation and action.
func (s *Service) Get(ctx context.Context, id int64) (*Item, error) {
	var c model.ReturnCase
	if err := s.db.WithContext(ctx).Take(&c, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("跟踪记录")
		}
		return nil, err
	}
	if !canSee(actor.From(ctx), &c) {
		return nil, apperr.NotFound("跟踪记录")
	}
	items, err := s.items(ctx, []model.ReturnCase{c}, 50)
	if err != nil {
		return nil, err
	}
	it := items[0]
	if err := s.db.WithContext(ctx).Where("case_id = ?", id).Order("at, id").Find(&it.Actions).Error; err != nil {
		return nil, err
	}
	return &it, nil
}

// items decorates cases with names, countdowns and their best recommendations.
func (s *Service) items(ctx context.Context, cs []model.ReturnCase, recsPer int) ([]Item, error) {
	out := make([]Item, len(cs))
	if len(cs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(cs))
	labIDs := make([]int64, len(cs))
	for i, c := range cs {
		ids[i], labIDs[i] = c.ID, c.LabourerID
	}
	var labs []model.Labourer
	if err := s.db.WithContext(ctx).Select("id", "name", "phone_masked").Where("id IN ?", labIDs).Find(&labs).Error; err != nil {
		return nil, err
	}
	lab := map[int64]model.Labourer{}
	for _, l := range labs {
		lab[l.ID] = l
	}
	var recs []model.Recommendation
	if err := s.db.WithContext(ctx).Where("case_id IN ?", ids).Order("score DESC, id").Find(&recs).Error; err != nil {
		return nil, err
	}
	byCase := map[int64][]model.Recommendation{}
	var jobIDs []int64
	for _, r := range recs {
		if len(byCase[r.CaseID]) < recsPer {
			byCase[r.CaseID] = append(byCase[r.CaseID], r)
			jobIDs = append(jobIDs, r.JobID)
		}
	}
	jobs, err := s.jobs(ctx, jobIDs)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i, c := range cs {
		it := Item{Case: c, LabourerName: lab[c.LabourerID].Name, PhoneMasked: lab[c.LabourerID].PhoneMasked,
			Countdown: int64(c.DueAt.Sub(now) / time.Second)}
		if c.Status == model.CaseOpen {
			it.NextCheckpoint = nextAfter(c.Checkpoint)
			it.VisitRequired = c.Checkpoint >= model.CheckpointVisit && c.VisitedAt == nil
		}
		for _, r := range byCase[c.ID] {
			it.Recs = append(it.Recs, toRec(r, jobs[r.JobID]))
		}
		out[i] = it
	}
	return out, nil
}

func (s *Service) jobs(ctx context.Context, ids []int64) (map[int64]*model.Job, error) {
	out := map[int64]*model.Job{}
	if len(ids) == 0 {
		return out, nil
	}
	var jobs []model.Job
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&jobs).Error; err != nil {
		return nil, err
	}
	for i := range jobs {
		out[jobs[i].ID] = &jobs[i]
	}
	return out, nil
}

func toRec(r model.Recommendation, j *model.Job) Rec {
	out := Rec{Recommendation: r, Job: j}
	_ = json.Unmarshal([]byte(r.Reasons), &out.Reasons)
	if out.Reasons == nil {
		out.Reasons = []match.Reason{}
	}
	return out
}

// FeedItem is a job in a worker's feed.
type FeedItem struct {
	Job     *model.Job
	Score   int
	Reasons []match.Reason
	Pushed  bool // it was pushed to the worker (inbox, WeChat or SMS)
}

// Feed is the worker's recommended jobs: the live best matches, everywhere,
// each with its reasons; jobs already pushed to them are marked.
func (s *Service) Feed(ctx context.Context, n int) ([]FeedItem, error) {
	a := actor.From(ctx)
	if a.Role != model.RoleWorker || a.LabourerID == 0 {
		return nil, apperr.New(apperr.KindForbidden, "not_bound", "请先绑定身份信息")
	}
	n = min(max(n, 1), 50)
	ms, err := s.match.Feed(ctx, a.LabourerID, n)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.JobID
	}
	jobs, err := s.jobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var pushed []int64
	if len(ids) > 0 {
		if err := s.db.WithContext(ctx).Model(&model.Recommendation{}).Where("labourer_id = ? AND job_id IN ? AND pushed = ?", a.LabourerID, ids, true).
			Pluck("job_id", &pushed).Error; err != nil {
			return nil, err
		}
	}
	was := map[int64]bool{}
	for _, id := range pushed {
		was[id] = true
	}
	out := make([]FeedItem, 0, len(ms))
	for _, m := range ms {
		j, ok := jobs[m.JobID]
		if !ok || j.Status != model.JobOpen { // the index may lag the database by a refresh
			continue
		}
		out = append(out, FeedItem{Job: j, Score: m.Score, Reasons: m.Reasons, Pushed: was[m.JobID]})
	}
	return out, nil
}

// MyCase is the worker's open case, nil if none.
func (s *Service) MyCase(ctx context.Context) (*model.ReturnCase, error) {
	a := actor.From(ctx)
	if a.Role != model.RoleWorker || a.LabourerID == 0 {
		return nil, nil
	}
	var c model.ReturnCase
	err := s.db.WithContext(ctx).Where("labourer_id = ? AND status = ?", a.LabourerID, model.CaseOpen).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return &c, err
}

// KPI is the 72-hour service's figures for a region and period (DESIGN.md
// Reports 5): cases opened in [From, To), how they stand, and the willing
// returnees still open now across all periods (the target is 0).
type KPI struct {
	Region                 string
	From, To               time.Time
	Opened                 int64
	Open                   int64
	Placed                 int64
	PlacedWithin72h        int64
	Declined               int64
	Overdue                int64
	Escalated              int64
	WillingOpen            int64
	MedianHoursToPlacement *float64
	PlacedWithin72hRate    *float64 // placed within 72 h / opened, when any opened
}

// KPIs computes the figures; region "" is the actor's whole scope.
func (s *Service) KPIs(ctx context.Context, region string, from, to time.Time) (*KPI, error) {
	if region != "" && model.LevelOf(region) == 0 {
		return nil, apperr.Invalid("region", "invalid_region_code", "地区编码格式不对")
	}
	if !to.After(from) {
		return nil, apperr.Invalid("to", "bad_range", "结束日期应晚于开始日期")
	}
	if to.Sub(from) > 3*366*24*time.Hour {
		return nil, apperr.Invalid("to", "range_too_long", "统计区间不能超过三年")
	}
	k := &KPI{Region: region, From: from, To: to}
	base := func() (*gorm.DB, error) {
		return scoped(ctx, s.db.WithContext(ctx).Model(&model.ReturnCase{}), region)
	}
	now := s.now().UTC()
	count := func(dst *int64, inPeriod bool, where string, args ...any) error {
		q, err := base()
		if err != nil {
			return err
		}
		if inPeriod {
			q = q.Where("opened_at >= ? AND opened_at < ?", from.UTC(), to.UTC())
		}
		if where != "" {
			q = q.Where(where, args...)
		}
		return q.Count(dst).Error
	}
	for _, c := range []struct {
		dst      *int64
		inPeriod bool
		where    string
		args     []any
	}{
		{&k.Opened, true, "", nil},
		{&k.Open, true, "status = ?", []any{model.CaseOpen}},
		{&k.Placed, true, "status = ?", []any{model.CasePlaced}},
		{&k.PlacedWithin72h, true, "status = ? AND placed_within_72h = ?", []any{model.CasePlaced, true}},
		{&k.Declined, true, "status = ?", []any{model.CaseDeclined}},
		{&k.Overdue, true, "(overdue = ? OR (status = ? AND due_at < ?))", []any{true, model.CaseOpen, now}},
		{&k.Escalated, true, "escalated = ?", []any{true}},
		{&k.WillingOpen, false, "status = ?", []any{model.CaseOpen}},
	} {
		if err := count(c.dst, c.inPeriod, c.where, c.args...); err != nil {
			if _, ok := apperr.As(err); ok {
				return nil, err
			}
			return nil, fmt.Errorf("case kpis: %w", err)
		}
	}
	q, err := base()
	if err != nil {
		return nil, err
	}
	type span struct{ OpenedAt, ClosedAt time.Time }
	var spans []span
	if err := q.Select("opened_at", "closed_at").Where("opened_at >= ? AND opened_at < ? AND status = ? AND closed_at IS NOT NULL",
		from.UTC(), to.UTC(), model.CasePlaced).Scan(&spans).Error; err != nil {
		return nil, fmt.Errorf("case kpis: %w", err)
	}
	if len(spans) > 0 {
		hs := make([]float64, len(spans))
		for i, sp := range spans {
			hs[i] = sp.ClosedAt.Sub(sp.OpenedAt).Hours()
		}
		sort.Float64s(hs)
		m := hs[len(hs)/2]
		if len(hs)%2 == 0 {
			m = (hs[len(hs)/2-1] + hs[len(hs)/2]) / 2
		}
		m = float64(int(m*10+0.5)) / 10
		k.MedianHoursToPlacement = &m
	}
	if k.Opened > 0 {
		r := float64(int(float64(k.PlacedWithin72h)/float64(k.Opened)*1000+0.5)) / 1000
		k.PlacedWithin72hRate = &r
	}
	return k, nil
}

// ParseDay reads a YYYY-MM-DD date as the start of that day in China.
func ParseDay(field, v string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(v), clock.China)
	if err != nil {
		return time.Time{}, apperr.Invalid(field, "invalid_date", "日期格式应为 YYYY-MM-DD")
	}
	return t, nil
}
