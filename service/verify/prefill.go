package verify

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/status"
)

// Prefill is a form filled from the ledger (填表说明 3: 此表已预先填入…只需
// 对现有的表格进行核实补充), the version it was read at, and what is waiting:
// the worker's own reports (待核实), shown apart so the cadre checks them.
type Prefill struct {
	Labourer    model.Labourer
	BaseVersion int
	Form        Form
	Pending     []PendingReport
	LastForm    *model.VerifyForm
}

// PendingReport is a worker's self-report still 待核实, with what it says.
type PendingReport struct {
	Report  model.StatusReport
	Content status.Report
}

// Prefill builds the prefilled form for a labourer in the caller's scope.
func (s *Service) Prefill(ctx context.Context, labourerID int64) (*Prefill, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	db := s.db.WithContext(ctx)
	lab, err := s.labourer(ctx, db, labourerID)
	if err != nil {
		return nil, err
	}
	out := &Prefill{Labourer: *lab, BaseVersion: lab.Version}
	if out.Form, err = s.ledgerForm(ctx, db, lab); err != nil {
		return nil, err
	}
	if out.Pending, err = s.pendingReports(ctx, db, lab.ID); err != nil {
		return nil, err
	}
	var last model.VerifyForm
	if err := db.Where("labourer_id = ?", lab.ID).Order("id DESC").Limit(1).Take(&last).Error; err == nil {
		out.LastForm = &last
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	return out, nil
}

// labourer loads a labourer within the caller's scope; out of scope is 404.
func (s *Service) labourer(ctx context.Context, db *gorm.DB, id int64) (*model.Labourer, error) {
	var lab model.Labourer
	q := actor.From(ctx).ScopeLabourers(db.Model(&model.Labourer{}), "village_code", "id")
	if err := q.Where("id = ?", id).Take(&lab).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("劳动力")
		}
		return nil, err
	}
	return &lab, nil
}

func (s *Service) pendingReports(ctx context.Context, db *gorm.DB, labourerID int64) ([]PendingReport, error) {
	var reps []model.StatusReport
	if err := db.Where("labourer_id = ? AND review = ?", labourerID, model.ReviewPending).Order("id").Find(&reps).Error; err != nil {
		return nil, err
	}
	out := make([]PendingReport, 0, len(reps))
	for _, r := range reps {
		p := PendingReport{Report: r}
		_ = json.Unmarshal([]byte(r.Payload), &p.Content)
		out = append(out, p)
	}
	return out, nil
}

// ledgerForm is the ledger's current view as a form: the 基本信息 from the
// labourer row and the status blocks from the latest verified facts; the
// blocks the ledger keeps no rows for (培训意愿, 就业服务, 帮扶 details) come
// from the last confirmed form.
func (s *Service) ledgerForm(ctx context.Context, db *gorm.DB, lab *model.Labourer) (Form, error) {
	two := lab.TwoAfter
	f := Form{Verification: "unverified", Basic: Basic{Name: lab.Name, PhoneMasked: lab.PhoneMasked, IDMasked: lab.IDMasked,
		Ethnicity: lab.Ethnicity, Address: lab.Address, State: lab.State, StateReason: lab.StateReason,
		LabourCapacity: lab.LabourCapacity, SkillLevel: lab.SkillLevel, TwoAfter: &two, Education: lab.Education,
		Category: lab.Category}}
	if lab.GraduationDate != nil {
		f.Basic.GraduationDate = lab.GraduationDate.Format("2006-01")
	}
	var last Form
	var lastForm model.VerifyForm
	err := db.Where("labourer_id = ? AND state = ? AND verification = ?", lab.ID, model.FormConfirmed, "verified").
		Order("id DESC").Limit(1).Take(&lastForm).Error
	switch {
	case err == nil:
		_ = json.Unmarshal([]byte(lastForm.Payload), &last)
		f.Training, f.Services = last.Training, last.Services
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return f, err
	}

	var spells []model.EmploymentSpell
	if err := db.Where("labourer_id = ? AND verified = ?", lab.ID, true).Order("start_date").Find(&spells).Error; err != nil {
		return f, err
	}
	start := WorkYearOf(s.now())
	f.WorkYear = workYearFrom(spells, start, s.now())
	var open *model.EmploymentSpell
	var lastEnd *time.Time
	for i := range spells {
		if spells[i].EndDate == nil {
			open = &spells[i]
		} else if lastEnd == nil || spells[i].EndDate.After(*lastEnd) {
			lastEnd = spells[i].EndDate
		}
	}
	yes, no := true, false
	if open != nil {
		sp := open
		wage := sp.MonthlyWage
		contract, si := sp.Contract, sp.SocialInsurance
		e := &Employment{PlaceCode: sp.PlaceCode, Form: sp.Form, FormOther: sp.FormOther, EmployerName: sp.EmployerName,
			StartDate: sp.StartDate.Format("2006-01-02"), Wage: &wage, Industry: sp.Industry, IndustryOther: sp.IndustryOther,
			Contract: &contract, SocialInsurance: &si}
		if le := last.Employment; le != nil && le.StartDate == e.StartDate && le.PlaceCode == e.PlaceCode {
			e.Assisted, e.AssistedMonth, e.StartupLed, e.Organised = le.Assisted, le.AssistedMonth, le.StartupLed, le.Organised
		}
		f.Working, f.Employment = &yes, e
	}
	var plan model.OutingPlan
	hasPlan := first(db.Where("labourer_id = ? AND verified = ?", lab.ID, true).Order("id DESC"), &plan)
	if hasPlan != nil {
		return f, hasPlan
	}
	if open == nil && (plan.ID != 0 || lastEnd != nil) {
		f.Working = &no
		n := &NotOut{Type: "never_out"}
		if lastEnd != nil {
			n.Type, n.LostJobDate = "lost_job", lastEnd.Format("2006-01-02")
		}
		if plan.ID != 0 {
			hp := plan.HasPlan
			n.HasPlan = &hp
			if plan.HasPlan {
				w := plan.ExpectedWage
				n.DestCode, n.Job, n.ExpectedWage = plan.DestCode, plan.Job, &w
				if plan.PlannedMonth != nil {
					n.PlannedMonth = plan.PlannedMonth.Format("2006-01")
				}
			} else {
				n.NoPlanReason, n.NoPlanOther = plan.NoPlanReason, plan.NoPlanOther
			}
		}
		f.NotOut = n
	}
	var ret model.ReturnEvent
	if err := first(db.Where("labourer_id = ? AND verified = ?", lab.ID, true).Order("return_date DESC, id DESC"), &ret); err != nil {
		return f, err
	}
	from, _ := WorkYearRange(start)
	if ret.ID != 0 && !ret.ReturnDate.Before(from) {
		f.Return = &Return{Returned: &yes, Reason: ret.Reason, PrevPlaceCode: ret.PrevPlace, ReturnDate: ret.ReturnDate.Format("2006-01-02")}
	} else {
		f.Return = &Return{Returned: &no}
	}
	return f, nil
}

func first(q *gorm.DB, dst any) error {
	err := q.Limit(1).Take(dst).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	return err
}

// workYearFrom suggests the work year's figures from verified spells: the
// months they touch, the months worked (days / 30.4, one decimal) and the
// income (monthly wage × months).
func workYearFrom(spells []model.EmploymentSpell, start int, now time.Time) WorkYear {
	from, to := WorkYearRange(start)
	n := now.In(China)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	if today.Before(to) {
		to = today
	}
	ticked := map[string]bool{}
	months, income := 0.0, 0.0
	for _, sp := range spells {
		a, b := sp.StartDate, to
		if sp.EndDate != nil && sp.EndDate.AddDate(0, 0, 1).Before(b) {
			b = sp.EndDate.AddDate(0, 0, 1)
		}
		if a.Before(from) {
			a = from
		}
		if !a.Before(b) {
			continue
		}
		m := b.Sub(a).Hours() / 24 / 30.4
		months += m
		income += m * float64(sp.MonthlyWage)
		for d := firstOfMonth(a); d.Before(b); d = d.AddDate(0, 1, 0) {
			ticked[d.Format("2006-01")] = true
		}
	}
	list := make([]string, 0, len(ticked))
	for d := from; d.Before(to); d = d.AddDate(0, 1, 0) {
		if ticked[d.Format("2006-01")] {
			list = append(list, d.Format("2006-01"))
		}
	}
	months = math.Min(math.Round(months*10)/10, float64(len(list)))
	inc := int(math.Round(income))
	zero := 0
	return WorkYear{StartYear: start, Months: list, MonthsWorked: &months, Income: &inc, FlexibleDays: &zero}
}
