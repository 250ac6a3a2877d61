package subsidy

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
)

// ClaimInput is a worker's claim. There is no amount: the server computes it.
type ClaimInput struct {
	PolicyID    int64
	TripFrom    string
	TripTo      string
	TripDate    string // YYYY-MM-DD
	TicketPhoto string // base64 JPEG/PNG, optional unless the policy requires it
}

// Claim files a worker's claim under a policy of their province. It answers
// the claim and whether it was created; a second claim for the same policy
// and year answers the existing one with created = false (the unique index
// decides, so 100 identical claims at once make one row).
func (s *Service) Claim(ctx context.Context, in ClaimInput) (*model.SubsidyClaim, bool, error) {
	lab, err := s.ownLabourer(ctx)
	if err != nil {
		return nil, false, err
	}
	var p model.SubsidyPolicy
	if err := s.db.WithContext(ctx).First(&p, in.PolicyID).Error; err != nil {
		return nil, false, notFound(err, "补贴政策")
	}
	if p.ProvinceCode != lab.ProvinceCode || !p.Active {
		return nil, false, apperr.NotFound("补贴政策") // another province's policy is not the worker's to see
	}
	if p.Kind == model.SubsidyWorkshop {
		return nil, false, apperr.Invalid("policy_id", "employer_subsidy", "帮扶车间奖补由专班按单位生成名单，个人无需申领")
	}
	today := s.today()
	if today.Before(p.WindowFrom) || today.After(p.WindowTo) {
		return nil, false, apperr.Conflict("outside_window", fmt.Sprintf("不在申领期内（%s 至 %s）",
			p.WindowFrom.Format(dateLayout), p.WindowTo.Format(dateLayout)))
	}

	var f apperr.Fields
	trip, ok := parseDate(&f, "trip_date", in.TripDate)
	if ok {
		switch {
		case trip.After(today):
			f.Add("trip_date", "in_future", "出行日期不能晚于今天")
		case trip.Before(p.WindowFrom):
			f.Add("trip_date", "before_window", "出行日期早于政策开始日期"+p.WindowFrom.Format(dateLayout))
		case today.Sub(trip) > MaxTripAge:
			f.Add("trip_date", "too_old", "出行日期太早")
		}
	}
	in.TripFrom, in.TripTo = strings.TrimSpace(in.TripFrom), strings.TrimSpace(in.TripTo)
	if err := s.regions.ValidateCode("trip_from", in.TripFrom, 0); err != nil {
		addAs(&f, "trip_from", err)
	}
	if err := s.regions.ValidateWorkPlace(lab.VillageCode, in.TripTo); err != nil {
		addAs(&f, "trip_to", err)
	}
	if in.TripFrom != "" && in.TripFrom == in.TripTo {
		f.Add("trip_to", "same_place", "出发地和目的地不能相同")
	}
	var ticket []byte
	var mime string
	if in.TicketPhoto != "" {
		ticket, mime = decodeTicket(&f, in.TicketPhoto)
	}
	if err := f.Err(); err != nil {
		return nil, false, err
	}

	if c, err := s.existing(ctx, lab.ID, p.ID, p.Year); err == nil {
		return c, false, nil
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, err
	}

	terms := TermsOf(&p)
	facts, err := s.facts(ctx, s.db, lab, nil)
	if err != nil {
		return nil, false, err
	}
	facts.TripDate, facts.TripScope, facts.HasTicket = &trip, s.regions.PlaceScope(lab.VillageCode, in.TripTo), ticket != nil
	d := Evaluate(terms, facts)
	c := s.newClaim(ctx, lab.ID, lab.CountyCode, &p, terms, d, InitialState(p.Mode, d, false))
	c.TripFrom, c.TripTo, c.TripDate, c.HasTicket = in.TripFrom, in.TripTo, &trip, ticket != nil
	created, err := s.insert(ctx, c, ticket, mime)
	if err != nil {
		return nil, false, err
	}
	if !created {
		c, err = s.existing(ctx, lab.ID, p.ID, p.Year)
		return c, false, err
	}
	return c, true, nil
}

func addAs(f *apperr.Fields, field string, err error) {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		f.Add(field, e.Fields[0].Code, e.Fields[0].Message)
		return
	}
	f.Add(field, "invalid_region_code", "地区不对")
}

// decodeTicket reads a base64 photo, capped and sniffed (SECURITY.md 18).
func decodeTicket(f *apperr.Fields, v string) ([]byte, string) {
	if i := strings.Index(v, ","); strings.HasPrefix(v, "data:") && i > 0 {
		v = v[i+1:]
	}
	if base64.StdEncoding.DecodedLen(len(v)) > MaxTicketBytes+3 {
		f.Add("ticket_photo", "image_too_large", fmt.Sprintf("图片不能超过%dKB", MaxTicketBytes>>10))
		return nil, ""
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		f.Add("ticket_photo", "invalid_base64", "图片数据不完整，请重新拍摄")
		return nil, ""
	}
	if len(b) > MaxTicketBytes {
		f.Add("ticket_photo", "image_too_large", fmt.Sprintf("图片不能超过%dKB", MaxTicketBytes>>10))
		return nil, ""
	}
	mime := http.DetectContentType(b)
	if mime != "image/jpeg" && mime != "image/png" {
		f.Add("ticket_photo", "bad_image_type", "照片应为 JPEG 或 PNG")
		return nil, ""
	}
	return b, mime
}

func (s *Service) newClaim(ctx context.Context, labID int64, county string, p *model.SubsidyPolicy, t Terms, d Decision, state model.ClaimState) *model.SubsidyClaim {
	a := actor.From(ctx)
	now := s.now().UTC()
	c := &model.SubsidyClaim{ID: model.NewID(), LabourerID: labID, PolicyID: p.ID, Year: p.Year, Kind: p.Kind, Mode: p.Mode,
		CountyCode: county, SpellID: d.SpellID, DestScope: d.Scope, AmountFen: d.AmountFen, State: state,
		Conditions: toJSON(d.Conditions), Terms: toJSON(t), PolicyVersion: p.Version, SettleBy: p.SettleBy,
		CreatedBy: a.AccountID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if state != model.ClaimSubmitted {
		c.DecidedAt = &now // decided by the rules (免审即享 / 定额预付), no account
	}
	return c
}

// insert writes a claim, its ticket and the audit row in one transaction; a
// duplicate key (the same labourer, policy and year) answers created = false.
func (s *Service) insert(ctx context.Context, c *model.SubsidyClaim, ticket []byte, mime string) (bool, error) {
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		if ticket != nil {
			if err := tx.Create(&model.ClaimTicket{ClaimID: c.ID, Mime: mime, Data: ticket, CreatedAt: c.CreatedAt}).Error; err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "subsidy.claim.create", SubjectType: "subsidy_claim", SubjectID: c.ID,
			After: moneyView(c)})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert claim: %w", err)
	}
	return true, nil
}

func (s *Service) existing(ctx context.Context, labID, policyID int64, year int) (*model.SubsidyClaim, error) {
	var c model.SubsidyClaim
	err := s.db.WithContext(ctx).Where("labourer_id = ? AND policy_id = ? AND year = ?", labID, policyID, year).First(&c).Error
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// facts reads a labourer's verified facts. With employer set, only spells at
// that employer (hired through one of its jobs, or recorded under its name).
func (s *Service) facts(ctx context.Context, db *gorm.DB, lab *model.Labourer, employer *model.Employer) (Facts, error) {
	f := Facts{InLedger: lab.RecordStatus == model.RecordActive, State: lab.State, Category: lab.Category,
		ProvinceCode: lab.ProvinceCode, AsOf: s.today(), Workshop: employer != nil}
	db = db.WithContext(ctx)
	var spells []model.EmploymentSpell
	q := db.Where("labourer_id = ? AND verified = ?", lab.ID, true)
	if employer != nil {
		q = q.Where("(job_id IN (SELECT id FROM jobs WHERE employer_id = ?) OR employer_name = ?)", employer.ID, employer.Name)
	}
	if err := q.Order("start_date").Limit(500).Find(&spells).Error; err != nil {
		return f, err
	}
	organisedJobs := map[int64]bool{}
	var jobIDs []int64
	for _, sp := range spells {
		if sp.JobID != nil {
			jobIDs = append(jobIDs, *sp.JobID)
		}
	}
	if len(jobIDs) > 0 {
		var ids []int64
		if err := db.Model(&model.Job{}).Where("id IN ? AND transport = ?", jobIDs, true).Pluck("id", &ids).Error; err != nil {
			return f, err
		}
		for _, id := range ids {
			organisedJobs[id] = true
		}
	}
	places, err := organisedPlaces(ctx, db, lab.ID)
	if err != nil {
		return f, err
	}
	for _, sp := range spells {
		f.Spells = append(f.Spells, SpellFact{ID: sp.ID, Start: sp.StartDate, End: sp.EndDate, Scope: sp.PlaceScope, Form: sp.Form,
			MonthlyWage: sp.MonthlyWage, Place: sp.PlaceCode,
			Organised: (sp.JobID != nil && organisedJobs[*sp.JobID]) || places[sp.PlaceCode]})
	}
	return f, nil
}

// organisedPlaces are the work places the task force confirmed as 有组织劳务输出
// on a collection form (seed 002 附件1: 专车、专列点对点输送 or 免费专场招聘会);
// the form keeps that answer in its JSON (docs/decisions.md 11).
func organisedPlaces(ctx context.Context, db *gorm.DB, labID int64) (map[string]bool, error) {
	var payloads []string
	err := db.WithContext(ctx).Model(&model.VerifyForm{}).Where("labourer_id = ? AND state = ?", labID, model.FormConfirmed).
		Order("submitted_at DESC").Limit(24).Pluck("payload", &payloads).Error
	out := map[string]bool{}
	for _, p := range payloads {
		var form struct {
			Employment *struct {
				PlaceCode string `json:"place_code"`
				Organised string `json:"organised"`
			} `json:"employment"`
		}
		if json.Unmarshal([]byte(p), &form) == nil && form.Employment != nil {
			if o := form.Employment.Organised; o == "point_to_point" || o == "job_fair" {
				out[form.Employment.PlaceCode] = true
			}
		}
	}
	return out, err
}

// MyClaims lists the worker's own claims, newest first, after running the
// settlement check on them (settlement on read: a prepaid claim whose months
// are now verified is settled, an unpaid advance past its deadline is
// approved or lapses).
func (s *Service) MyClaims(ctx context.Context) ([]model.SubsidyClaim, error) {
	a := actor.From(ctx)
	if a.LabourerID == 0 {
		return []model.SubsidyClaim{}, nil
	}
	if _, err := s.sweep(ctx, s.db.Where("labourer_id = ?", a.LabourerID)); err != nil {
		return nil, err
	}
	var out []model.SubsidyClaim
	err := s.db.WithContext(ctx).Where("labourer_id = ?", a.LabourerID).Order("created_at DESC").Limit(200).Find(&out).Error
	return out, err
}

// ClaimFilter narrows the back office's claim list.
type ClaimFilter struct {
	State      string
	Kind       string
	PolicyID   int64
	EmployerID int64
	Page, Size int
}

// Claims lists the claims in the caller's scope: a task force its county's,
// an official its region's, an employer its own workshop list, an admin all.
// state=submitted is the review queue; state=recovery the 追回 list.
func (s *Service) Claims(ctx context.Context, f ClaimFilter) ([]model.SubsidyClaim, int64, error) {
	a := actor.From(ctx)
	q := s.db.WithContext(ctx).Model(&model.SubsidyClaim{})
	if a.Role == model.RoleEmployer {
		if a.EmployerID == 0 {
			q = q.Where("1 = 0")
		}
		q = q.Where("employer_id = ?", a.EmployerID)
	} else {
		q = countyScope(a, q, "county_code")
	}
	if f.State != "" {
		if !model.ClaimStates.Valid(f.State) {
			return nil, 0, apperr.Invalid("state", "invalid_enum", "状态不对")
		}
		q = q.Where("state = ?", f.State)
	}
	if f.Kind != "" {
		if !model.SubsidyKinds.Valid(f.Kind) {
			return nil, 0, apperr.Invalid("kind", "invalid_enum", "补贴类型不对")
		}
		q = q.Where("kind = ?", f.Kind)
	}
	if f.PolicyID != 0 {
		q = q.Where("policy_id = ?", f.PolicyID)
	}
	if f.EmployerID != 0 {
		q = q.Where("employer_id = ?", f.EmployerID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []model.SubsidyClaim
	err := q.Order("created_at DESC").Order("id DESC").Offset((f.Page - 1) * f.Size).Limit(f.Size).Find(&out).Error
	return out, total, err
}

// ClaimByID returns one claim if the caller may see it (else 404).
func (s *Service) ClaimByID(ctx context.Context, id int64) (*model.SubsidyClaim, error) {
	return s.load(ctx, s.db.WithContext(ctx), id)
}

func (s *Service) load(ctx context.Context, db *gorm.DB, id int64) (*model.SubsidyClaim, error) {
	a := actor.From(ctx)
	q := db.Model(&model.SubsidyClaim{}).Where("id = ?", id)
	switch a.Role {
	case model.RoleWorker:
		q = q.Where("labourer_id = ? AND 1 = ?", a.LabourerID, boolInt(a.LabourerID != 0))
	case model.RoleEmployer:
		q = q.Where("employer_id = ? AND 1 = ?", a.EmployerID, boolInt(a.EmployerID != 0))
	default:
		q = countyScope(a, q, "county_code")
	}
	var c model.SubsidyClaim
	if err := q.First(&c).Error; err != nil {
		return nil, notFound(err, "申领记录")
	}
	return &c, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Ticket returns a claim's ticket photo.
func (s *Service) Ticket(ctx context.Context, id int64) (*model.ClaimTicket, error) {
	if _, err := s.ClaimByID(ctx, id); err != nil {
		return nil, err
	}
	var t model.ClaimTicket
	if err := s.db.WithContext(ctx).First(&t, "claim_id = ?", id).Error; err != nil {
		return nil, notFound(err, "车票照片")
	}
	return &t, nil
}

// Decision is the task force's action on a claim.
type Action struct {
	Version int
	Reason  string
}

var errChanged = apperr.Conflict("claim_changed", "申领记录已被他人处理，请刷新后再看")

// Approve approves a claim waiting for review: it becomes approved (next:
// 公示), or advance_due under 定额预付 (the fixed amount is paid at departure
// through the next payment batch, and settled or recovered later).
func (s *Service) Approve(ctx context.Context, id int64, act Action) (*model.SubsidyClaim, error) {
	var f apperr.Fields
	reason := checkReason(&f, act.Reason, false)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.move(ctx, id, act.Version, "subsidy.claim.approve", func(tx *gorm.DB, c *model.SubsidyClaim) (model.ClaimState, error) {
		if c.State != model.ClaimSubmitted {
			return "", errChanged
		}
		if c.AmountFen <= 0 {
			return "", apperr.Conflict("amount_zero", "按政策该申领的金额为0（目的地不在县外），只能不予通过")
		}
		if c.Mode == model.ModePrepaid {
			return model.ClaimAdvanceDue, nil
		}
		return model.ClaimApproved, nil
	}, reason)
}

// Reject rejects a claim waiting for review; the reason is required.
func (s *Service) Reject(ctx context.Context, id int64, act Action) (*model.SubsidyClaim, error) {
	var f apperr.Fields
	reason := checkReason(&f, act.Reason, true)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.move(ctx, id, act.Version, "subsidy.claim.reject", func(tx *gorm.DB, c *model.SubsidyClaim) (model.ClaimState, error) {
		if c.State != model.ClaimSubmitted {
			return "", errChanged
		}
		return model.ClaimRejected, nil
	}, reason)
}

// Settle settles a prepaid claim (or one on the recovery list) when the
// verified months now reach the policy's requirement.
func (s *Service) Settle(ctx context.Context, id int64, act Action) (*model.SubsidyClaim, error) {
	var f apperr.Fields
	reason := checkReason(&f, act.Reason, false)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.move(ctx, id, act.Version, "subsidy.claim.settle", func(tx *gorm.DB, c *model.SubsidyClaim) (model.ClaimState, error) {
		if c.State != model.ClaimPrepaid && c.State != model.ClaimRecovery {
			return "", apperr.Conflict("not_prepaid", "只有已预付或待追回的申领可以结算")
		}
		ok, err := s.monthsReached(ctx, tx, c)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", apperr.Conflict("months_not_reached", "已核实的务工月数还没有达到政策要求，不能结算")
		}
		return model.ClaimSettled, nil
	}, reason)
}

// Recovered marks a claim on the recovery list as recovered (追回完成).
func (s *Service) Recovered(ctx context.Context, id int64, act Action) (*model.SubsidyClaim, error) {
	var f apperr.Fields
	reason := checkReason(&f, act.Reason, true)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.move(ctx, id, act.Version, "subsidy.claim.recovered", func(tx *gorm.DB, c *model.SubsidyClaim) (model.ClaimState, error) {
		if c.State != model.ClaimRecovery {
			return "", apperr.Conflict("not_in_recovery", "只有待追回的申领可以标记为已追回")
		}
		return model.ClaimRecovered, nil
	}, reason)
}

// move applies one conditional state change (UPDATE … WHERE state AND
// version, one row) with its audit row, in one transaction.
func (s *Service) move(ctx context.Context, id int64, version int, action string,
	next func(*gorm.DB, *model.SubsidyClaim) (model.ClaimState, error), reason string) (*model.SubsidyClaim, error) {
	a := actor.From(ctx)
	var out *model.SubsidyClaim
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		// The row is locked before the conditional UPDATE: two decisions at
		// the same instant then queue on the primary key, and the second
		// reads the first's result. Without the lock MariaDB may plan the
		// UPDATE through the state index and answer one of them with a
		// deadlock (a 500) instead of claim_changed (a 409).
		c, err := s.load(ctx, tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}), id)
		if err != nil {
			return err
		}
		if version != 0 && c.Version != version {
			return errChanged
		}
		to, err := next(tx, c)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		extra := map[string]any{"reason": reason, "decided_by": a.AccountID, "decided_at": now}
		if to == model.ClaimSettled {
			extra = map[string]any{"settled_at": now, "reason": reason}
		}
		before := moneyView(c)
		if err := model.TransitionClaim(ctx, tx, c.ID, c.State, to, c.Version, extra); err != nil {
			if errors.Is(err, model.ErrClaimStale) || errors.Is(err, model.ErrClaimTransition) {
				return errChanged
			}
			return err
		}
		if err := tx.First(c, c.ID).Error; err != nil {
			return err
		}
		out = c
		after := moneyView(c)
		after["reason"] = reason
		return audit.Write(ctx, tx, audit.Entry{Action: action, SubjectType: "subsidy_claim", SubjectID: c.ID, Before: before, After: after})
	})
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	return out, nil
}

// monthsReached re-checks a prepaid claim's months under the terms it was made under.
func (s *Service) monthsReached(ctx context.Context, db *gorm.DB, c *model.SubsidyClaim) (bool, error) {
	ok, _, err := s.monthsCheck(ctx, db, c)
	return ok, err
}

// monthsCheck is monthsReached with the months condition as checked today
// (nil when the terms ask for no months).
func (s *Service) monthsCheck(ctx context.Context, db *gorm.DB, c *model.SubsidyClaim) (bool, *Condition, error) {
	var lab model.Labourer
	if err := db.WithContext(ctx).First(&lab, c.LabourerID).Error; err != nil {
		return false, nil, err
	}
	f, err := s.facts(ctx, db, &lab, nil)
	if err != nil {
		return false, nil, err
	}
	f.TripDate = c.TripDate
	f.TripScope = c.DestScope
	f.HasTicket = c.HasTicket
	t := ClaimTerms(c)
	d := Evaluate(t, f)
	for _, cond := range d.Conditions {
		if cond.Code == CondMonths {
			return cond.Met, &cond, nil
		}
	}
	return t.MonthsRequired == 0, nil, nil
}

// withCondition is the claim's stored conditions with cond in place of the
// one of the same code (appended when there is none), as JSON.
func withCondition(c *model.SubsidyClaim, cond Condition) string {
	conds := ClaimConditions(c)
	for i := range conds {
		if conds[i].Code == cond.Code {
			conds[i] = cond
			return toJSON(conds)
		}
	}
	return toJSON(append(conds, cond))
}

// What the settlement check writes (seed 004 一 定额预付).
const (
	// SweepPurpose is the audit purpose of every move the check makes.
	SweepPurpose = "定额预付结算检查"
	// ReasonRecovery: a paid advance whose months were not reached by the deadline.
	ReasonRecovery = "结算截止日前未核实到足够的务工月数"
	// ReasonAfterTheFact: an advance never paid, whose months were reached by
	// the deadline; the claim is paid after the fact, through 公示 and a batch.
	ReasonAfterTheFact = "预付款未发放，结算截止日前务工月数已达到政策要求，改为事后补助，公示后发放"
	// ReasonLapsed: an advance never paid, whose months were not reached by
	// the deadline; nothing was paid, so there is nothing to recover.
	ReasonLapsed = "预付款未发放，结算截止日前务工月数未达到政策要求"
	// maxSweepClaims bounds one run; the next run takes the rest.
	maxSweepClaims = 5000
)

// unpaidAdvance are the states of a 定额预付 advance not paid (yet): approved
// and waiting for a batch, or failed by the bank. in_batch is not among them:
// the bank may be paying it.
var unpaidAdvance = []model.ClaimState{model.ClaimAdvanceDue, model.ClaimPayFailed}

// SweepResult counts what a settlement check did.
type SweepResult struct {
	Checked  int `json:"checked"`  // claims looked at: prepaid ones, and unpaid advances past their deadline
	Settled  int `json:"settled"`  // prepaid → settled
	Recovery int `json:"recovery"` // prepaid → recovery (追回 list)
	// AfterTheFact counts unpaid advances past their deadline whose months
	// were reached: approved, to be paid through 公示 and a batch (事后补助).
	AfterTheFact int `json:"after_the_fact"`
	// Lapsed counts unpaid advances past their deadline whose months were
	// not reached: lapsed (已失效), nothing to pay or recover.
	Lapsed int `json:"lapsed"`
}

// SettlementCheck runs the 定额预付 check over the caller's scope: prepaid
// claims (the advance was paid through a batch) whose verified months reach
// the requirement are settled; those past the policy's settlement deadline go
// on the recovery (追回) list. An advance never paid (advance_due, pay_failed)
// is left alone until its deadline; after it, it is approved to be paid as an
// ordinary subsidy when the months were reached (事后补助: the claim becomes
// ModeReviewed, goes through 公示 and a batch and ends paid, not prepaid), and
// lapses otherwise — nothing was paid, so nothing is recovered. A claim in a
// batch (in_batch) is never touched: the bank may be paying it. Safe to run
// at any time and from several places at once (conditional updates).
func (s *Service) SettlementCheck(ctx context.Context) (SweepResult, error) {
	return s.sweep(ctx, countyScope(actor.From(ctx), s.db, "county_code"))
}

func (s *Service) sweep(ctx context.Context, scope *gorm.DB) (SweepResult, error) {
	var r SweepResult
	var list []model.SubsidyClaim
	today := s.today()
	if err := scope.WithContext(ctx).Model(&model.SubsidyClaim{}).
		Where("(state = ? OR (state IN ? AND mode = ? AND settle_by < ?))", model.ClaimPrepaid, unpaidAdvance, model.ModePrepaid, today).
		Order("id").Limit(maxSweepClaims).Find(&list).Error; err != nil {
		return r, err
	}
	sys := actor.With(ctx, &actor.Actor{Role: "system", RequestID: actor.From(ctx).RequestID})
	for i := range list {
		c := &list[i]
		pastDeadline := c.SettleBy != nil && today.After(*c.SettleBy)
		if c.State != model.ClaimPrepaid && (c.Mode != model.ModePrepaid || !pastDeadline) {
			continue // the query's date comparison, checked again as the prepaid branch does
		}
		r.Checked++
		ok, cond, err := s.monthsCheck(ctx, s.db, c)
		if err != nil {
			return r, err
		}
		to := model.ClaimState("")
		extra := map[string]any{}
		switch {
		case c.State == model.ClaimPrepaid && ok:
			to = model.ClaimSettled
			extra["settled_at"] = s.now().UTC()
		case c.State == model.ClaimPrepaid && pastDeadline:
			to = model.ClaimRecovery
			extra["reason"] = ReasonRecovery
		case c.State == model.ClaimPrepaid:
			continue
		case ok:
			to = model.ClaimApproved
			extra["reason"], extra["mode"] = ReasonAfterTheFact, model.ModeReviewed
		default:
			to = model.ClaimLapsed
			extra["reason"] = ReasonLapsed
		}
		if cond != nil && to != model.ClaimSettled && to != model.ClaimRecovery {
			extra["conditions"] = withCondition(c, *cond) // the months as the check found them
		}
		err = infra.Tx(s.db.WithContext(sys), func(tx *gorm.DB) error {
			before := moneyView(c)
			if err := model.TransitionClaim(sys, tx, c.ID, c.State, to, c.Version, extra); err != nil {
				return err
			}
			after := moneyView(c)
			after["state"], after["version"] = to, c.Version+1
			if reason, ok := extra["reason"]; ok {
				after["reason"] = reason
			}
			if mode, ok := extra["mode"]; ok {
				before["mode"], after["mode"] = c.Mode, mode
			}
			return audit.Write(sys, tx, audit.Entry{Action: "subsidy.claim." + string(to), SubjectType: "subsidy_claim",
				SubjectID: c.ID, Purpose: SweepPurpose, Before: before, After: after})
		})
		switch {
		case errors.Is(err, model.ErrClaimStale):
			continue // someone else moved it first (a batch took the advance, a person settled it)
		case err != nil:
			return r, fmt.Errorf("settlement check: %w", err)
		}
		switch to {
		case model.ClaimSettled:
			r.Settled++
		case model.ClaimRecovery:
			r.Recovery++
		case model.ClaimApproved:
			r.AfterTheFact++
		case model.ClaimLapsed:
			r.Lapsed++
		}
	}
	return r, nil
}

// now-based helper for tests: the date a claim's window check uses.
func (s *Service) Today() time.Time { return s.today() }
