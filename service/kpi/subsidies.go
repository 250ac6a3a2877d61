package kpi

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
)

// SubsidyCounts are one kind's claims in a cell, money in 分.
//
// The table is a cohort table, like the 72-hour one: a month holds the claims
// submitted in it (created_at), counted by where they stand at the data
// date. That keeps every figure exact from the rows themselves (decided_at
// is rewritten by later decisions, so it cannot date an approval), and
// Submitted = Pending + Approved + Rejected.
//
//   - Approved: decided in the claimant's favour, whatever came after — on
//     notice, an advance due or paid (定额预付), paid, settled or on the
//     recovery list; ApprovedFen is their amount.
//   - Rejected: refused, or an advance that lapsed unpaid (decisions.md 29).
//   - Paid: paid through a payment batch — a batch line marked paid; PaidFen
//     is the lines' amount. 定额预付 advances are paid through batches too
//     (docs/decisions.md 24), so they count here once, like any money.
//   - Recovery: advances put on the 追回 list (recovery or recovered);
//     Recovered: those whose money came back.
type SubsidyCounts struct {
	Submitted    int64
	Pending      int64
	Approved     int64
	Rejected     int64
	Paid         int64
	Recovery     int64
	Recovered    int64
	ApprovedFen  int64
	PaidFen      int64
	RecoveryFen  int64
	RecoveredFen int64
}

// SubsidyKinds are the kinds the table has columns for, in order.
var SubsidyKinds = []string{model.SubsidyTransport, model.SubsidyJobSeeking, model.SubsidyWorkshop}

// SubsidyFigures are a cell block: each kind (in SubsidyKinds order) and all
// kinds together.
type SubsidyFigures struct {
	Kinds [3]SubsidyCounts
	All   SubsidyCounts
}

// SubsidyRow is a region's figures for each month and for the whole range.
type SubsidyRow struct {
	Place
	Months []SubsidyFigures
	Total  SubsidyFigures
}

// SubsidyTable is the subsidy table: one row per child region (and a 其他
// row when needed) and the region itself, the sum of the rows.
type SubsidyTable struct {
	*Scope
	Rows   []SubsidyRow
	Region SubsidyRow
}

// Claim states by what they count as.
var (
	approvedStates = []model.ClaimState{model.ClaimApproved, model.ClaimInNotice, model.ClaimNoticePassed, model.ClaimObjected,
		model.ClaimInBatch, model.ClaimPaid, model.ClaimPayFailed, model.ClaimAdvanceDue, model.ClaimPrepaid, model.ClaimSettled,
		model.ClaimRecovery, model.ClaimRecovered}
)

func stateIn(s model.ClaimState, list []model.ClaimState) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func kindIndex(k string) int {
	for i, x := range SubsidyKinds {
		if x == k {
			return i
		}
	}
	return -1
}

// add counts n claims of a state with their amount.
func (c *SubsidyCounts) add(state model.ClaimState, n, fen int64) {
	c.Submitted += n
	switch {
	case state == model.ClaimSubmitted:
		c.Pending += n
	case state == model.ClaimRejected || state == model.ClaimLapsed:
		// A lapsed advance (never paid, months not reached by the deadline)
		// ended without the subsidy, like a refusal.
		c.Rejected += n
	case stateIn(state, approvedStates):
		c.Approved += n
		c.ApprovedFen += fen
	}
	if state == model.ClaimRecovery || state == model.ClaimRecovered {
		c.Recovery += n
		c.RecoveryFen += fen
	}
	if state == model.ClaimRecovered {
		c.Recovered += n
		c.RecoveredFen += fen
	}
}

func (c *SubsidyCounts) plus(o SubsidyCounts) {
	c.Submitted += o.Submitted
	c.Pending += o.Pending
	c.Approved += o.Approved
	c.Rejected += o.Rejected
	c.Paid += o.Paid
	c.Recovery += o.Recovery
	c.Recovered += o.Recovered
	c.ApprovedFen += o.ApprovedFen
	c.PaidFen += o.PaidFen
	c.RecoveryFen += o.RecoveryFen
	c.RecoveredFen += o.RecoveredFen
}

func (f *SubsidyFigures) plus(o SubsidyFigures) {
	for i := range f.Kinds {
		f.Kinds[i].plus(o.Kinds[i])
	}
	f.All.plus(o.All)
}

// Subsidies computes the subsidy table.
func (s *Service) Subsidies(ctx context.Context, q Query) (*SubsidyTable, error) {
	sc, err := s.Resolve(ctx, q)
	if err != nil {
		return nil, err
	}
	nm := len(sc.Months)
	rows := make([]SubsidyRow, len(sc.Children)+1) // the last is 其他
	for i := range rows {
		rows[i].Months = make([]SubsidyFigures, nm)
		if i < len(sc.Children) {
			rows[i].Place = sc.Children[i]
		} else {
			rows[i].Place = Place{Code: OtherCode, Name: OtherName}
		}
	}
	cell := func(code, kind string, m int) (*SubsidyCounts, *SubsidyCounts) {
		i := sc.rowOf(code)
		if i < 0 {
			i = len(sc.Children)
		}
		f := &rows[i].Months[m]
		if k := kindIndex(kind); k >= 0 {
			return &f.Kinds[k], &f.All
		}
		return nil, &f.All
	}
	for m, mo := range sc.Months {
		var claims []struct {
			Code  string
			Kind  string
			State model.ClaimState
			N     int64
			Fen   int64
		}
		q := s.claims(ctx, sc).Select(s.codeExpr(sc)+" AS code, subsidy_claims.kind AS kind, subsidy_claims.state AS state, "+
			"COUNT(*) AS n, SUM(subsidy_claims.amount_fen) AS fen").
			Where("subsidy_claims.created_at >= ? AND subsidy_claims.created_at < ?", mo.Start.UTC(), mo.End.UTC()).
			Group("code, subsidy_claims.kind, subsidy_claims.state")
		if err := q.Scan(&claims).Error; err != nil {
			return nil, fmt.Errorf("kpi subsidies: %w", err)
		}
		for _, c := range claims {
			k, all := cell(c.Code, c.Kind, m)
			if k != nil {
				k.add(c.State, c.N, c.Fen)
			}
			all.add(c.State, c.N, c.Fen)
		}
		// Paid through batches: the lines the bank paid.
		var paid []struct {
			Code string
			Kind string
			N    int64
			Fen  int64
		}
		q = s.claims(ctx, sc).Joins("JOIN batch_lines ON batch_lines.claim_id = subsidy_claims.id").
			Select(s.codeExpr(sc)+" AS code, subsidy_claims.kind AS kind, COUNT(DISTINCT batch_lines.claim_id) AS n, "+
				"SUM(batch_lines.amount_fen) AS fen").
			Where("batch_lines.state = ?", model.LinePaid).
			Where("subsidy_claims.created_at >= ? AND subsidy_claims.created_at < ?", mo.Start.UTC(), mo.End.UTC()).
			Group("code, subsidy_claims.kind")
		if err := q.Scan(&paid).Error; err != nil {
			return nil, fmt.Errorf("kpi subsidies: %w", err)
		}
		for _, p := range paid {
			k, all := cell(p.Code, p.Kind, m)
			for _, c := range []*SubsidyCounts{k, all} {
				if c != nil {
					c.Paid += p.N
					c.PaidFen += p.Fen
				}
			}
		}
	}
	t := &SubsidyTable{Scope: sc}
	t.Region = SubsidyRow{Place: sc.Place, Months: make([]SubsidyFigures, nm)}
	for i := range rows {
		r := &rows[i]
		for m := range r.Months {
			r.Total.plus(r.Months[m])
			t.Region.Months[m].plus(r.Months[m])
		}
		t.Region.Total.plus(r.Total)
		if i < len(sc.Children) || r.Total.All.Submitted > 0 {
			t.Rows = append(t.Rows, *r)
		}
	}
	return t, nil
}

// claims is the claims under the scope's region that the caller may see.
// Claims belong to the claimant's county (county_code), so the caller's
// scope applies to that column, as the subsidy lists apply it; rows below a
// county (towns, villages) place a claim by the claimant's village.
func (s *Service) claims(ctx context.Context, sc *Scope) *gorm.DB {
	q := s.db.WithContext(ctx).Table("subsidy_claims")
	q = actor.From(ctx).ScopeLabourers(q, "subsidy_claims.county_code", "subsidy_claims.labourer_id")
	if s.byVillage(sc) {
		q = q.Joins("JOIN labourers ON labourers.id = subsidy_claims.labourer_id")
	}
	switch {
	case sc.Code == "":
	case len(sc.Code) <= model.CodeLength(model.LevelCounty):
		q = q.Where("subsidy_claims.county_code LIKE ?", sc.Code+"%")
	default:
		q = q.Where("subsidy_claims.county_code = ? AND labourers.village_code LIKE ?", sc.Code[:6], sc.Code+"%")
	}
	return q
}

func (s *Service) byVillage(sc *Scope) bool {
	return sc.childLen > model.CodeLength(model.LevelCounty)
}

// codeExpr is the SQL giving a claim's row code.
func (s *Service) codeExpr(sc *Scope) string {
	if s.byVillage(sc) {
		return fmt.Sprintf("SUBSTR(labourers.village_code, 1, %d)", sc.childLen)
	}
	return fmt.Sprintf("SUBSTR(subsidy_claims.county_code, 1, %d)", max(sc.childLen, 1))
}
