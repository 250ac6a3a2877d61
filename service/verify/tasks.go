package verify

import (
	"context"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// Task states of a labourer in a month.
const (
	TaskDue         = "due"         // 待核实: no form this month
	TaskSubmitted   = "submitted"   // 待专班确认
	TaskConfirmed   = "confirmed"   // 已完成
	TaskRejected    = "rejected"    // 被退回, due again
	TaskUnreachable = "unreachable" // 联系不上, to be tried again
)

// Task is one labourer on the cadre's monthly list.
type Task struct {
	Labourer       model.Labourer
	State          string
	Overdue        bool
	PendingReports int
	NewReturn      bool
	FormID         int64
	RejectReason   string
}

// TaskList is the month's list with its counts.
type TaskList struct {
	Period   string
	Deadline time.Time
	Counts   map[string]int
	Items    []Task
	Total    int
}

// Task filters.
var taskFilters = map[string]bool{"": true, "due": true, "overdue": true, "unreachable": true, "self_reports": true,
	"new_returnees": true, "submitted": true, "done": true}

func (s *Service) period(p string) (string, time.Time, error) {
	if p == "" {
		p = Period(s.now())
	}
	d, err := Deadline(p)
	if err != nil {
		return "", time.Time{}, apperr.Invalid("month", "invalid_date", "月份格式应为 2026-03")
	}
	return p, d, nil
}

// Tasks is the monthly cycle for the caller's villages: every active
// labourer is due once a calendar month; past the 20th (DeadlineDay) what is
// not done is overdue; 联系不上, self-reports waiting and new returnees are
// counted and can be filtered on.
func (s *Service) Tasks(ctx context.Context, period, filter string, page, size int) (*TaskList, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	if !taskFilters[filter] {
		return nil, apperr.Invalid("filter", "invalid_enum", "筛选条件不对")
	}
	period, deadline, err := s.period(period)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	var labs []model.Labourer
	q := a.ScopeLabourers(db.Model(&model.Labourer{}), "village_code", "id").
		Where("record_status = ? AND state <> ?", model.RecordActive, "perm_exit").Order("village_code, id").Limit(MaxTaskLabourers)
	if err := q.Find(&labs).Error; err != nil {
		return nil, err
	}
	var forms []model.VerifyForm
	fq := a.ScopeLabourers(db.Model(&model.VerifyForm{}), "village_code", "labourer_id").
		Select("id", "labourer_id", "state", "verification", "reject_reason").Where("period = ?", period).Order("id")
	if err := fq.Find(&forms).Error; err != nil {
		return nil, err
	}
	latest := map[int64]model.VerifyForm{}
	for _, f := range forms {
		cur, ok := latest[f.LabourerID]
		// A confirmed verified form settles the month; otherwise the newest counts.
		if ok && cur.State == model.FormConfirmed && cur.Verification == "verified" {
			continue
		}
		latest[f.LabourerID] = f
	}
	type cnt struct {
		LabourerID int64
		N          int
	}
	var pend []cnt
	if err := a.ScopeLabourers(db.Model(&model.StatusReport{}), "village_code", "labourer_id").
		Select("labourer_id, COUNT(*) AS n").Where("review = ?", model.ReviewPending).Group("labourer_id").Scan(&pend).Error; err != nil {
		return nil, err
	}
	pending := map[int64]int{}
	for _, p := range pend {
		pending[p.LabourerID] = p.N
	}
	// New returnees: came home in this month or the one before, and not yet
	// seen on a confirmed form this month.
	m, _ := time.Parse("2006-01", period)
	var rets []int64
	if err := a.ScopeLabourers(db.Table("return_events").Joins("JOIN labourers ON labourers.id = return_events.labourer_id"),
		"labourers.village_code", "labourers.id").
		Where("return_events.return_date >= ? AND return_events.return_date < ?", m.AddDate(0, -1, 0), m.AddDate(0, 1, 0)).
		Distinct().Pluck("return_events.labourer_id", &rets).Error; err != nil {
		return nil, err
	}
	returned := map[int64]bool{}
	for _, id := range rets {
		returned[id] = true
	}
	past := !s.now().Before(deadline)
	out := &TaskList{Period: period, Deadline: deadline, Counts: map[string]int{}}
	var all []Task
	for _, l := range labs {
		t := Task{Labourer: l, State: TaskDue, PendingReports: pending[l.ID]}
		if f, ok := latest[l.ID]; ok {
			t.FormID, t.RejectReason = f.ID, f.RejectReason
			switch {
			case f.Verification == "unreachable" && f.State != model.FormRejected:
				t.State = TaskUnreachable
			case f.State == model.FormConfirmed:
				t.State = TaskConfirmed
			case f.State == model.FormSubmitted:
				t.State = TaskSubmitted
			default:
				t.State = TaskRejected
			}
		}
		t.NewReturn = returned[l.ID] && t.State != TaskConfirmed
		t.Overdue = past && (t.State == TaskDue || t.State == TaskRejected || t.State == TaskUnreachable)
		out.Counts["total"]++
		switch t.State {
		case TaskDue, TaskRejected:
			out.Counts["due"]++
		case TaskUnreachable:
			out.Counts["unreachable"]++
		case TaskSubmitted:
			out.Counts["submitted"]++
		case TaskConfirmed:
			out.Counts["done"]++
		}
		if t.Overdue {
			out.Counts["overdue"]++
		}
		if t.PendingReports > 0 {
			out.Counts["self_reports"]++
		}
		if t.NewReturn {
			out.Counts["new_returnees"]++
		}
		if keep(filter, &t) {
			all = append(all, t)
		}
	}
	// What needs the cadre first: overdue, returnees, self-reports, then the rest.
	rank := func(t *Task) int {
		switch {
		case t.NewReturn:
			return 0
		case t.Overdue:
			return 1
		case t.PendingReports > 0:
			return 2
		case t.State == TaskDue || t.State == TaskRejected || t.State == TaskUnreachable:
			return 3
		}
		return 4
	}
	sort.SliceStable(all, func(i, j int) bool { return rank(&all[i]) < rank(&all[j]) })
	out.Total = len(all)
	from := (page - 1) * size
	if from < len(all) {
		out.Items = all[from:min(from+size, len(all))]
	}
	return out, nil
}

func keep(filter string, t *Task) bool {
	switch filter {
	case "due":
		return t.State == TaskDue || t.State == TaskRejected
	case "overdue":
		return t.Overdue
	case "unreachable":
		return t.State == TaskUnreachable
	case "self_reports":
		return t.PendingReports > 0
	case "new_returnees":
		return t.NewReturn
	case "submitted":
		return t.State == TaskSubmitted
	case "done":
		return t.State == TaskConfirmed
	}
	return true
}

// VillageCompletion is one village's month.
type VillageCompletion struct {
	VillageCode string
	Labourers   int // due this month
	Confirmed   int // confirmed as 已核实
	Submitted   int // waiting for the task force
	Unreachable int
}

// CadreCompletion is one collector's month (the account that submitted).
type CadreCompletion struct {
	AccountID   int64
	Name        string
	Submitted   int // distinct labourers with a form this month
	Confirmed   int
	Rejected    int
	Unreachable int
}

// Completion is the month's progress per village and per cadre for the
// caller's region (task force: the county; official: the subtree).
func (s *Service) Completion(ctx context.Context, period string) (string, time.Time, []VillageCompletion, []CadreCompletion, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin) {
		return "", time.Time{}, nil, nil, apperr.Forbidden("")
	}
	period, deadline, err := s.period(period)
	if err != nil {
		return "", time.Time{}, nil, nil, err
	}
	db := s.db.WithContext(ctx)
	type vrow struct {
		VillageCode string
		N           int
	}
	var due []vrow
	if err := a.ScopeLabourers(db.Model(&model.Labourer{}), "village_code", "id").Select("village_code, COUNT(*) AS n").
		Where("record_status = ? AND state <> ?", model.RecordActive, "perm_exit").Group("village_code").Scan(&due).Error; err != nil {
		return "", time.Time{}, nil, nil, err
	}
	var forms []model.VerifyForm
	if err := a.ScopeLabourers(db.Model(&model.VerifyForm{}), "village_code", "labourer_id").
		Select("id", "labourer_id", "village_code", "state", "verification", "submitted_by").
		Where("period = ?", period).Order("id").Find(&forms).Error; err != nil {
		return "", time.Time{}, nil, nil, err
	}
	villages := map[string]*VillageCompletion{}
	for _, d := range due {
		villages[d.VillageCode] = &VillageCompletion{VillageCode: d.VillageCode, Labourers: d.N}
	}
	// Per labourer, the best outcome of the month; per cadre, distinct labourers.
	best := map[int64]model.VerifyForm{}
	score := func(f model.VerifyForm) int {
		switch {
		case f.State == model.FormConfirmed && f.Verification == "verified":
			return 4
		case f.State == model.FormSubmitted && f.Verification == "verified":
			return 3
		case f.Verification == "unreachable" && f.State != model.FormRejected:
			return 2
		}
		return 1
	}
	type key struct {
		acc, lab int64
	}
	cadreBest := map[key]int{}
	for _, f := range forms {
		if b, ok := best[f.LabourerID]; !ok || score(f) >= score(b) {
			best[f.LabourerID] = f
		}
		k := key{f.SubmittedBy, f.LabourerID}
		if sc := score(f); sc > cadreBest[k] {
			cadreBest[k] = sc
		}
	}
	for _, f := range best {
		v := villages[f.VillageCode]
		if v == nil {
			v = &VillageCompletion{VillageCode: f.VillageCode}
			villages[f.VillageCode] = v
		}
		switch score(f) {
		case 4:
			v.Confirmed++
		case 3:
			v.Submitted++
		case 2:
			v.Unreachable++
		}
	}
	cadres := map[int64]*CadreCompletion{}
	for k, sc := range cadreBest {
		c := cadres[k.acc]
		if c == nil {
			c = &CadreCompletion{AccountID: k.acc}
			cadres[k.acc] = c
		}
		c.Submitted++
		switch sc {
		case 4:
			c.Confirmed++
		case 2:
			c.Unreachable++
		case 1:
			c.Rejected++
		}
	}
	ids := make([]int64, 0, len(cadres))
	for id := range cadres {
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		var accs []model.Account
		if err := db.Select("id", "display_name").Where("id IN ?", ids).Find(&accs).Error; err != nil {
			return "", time.Time{}, nil, nil, err
		}
		for _, acc := range accs {
			cadres[acc.ID].Name = acc.DisplayName
		}
	}
	vs := make([]VillageCompletion, 0, len(villages))
	for _, v := range villages {
		vs = append(vs, *v)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].VillageCode < vs[j].VillageCode })
	cs := make([]CadreCompletion, 0, len(cadres))
	for _, c := range cadres {
		cs = append(cs, *c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].AccountID < cs[j].AccountID })
	return period, deadline, vs, cs, nil
}

// QueueItem is one entry of the task force's review queue (待核实).
type QueueItem struct {
	Kind           string // form or self_report
	ID             int64
	Labourer       model.Labourer
	At             time.Time
	By             int64
	Verification   string // forms
	AwaitingWorker bool   // forms confirmed from the worker's account, not yet
	ReportKind     string // self-reports
	Payload        string
}

// Queue lists submitted forms and workers' pending self-reports in scope,
// oldest first.
func (s *Service) Queue(ctx context.Context, page, size int) ([]QueueItem, int64, error) {
	a, err := reviewer(ctx)
	if err != nil {
		return nil, 0, err
	}
	db := s.db.WithContext(ctx)
	n := page * size
	var forms []model.VerifyForm
	fq := a.ScopeLabourers(db.Model(&model.VerifyForm{}), "village_code", "labourer_id").Where("state = ?", model.FormSubmitted)
	var nf, nr int64
	if err := fq.Session(&gorm.Session{}).Count(&nf).Error; err != nil {
		return nil, 0, err
	}
	if err := fq.Order("submitted_at, id").Limit(n).Find(&forms).Error; err != nil {
		return nil, 0, err
	}
	var reps []model.StatusReport
	rq := a.ScopeLabourers(db.Model(&model.StatusReport{}), "village_code", "labourer_id").Where("review = ?", model.ReviewPending)
	if err := rq.Session(&gorm.Session{}).Count(&nr).Error; err != nil {
		return nil, 0, err
	}
	if err := rq.Order("created_at, id").Limit(n).Find(&reps).Error; err != nil {
		return nil, 0, err
	}
	items := make([]QueueItem, 0, len(forms)+len(reps))
	for _, f := range forms {
		items = append(items, QueueItem{Kind: KindForm, ID: f.ID, Labourer: model.Labourer{ID: f.LabourerID}, At: f.SubmittedAt,
			By: f.SubmittedBy, Verification: f.Verification, Payload: f.Payload,
			AwaitingWorker: f.Verification == "verified" && f.ConfirmMethod == "worker_account" && f.WorkerConfirmedAt == nil})
	}
	for _, r := range reps {
		items = append(items, QueueItem{Kind: KindSelfReport, ID: r.ID, Labourer: model.Labourer{ID: r.LabourerID}, At: r.CreatedAt,
			By: r.CreatedBy, ReportKind: r.Kind, Payload: r.Payload})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].At.Before(items[j].At) })
	from := (page - 1) * size
	if from >= len(items) {
		return []QueueItem{}, nf + nr, nil
	}
	items = items[from:min(from+size, len(items))]
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.Labourer.ID
	}
	var labs []model.Labourer
	if err := db.Where("id IN ?", ids).Find(&labs).Error; err != nil {
		return nil, 0, err
	}
	byID := map[int64]model.Labourer{}
	for _, l := range labs {
		byID[l.ID] = l
	}
	for i := range items {
		items[i].Labourer = byID[items[i].Labourer.ID]
	}
	return items, nf + nr, nil
}

// Forms lists forms in the caller's scope, newest first; a cadre sees the
// state and the reason of a rejected one.
func (s *Service) Forms(ctx context.Context, state, period string, labourerID int64, page, size int) ([]model.VerifyForm, int64, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin) {
		return nil, 0, apperr.Forbidden("")
	}
	q := a.ScopeLabourers(s.db.WithContext(ctx).Model(&model.VerifyForm{}), "village_code", "labourer_id")
	if state != "" {
		if !model.FormStates.Valid(state) {
			return nil, 0, apperr.Invalid("state", "invalid_enum", "状态不对")
		}
		q = q.Where("state = ?", state)
	}
	if period != "" {
		if _, err := Deadline(period); err != nil {
			return nil, 0, apperr.Invalid("month", "invalid_date", "月份格式应为 2026-03")
		}
		q = q.Where("period = ?", period)
	}
	if labourerID != 0 {
		q = q.Where("labourer_id = ?", labourerID)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []model.VerifyForm
	err := q.Omit("payload").Order("id DESC").Offset((page - 1) * size).Limit(size).Find(&out).Error
	return out, total, err
}
