package status

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// Current kinds on the status card.
const (
	CurrentWorking  = "working"
	CurrentReturned = "returned"
	CurrentPlanOut  = "plan_out"
	CurrentNoPlan   = "no_plan"
	CurrentUnknown  = "unknown"
)

// Card is everything the worker's home shows: the labourer, what they are
// doing now, and the recent history.
type Card struct {
	Labourer   model.Labourer
	Kind       string
	Label      string
	Since      time.Time
	LastReport *model.StatusReport
	Spell      *model.EmploymentSpell // the open spell, else the latest
	LastReturn *model.ReturnEvent
	Plan       *model.OutingPlan
	History    []model.StatusReport
}

// Card builds the status card of a labourer in the caller's scope, from one
// round trip (see load).
func (s *Service) Card(ctx context.Context, labourerID int64) (*Card, error) {
	st, err := s.load(ctx, s.db.WithContext(ctx), labourerID)
	if err != nil {
		return nil, err
	}
	return st.card(), nil
}

// state is what a report's checks and the card read about a labourer.
type state struct {
	lab model.Labourer
	// spells are the first two in the card's order — open spells first,
	// then the latest start — enough to know the card's spell after a
	// report closes the first one.
	spells  []model.EmploymentSpell
	ret     *model.ReturnEvent   // the latest return
	plan    *model.OutingPlan    // the latest plan
	history []model.StatusReport // newest first, at most historyLength
}

// load reads a labourer in the caller's scope with their latest spells,
// return, plan and reports: five SELECTs sent as one query where the
// connection allows (batch), on db — the transaction of a report, or the
// handle. A labourer out of scope is not found.
func (s *Service) load(ctx context.Context, db *gorm.DB, labourerID int64) (*state, error) {
	a := actor.From(ctx)
	b := newBatch(db, s.multi)
	var (
		labs    []model.Labourer
		rets    []model.ReturnEvent
		plans   []model.OutingPlan
		st      state
		scanner = db.Session(&gorm.Session{NewDB: true})
	)
	b.add(a.ScopeLabourers(b.dry.Model(&model.Labourer{}), "village_code", "id").Where("id = ?", labourerID).Limit(1).Find(&labs))
	b.add(b.dry.Where("labourer_id = ?", labourerID).Order("end_date IS NOT NULL, start_date DESC, id DESC").Limit(2).Find(&st.spells))
	b.add(b.dry.Where("labourer_id = ?", labourerID).Order("id DESC").Limit(1).Find(&rets))
	b.add(b.dry.Where("labourer_id = ?", labourerID).Order("id DESC").Limit(1).Find(&plans))
	b.add(b.dry.Where("labourer_id = ?", labourerID).Order("id DESC").Limit(historyLength).Find(&st.history))
	if err := b.query(ctx, scanInto(scanner, &labs), scanInto(scanner, &st.spells), scanInto(scanner, &rets),
		scanInto(scanner, &plans), scanInto(scanner, &st.history)); err != nil {
		return nil, fmt.Errorf("status: read labourer: %w", err)
	}
	if len(labs) == 0 {
		return nil, apperr.NotFound("劳动力")
	}
	st.lab = labs[0]
	if len(rets) > 0 {
		st.ret = &rets[0]
	}
	if len(plans) > 0 {
		st.plan = &plans[0]
	}
	return &st, nil
}

// open is the labourer's current job: the first spell, if it has no end.
func (st *state) open() *model.EmploymentSpell {
	if len(st.spells) > 0 && st.spells[0].EndDate == nil {
		return &st.spells[0]
	}
	return nil
}

// card is the status card of the state.
func (st *state) card() *Card {
	c := &Card{Labourer: st.lab, LastReturn: st.ret, Plan: st.plan, History: st.history}
	if c.History == nil {
		c.History = []model.StatusReport{}
	}
	if len(st.spells) > 0 {
		c.Spell = &st.spells[0]
	}
	if len(c.History) > 0 {
		c.LastReport = &c.History[0]
	}
	c.Kind, c.Label, c.Since = current(c)
	return c
}

// spellBefore is the card's order of spells: open first, then the latest
// start, then the latest id.
func spellBefore(a, b *model.EmploymentSpell) bool {
	if (a.EndDate == nil) != (b.EndDate == nil) {
		return a.EndDate == nil
	}
	if !a.StartDate.Equal(b.StartDate) {
		return a.StartDate.After(b.StartDate)
	}
	return a.ID > b.ID
}

// current decides what the card's headline says. Row IDs are time-ordered,
// so the newest of the return and the plan is the one with the larger ID.
func current(c *Card) (kind, label string, since time.Time) {
	if c.Spell != nil && c.Spell.EndDate == nil {
		return CurrentWorking, "在岗务工（" + model.PlaceScopes.Label(c.Spell.PlaceScope) + "）", c.Spell.StartDate
	}
	var retID, planID int64
	if c.LastReturn != nil {
		retID = c.LastReturn.ID
	}
	if c.Plan != nil {
		planID = c.Plan.ID
	}
	switch {
	case retID == 0 && planID == 0:
		return CurrentUnknown, "还没有登记务工情况", time.Time{}
	case retID > planID:
		if c.LastReturn.WantsWork {
			return CurrentReturned, "失业返乡，想找工作", c.LastReturn.ReturnDate
		}
		return CurrentReturned, "失业返乡，暂不找工作", c.LastReturn.ReturnDate
	case c.Plan.HasPlan:
		return CurrentPlanOut, "想外出务工", c.Plan.CreatedAt
	default:
		return CurrentNoPlan, "暂不外出（" + model.NoPlanReasons.Label(c.Plan.NoPlanReason) + "）", c.Plan.CreatedAt
	}
}
