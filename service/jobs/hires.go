package jobs

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
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/status"
)

// Error codes of the hire rules.
const (
	ErrNotApplied   = "not_applied"
	ErrAlreadyHired = "already_hired"
	ErrJobFull      = "job_full"
	ErrAlreadyLeft  = "already_left"
)

// FormOf is the 就业形式 a hire is recorded with, by employer kind (seed 002
// 附件1): a 帮扶车间 → 就业帮扶车间, a 就业基地 → 就业帮扶基地, a 公益性岗位
// employer → 公益性岗位, anyone else → 单位就业.
func FormOf(kind string) string {
	switch kind {
	case model.EmployerWorkshop:
		return "workshop"
	case model.EmployerBase:
		return "base"
	case model.EmployerPublicWelfare:
		return "public_welfare"
	}
	return "employed"
}

// HireInput is the employer's confirmation that a worker started.
type HireInput struct {
	LabourerID      int64
	HiredAt         string // YYYY-MM-DD, default today
	MonthlyWage     *int   // default the job's minimum wage
	Contract        bool
	SocialInsurance bool
}

// HireResult is what a confirmed hire wrote.
type HireResult struct {
	Hire        model.Hire
	Spell       model.EmploymentSpell
	Application model.Application
	Job         JobInfo
}

// ConfirmHire confirms that a worker who applied (报名) for the job started
// work on HiredAt. In one transaction it: marks the application hired;
// takes one place of the job (UPDATE … WHERE filled < headcount, closing the
// job when it is full); closes the worker's open spell the day before and
// writes a verified spell with 经帮扶实现就业 = 是 and 帮扶时间 = the hire
// date; refreshes the worker's cached status; and writes the ledger change,
// audit rows and the hire.confirmed outbox event.
func (s *Service) ConfirmHire(ctx context.Context, jobID int64, in HireInput) (*HireResult, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleEmployer, model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	if in.LabourerID <= 0 {
		return nil, apperr.Invalid("labourer_id", "required", "请选择录用的务工人员")
	}
	var out *HireResult
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		j, err := s.loadJob(ctx, tx, jobID, true)
		if err != nil {
			return err
		}
		var ap model.Application
		if err := tx.Where("job_id = ? AND labourer_id = ?", jobID, in.LabourerID).Take(&ap).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.Conflict(ErrNotApplied, "该务工人员没有报名这个岗位，不能录用")
			}
			return err
		}
		switch {
		case ap.Status == model.AppHired || ap.Status == model.AppLeft:
			return apperr.Conflict(ErrAlreadyHired, "该务工人员已经录用过了")
		case ap.Kind != model.ApplicationApply:
			return apperr.Conflict(ErrNotApplied, "该务工人员只表示了感兴趣，尚未报名，请先邀约其报名")
		case ap.Status != model.AppSubmitted && ap.Status != model.AppInvited:
			return apperr.Conflict(ErrAppState, "该报名已"+model.ApplicationStates.Label(ap.Status)+"，不能录用")
		}
		if st, reason := EffectiveStatus(&j.Job, s.today()); st != model.JobOpen {
			if reason == model.JobClosedFilled {
				return apperr.Conflict(ErrJobFull, "岗位已招满")
			}
			if reason == model.JobClosedExpired {
				return apperr.Conflict(ErrJobExpired, "岗位已过期，不能再录用")
			}
			return apperr.Conflict(ErrJobClosed, "岗位已停止招聘，不能再录用")
		}
		var e model.Employer
		if err := tx.Where("id = ?", j.EmployerID).Take(&e).Error; err != nil {
			return err
		}
		if e.Status != model.EmployerVerified {
			return apperr.Conflict(ErrNotVerified, "用人单位未通过审核，不能录用")
		}
		var lab model.Labourer
		if err := tx.Where("id = ?", ap.LabourerID).Take(&lab).Error; err != nil {
			return err
		}
		if lab.State == "perm_exit" {
			return apperr.Conflict(ErrNotEligible, "该劳动力已永久退出")
		}
		var open model.EmploymentSpell
		hasOpen := true
		if err := tx.Where("labourer_id = ? AND end_date IS NULL", lab.ID).Order("start_date DESC").Take(&open).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			hasOpen = false
		}
		hiredAt, wage, err := s.validateHire(&in, j, &lab, hasOpen, &open)
		if err != nil {
			return err
		}
		w := &hireWriter{s: s, tx: tx, ctx: ctx, actorID: a.AccountID, now: s.now().UTC()}
		out, err = w.write(j, &e, &ap, &lab, hiredAt, wage, in, hasOpen, &open)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) validateHire(in *HireInput, j *JobInfo, lab *model.Labourer, hasOpen bool, open *model.EmploymentSpell) (time.Time, int, error) {
	var f apperr.Fields
	today := s.today()
	if in.HiredAt == "" {
		in.HiredAt = today.Format("2006-01-02")
	}
	hiredAt, ok := parseDate(&f, "hired_at", in.HiredAt)
	switch {
	case !ok:
	case hiredAt.After(today):
		f.Add("hired_at", "future_date", "录用日期不能晚于今天")
	case hiredAt.Before(today.AddDate(-1, 0, 0)):
		f.Add("hired_at", "too_old", "录用日期不能早于一年前")
	case !lab.BirthDate.IsZero() && hiredAt.Before(lab.BirthDate.AddDate(MinAge, 0, 0)):
		f.Add("hired_at", "before_work_age", "录用日期早于年满16周岁的日子")
	case hasOpen && !hiredAt.After(open.StartDate):
		f.Add("hired_at", "before_current_job", "录用日期应晚于其现在这份工作的上岗时间（"+open.StartDate.Format("2006-01-02")+"）")
	}
	wage := j.WageMin
	if in.MonthlyWage != nil {
		wage = *in.MonthlyWage
		checkWage(&f, "monthly_wage", in.MonthlyWage, "")
	}
	return hiredAt, wage, f.Err()
}

type hireWriter struct {
	s       *Service
	tx      *gorm.DB
	ctx     context.Context
	actorID int64
	now     time.Time
}

func (w *hireWriter) write(j *JobInfo, e *model.Employer, ap *model.Application, lab *model.Labourer,
	hiredAt time.Time, wage int, in HireInput, hasOpen bool, open *model.EmploymentSpell) (*HireResult, error) {
	tx := w.tx
	// The application first: a second confirmation of the same hire loses here.
	res := tx.Model(&model.Application{}).Where("id = ? AND status IN ?", ap.ID, []string{model.AppSubmitted, model.AppInvited}).
		Update("status", model.AppHired)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected != 1 {
		return nil, apperr.Conflict(ErrAlreadyHired, "该务工人员已经录用过了")
	}
	// One place of the job, never beyond the headcount (SECURITY.md 13).
	res = tx.Model(&model.Job{}).Where("id = ? AND status = ? AND filled < headcount", j.ID, model.JobOpen).
		Update("filled", gorm.Expr("filled + 1"))
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected != 1 {
		return nil, apperr.Conflict(ErrJobFull, "岗位已招满")
	}
	if err := tx.Model(&model.Job{}).Where("id = ? AND status = ? AND filled >= headcount", j.ID, model.JobOpen).
		Updates(map[string]any{"status": model.JobClosed, "close_reason": model.JobClosedFilled, "closed_at": w.now}).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("id = ?", j.ID).Take(&j.Job).Error; err != nil {
		return nil, err
	}
	if hasOpen {
		res := tx.Model(&model.EmploymentSpell{}).Where("id = ? AND end_date IS NULL", open.ID).Update("end_date", hiredAt.AddDate(0, 0, -1))
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected != 1 {
			return nil, apperr.Conflict("status_changed", "该务工人员的务工情况刚刚有了变化，请重试")
		}
	}
	scope := region.PlaceScope(lab.VillageCode, j.PlaceCode)
	form := FormOf(e.Kind)
	report := status.Report{Kind: model.ReportNewJob, StartDate: hiredAt.Format("2006-01-02"), PlaceCode: j.PlaceCode,
		Form: form, EmployerName: e.Name, MonthlyWage: &wage, Industry: j.Industry, IndustryOther: j.IndustryOther,
		Contract: &in.Contract, SocialInsurance: &in.SocialInsurance}
	payload, _ := json.Marshal(report)
	// The hire is also a verified status report, so the worker's history
	// shows it beside their own reports.
	rep := &model.StatusReport{ID: model.NewID(), LabourerID: lab.ID, VillageCode: lab.VillageCode, Kind: model.ReportNewJob,
		Source: model.SourceHire, Review: model.ReviewVerified, Payload: string(payload), CreatedBy: w.actorID}
	if err := tx.Create(rep).Error; err != nil {
		return nil, err
	}
	assisted := hiredAt
	jobID := j.ID
	sp := model.EmploymentSpell{ID: model.NewID(), LabourerID: lab.ID, StartDate: hiredAt, PlaceCode: j.PlaceCode,
		PlaceScope: scope, Form: form, EmployerName: e.Name, MonthlyWage: wage, Industry: j.Industry,
		IndustryOther: j.IndustryOther, Contract: in.Contract, SocialInsurance: in.SocialInsurance,
		Source: model.SourceHire, Verified: true, Assisted: true, AssistedAt: &assisted, JobID: &jobID,
		ReportID: &rep.ID, CreatedBy: w.actorID}
	if err := tx.Create(&sp).Error; err != nil {
		return nil, err
	}
	h := model.Hire{ID: model.NewID(), JobID: j.ID, ApplicationID: ap.ID, LabourerID: lab.ID, EmployerID: e.ID,
		SpellID: sp.ID, HiredAt: hiredAt, MonthlyWage: wage, CreatedBy: w.actorID}
	if err := tx.Create(&h).Error; err != nil {
		return nil, err
	}
	if err := tx.Model(&model.Application{}).Where("id = ?", ap.ID).Update("hire_id", h.ID).Error; err != nil {
		return nil, err
	}
	ap.Status, ap.HireID = model.AppHired, &h.ID
	before := cacheView(lab)
	if err := tx.Model(&model.Labourer{}).Where("id = ?", lab.ID).Updates(map[string]any{
		"working": true, "place_scope": scope, "wants_work": false, "status_source": model.SourceHire,
		"status_at": w.now, "version": gorm.Expr("version + 1"),
	}).Error; err != nil {
		return nil, err
	}
	lab.Working, lab.PlaceScope, lab.WantsWork = true, scope, false
	after := cacheView(lab)
	after["employer_name"], after["job_id"], after["start_date"] = e.Name, fmt.Sprint(j.ID), hiredAt.Format("2006-01-02")
	if hasOpen {
		before["employer_name"] = open.EmployerName
	}
	if err := w.change(lab, h.ID, before, after); err != nil {
		return nil, err
	}
	if err := audit.Write(w.ctx, tx, audit.Entry{Action: "hire.confirm", SubjectType: "labourer", SubjectID: lab.ID,
		Purpose: "job " + fmt.Sprint(j.ID), Before: before, After: after}); err != nil {
		return nil, err
	}
	if err := audit.Write(w.ctx, tx, audit.Entry{Action: "job.hire", SubjectType: "job", SubjectID: j.ID,
		After: map[string]any{"hire_id": fmt.Sprint(h.ID), "filled": j.Filled, "headcount": j.Headcount, "status": j.Status}}); err != nil {
		return nil, err
	}
	if _, err := outbox.Add(w.ctx, tx, model.EventHireConfirmed, lab.ID, map[string]any{
		"labourer_id": fmt.Sprint(lab.ID), "job_id": fmt.Sprint(j.ID), "application_id": fmt.Sprint(ap.ID),
		"hire_id": fmt.Sprint(h.ID), "hired_at": hiredAt.Format("2006-01-02"),
	}); err != nil {
		return nil, err
	}
	return &HireResult{Hire: h, Spell: sp, Application: *ap, Job: *j}, nil
}

func cacheView(l *model.Labourer) map[string]any {
	return map[string]any{"working": l.Working, "place_scope": l.PlaceScope, "wants_work": l.WantsWork}
}

// change writes the LedgerChange of a hire or a departure (source "hire").
func (w *hireWriter) change(lab *model.Labourer, hireID int64, before, after map[string]any) error {
	diff := map[string]map[string]any{}
	for k, nv := range after {
		if ov, ok := before[k]; !ok || fmt.Sprint(ov) != fmt.Sprint(nv) {
			diff[k] = map[string]any{"old": before[k], "new": nv}
		}
	}
	b, _ := json.Marshal(diff)
	return w.tx.Create(&model.LedgerChange{ID: model.NewID(), LabourerID: lab.ID, CountyCode: lab.CountyCode,
		Source: model.ChangeSourceHire, SourceID: hireID, Fields: string(b), At: w.now}).Error
}

// DepartureInput records that a hired worker left.
type DepartureInput struct {
	LeftAt string // YYYY-MM-DD
	Reason string
}

// RecordDeparture records that a hired worker left on LeftAt (务工结束时间,
// seed 004 十): the hire's spell ends that day and, if it was the worker's
// current job, their cached status says not working. The job's Filled stays:
// it counts hires, and the place is not re-opened by itself — the employer
// posts again if they need someone.
func (s *Service) RecordDeparture(ctx context.Context, hireID int64, in DepartureInput) (*model.Hire, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleEmployer, model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	var out *model.Hire
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var h model.Hire
		if err := tx.Where("id = ?", hireID).Take(&h).Error; err != nil {
			return notFound(err, "录用记录")
		}
		if _, err := s.loadJob(ctx, tx, h.JobID, true); err != nil {
			return apperr.NotFound("录用记录")
		}
		if h.LeftAt != nil {
			return apperr.Conflict(ErrAlreadyLeft, "已登记过离职")
		}
		var f apperr.Fields
		leftAt, ok := parseDate(&f, "left_at", in.LeftAt)
		switch {
		case !ok:
		case leftAt.After(s.today()):
			f.Add("left_at", "future_date", "离职日期不能晚于今天")
		case leftAt.Before(h.HiredAt):
			f.Add("left_at", "before_hire", "离职日期不能早于录用日期")
		}
		in.Reason = strings.TrimSpace(in.Reason)
		if runes(in.Reason) > maxReasonRunes {
			f.Add("reason", "too_long", "原因太长（200字以内）")
		}
		if err := f.Err(); err != nil {
			return err
		}
		res := tx.Model(&model.Hire{}).Where("id = ? AND left_at IS NULL", h.ID).
			Updates(map[string]any{"left_at": leftAt, "leave_reason": in.Reason})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict(ErrAlreadyLeft, "已登记过离职")
		}
		h.LeftAt, h.LeaveReason = &leftAt, in.Reason
		if err := tx.Model(&model.Application{}).Where("id = ?", h.ApplicationID).Update("status", model.AppLeft).Error; err != nil {
			return err
		}
		var lab model.Labourer
		if err := tx.Where("id = ?", h.LabourerID).Take(&lab).Error; err != nil {
			return err
		}
		w := &hireWriter{s: s, tx: tx, ctx: ctx, actorID: a.AccountID, now: s.now().UTC()}
		before := cacheView(&lab)
		// The spell ends only if it is still open: the worker may have
		// reported a newer job since, which closed it already.
		res = tx.Model(&model.EmploymentSpell{}).Where("id = ? AND end_date IS NULL", h.SpellID).Update("end_date", leftAt)
		if res.Error != nil {
			return res.Error
		}
		after := map[string]any{"end_date": leftAt.Format("2006-01-02")}
		if res.RowsAffected == 1 {
			if err := tx.Model(&model.Labourer{}).Where("id = ?", lab.ID).Updates(map[string]any{
				"working": false, "place_scope": "", "status_source": model.SourceHire, "status_at": w.now,
				"version": gorm.Expr("version + 1"),
			}).Error; err != nil {
				return err
			}
			lab.Working, lab.PlaceScope = false, ""
			for k, v := range cacheView(&lab) {
				after[k] = v
			}
			if err := w.change(&lab, h.ID, before, after); err != nil {
				return err
			}
		}
		out = &h
		return audit.Write(ctx, tx, audit.Entry{Action: "hire.departure", SubjectType: "labourer", SubjectID: lab.ID,
			Purpose: "hire " + fmt.Sprint(h.ID), Before: before, After: after})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
