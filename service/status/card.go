package status

import (
	"context"
	"errors"
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

// Card builds the status card of a labourer in the caller's scope.
func (s *Service) Card(ctx context.Context, labourerID int64) (*Card, error) {
	a := actor.From(ctx)
	db := s.db.WithContext(ctx)
	c := &Card{}
	q := a.ScopeLabourers(db.Model(&model.Labourer{}), "village_code", "id")
	if err := q.Where("id = ?", labourerID).Take(&c.Labourer).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("劳动力")
		}
		return nil, err
	}
	var sp model.EmploymentSpell
	if err := first(db.Where("labourer_id = ?", labourerID).Order("end_date IS NOT NULL, start_date DESC, id DESC"), &sp); err != nil {
		return nil, err
	} else if sp.ID != 0 {
		c.Spell = &sp
	}
	var ret model.ReturnEvent
	if err := first(db.Where("labourer_id = ?", labourerID).Order("id DESC"), &ret); err != nil {
		return nil, err
	} else if ret.ID != 0 {
		c.LastReturn = &ret
	}
	var plan model.OutingPlan
	if err := first(db.Where("labourer_id = ?", labourerID).Order("id DESC"), &plan); err != nil {
		return nil, err
	} else if plan.ID != 0 {
		c.Plan = &plan
	}
	if err := db.Where("labourer_id = ?", labourerID).Order("id DESC").Limit(historyLength).Find(&c.History).Error; err != nil {
		return nil, err
	}
	if len(c.History) > 0 {
		c.LastReport = &c.History[0]
	}
	c.Kind, c.Label, c.Since = current(c)
	return c, nil
}

func first(q *gorm.DB, dst any) error {
	err := q.Limit(1).Take(dst).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	return err
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
