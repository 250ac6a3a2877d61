package subsidy

import (
	"context"
	"fmt"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/derive"
)

// MaxGenerate caps how many labourers one generation run reads.
const MaxGenerate = 20000

// Candidate is one labourer a generation run looked at, with the outcome.
type Candidate struct {
	LabourerID int64       `json:"labourer_id,string"`
	Name       string      `json:"name"`
	EmployerID *int64      `json:"employer_id,string"`
	ClaimID    *int64      `json:"claim_id,string"`
	Outcome    string      `json:"outcome"` // created, existing, not_eligible
	AmountFen  int64       `json:"amount_fen"`
	Failed     []Condition `json:"failed"`
}

// Generated is what a generation run did.
type Generated struct {
	Created     int         `json:"created"`
	Existing    int         `json:"existing"`
	NotEligible int         `json:"not_eligible"`
	Candidates  []Candidate `json:"candidates"`
}

// Generate builds the claim list of a job-seeking or workshop policy for the
// caller's county (task force) or everywhere (admin), for the task force to
// approve: every generated claim waits in state submitted.
//
// Job-seeking (seed 001 四): labourers of the policy's province with a
// verified out-of-county spell in the policy's work year; the spell's
// organised flag comes from a job with 点对点 transport or the confirmed
// form's 有组织劳务输出. Workshop (seed 004 三): per verified employer of kind
// workshop (optionally one), the labourers with verified spells there; months
// are counted over the policy's work year. Only labourers who meet every
// condition get a claim; the others are answered with what failed. Re-running
// is safe: the unique index keeps one claim per labourer, policy and year.
func (s *Service) Generate(ctx context.Context, policyID, employerID int64) (*Generated, error) {
	p, err := s.Policy(ctx, policyID)
	if err != nil {
		return nil, err
	}
	if !p.Active {
		return nil, apperr.Conflict("policy_inactive", "该政策已停用")
	}
	out := &Generated{Candidates: []Candidate{}}
	switch p.Kind {
	case model.SubsidyWorkshop:
		err = s.generateWorkshop(ctx, p, employerID, out)
	case model.SubsidyJobSeeking:
		if employerID != 0 {
			return nil, apperr.Invalid("employer_id", "not_allowed", "求职创业补贴名单不按单位生成")
		}
		err = s.generateJobSeeking(ctx, p, out)
	default:
		return nil, apperr.Invalid("policy_id", "not_generated", "交通补助由本人申领，不生成名单")
	}
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("generate claims: %w", err)
	}
	return out, nil
}

func (s *Service) generateWorkshop(ctx context.Context, p *model.SubsidyPolicy, employerID int64, out *Generated) error {
	a := actor.From(ctx)
	q := s.db.WithContext(ctx).Model(&model.Employer{}).Where("kind = ? AND status = ?", model.EmployerWorkshop, model.EmployerVerified)
	q = countyScope(a, q, "county_code")
	if employerID != 0 {
		q = q.Where("id = ?", employerID)
	}
	var employers []model.Employer
	if err := q.Order("id").Limit(1000).Find(&employers).Error; err != nil {
		return err
	}
	if employerID != 0 && len(employers) == 0 {
		return apperr.NotFound("已认证的帮扶车间")
	}
	w := derive.WorkYear(p.Year)
	for i := range employers {
		e := &employers[i]
		var labIDs []int64
		err := s.db.WithContext(ctx).Model(&model.EmploymentSpell{}).
			Where("verified = ? AND (job_id IN (SELECT id FROM jobs WHERE employer_id = ?) OR employer_name = ?)", true, e.ID, e.Name).
			Where("start_date <= ? AND (end_date IS NULL OR end_date >= ?)", w.End, w.Start).
			Distinct("labourer_id").Limit(MaxGenerate).Pluck("labourer_id", &labIDs).Error
		if err != nil {
			return err
		}
		for _, id := range labIDs {
			if err := s.generateOne(ctx, p, id, e, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) generateJobSeeking(ctx context.Context, p *model.SubsidyPolicy, out *Generated) error {
	a := actor.From(ctx)
	w := derive.WorkYear(p.Year)
	q := s.db.WithContext(ctx).Model(&model.Labourer{}).Where("province_code = ? AND record_status = ?", p.ProvinceCode, model.RecordActive).
		Where(`EXISTS (SELECT 1 FROM employment_spells s WHERE s.labourer_id = labourers.id AND s.verified = ?
			AND s.place_scope IN ? AND s.start_date <= ? AND (s.end_date IS NULL OR s.end_date >= ?))`,
			true, []string{derive.ScopeInProvince, derive.ScopeOutProvince}, w.End, w.Start)
	q = a.ScopeLabourers(q, "village_code", "id")
	var ids []int64
	if err := q.Order("id").Limit(MaxGenerate).Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.generateOne(ctx, p, id, nil, out); err != nil {
			return err
		}
	}
	return nil
}

// generateOne checks one labourer and creates their claim when every condition is met.
func (s *Service) generateOne(ctx context.Context, p *model.SubsidyPolicy, labID int64, e *model.Employer, out *Generated) error {
	var lab model.Labourer
	if err := s.db.WithContext(ctx).First(&lab, labID).Error; err != nil {
		return err
	}
	cand := Candidate{LabourerID: lab.ID, Name: lab.Name, Failed: []Condition{}}
	if c, err := s.existing(ctx, lab.ID, p.ID, p.Year); err == nil {
		cand.Outcome, cand.ClaimID, cand.AmountFen, cand.EmployerID = "existing", &c.ID, c.AmountFen, c.EmployerID
		out.Existing++
		out.Candidates = append(out.Candidates, cand)
		return nil
	}
	f, err := s.facts(ctx, s.db, &lab, e)
	if err != nil {
		return err
	}
	if e == nil {
		// The trip is the first verified out-of-county spell in the year: the
		// organised departure the subsidy pays for.
		w := derive.WorkYear(p.Year)
		for _, sp := range f.Spells {
			if outOfCounty(sp.Scope) && !sp.Start.After(w.End) && (sp.End == nil || !sp.End.Before(w.Start)) {
				start := sp.Start
				if start.Before(w.Start) {
					start = w.Start
				}
				f.TripDate, f.TripScope = &start, sp.Scope
				break
			}
		}
	}
	t := TermsOf(p)
	d := Evaluate(t, f)
	cand.AmountFen = d.AmountFen
	if e != nil {
		cand.EmployerID = &e.ID
	}
	if !d.AllMet(StageDecide) || d.AmountFen <= 0 {
		cand.Outcome, cand.Failed = "not_eligible", Failed(d.Conditions)
		out.NotEligible++
		out.Candidates = append(out.Candidates, cand)
		return nil
	}
	county := lab.CountyCode
	if e != nil {
		county = e.CountyCode // the workshop's task force decides its list
	}
	c := s.newClaim(ctx, lab.ID, county, p, t, d, model.ClaimSubmitted)
	if e != nil {
		c.EmployerID = &e.ID
	}
	if f.TripDate != nil {
		c.TripDate, c.TripTo = f.TripDate, ""
	}
	created, err := s.insert(ctx, c, nil, "")
	if err != nil {
		return err
	}
	if !created {
		if c, err = s.existing(ctx, lab.ID, p.ID, p.Year); err != nil {
			return err
		}
		cand.Outcome = "existing"
		out.Existing++
	} else {
		cand.Outcome = "created"
		out.Created++
	}
	cand.ClaimID = &c.ID
	out.Candidates = append(out.Candidates, cand)
	return nil
}
