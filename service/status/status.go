// Package status records what workers say about their own work — a new job,
// still at work, back home without work, a plan to go out or none — as
// employment spells, return events and outing plans, with the collection
// form's fill rules (seed 002 填表规则 2–3). The whole history is kept; a
// worker's own report stays 待核实 until verified. A returnee who wants work
// leaves an outbox event for the 72-hour service.
package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/report"
)

// Limits on what a report may say. Wages outside them are typing mistakes,
// not pay (the seeds' thresholds are 3,000–9,000 yuan a year).
const (
	MaxMonthlyWage   = 100000 // yuan; anything above is refused as absurd
	MinWorkAge       = 16     // no work before 16 (SECURITY.md 11)
	MaxBackdateYears = 5      // a spell may start at most 5 years back
	maxTextRunes     = 50
	historyLength    = 20
)

// China is the zone dates are read in (no tzdata needed in the image).
var China = clock.China

// Regions is what the status service needs from the region service.
type Regions interface {
	ValidateCode(field, code string, level int) error
	ValidateWorkPlace(home, place string) error
	PlaceScope(home, place string) string
	PathName(code string) string
}

// Service is the status capability.
type Service struct {
	db      *gorm.DB
	regions Regions
	now     func() time.Time
	multi   *sql.DB // a pool that takes several statements per query (batch), nil for one by one
}

// New builds the status service. Its writes mark the reports' rows dirty
// (service/report) unless db is a report.Untracked session.
func New(db *gorm.DB, regions Regions, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	// Without the multi-statement pool the same statements run one by one.
	multi, err := infra.MultiStatementPool(db)
	if err != nil {
		multi = nil
	}
	return &Service{db: db, regions: regions, now: now, multi: multi}
}

// Report is one status report as sent; which fields count depends on Kind.
type Report struct {
	Kind string `json:"kind"`
	// new_job
	StartDate       string `json:"start_date,omitempty"`
	PlaceCode       string `json:"place_code,omitempty"`
	Form            string `json:"form,omitempty"`
	FormOther       string `json:"form_other,omitempty"`
	EmployerName    string `json:"employer_name,omitempty"`
	MonthlyWage     *int   `json:"monthly_wage,omitempty"`
	Industry        string `json:"industry,omitempty"`
	IndustryOther   string `json:"industry_other,omitempty"`
	Contract        *bool  `json:"contract,omitempty"`
	SocialInsurance *bool  `json:"social_insurance,omitempty"`
	// returned
	ReturnDate string `json:"return_date,omitempty"`
	Reason     string `json:"reason,omitempty"`
	WantsWork  *bool  `json:"wants_work,omitempty"`
	// plan_out
	DestCode     string `json:"dest_code,omitempty"`
	Job          string `json:"job,omitempty"`
	ExpectedWage *int   `json:"expected_wage,omitempty"`
	PlannedMonth string `json:"planned_month,omitempty"`
	// no_plan (Reason above)
	ReasonOther string `json:"reason_other,omitempty"`
}

// Submit validates a report and records it for the labourer, in one
// transaction with its audit row, the reports' dirty mark and, for a
// returnee who wants work, the outbox event; it answers the labourer's card
// as the transaction left it. The worker may only report for themselves;
// cadres use the collection form (issue 3).
//
// On MySQL that is two round trips: one query for everything the report
// reads (load), and one for the transaction that writes it (batch.commit).
// The reads run before the transaction, not in it: they were non-locking
// reads of a snapshot either way, and every write that depends on them says
// so itself (a job is closed only if still open; the version counts up).
func (s *Service) Submit(ctx context.Context, labourerID int64, r Report) (*Card, error) {
	a := actor.From(ctx)
	source := model.SourceCadre
	if a.Role == model.RoleWorker {
		if a.LabourerID == 0 {
			return nil, apperr.New(apperr.KindForbidden, "not_bound", "请先绑定身份")
		}
		if labourerID != a.LabourerID {
			return nil, apperr.NotFound("劳动力")
		}
		source = model.SourceSelf
	}
	db := s.db.WithContext(ctx)
	st, err := s.load(ctx, db, labourerID)
	if err != nil {
		return nil, err
	}
	if st.lab.State == "perm_exit" {
		return nil, apperr.Conflict("exited", "该劳动力已永久退出，不能再报告务工状态")
	}
	w := &writer{s: s, ctx: ctx, st: st, lab: &st.lab, open: st.open(), source: source, actorID: a.AccountID,
		b: newBatch(db, s.multi), tracking: report.Tracking(db)}
	if err := w.apply(r); err != nil {
		return nil, err
	}
	if err := w.b.commit(ctx); err != nil {
		return nil, fmt.Errorf("status: record %s: %w", r.Kind, err)
	}
	return st.card(), nil
}

// only returns the report with just its kind's fields, every one of them
// checked by now: what is stored and audited is what was validated, never a
// stray field the kind ignores.
func (r Report) only() Report {
	out := Report{Kind: r.Kind}
	switch r.Kind {
	case model.ReportNewJob:
		out.StartDate, out.PlaceCode, out.Form, out.FormOther = r.StartDate, r.PlaceCode, r.Form, r.FormOther
		out.EmployerName, out.MonthlyWage, out.Industry, out.IndustryOther = r.EmployerName, r.MonthlyWage, r.Industry, r.IndustryOther
		out.Contract, out.SocialInsurance = r.Contract, r.SocialInsurance
	case model.ReportReturned:
		out.ReturnDate, out.Reason, out.WantsWork = r.ReturnDate, r.Reason, r.WantsWork
	case model.ReportPlanOut:
		out.DestCode, out.Job, out.ExpectedWage, out.PlannedMonth = r.DestCode, r.Job, r.ExpectedWage, r.PlannedMonth
	case model.ReportNoPlan:
		out.Reason, out.ReasonOther = r.Reason, r.ReasonOther
	}
	return out
}

// writer checks a report against the state load read and adds
// its statements to the batch; it keeps the state up to date with them, so
// the card needs no second read.
type writer struct {
	s        *Service
	ctx      context.Context
	st       *state
	lab      *model.Labourer        // &st.lab
	open     *model.EmploymentSpell // st.open(): the job a new job or a return closes
	source   string
	actorID  int64
	b        *batch
	tracking bool // write the reports' dirty mark (report.Tracking)
	// newSpell, newReturn and newPlan are the fact rows the report adds.
	newSpell  *model.EmploymentSpell
	newReturn *model.ReturnEvent
	newPlan   *model.OutingPlan
}

func (w *writer) today() time.Time {
	n := w.s.now().In(China)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// parseDate reads YYYY-MM-DD as a UTC date, refusing future dates.
func (w *writer) parseDate(f *apperr.Fields, field, v string, required bool) (time.Time, bool) {
	if v == "" {
		if required {
			f.Add(field, "required", "请选择日期")
		}
		return time.Time{}, false
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		f.Add(field, "invalid_date", "日期格式应为 2026-01-31")
		return time.Time{}, false
	}
	if d.After(w.today()) {
		f.Add(field, "future_date", "日期不能晚于今天")
		return time.Time{}, false
	}
	if !w.lab.BirthDate.IsZero() && d.Before(w.lab.BirthDate.AddDate(MinWorkAge, 0, 0)) {
		f.Add(field, "before_work_age", "日期早于年满16周岁的日子")
		return time.Time{}, false
	}
	return d, true
}

func (w *writer) apply(r Report) error {
	if !model.StatusReports.Valid(r.Kind) {
		return apperr.Invalid("kind", "invalid_enum", "请选择要报告的情况")
	}
	rep := &model.StatusReport{ID: model.NewID(), LabourerID: w.lab.ID, VillageCode: w.lab.VillageCode,
		Kind: r.Kind, Source: w.source, Review: model.ReviewPending, CreatedBy: w.actorID}
	if w.source != model.SourceSelf {
		rep.Review = model.ReviewVerified
	}
	var cache map[string]any
	var err error
	switch r.Kind {
	case model.ReportStillWorking:
		cache, err = w.stillWorking()
	case model.ReportNewJob:
		cache, err = w.newJob(rep, &r)
	case model.ReportReturned:
		cache, err = w.returned(rep, &r)
	case model.ReportPlanOut:
		cache, err = w.planOut(rep, &r)
	case model.ReportNoPlan:
		cache, err = w.noPlan(rep, &r)
	}
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(r.only())
	rep.Payload = string(payload)
	b := w.b
	b.add(b.dry.Create(rep))
	now := w.s.now().UTC()
	cache["status_source"] = w.source
	cache["status_at"] = now
	cache["version"] = gorm.Expr("version + 1")
	b.add(b.dry.Model(&model.Labourer{}).Where("id = ?", w.lab.ID).Updates(cache))
	row := audit.Row(w.ctx, audit.Entry{Action: "status." + r.Kind, SubjectType: "labourer", SubjectID: w.lab.ID, After: rep.Payload})
	b.add(b.dry.Create(&row))
	// The batch passes GORM's callbacks, so the reports' change tracking
	// (service/report track.go) does not see these statements: mark the
	// labourer here, as the callbacks would have, when a tracked row changed —
	// a spell, a return or a plan. The labourer row's status cache is not
	// tracked (still_working writes nothing else).
	if w.tracking && (w.newSpell != nil || w.newReturn != nil || w.newPlan != nil) {
		b.add(b.dry.Create(&model.ReportDirty{LabourerID: w.lab.ID}))
	}
	w.remember(rep, cache, now)
	return b.err
}

// remember applies the report's writes to the state read at the start, as
// the card's queries would see them after the commit.
func (w *writer) remember(rep *model.StatusReport, cache map[string]any, now time.Time) {
	st := w.st
	st.history = append([]model.StatusReport{*rep}, st.history...)
	sort.SliceStable(st.history, func(i, j int) bool { return st.history[i].ID > st.history[j].ID })
	if len(st.history) > historyLength {
		st.history = st.history[:historyLength]
	}
	// The first two spells in the card's order were read. Only the first can
	// change (the open job, closed), so the first after the report is among
	// them and the new one.
	if w.newSpell != nil {
		st.spells = append(st.spells, *w.newSpell)
	}
	sort.SliceStable(st.spells, func(i, j int) bool { return spellBefore(&st.spells[i], &st.spells[j]) })
	if w.newReturn != nil && (st.ret == nil || w.newReturn.ID > st.ret.ID) {
		st.ret = w.newReturn
	}
	if w.newPlan != nil && (st.plan == nil || w.newPlan.ID > st.plan.ID) {
		st.plan = w.newPlan
	}
	l := &st.lab
	for k, v := range cache {
		switch k {
		case "working":
			l.Working = v.(bool)
		case "place_scope":
			l.PlaceScope = v.(string)
		case "wants_work":
			l.WantsWork = v.(bool)
		}
	}
	l.StatusSource, l.StatusAt = w.source, &now
	l.Version++
}

func (w *writer) stillWorking() (map[string]any, error) {
	if w.open == nil {
		return nil, apperr.Invalid("kind", "no_open_job", "还没有登记在岗的工作，请选择“换了工作”登记新工作")
	}
	return map[string]any{"working": true}, nil
}

func (w *writer) newJob(rep *model.StatusReport, r *Report) (map[string]any, error) {
	var f apperr.Fields
	start, okStart := w.parseDate(&f, "start_date", r.StartDate, true)
	if okStart && start.Before(w.today().AddDate(-MaxBackdateYears, 0, 0)) {
		f.Add("start_date", "too_old", "上岗时间不能早于5年前")
	}
	if okStart && w.open != nil && !start.After(w.open.StartDate) {
		f.Add("start_date", "before_current_job", "新工作的上岗时间应晚于现在这份工作的上岗时间")
	}
	if err := w.s.regions.ValidateWorkPlace(w.lab.VillageCode, r.PlaceCode); err != nil {
		copyFields(&f, err)
	}
	checkChoice(&f, model.EmploymentForms, "form", r.Form, "请选择就业形式", &r.FormOther, maxTextRunes, "请注明其他就业形式")
	r.EmployerName = strings.TrimSpace(r.EmployerName)
	if len([]rune(r.EmployerName)) > 100 {
		f.Add("employer_name", "too_long", "单位名称太长")
	} else if r.EmployerName == "" && needsEmployer(r.Form) {
		f.Add("employer_name", "required", "请填写就业单位名称")
	}
	checkWage(&f, "monthly_wage", r.MonthlyWage, "请填写月平均工资（元）")
	checkChoice(&f, model.Industries, "industry", r.Industry, "请选择所属行业", &r.IndustryOther, maxTextRunes, "请注明其他行业")
	if r.Contract == nil {
		f.Add("contract", "required", "请选择是否签订劳动合同")
	}
	if r.SocialInsurance == nil {
		f.Add("social_insurance", "required", "请选择是否缴纳社会保险")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if w.open != nil {
		end := start.AddDate(0, 0, -1)
		w.b.add(w.b.dry.Model(&model.EmploymentSpell{}).Where("id = ? AND end_date IS NULL", w.open.ID).Update("end_date", end))
		w.open.EndDate = &end
	}
	scope := w.s.regions.PlaceScope(w.lab.VillageCode, r.PlaceCode)
	sp := &model.EmploymentSpell{ID: model.NewID(), LabourerID: w.lab.ID, StartDate: start, PlaceCode: r.PlaceCode,
		PlaceScope: scope, Form: r.Form, FormOther: r.FormOther, EmployerName: r.EmployerName,
		MonthlyWage: *r.MonthlyWage, Industry: r.Industry, IndustryOther: r.IndustryOther,
		Contract: *r.Contract, SocialInsurance: *r.SocialInsurance, Source: w.source,
		Verified: w.source != model.SourceSelf, ReportID: &rep.ID, CreatedBy: w.actorID}
	w.b.add(w.b.dry.Create(sp))
	w.newSpell = sp
	return map[string]any{"working": true, "place_scope": scope, "wants_work": false}, nil
}

// needsEmployer: forms where the form asks for 就业单位名称.
func needsEmployer(form string) bool {
	switch form {
	case "employed", "workshop", "base", "public_welfare", "cooperative":
		return true
	}
	return false
}

// checkChoice checks a single-choice answer; "other" (其他) needs its note
// (at most max runes), and any other answer clears a stray note.
func checkChoice(f *apperr.Fields, e model.Enum, field, v, missing string, other *string, max int, otherMsg string) {
	if !e.Valid(v) {
		f.Add(field, "invalid_enum", missing)
		return
	}
	if v != "other" {
		*other = ""
		return
	}
	*other = strings.TrimSpace(*other)
	if *other == "" || len([]rune(*other)) > max {
		f.Add(field+"_other", "required", otherMsg)
	}
}

func checkWage(f *apperr.Fields, field string, v *int, missing string) {
	switch {
	case v == nil:
		f.Add(field, "required", missing)
	case *v <= 0:
		f.Add(field, "not_positive", "金额应大于0")
	case *v > MaxMonthlyWage:
		f.Add(field, "too_large", fmt.Sprintf("月工资不能超过%d元，请核对", MaxMonthlyWage))
	}
}

func (w *writer) returned(rep *model.StatusReport, r *Report) (map[string]any, error) {
	var f apperr.Fields
	if r.ReturnDate == "" {
		r.ReturnDate = w.today().Format("2006-01-02")
	}
	d, ok := w.parseDate(&f, "return_date", r.ReturnDate, true)
	if ok && w.open != nil && d.Before(w.open.StartDate) {
		f.Add("return_date", "before_current_job", "返乡日期不能早于这份工作的上岗时间")
	}
	if ok && d.Before(w.today().AddDate(-1, 0, 0)) {
		f.Add("return_date", "too_old", "返乡日期不能早于一年前")
	}
	if r.Reason != "" && !model.ReturnReasons.Valid(r.Reason) {
		f.Add("reason", "invalid_enum", "请选择返乡原因")
	}
	if r.WantsWork == nil {
		f.Add("wants_work", "required", "请选择是否想找工作")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	ev := &model.ReturnEvent{ID: model.NewID(), LabourerID: w.lab.ID, ReturnDate: d, Reason: r.Reason,
		WantsWork: *r.WantsWork, Source: w.source, Verified: w.source != model.SourceSelf, ReportID: &rep.ID, CreatedBy: w.actorID}
	if w.open != nil {
		w.b.add(w.b.dry.Model(&model.EmploymentSpell{}).Where("id = ? AND end_date IS NULL", w.open.ID).Update("end_date", d))
		end := d
		w.open.EndDate = &end
		ev.PrevPlace = w.open.PlaceCode
		ev.SpellID = &w.open.ID
	}
	w.b.add(w.b.dry.Create(ev))
	w.newReturn = ev
	if ev.WantsWork {
		// The 72-hour hand-off: written with the return, relayed once
		// committed (service/outbox).
		oe, err := outbox.NewEvent(model.EventReturnReported, w.lab.ID, map[string]any{
			"return_event_id": fmt.Sprint(ev.ID), "labourer_id": fmt.Sprint(w.lab.ID),
			"village_code": w.lab.VillageCode, "return_date": r.ReturnDate, "source": w.source,
		})
		if err != nil {
			return nil, err
		}
		w.b.add(w.b.dry.Create(&oe))
	}
	return map[string]any{"working": false, "place_scope": "", "wants_work": ev.WantsWork}, nil
}

func (w *writer) planOut(rep *model.StatusReport, r *Report) (map[string]any, error) {
	var f apperr.Fields
	// Fill rule 3: a plan needs 意向地 + 意向岗位 + 期望月薪.
	if r.DestCode == "" {
		f.Add("dest_code", "required", "请选择想去的地方")
	} else if err := w.s.regions.ValidateCode("dest_code", r.DestCode, 0); err != nil {
		copyFields(&f, err)
	} else if model.LevelOf(r.DestCode) > model.LevelCounty {
		f.Add("dest_code", "region_level", "意向地选到省、市或县即可")
	}
	r.Job = strings.TrimSpace(r.Job)
	if r.Job == "" || len([]rune(r.Job)) > maxTextRunes {
		f.Add("job", "required", "请填写想做的工作（50字以内）")
	}
	checkWage(&f, "expected_wage", r.ExpectedWage, "请填写期望月薪（元）")
	var month *time.Time
	if r.PlannedMonth != "" {
		m, err := time.Parse("2006-01", r.PlannedMonth)
		t := w.today()
		switch {
		case err != nil:
			f.Add("planned_month", "invalid_date", "计划外出时间格式应为 2026-12")
		case m.Before(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)):
			f.Add("planned_month", "past_date", "计划外出时间不能早于本月")
		case m.After(t.AddDate(2, 0, 0)):
			f.Add("planned_month", "too_far", "计划外出时间不能晚于两年后")
		default:
			month = &m
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	p := &model.OutingPlan{ID: model.NewID(), LabourerID: w.lab.ID, HasPlan: true, DestCode: r.DestCode,
		PlannedMonth: month, Job: r.Job, ExpectedWage: *r.ExpectedWage, Source: w.source,
		Verified: w.source != model.SourceSelf, ReportID: &rep.ID, CreatedBy: w.actorID}
	w.b.add(w.b.dry.Create(p))
	w.newPlan = p
	return map[string]any{"wants_work": true}, nil
}

func (w *writer) noPlan(rep *model.StatusReport, r *Report) (map[string]any, error) {
	var f apperr.Fields
	// Fill rule 3: no plan needs 无外出意愿原因.
	checkChoice(&f, model.NoPlanReasons, "reason", r.Reason, "请选择不外出的原因", &r.ReasonOther, 100, "请写明原因（100字以内）")
	if err := f.Err(); err != nil {
		return nil, err
	}
	p := &model.OutingPlan{ID: model.NewID(), LabourerID: w.lab.ID, HasPlan: false, NoPlanReason: r.Reason,
		NoPlanOther: r.ReasonOther, Source: w.source, Verified: w.source != model.SourceSelf, ReportID: &rep.ID, CreatedBy: w.actorID}
	w.b.add(w.b.dry.Create(p))
	w.newPlan = p
	return map[string]any{"wants_work": false}, nil
}

func copyFields(f *apperr.Fields, err error) {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		for _, fe := range e.Fields {
			f.Add(fe.Field, fe.Code, fe.Message)
		}
		return
	}
	f.Add("place_code", "invalid", "地区有误")
}
