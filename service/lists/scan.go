package lists

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/derive"
)

// Person is one labourer with the derived facts the lists read. Personal
// numbers are masked.
type Person struct {
	ID          int64
	HouseholdID int64
	Name        string
	IDMasked    string
	PhoneMasked string
	VillageCode string
	ChildCode   string       // the child region of the request's region it lies in
	LastYear    derive.Facts // the previous work year, finished
	ThisYear    derive.Facts // the requested work year, up to the data date
	// Return is the latest verified 返乡回流 in the work year up to the data date.
	Return *model.ReturnEvent
	// ReExported: after that return a counted spell began (再输出).
	ReExported bool
	// Willing: not at work on the data date, and the latest verified answer
	// in the year — an outing plan or a return — says they want to go out
	// (a plan with 是否有外出计划=是, or a returnee who wants work).
	Willing bool
}

// On reports whether the person is on a list.
func (p *Person) On(list string) bool {
	switch list {
	case LabourBase:
		return true
	case OutLastYear:
		return p.LastYear.Counted
	case OutThisYear:
		return p.ThisYear.Counted
	case LastYearNotOut:
		return p.LastYear.Counted && !p.ThisYear.Counted
	case Willing:
		return p.Willing
	case Returned:
		return p.Return != nil
	}
	return false
}

// labRow is the labourer columns a list reads.
type labRow struct {
	ID          int64
	HouseholdID int64
	VillageCode string
	Code        string
	Name        string
	IDMasked    string
	PhoneMasked string
}

// base is the ledger's labourers in the request's region and the caller's scope.
func (s *Service) base(ctx context.Context, sc *Scope) *gorm.DB {
	q := sc.actor.ScopeLabourers(s.db.WithContext(ctx).Table("labourers"), "labourers.village_code", "labourers.id")
	q = q.Where("labourers.record_status = ? AND labourers.state <> ?", model.RecordActive, "perm_exit")
	if sc.Region != "" {
		q = q.Where("labourers."+levelCols[sc.Level]+" = ?", sc.Region)
	}
	return q
}

// span is the days whose facts a request reads: the previous work year's
// first day to the data date.
func (sc *Scope) span() (from, to time.Time) {
	return derive.WorkYear(sc.Year - 1).Start, sc.AsOf
}

// withFacts keeps labourers with any verified fact the lists could read.
func (s *Service) withFacts(q *gorm.DB, sc *Scope) *gorm.DB {
	from, to := sc.span()
	return q.Where(`(EXISTS (SELECT 1 FROM employment_spells s WHERE s.labourer_id = labourers.id AND s.verified = ?
		AND s.start_date <= ? AND (s.end_date IS NULL OR s.end_date >= ?))
	OR EXISTS (SELECT 1 FROM return_events r WHERE r.labourer_id = labourers.id AND r.verified = ?
		AND r.return_date >= ? AND r.return_date <= ?)
	OR EXISTS (SELECT 1 FROM outing_plans o WHERE o.labourer_id = labourers.id AND o.verified = ?))`,
		true, to, from, true, sc.Window.Start, to, true)
}

func (s *Service) selectRows(q *gorm.DB, sc *Scope) *gorm.DB {
	return q.Select("labourers.id, labourers.household_id, labourers.village_code, labourers." + sc.childCol +
		" AS code, labourers.name, labourers.id_masked, labourers.phone_masked")
}

// scan calls fn for every labourer in the scope (all) or only those with a
// verified fact in the two work years, in id order, a keyset page at a time.
func (s *Service) scan(ctx context.Context, sc *Scope, all bool, fn func(*Person) error) error {
	var last int64
	for {
		q := s.selectRows(s.base(ctx, sc), sc).Where("labourers.id > ?", last)
		if !all {
			q = s.withFacts(q, sc)
		}
		var rows []labRow
		if err := q.Order("labourers.id").Limit(batchSize).Scan(&rows).Error; err != nil {
			return fmt.Errorf("lists: labourers: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		people, err := s.evaluate(ctx, sc, rows)
		if err != nil {
			return err
		}
		for i := range people {
			if err := fn(&people[i]); err != nil {
				return err
			}
		}
		if len(rows) < batchSize {
			return nil
		}
		last = rows[len(rows)-1].ID
	}
}

// evaluate reads the verified facts of a batch of labourers (three queries)
// and derives each one's facts.
func (s *Service) evaluate(ctx context.Context, sc *Scope, rows []labRow) ([]Person, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	from, to := sc.span()
	db := s.db.WithContext(ctx)
	var spells []model.EmploymentSpell
	if err := db.Where("labourer_id IN ? AND verified = ? AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)", ids, true, to, from).
		Find(&spells).Error; err != nil {
		return nil, fmt.Errorf("lists: spells: %w", err)
	}
	var returns []model.ReturnEvent
	if err := db.Where("labourer_id IN ? AND verified = ? AND return_date >= ? AND return_date <= ?", ids, true, sc.Window.Start, to).
		Find(&returns).Error; err != nil {
		return nil, fmt.Errorf("lists: returns: %w", err)
	}
	var plans []model.OutingPlan
	if err := db.Where("labourer_id IN ? AND verified = ?", ids, true).Find(&plans).Error; err != nil {
		return nil, fmt.Errorf("lists: plans: %w", err)
	}
	spellsOf := map[int64][]model.EmploymentSpell{}
	for _, sp := range spells {
		spellsOf[sp.LabourerID] = append(spellsOf[sp.LabourerID], sp)
	}
	returnsOf := map[int64][]model.ReturnEvent{}
	for _, r := range returns {
		returnsOf[r.LabourerID] = append(returnsOf[r.LabourerID], r)
	}
	plansOf := map[int64][]model.OutingPlan{}
	for _, p := range plans {
		plansOf[p.LabourerID] = append(plansOf[p.LabourerID], p)
	}
	out := make([]Person, len(rows))
	for i, r := range rows {
		out[i] = sc.person(r, spellsOf[r.ID], returnsOf[r.ID], plansOf[r.ID])
	}
	return out, nil
}

// PersonOf derives one labourer's facts for work year year as of the data
// date asOf exactly as the lists do, from their verified spells, returns and
// plans (returns outside the year up to asOf are ignored, as the lists' query
// leaves them out). service/report keeps these facts pre-aggregated.
func PersonOf(year int, asOf time.Time, spells []model.EmploymentSpell, returns []model.ReturnEvent, plans []model.OutingPlan) Person {
	sc := &Scope{Year: year, Window: derive.WorkYear(year), AsOf: asOf}
	in := returns[:0:0]
	for _, r := range returns {
		if d := dateOf(r.ReturnDate); !d.Before(sc.Window.Start) && !d.After(asOf) {
			in = append(in, r)
		}
	}
	return sc.person(labRow{}, spells, in, plans)
}

// person derives one labourer's facts.
func (sc *Scope) person(r labRow, spells []model.EmploymentSpell, returns []model.ReturnEvent, plans []model.OutingPlan) Person {
	p := Person{ID: r.ID, HouseholdID: r.HouseholdID, Name: r.Name, IDMasked: r.IDMasked, PhoneMasked: r.PhoneMasked,
		VillageCode: r.VillageCode, ChildCode: r.Code}
	ds := make([]derive.Spell, len(spells))
	for i, sp := range spells {
		ds[i] = derive.Spell{ID: sp.ID, Start: sp.StartDate, End: sp.EndDate, Scope: sp.PlaceScope, Form: sp.Form, MonthlyWage: sp.MonthlyWage}
	}
	p.LastYear = derive.Assess(ds, sc.Year-1, sc.AsOf)
	p.ThisYear = derive.Assess(ds, sc.Year, sc.AsOf)

	// The latest return of the year, and whether a counted spell began after it.
	for i := range returns {
		r := &returns[i]
		if p.Return == nil || laterDay(r.ReturnDate, r.ID, p.Return.ReturnDate, p.Return.ID) {
			p.Return = r
		}
	}
	if p.Return != nil {
		rd := dateOf(p.Return.ReturnDate)
		for _, sp := range spells {
			if sp.Form == derive.FormSelfEmployed || (p.Return.SpellID != nil && *p.Return.SpellID == sp.ID) {
				continue
			}
			st := dateOf(sp.StartDate)
			if !st.Before(rd) && !st.After(sc.AsOf) {
				p.ReExported = true
			}
		}
	}

	// The latest answer about going out within the year: a plan (dated the
	// day it was recorded, in China) or a return; on the same day the plan,
	// the more specific answer, wins.
	var wantDay time.Time
	var wants, have bool
	if p.Return != nil {
		wantDay, wants, have = dateOf(p.Return.ReturnDate), p.Return.WantsWork, true
	}
	var planID int64
	for _, pl := range plans {
		day := dateOf(pl.CreatedAt.In(China))
		if day.Before(sc.Window.Start) || day.After(sc.AsOf) {
			continue
		}
		if !have || day.After(wantDay) || (day.Equal(wantDay) && pl.ID > planID) {
			wantDay, wants, have, planID = day, pl.HasPlan, true, pl.ID
		}
	}
	p.Willing = have && wants && !p.ThisYear.AtWork
	return p
}

func laterDay(a time.Time, aID int64, b time.Time, bID int64) bool {
	da, db := dateOf(a), dateOf(b)
	if !da.Equal(db) {
		return da.After(db)
	}
	return aID > bID
}

// dateOf keeps t's calendar date (in t's own zone) as a UTC midnight.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
