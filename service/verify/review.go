package verify

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
	"github.com/jiuyebang/jiuyebang/service/pii"
)

// Review item kinds in the task force's queue.
const (
	KindForm       = "form"
	KindSelfReport = "self_report"
)

func reviewer(ctx context.Context) (*actor.Actor, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("只有县专班可以确认或退回")
	}
	return a, nil
}

// formInScope loads a form within the caller's scope; out of scope is 404.
func (s *Service) formInScope(ctx context.Context, db *gorm.DB, id int64) (*model.VerifyForm, error) {
	var f model.VerifyForm
	q := actor.From(ctx).ScopeLabourers(db.Model(&model.VerifyForm{}), "village_code", "labourer_id")
	if err := q.Where("id = ?", id).Take(&f).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("采集表")
		}
		return nil, err
	}
	return &f, nil
}

// Form returns a form within the caller's scope.
func (s *Service) Form(ctx context.Context, id int64) (*model.VerifyForm, error) {
	return s.formInScope(ctx, s.db.WithContext(ctx), id)
}

// Image returns an image of a form within the caller's scope.
func (s *Service) Image(ctx context.Context, formID, imageID int64) (*model.FormImage, error) {
	db := s.db.WithContext(ctx)
	if _, err := s.formInScope(ctx, db, formID); err != nil {
		return nil, err
	}
	var img model.FormImage
	if err := db.Where("id = ? AND form_id = ?", imageID, formID).Take(&img).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("图片")
		}
		return nil, err
	}
	return &img, nil
}

// Images lists a form's images without their bytes.
func (s *Service) Images(ctx context.Context, formID int64) ([]model.FormImage, error) {
	var imgs []model.FormImage
	err := s.db.WithContext(ctx).Select("id", "form_id", "kind", "mime", "size", "sha256", "created_at").
		Where("form_id = ?", formID).Order("id").Find(&imgs).Error
	return imgs, err
}

// Confirm is the task force's 确认: the one way a form changes the ledger.
// In one transaction: the form's state (conditional), the labourer's 基本信息,
// status facts as verified rows, the cached status and version (conditional
// on the version the form was filled at), a LedgerChange row with old and new
// per field, the audit row, and the outbox event for a returnee who wants work.
func (s *Service) Confirm(ctx context.Context, id int64) (*model.VerifyForm, error) {
	a, err := reviewer(ctx)
	if err != nil {
		return nil, err
	}
	var out *model.VerifyForm
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		f, err := s.formInScope(ctx, tx, id)
		if err != nil {
			return err
		}
		if f.State != model.FormSubmitted {
			return apperr.Conflict("not_submitted", "这份表已经处理过了")
		}
		if f.Verification == "verified" && f.ConfirmMethod == "worker_account" && f.WorkerConfirmedAt == nil {
			return apperr.Conflict("awaiting_worker", "还在等本人在小程序里确认这次核实")
		}
		now := s.now().UTC()
		res := tx.Model(&model.VerifyForm{}).Where("id = ? AND state = ?", f.ID, model.FormSubmitted).
			Updates(map[string]any{"state": model.FormConfirmed, "reviewed_by": a.AccountID, "reviewed_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("not_submitted", "这份表已经处理过了")
		}
		f.State, f.ReviewedBy, f.ReviewedAt = model.FormConfirmed, a.AccountID, &now
		out = f
		if f.Verification != "verified" {
			// 联系不上: the attempt is on record; the ledger is unchanged.
			return audit.Write(ctx, tx, audit.Entry{Action: "form.confirm", SubjectType: "labourer", SubjectID: f.LabourerID,
				After: map[string]any{"form_id": fmt.Sprint(f.ID), "verification": f.Verification}})
		}
		return s.apply(ctx, tx, f)
	})
	if err != nil {
		return nil, fmt.Errorf("confirm form: %w", err)
	}
	return out, nil
}

// Reject sends a form back to its cadre with the reason; the ledger is untouched.
func (s *Service) Reject(ctx context.Context, id int64, reason string) (*model.VerifyForm, error) {
	a, err := reviewer(ctx)
	if err != nil {
		return nil, err
	}
	reason, err = checkReason(reason)
	if err != nil {
		return nil, err
	}
	var out *model.VerifyForm
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		f, err := s.formInScope(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		res := tx.Model(&model.VerifyForm{}).Where("id = ? AND state = ?", f.ID, model.FormSubmitted).
			Updates(map[string]any{"state": model.FormRejected, "reviewed_by": a.AccountID, "reviewed_at": now, "reject_reason": reason})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("not_submitted", "这份表已经处理过了")
		}
		f.State, f.ReviewedBy, f.ReviewedAt, f.RejectReason = model.FormRejected, a.AccountID, &now, reason
		out = f
		return audit.Write(ctx, tx, audit.Entry{Action: "form.reject", SubjectType: "labourer", SubjectID: f.LabourerID,
			After: map[string]any{"form_id": fmt.Sprint(f.ID), "reason": reason}})
	})
	if err != nil {
		return nil, fmt.Errorf("reject form: %w", err)
	}
	return out, nil
}

func checkReason(r string) (string, error) {
	r = strings.TrimSpace(r)
	if n := len([]rune(r)); n < 2 || n > maxReasonRunes {
		return "", apperr.Invalid("reason", "required", "请写明退回原因（2到200字），采集员会看到")
	}
	return r, nil
}

// ConfirmVisit is the labourer's own confirmation of a visit from their
// worker account (instead of a signature on the cadre's phone).
func (s *Service) ConfirmVisit(ctx context.Context, id int64) (*model.VerifyForm, error) {
	a := actor.From(ctx)
	if a.Role != model.RoleWorker || a.LabourerID == 0 {
		return nil, apperr.New(apperr.KindForbidden, "not_bound", "请先绑定身份")
	}
	db := s.db.WithContext(ctx)
	var f model.VerifyForm
	if err := db.Where("id = ? AND labourer_id = ?", id, a.LabourerID).Take(&f).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("采集表")
		}
		return nil, err
	}
	if f.ConfirmMethod != "worker_account" {
		return nil, apperr.Conflict("not_worker_confirm", "这次核实不需要您在小程序里确认")
	}
	if f.WorkerConfirmedAt != nil {
		return &f, nil
	}
	now := s.now().UTC()
	err := infra.Tx(db, func(tx *gorm.DB) error {
		res := tx.Model(&model.VerifyForm{}).Where("id = ? AND worker_confirmed_at IS NULL AND state = ?", f.ID, model.FormSubmitted).
			Update("worker_confirmed_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("not_submitted", "这份表已经处理过了")
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "form.worker_confirm", SubjectType: "labourer", SubjectID: f.LabourerID,
			After: map[string]any{"form_id": fmt.Sprint(f.ID)}})
	})
	if err != nil {
		return nil, err
	}
	f.WorkerConfirmedAt = &now
	return &f, nil
}

// MyForms lists the forms about the calling worker that wait for their confirmation.
func (s *Service) MyForms(ctx context.Context) ([]model.VerifyForm, error) {
	a := actor.From(ctx)
	if a.Role != model.RoleWorker || a.LabourerID == 0 {
		return nil, apperr.New(apperr.KindForbidden, "not_bound", "请先绑定身份")
	}
	var out []model.VerifyForm
	err := s.db.WithContext(ctx).Where("labourer_id = ? AND state = ? AND confirm_method = ? AND worker_confirmed_at IS NULL",
		a.LabourerID, model.FormSubmitted, "worker_account").Order("id DESC").Limit(MaxPageSize).Find(&out).Error
	return out, err
}

// apply writes a confirmed, verified form into the ledger (inside Confirm's tx).
func (s *Service) apply(ctx context.Context, tx *gorm.DB, f *model.VerifyForm) error {
	var lab model.Labourer
	if err := tx.Take(&lab, f.LabourerID).Error; err != nil {
		return err
	}
	form := FormOf(f)
	if lab.Version != f.BaseVersion {
		e := s.conflict(ctx, tx, &lab, form, f.BaseVersion)
		if ae, ok := apperr.As(e); ok {
			ae.Message = "提交后台账又有了变化，请退回采集员按最新台账重新核实"
		}
		return e
	}
	basic, err := s.basicOf(&lab, f.ID, f.PhoneEnc)
	if err != nil {
		return err
	}
	ck, err := s.Validate(&lab, basic, &form, f.VisitedAt)
	if err != nil {
		// The rules or the regions changed since submission: the cadre redoes it.
		return apperr.Conflict("form_invalid_now", "这份表按现行规则已不合格，请退回采集员重新填写")
	}
	before, err := s.ledgerView(tx, &lab)
	if err != nil {
		return err
	}
	w := &applier{s: s, ctx: ctx, tx: tx, lab: &lab, form: &form, ck: ck, f: f, actorID: actor.From(ctx).AccountID}
	if err := w.facts(); err != nil {
		return err
	}
	now := s.now().UTC()
	upd := map[string]any{
		"name": ck.basic.Name, "ethnicity": ck.basic.Ethnicity, "address": ck.basic.Address,
		"labour_capacity": ck.basic.LabourCapacity, "skill_level": ck.basic.SkillLevel, "two_after": ck.basic.TwoAfter,
		"education": ck.basic.Education, "graduation_date": ck.grad, "state": ck.basic.State,
		"state_reason": ck.basic.StateReason, "category": ck.basic.Category,
		"working": ck.working, "place_scope": "", "wants_work": !ck.working && ck.wantsWork,
		"status_source": model.SourceCadre, "status_at": now, "version": lab.Version + 1, "updated_at": now,
	}
	if ck.working {
		upd["place_scope"] = ck.placeScope
	}
	if f.PhoneEnc != "" {
		upd["phone_enc"] = s.box.Seal("labourers", "phone", lab.ID, ck.basic.Phone)
		upd["phone_hash"] = s.box.Index("phone", ck.basic.Phone)
		upd["phone_masked"] = pii.MaskPhone(ck.basic.Phone)
	}
	res := tx.Model(&model.Labourer{}).Where("id = ? AND version = ?", lab.ID, lab.Version).Updates(upd)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return apperr.Conflict(ErrLedgerChanged, "提交后台账又有了变化，请退回采集员按最新台账重新核实")
	}
	var next model.Labourer
	if err := tx.Take(&next, lab.ID).Error; err != nil {
		return err
	}
	after, err := s.ledgerView(tx, &next)
	if err != nil {
		return err
	}
	diff := diffViews(before, after)
	if err := writeChange(tx, &lab, model.ChangeSourceForm, f.ID, diff, now); err != nil {
		return err
	}
	return audit.Write(ctx, tx, audit.Entry{Action: "form.confirm", SubjectType: "labourer", SubjectID: lab.ID,
		Purpose: "form " + fmt.Sprint(f.ID), Before: before, After: after})
}

func writeChange(tx *gorm.DB, lab *model.Labourer, source string, sourceID int64, diff map[string]change, at time.Time) error {
	if len(diff) == 0 {
		return nil
	}
	b, _ := json.Marshal(diff)
	return tx.Create(&model.LedgerChange{ID: model.NewID(), LabourerID: lab.ID, CountyCode: lab.CountyCode,
		Source: source, SourceID: sourceID, Fields: string(b), At: at}).Error
}

type change struct {
	Old any `json:"old"`
	New any `json:"new"`
}

func diffViews(before, after map[string]any) map[string]change {
	out := map[string]change{}
	for k, nv := range after {
		if ov, ok := before[k]; !ok || fmt.Sprint(ov) != fmt.Sprint(nv) {
			out[k] = change{Old: before[k], New: nv}
		}
	}
	for k, ov := range before {
		if _, ok := after[k]; !ok {
			out[k] = change{Old: ov, New: nil}
		}
	}
	return out
}

// ledgerView is a labourer's ledger entry as flat fields, personal numbers
// masked: 基本信息, the cached status and the current verified facts.
func (s *Service) ledgerView(tx *gorm.DB, l *model.Labourer) (map[string]any, error) {
	v := map[string]any{
		"name": l.Name, "phone": l.PhoneMasked, "ethnicity": l.Ethnicity, "address": l.Address,
		"labour_capacity": l.LabourCapacity, "skill_level": l.SkillLevel, "two_after": l.TwoAfter,
		"education": l.Education, "state": l.State, "state_reason": l.StateReason, "category": l.Category,
		"working": l.Working, "place_scope": l.PlaceScope, "wants_work": l.WantsWork,
	}
	if l.GraduationDate != nil {
		v["graduation_date"] = l.GraduationDate.Format("2006-01")
	}
	var sp model.EmploymentSpell
	if err := first(tx.Where("labourer_id = ? AND end_date IS NULL AND verified = ?", l.ID, true).Order("start_date DESC"), &sp); err != nil {
		return nil, err
	}
	if sp.ID != 0 {
		v["employment.place_code"], v["employment.form"], v["employment.employer_name"] = sp.PlaceCode, sp.Form, sp.EmployerName
		v["employment.start_date"], v["employment.wage"] = sp.StartDate.Format("2006-01-02"), sp.MonthlyWage
		v["employment.industry"], v["employment.contract"], v["employment.social_insurance"] = sp.Industry, sp.Contract, sp.SocialInsurance
	}
	var r model.ReturnEvent
	if err := first(tx.Where("labourer_id = ? AND verified = ?", l.ID, true).Order("return_date DESC, id DESC"), &r); err != nil {
		return nil, err
	}
	if r.ID != 0 {
		v["return.date"], v["return.reason"], v["return.prev_place_code"] = r.ReturnDate.Format("2006-01-02"), r.Reason, r.PrevPlace
	}
	var p model.OutingPlan
	if err := first(tx.Where("labourer_id = ? AND verified = ?", l.ID, true).Order("id DESC"), &p); err != nil {
		return nil, err
	}
	if p.ID != 0 {
		v["plan.has_plan"] = p.HasPlan
		if p.HasPlan {
			v["plan.dest_code"], v["plan.job"], v["plan.expected_wage"] = p.DestCode, p.Job, p.ExpectedWage
		} else {
			v["plan.no_plan_reason"] = p.NoPlanReason
		}
	}
	return v, nil
}

// applier writes a form's status facts as verified rows.
type applier struct {
	s       *Service
	ctx     context.Context
	tx      *gorm.DB
	lab     *model.Labourer
	form    *Form
	ck      *checked
	f       *model.VerifyForm
	actorID int64
}

func (w *applier) facts() error {
	tx, ck := w.tx, w.ck
	var open model.EmploymentSpell
	if err := first(tx.Where("labourer_id = ? AND end_date IS NULL", w.lab.ID).Order("start_date DESC"), &open); err != nil {
		return err
	}
	var closed *int64
	if ck.working {
		e := w.form.Employment
		vals := map[string]any{"place_code": e.PlaceCode, "place_scope": ck.placeScope, "form": e.Form, "form_other": e.FormOther,
			"employer_name": e.EmployerName, "monthly_wage": *e.Wage, "industry": e.Industry, "industry_other": e.IndustryOther,
			"contract": *e.Contract, "social_insurance": *e.SocialInsurance, "verified": true}
		if open.ID != 0 && open.StartDate.Equal(ck.spellStart) && open.PlaceCode == e.PlaceCode {
			// The same job (perhaps the worker's own report): verify it as corrected.
			if err := tx.Model(&model.EmploymentSpell{}).Where("id = ?", open.ID).Updates(vals).Error; err != nil {
				return err
			}
			if err := w.verifyReport(open.ReportID); err != nil {
				return err
			}
		} else {
			if open.ID != 0 {
				if err := w.close(&open, ck.spellStart.AddDate(0, 0, -1)); err != nil {
					return err
				}
			}
			sp := &model.EmploymentSpell{ID: model.NewID(), LabourerID: w.lab.ID, StartDate: ck.spellStart, PlaceCode: e.PlaceCode,
				PlaceScope: ck.placeScope, Form: e.Form, FormOther: e.FormOther, EmployerName: e.EmployerName,
				MonthlyWage: *e.Wage, Industry: e.Industry, IndustryOther: e.IndustryOther, Contract: *e.Contract,
				SocialInsurance: *e.SocialInsurance, Source: model.SourceCadre, Verified: true, CreatedBy: w.actorID}
			if err := tx.Create(sp).Error; err != nil {
				return err
			}
		}
	} else if open.ID != 0 {
		end := w.f.VisitedAt
		switch {
		case ck.lostJobDate != nil:
			end = *ck.lostJobDate
		case ck.returned:
			end = ck.returnDate
		}
		if err := w.close(&open, end); err != nil {
			return err
		}
		closed = &open.ID
	}
	if ck.returned {
		if err := w.returnEvent(&open, closed); err != nil {
			return err
		}
	}
	if !ck.working && w.form.NotOut != nil && w.form.NotOut.HasPlan != nil {
		return w.plan()
	}
	return nil
}

func (w *applier) close(sp *model.EmploymentSpell, end time.Time) error {
	if end.Before(sp.StartDate) {
		end = sp.StartDate
	}
	return w.tx.Model(&model.EmploymentSpell{}).Where("id = ? AND end_date IS NULL", sp.ID).Update("end_date", end).Error
}

func (w *applier) returnEvent(open *model.EmploymentSpell, closed *int64) error {
	r, ck := w.form.Return, w.ck
	wants := !ck.working && ck.wantsWork
	var ev model.ReturnEvent
	if err := first(w.tx.Where("labourer_id = ? AND return_date = ?", w.lab.ID, ck.returnDate).Order("id DESC"), &ev); err != nil {
		return err
	}
	announce := wants
	if ev.ID != 0 {
		announce = wants && !ev.WantsWork // the self-report already announced it
		if err := w.tx.Model(&model.ReturnEvent{}).Where("id = ?", ev.ID).Updates(map[string]any{
			"reason": r.Reason, "prev_place": r.PrevPlaceCode, "wants_work": wants, "verified": true}).Error; err != nil {
			return err
		}
		if err := w.verifyReport(ev.ReportID); err != nil {
			return err
		}
	} else {
		ev = model.ReturnEvent{ID: model.NewID(), LabourerID: w.lab.ID, ReturnDate: ck.returnDate, Reason: r.Reason,
			WantsWork: wants, PrevPlace: r.PrevPlaceCode, SpellID: closed, Source: model.SourceCadre, Verified: true, CreatedBy: w.actorID}
		if err := w.tx.Create(&ev).Error; err != nil {
			return err
		}
	}
	if !announce {
		return nil
	}
	_, err := outbox.Add(w.ctx, w.tx, model.EventReturnReported, w.lab.ID, map[string]any{
		"return_event_id": fmt.Sprint(ev.ID), "labourer_id": fmt.Sprint(w.lab.ID), "village_code": w.lab.VillageCode,
		"return_date": ck.returnDate.Format("2006-01-02"), "source": model.SourceCadre, "form_id": fmt.Sprint(w.f.ID)})
	return err
}

func (w *applier) plan() error {
	n, ck := w.form.NotOut, w.ck
	var p model.OutingPlan
	if err := first(w.tx.Where("labourer_id = ?", w.lab.ID).Order("id DESC"), &p); err != nil {
		return err
	}
	same := p.ID != 0 && p.HasPlan == *n.HasPlan
	if same && p.HasPlan {
		same = p.DestCode == n.DestCode && p.Job == n.Job && n.ExpectedWage != nil && p.ExpectedWage == *n.ExpectedWage
	} else if same {
		same = p.NoPlanReason == n.NoPlanReason && p.NoPlanOther == n.NoPlanOther
	}
	if same {
		upd := map[string]any{"verified": true}
		if ck.plannedMonth != nil {
			upd["planned_month"] = *ck.plannedMonth
		}
		if err := w.tx.Model(&model.OutingPlan{}).Where("id = ?", p.ID).Updates(upd).Error; err != nil {
			return err
		}
		return w.verifyReport(p.ReportID)
	}
	np := &model.OutingPlan{ID: model.NewID(), LabourerID: w.lab.ID, HasPlan: *n.HasPlan, DestCode: n.DestCode,
		PlannedMonth: ck.plannedMonth, Job: n.Job, NoPlanReason: n.NoPlanReason, NoPlanOther: n.NoPlanOther,
		Source: model.SourceCadre, Verified: true, CreatedBy: w.actorID}
	if n.ExpectedWage != nil {
		np.ExpectedWage = *n.ExpectedWage
	}
	return w.tx.Create(np).Error
}

// verifyReport marks a worker's report verified when the confirmed form
// bore out what it said.
func (w *applier) verifyReport(id *int64) error {
	if id == nil {
		return nil
	}
	res := w.tx.Model(&model.StatusReport{}).Where("id = ? AND review = ?", *id, model.ReviewPending).Update("review", model.ReviewVerified)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	return w.tx.Create(&model.ReportReview{ReportID: *id, Decision: model.ReviewVerified, Reason: "由采集表核实",
		ReviewedBy: w.actorID, ReviewedAt: w.s.now().UTC()}).Error
}

// ConfirmReport verifies a worker's self-report: the report and the rows it
// wrote become verified, with a LedgerChange and an audit row. The outbox
// event of a returnee was written when the worker reported.
func (s *Service) ConfirmReport(ctx context.Context, id int64) (*model.StatusReport, error) {
	return s.decideReport(ctx, id, model.ReviewVerified, "")
}

// RejectReport marks a worker's self-report as not borne out; its rows stay
// unverified, so nothing reaches the ledger's lists.
func (s *Service) RejectReport(ctx context.Context, id int64, reason string) (*model.StatusReport, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	return s.decideReport(ctx, id, model.ReviewRejected, reason)
}

func (s *Service) decideReport(ctx context.Context, id int64, decision, reason string) (*model.StatusReport, error) {
	a, err := reviewer(ctx)
	if err != nil {
		return nil, err
	}
	var rep model.StatusReport
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		q := a.ScopeLabourers(tx.Model(&model.StatusReport{}), "village_code", "labourer_id")
		if err := q.Where("id = ?", id).Take(&rep).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.NotFound("自报信息")
			}
			return err
		}
		res := tx.Model(&model.StatusReport{}).Where("id = ? AND review = ?", rep.ID, model.ReviewPending).Update("review", decision)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("not_pending", "这条自报信息已经处理过了")
		}
		now := s.now().UTC()
		if err := tx.Create(&model.ReportReview{ReportID: rep.ID, Decision: decision, Reason: reason, ReviewedBy: a.AccountID, ReviewedAt: now}).Error; err != nil {
			return err
		}
		rep.Review = decision
		if decision == model.ReviewRejected {
			return audit.Write(ctx, tx, audit.Entry{Action: "report.reject", SubjectType: "labourer", SubjectID: rep.LabourerID,
				Before: map[string]any{"report_id": fmt.Sprint(rep.ID), "review": model.ReviewPending},
				After:  map[string]any{"report_id": fmt.Sprint(rep.ID), "review": decision, "reason": reason}})
		}
		for _, m := range []any{&model.EmploymentSpell{}, &model.ReturnEvent{}, &model.OutingPlan{}} {
			if err := tx.Model(m).Where("report_id = ?", rep.ID).Update("verified", true).Error; err != nil {
				return err
			}
		}
		var lab model.Labourer
		if err := tx.Take(&lab, rep.LabourerID).Error; err != nil {
			return err
		}
		diff := map[string]change{"report.review": {Old: model.ReviewPending, New: model.ReviewVerified}, "report.kind": {New: rep.Kind}}
		var content map[string]any
		_ = json.Unmarshal([]byte(rep.Payload), &content)
		for k, v := range content {
			if k != "kind" {
				diff["report."+k] = change{New: v}
			}
		}
		if err := writeChange(tx, &lab, model.ChangeSourceSelfReport, rep.ID, diff, now); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "report.confirm", SubjectType: "labourer", SubjectID: rep.LabourerID,
			Before: map[string]any{"report_id": fmt.Sprint(rep.ID), "review": model.ReviewPending},
			After:  map[string]any{"report_id": fmt.Sprint(rep.ID), "review": decision, "payload": rep.Payload}})
	})
	if err != nil {
		return nil, fmt.Errorf("review report: %w", err)
	}
	return &rep, nil
}

// BatchItem names one queue item.
type BatchItem struct {
	Kind string
	ID   int64
}

// BatchResult is one item's outcome; Err is nil on success.
type BatchResult struct {
	Item BatchItem
	Err  error
}

// Batch confirms or rejects several queue items, each in a transaction of
// its own, so one stale item does not hold back the rest.
func (s *Service) Batch(ctx context.Context, items []BatchItem, decision, reason string) ([]BatchResult, error) {
	if _, err := reviewer(ctx); err != nil {
		return nil, err
	}
	switch {
	case len(items) == 0:
		return nil, apperr.Invalid("items", "required", "请选择要处理的项目")
	case len(items) > MaxBatch:
		return nil, apperr.Invalid("items", "too_many", fmt.Sprintf("一次最多处理%d项", MaxBatch))
	}
	switch decision {
	case "confirm":
	case "reject":
		if _, err := checkReason(reason); err != nil {
			return nil, err
		}
	default:
		return nil, apperr.Invalid("decision", "invalid_enum", "请选择确认或退回")
	}
	out := make([]BatchResult, len(items))
	for i, it := range items {
		out[i].Item = it
		var err error
		switch {
		case it.Kind == KindForm && decision == "confirm":
			_, err = s.Confirm(ctx, it.ID)
		case it.Kind == KindForm:
			_, err = s.Reject(ctx, it.ID, reason)
		case it.Kind == KindSelfReport && decision == "confirm":
			_, err = s.ConfirmReport(ctx, it.ID)
		case it.Kind == KindSelfReport:
			_, err = s.RejectReport(ctx, it.ID, reason)
		default:
			err = apperr.Invalid("kind", "invalid_enum", "类型应为 form 或 self_report")
		}
		out[i].Err = err
	}
	return out, nil
}
