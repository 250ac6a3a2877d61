// Package status records what workers say about their own work — a new job,
// still at work, back home without work, a plan to go out or none — as
// employment spells, return events and outing plans, with the collection
// form's fill rules (seed 002 填表规则 2–3). The whole history is kept; a
// worker's own report stays 待核实 until verified. A returnee who wants work
// leaves an outbox event for the 72-hour service.
package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/outbox"
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
var China = time.FixedZone("CST", 8*3600)

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
}

// New builds the status service.
func New(db *gorm.DB, regions Regions, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, regions: regions, now: now}
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
// transaction with its audit row and, for a returnee who wants work, the
// outbox event. The worker may only report for themselves; cadres use the
// collection form (issue 3).
func (s *Service) Submit(ctx context.Context, labourerID int64, r Report) (*model.StatusReport, error) {
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
	var rep *model.StatusReport
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var lab model.Labourer
		q := a.ScopeLabourers(tx.Model(&model.Labourer{}), "village_code", "id")
		if err := q.Where("id = ?", labourerID).Take(&lab).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.NotFound("劳动力")
			}
			return err
		}
		if lab.State == "perm_exit" {
			return apperr.Conflict("exited", "该劳动力已永久退出，不能再报告务工状态")
		}
		var open model.EmploymentSpell
		hasOpen := true
		if err := tx.Where("labourer_id = ? AND end_date IS NULL", lab.ID).Order("start_date DESC").Take(&open).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			hasOpen = false
		}
		w := &writer{s: s, tx: tx, ctx: ctx, lab: &lab, source: source, actorID: a.AccountID}
		if hasOpen {
			w.open = &open
		}
		var err error
		rep, err = w.apply(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
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

type writer struct {
	s       *Service
	tx      *gorm.DB
	ctx     context.Context
	lab     *model.Labourer
	open    *model.EmploymentSpell
	source  string
	actorID int64
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

func (w *writer) apply(r Report) (*model.StatusReport, error) {
	if !model.StatusReports.Valid(r.Kind) {
		return nil, apperr.Invalid("kind", "invalid_enum", "请选择要报告的情况")
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
		return nil, err
	}
	payload, _ := json.Marshal(r.only())
	rep.Payload = string(payload)
	if err := w.tx.Create(rep).Error; err != nil {
		return nil, err
	}
	now := w.s.now().UTC()
	cache["status_source"] = w.source
	cache["status_at"] = now
	cache["version"] = gorm.Expr("version + 1")
	if err := w.tx.Model(&model.Labourer{}).Where("id = ?", w.lab.ID).Updates(cache).Error; err != nil {
		return nil, err
	}
	if err := audit.Write(w.ctx, w.tx, audit.Entry{Action: "status." + r.Kind, SubjectType: "labourer", SubjectID: w.lab.ID,
		After: rep.Payload}); err != nil {
		return nil, err
	}
	return rep, nil
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
		if err := w.tx.Model(&model.EmploymentSpell{}).Where("id = ? AND end_date IS NULL", w.open.ID).
			Update("end_date", end).Error; err != nil {
			return nil, err
		}
	}
	scope := w.s.regions.PlaceScope(w.lab.VillageCode, r.PlaceCode)
	sp := &model.EmploymentSpell{ID: model.NewID(), LabourerID: w.lab.ID, StartDate: start, PlaceCode: r.PlaceCode,
		PlaceScope: scope, Form: r.Form, FormOther: r.FormOther, EmployerName: r.EmployerName,
		MonthlyWage: *r.MonthlyWage, Industry: r.Industry, IndustryOther: r.IndustryOther,
		Contract: *r.Contract, SocialInsurance: *r.SocialInsurance, Source: w.source,
		Verified: w.source != model.SourceSelf, ReportID: &rep.ID, CreatedBy: w.actorID}
	if err := w.tx.Create(sp).Error; err != nil {
		return nil, err
	}
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
		if err := w.tx.Model(&model.EmploymentSpell{}).Where("id = ? AND end_date IS NULL", w.open.ID).
			Update("end_date", d).Error; err != nil {
			return nil, err
		}
		ev.PrevPlace = w.open.PlaceCode
		ev.SpellID = &w.open.ID
	}
	if err := w.tx.Create(ev).Error; err != nil {
		return nil, err
	}
	if ev.WantsWork {
		if _, err := outbox.Add(w.ctx, w.tx, model.EventReturnReported, w.lab.ID, map[string]any{
			"return_event_id": fmt.Sprint(ev.ID), "labourer_id": fmt.Sprint(w.lab.ID),
			"village_code": w.lab.VillageCode, "return_date": r.ReturnDate, "source": w.source,
		}); err != nil {
			return nil, err
		}
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
	if err := w.tx.Create(p).Error; err != nil {
		return nil, err
	}
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
	if err := w.tx.Create(p).Error; err != nil {
		return nil, err
	}
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
