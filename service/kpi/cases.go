package kpi

import (
	"context"
	"fmt"
	"sync"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/returncase"
)

// CaseFigures are one cell block of the 72-hour table. The first seven count
// the cases opened in the month (or the range) and how they stand now, as
// returncase.KPIs defines them: Opened = Placed + Declined + StillOpen.
// OpenAtMonthEnd is a stock, not a cohort: every case opened before the
// month's end (or now, for the current month) and not closed by then; for a
// range it is the value at the end of its last month.
type CaseFigures struct {
	Opened                 int64
	Placed                 int64
	PlacedWithin72h        int64
	Declined               int64
	StillOpen              int64
	Overdue                int64
	Escalated              int64
	OpenAtMonthEnd         int64
	PlacedWithin72hRate    *float64 // PlacedWithin72h / Opened, nil when none opened
	MedianHoursToPlacement *float64 // of the region's own placed cases, nil when none
}

// CaseRow is a region's figures for each month of the scope and for the
// whole range, and its willing returnees still open now (the target is 0).
type CaseRow struct {
	Place
	Months         []CaseFigures
	Total          CaseFigures
	WillingOpenNow int64
}

// CaseTable is the 72-hour table: one row per child region (and a 其他 row
// when needed) and the region itself, whose counts are the sum of the rows.
type CaseTable struct {
	*Scope
	Rows   []CaseRow
	Region CaseRow
}

// parallel is how many KPI computations run at once: enough to overlap
// round trips on MySQL, few enough to leave the pool to other requests.
const parallel = 4

// Cases computes the 72-hour table.
func (s *Service) Cases(ctx context.Context, q Query) (*CaseTable, error) {
	sc, err := s.Resolve(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.casesFor(ctx, sc)
}

func (s *Service) casesFor(ctx context.Context, sc *Scope) (*CaseTable, error) {
	nm := len(sc.Months)
	// Every region (the rows, then the region itself at index len(Children))
	// gets returncase.KPIs for each month and for the whole range.
	regions := make([]string, 0, len(sc.Children)+1)
	for _, c := range sc.Children {
		regions = append(regions, c.Code)
	}
	regions = append(regions, sc.Code)
	from, to := sc.Months[0].Start, sc.Months[nm-1].End
	res := make([][]*returncase.KPI, len(regions)) // [region][month], nm = the range
	for i := range res {
		res[i] = make([]*returncase.KPI, nm+1)
	}
	type job struct{ r, m int }
	jobs := make(chan job)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				a, b := from, to
				if j.m < nm {
					a, b = sc.Months[j.m].Start, sc.Months[j.m].End
				}
				k, err := s.cases.KPIs(cctx, regions[j.r], a, b)
				if err != nil {
					once.Do(func() { first = err; cancel() })
					continue
				}
				res[j.r][j.m] = k
			}
		}()
	}
feed:
	for r := range regions {
		for m := 0; m <= nm; m++ {
			select {
			case jobs <- job{r, m}:
			case <-cctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	if first != nil {
		if _, ok := apperr.As(first); ok {
			return nil, first
		}
		return nil, fmt.Errorf("kpi cases: %w", first)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	stock, err := s.openAtMonthEnd(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("kpi cases: %w", err)
	}

	t := &CaseTable{Scope: sc}
	parent := len(sc.Children)
	row := func(p Place, r int, stockRow []int64) CaseRow {
		out := CaseRow{Place: p, Months: make([]CaseFigures, nm), WillingOpenNow: res[r][nm].WillingOpen}
		for m := 0; m < nm; m++ {
			out.Months[m] = fromKPI(res[r][m], stockRow[m])
		}
		out.Total = fromKPI(res[r][nm], stockRow[nm-1])
		return out
	}
	for i, c := range sc.Children {
		t.Rows = append(t.Rows, row(c, i, stock[i]))
	}
	t.Region = row(sc.Place, parent, stock[parent])
	// Cases under the region but under none of the listed children (a
	// village code missing from the region tree) make a 其他 row, so the
	// region is always the sum of the rows shown.
	other := CaseRow{Place: Place{Code: OtherCode, Name: OtherName}, Months: make([]CaseFigures, nm)}
	other.WillingOpenNow = t.Region.WillingOpenNow
	for _, r := range t.Rows {
		other.WillingOpenNow -= r.WillingOpenNow
	}
	empty := other.WillingOpenNow == 0
	for m := -1; m < nm; m++ {
		var dst *CaseFigures
		var src CaseFigures
		if m < 0 {
			dst, src = &other.Total, t.Region.Total
		} else {
			dst, src = &other.Months[m], t.Region.Months[m]
		}
		*dst = src.minus(t.Rows, m)
		empty = empty && dst.zero()
	}
	if !empty {
		t.Rows = append(t.Rows, other)
	}
	return t, nil
}

func fromKPI(k *returncase.KPI, openAtEnd int64) CaseFigures {
	return CaseFigures{Opened: k.Opened, Placed: k.Placed, PlacedWithin72h: k.PlacedWithin72h, Declined: k.Declined,
		StillOpen: k.Open, Overdue: k.Overdue, Escalated: k.Escalated, OpenAtMonthEnd: openAtEnd,
		PlacedWithin72hRate: k.PlacedWithin72hRate, MedianHoursToPlacement: k.MedianHoursToPlacement}
}

// minus is the region's counts less the rows' (month m, or the range for
// m < 0). The median of such a remainder is not known and stays nil.
func (f CaseFigures) minus(rows []CaseRow, m int) CaseFigures {
	out := f
	out.MedianHoursToPlacement = nil
	for _, r := range rows {
		g := r.Total
		if m >= 0 {
			g = r.Months[m]
		}
		out.Opened -= g.Opened
		out.Placed -= g.Placed
		out.PlacedWithin72h -= g.PlacedWithin72h
		out.Declined -= g.Declined
		out.StillOpen -= g.StillOpen
		out.Overdue -= g.Overdue
		out.Escalated -= g.Escalated
		out.OpenAtMonthEnd -= g.OpenAtMonthEnd
	}
	out.PlacedWithin72hRate = rate(out.PlacedWithin72h, out.Opened)
	return out
}

func (f CaseFigures) zero() bool {
	return f.Opened == 0 && f.Placed == 0 && f.PlacedWithin72h == 0 && f.Declined == 0 && f.StillOpen == 0 &&
		f.Overdue == 0 && f.Escalated == 0 && f.OpenAtMonthEnd == 0
}

// rate is n/d rounded to three decimals, as returncase.KPIs gives its rate;
// nil when d is 0.
func rate(n, d int64) *float64 {
	if d <= 0 {
		return nil
	}
	r := float64(int64(float64(n)/float64(d)*1000+0.5)) / 1000
	return &r
}

// openAtMonthEnd counts, for each month, the cases open at its end (or now):
// opened before the cut and not closed by it. One grouped query per month;
// the result is [row][month], the region itself last.
func (s *Service) openAtMonthEnd(ctx context.Context, sc *Scope) ([][]int64, error) {
	out := make([][]int64, len(sc.Children)+1)
	for i := range out {
		out[i] = make([]int64, len(sc.Months))
	}
	now := s.cases.Now().UTC()
	a := actor.From(ctx)
	for m, mo := range sc.Months {
		cut := mo.End.UTC()
		if now.Before(cut) {
			cut = now
		}
		q := s.db.WithContext(ctx).Model(&model.ReturnCase{})
		q = a.ScopeLabourers(q, "return_cases.village_code", "return_cases.labourer_id")
		if sc.Code != "" {
			q = q.Where("return_cases.village_code LIKE ?", sc.Code+"%")
		}
		var got []struct {
			Code string
			N    int64
		}
		if err := q.Select(fmt.Sprintf("SUBSTR(return_cases.village_code, 1, %d) AS code, COUNT(*) AS n", max(sc.childLen, 1))).
			Where("opened_at < ? AND (closed_at IS NULL OR closed_at >= ?)", cut, cut).
			Group("code").Scan(&got).Error; err != nil {
			return nil, err
		}
		for _, g := range got {
			if i := sc.rowOf(g.Code); i >= 0 {
				out[i][m] += g.N
			}
			out[len(sc.Children)][m] += g.N
		}
	}
	return out, nil
}
