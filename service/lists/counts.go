package lists

import (
	"context"
	"fmt"
	"sort"

	"github.com/jiuyebang/jiuyebang/service/derive"
)

// Counts are the six lists' sizes for one region, with the seed 000 附件
// columns that go with them.
type Counts struct {
	LabourBase     int
	OutLastYear    int
	OutThisYear    int
	LastYearNotOut int
	Willing        int
	Returned       int
	// ReExported: of Returned, those who went out to work again (再输出).
	ReExported int
	// Planned: of LastYearNotOut, those who want to go out this year
	// (附件 "2019年务工就业人员中2020年计划外出人数").
	Planned int
	// Households compares last year's workers household by household.
	Households derive.HouseholdChange
}

// Of returns the size of one list.
func (c *Counts) Of(list string) int {
	switch list {
	case LabourBase:
		return c.LabourBase
	case OutLastYear:
		return c.OutLastYear
	case OutThisYear:
		return c.OutThisYear
	case LastYearNotOut:
		return c.LastYearNotOut
	case Willing:
		return c.Willing
	case Returned:
		return c.Returned
	}
	return 0
}

// Add adds another region's counts.
func (c *Counts) Add(o Counts) {
	c.LabourBase += o.LabourBase
	c.OutLastYear += o.OutLastYear
	c.OutThisYear += o.OutThisYear
	c.LastYearNotOut += o.LastYearNotOut
	c.Willing += o.Willing
	c.Returned += o.Returned
	c.ReExported += o.ReExported
	c.Planned += o.Planned
	c.Households.Add(o.Households)
}

// addPerson counts a person with facts (the labour base is counted apart).
func (c *Counts) addPerson(p *Person) {
	if p.On(OutLastYear) {
		c.OutLastYear++
	}
	if p.On(OutThisYear) {
		c.OutThisYear++
	}
	if p.On(LastYearNotOut) {
		c.LastYearNotOut++
		if p.Willing {
			c.Planned++
		}
	}
	if p.On(Willing) {
		c.Willing++
	}
	if p.On(Returned) {
		c.Returned++
		if p.ReExported {
			c.ReExported++
		}
	}
}

// RegionCounts are the counts of one child region.
type RegionCounts struct {
	Code string
	Name string
	// Known is false for a code in the ledger that the region table lacks;
	// its row is kept so the parent stays the sum of its rows.
	Known bool
	Counts
}

// Result is the counts of a region and of each of its child regions.
type Result struct {
	Scope *Scope
	Total Counts
	Rows  []RegionCounts // empty for a village
}

// Count computes the six lists for a region and each of its children.
func (s *Service) Count(ctx context.Context, p Params) (*Result, error) {
	sc, err := s.Resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.CountScope(ctx, sc)
}

// CountScope is Count for a resolved scope.
func (s *Service) CountScope(ctx context.Context, sc *Scope) (*Result, error) {
	by := map[string]*Counts{}
	at := func(code string) *Counts {
		c := by[code]
		if c == nil {
			c = &Counts{}
			by[code] = c
		}
		return c
	}
	// The labour base: one GROUP BY on the child-region column.
	var groups []struct {
		Code string
		N    int
	}
	if err := s.base(ctx, sc).Select("labourers." + sc.childCol + " AS code, COUNT(*) AS n").
		Group("labourers." + sc.childCol).Scan(&groups).Error; err != nil {
		return nil, fmt.Errorf("lists: labour base: %w", err)
	}
	for _, g := range groups {
		at(g.Code).LabourBase += g.N
	}
	// The rest from each labourer's verified facts; households are tallied
	// among last year's workers and attributed to their members' child region.
	type tally struct {
		code        string
		last, again int
	}
	households := map[int64]*tally{}
	err := s.scan(ctx, sc, false, func(p *Person) error {
		at(p.ChildCode).addPerson(p)
		if p.LastYear.Counted {
			t := households[p.HouseholdID]
			if t == nil {
				t = &tally{code: p.ChildCode}
				households[p.HouseholdID] = t
			}
			t.last++
			if p.ThisYear.Counted {
				t.again++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range households {
		at(t.code).Households.AddHousehold(t.last, t.again)
	}

	res := &Result{Scope: sc}
	for _, c := range by {
		res.Total.Add(*c)
	}
	if !sc.HasChildren() {
		return res, nil
	}
	seen := map[string]bool{}
	for _, r := range s.regions.Children(sc.Region) {
		if !sc.actor.CoversRegion(r.Code) {
			continue
		}
		seen[r.Code] = true
		row := RegionCounts{Code: r.Code, Name: r.Name, Known: true}
		if c := by[r.Code]; c != nil {
			row.Counts = *c
		}
		res.Rows = append(res.Rows, row)
	}
	var unknown []string
	for code := range by {
		if !seen[code] {
			unknown = append(unknown, code)
		}
	}
	sort.Strings(unknown)
	for _, code := range unknown {
		res.Rows = append(res.Rows, RegionCounts{Code: code, Name: "（未知地区）", Counts: *by[code]})
	}
	return res, nil
}
