package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/lists"
)

// The monthly trend of 今年已外出务工 (seed 001 附件's columns) for the
// dashboard. Seed 001 prints its table "截至5月30日": a count as of a data
// date. The trend is the same count as of the end of each month of the work
// year — what the province table would say with that day as its data date,
// on the records as they stand now (a late correction moves the past too) —
// and the same month's end of the previous year beside it. The last point
// of this year is the table itself, as of the data date; the September point
// of the previous year is the table's 去年外出务工人数.
//
// Fast path: each ReportFact row carries where its labourer stood at each
// month's end (ThisMonths, LastMonths); ReportMonth sums them per village,
// kept with the village rows, so a province's trend is one GROUP BY on at
// most twelve rows per village. The month strings depend on the records only
// (never on the data date), so they change only when the records do, and
// the labourer is then marked dirty like for every other column.

// RowsVersion is the layout of the pre-aggregated rows; a year built with an
// older one is rebuilt on first use (2: the month strings and ReportMonth).
const RowsVersion = 2

// Months is the number of months in a work year.
const Months = 12

// monthEnd is the last day of month i (0 = October) of work year y.
func monthEnd(y, i int) time.Time {
	return derive.WorkYear(y).Start.AddDate(0, i+1, -1)
}

// monthStart is the first day of month i (0 = October) of work year y.
func monthStart(y, i int) time.Time {
	return derive.WorkYear(y).Start.AddDate(0, i, 0)
}

// deriveSpells converts spells for service/derive, as service/lists does.
func deriveSpells(spells []model.EmploymentSpell) []derive.Spell {
	ds := make([]derive.Spell, len(spells))
	for i, sp := range spells {
		ds[i] = derive.Spell{ID: sp.ID, Start: sp.StartDate, End: sp.EndDate, Scope: sp.PlaceScope, Form: sp.Form, MonthlyWage: sp.MonthlyWage}
	}
	return ds
}

// monthStates is a labourer's month string for work year y: at each
// month's end, counted as 务工 (derive.Assess with that day as the data
// date) and where (placeOf), or not.
func monthStates(ds []derive.Spell, y int) string {
	var b [Months]byte
	for i := range b {
		b[i] = model.MonthNotCounted
	}
	if len(ds) == 0 {
		return string(b[:])
	}
	// covers reports whether any spell has a day in [from, to]. A month with
	// no work from the previous month's last day to its own keeps that day's
	// state: not at work on either day and no month or yuan earned between,
	// so neither the thresholds nor the place can change (and the year's end
	// cannot either: for someone not at work, counted is the thresholds).
	covers := func(from, to time.Time) bool {
		for _, sp := range ds {
			if !civil(sp.Start).After(to) && (sp.End == nil || !civil(*sp.End).Before(from)) {
				return true
			}
		}
		return false
	}
	start := derive.WorkYear(y).Start
	for i := 0; i < Months; i++ {
		end := monthEnd(y, i)
		if i == 0 && !covers(start, end) {
			continue // no work since the year began: nothing counts
		}
		if i > 0 && !covers(monthEnd(y, i-1), end) {
			b[i] = b[i-1]
			continue
		}
		if f := derive.Assess(ds, y, end); f.Counted {
			b[i] = scopeChar(placeOf(f))
		}
	}
	return string(b[:])
}

func scopeChar(scope string) byte {
	switch scope {
	case derive.ScopeOutProvince:
		return model.MonthOutProvince
	case derive.ScopeInProvince:
		return model.MonthInProvince
	default:
		return model.MonthInCounty
	}
}

// monthSums are one village's month counts: per month, this year's total,
// 省外, 省内县外, 县内, then the same for the previous year.
type monthSums [Months][8]int

// addSigned adds (sign +1) or removes (-1) one fact row's month strings.
func (m *monthSums) addSigned(this, last string, sign int) {
	m.addYear(this, 0, sign)
	m.addYear(last, 4, sign)
}

func (m *monthSums) addYear(s string, off, sign int) {
	for i := 0; i < len(s) && i < Months; i++ {
		var k int
		switch s[i] {
		case model.MonthOutProvince:
			k = 1
		case model.MonthInProvince:
			k = 2
		case model.MonthInCounty:
			k = 3
		default:
			continue
		}
		m[i][off] += sign
		m[i][off+k] += sign
	}
}

// rows appends the village's non-empty months to out.
func (m *monthSums) rows(y int, code string, out []model.ReportMonth) []model.ReportMonth {
	for i := range m {
		c := m[i]
		if c == [8]int{} {
			continue
		}
		out = append(out, model.ReportMonth{Year: y, VillageCode: code, Month: i + 1, ThisYear: c[0], OutProvince: c[1],
			InProvince: c[2], InCounty: c[3], LastYear: c[4], LastOut: c[5], LastIn: c[6], LastCounty: c[7]})
	}
	return out
}

// villageMonths is a village's month counts while a year is built.
type villageMonths struct {
	code string
	sums monthSums
}

// MonthFigures are seed 001 附件's 今年已外出务工 columns on one day.
type MonthFigures struct {
	Total       int // 共计
	OutProvince int // 省外
	InProvince  int // 省内县外
	InCounty    int // 县内
}

// TrendMonth is one month of the work year beside the same month a year
// before.
type TrendMonth struct {
	Month      int       // 1 = October … 12 = September
	Start, End time.Time // the month's first and last day
	// Reached: the month has begun by the data date; This is then the
	// figure at the month's end, or on the data date (AsOf) while the month
	// runs.
	Reached bool
	AsOf    time.Time
	This    MonthFigures
	LastEnd time.Time    // the same month's end a year before
	Last    MonthFigures // the previous work year at LastEnd
}

// Trend is a region's monthly trend for a work year.
type Trend struct {
	Scope  *lists.Scope
	Months []TrendMonth
}

// Trend reads the monthly trend of a region and work year from the
// pre-aggregated rows, bringing them up to date first.
func (s *Service) Trend(ctx context.Context, p Params) (*Trend, error) {
	sc, err := s.lists.Resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := s.Prepare(ctx, sc.Year); err != nil {
		return nil, err
	}
	var months []model.ReportMonth
	var now MonthFigures
	a := actor.From(ctx)
	scoped := func(q *gorm.DB) *gorm.DB {
		q = q.Where("year = ?", sc.Year)
		if sc.Region != "" {
			q = q.Where("village_code LIKE ?", sc.Region+"%")
		}
		return a.ScopeLabourers(q, "village_code", "village_code")
	}
	// One snapshot for both reads, so the month in progress agrees with the
	// months before it.
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := scoped(tx.Model(&model.ReportMonth{})).Select("month, SUM(this_year) AS this_year, SUM(out_province) AS out_province, " +
			"SUM(in_province) AS in_province, SUM(in_county) AS in_county, SUM(last_year) AS last_year, SUM(last_out) AS last_out, " +
			"SUM(last_in) AS last_in, SUM(last_county) AS last_county").Group("month").Scan(&months).Error; err != nil {
			return err
		}
		return scoped(tx.Model(&model.ReportVillage{})).Select("COALESCE(SUM(this_year), 0) AS total, " +
			"COALESCE(SUM(out_province), 0) AS out_province, COALESCE(SUM(in_province), 0) AS in_province, " +
			"COALESCE(SUM(in_county), 0) AS in_county").Scan(&now).Error
	})
	if err != nil {
		return nil, fmt.Errorf("report: trend: %w", err)
	}
	var sums monthSums
	for _, m := range months {
		if m.Month >= 1 && m.Month <= Months {
			sums[m.Month-1] = [8]int{m.ThisYear, m.OutProvince, m.InProvince, m.InCounty, m.LastYear, m.LastOut, m.LastIn, m.LastCounty}
		}
	}
	return trendOf(sc, &sums, now), nil
}

// trendOf lays out the months: this year's ended months from the month
// sums, the month in progress from the figure on the data date, later
// months not reached; the previous year whole.
func trendOf(sc *lists.Scope, sums *monthSums, now MonthFigures) *Trend {
	t := &Trend{Scope: sc, Months: make([]TrendMonth, Months)}
	for i := 0; i < Months; i++ {
		c := sums[i]
		m := TrendMonth{Month: i + 1, Start: monthStart(sc.Year, i), End: monthEnd(sc.Year, i), LastEnd: monthEnd(sc.Year-1, i),
			Last: MonthFigures{Total: c[4], OutProvince: c[5], InProvince: c[6], InCounty: c[7]}}
		switch {
		case m.End.Before(sc.AsOf):
			m.Reached, m.AsOf = true, m.End
			m.This = MonthFigures{Total: c[0], OutProvince: c[1], InProvince: c[2], InCounty: c[3]}
		case !m.Start.After(sc.AsOf):
			m.Reached, m.AsOf, m.This = true, sc.AsOf, now
		}
		t.Months[i] = m
	}
	return t
}

// RecountTrend computes the trend straight from the records, without the
// pre-aggregated rows: every labourer of the ledger in scope is assessed by
// service/lists at each month's end of both years. The reference the fast
// path is tested against.
func (s *Service) RecountTrend(ctx context.Context, p Params) (*Trend, error) {
	sc, err := s.lists.Resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	var sums monthSums
	var now MonthFigures
	err = s.eachLedgerPage(ctx, sc, func(labs []labInfo, f *facts) {
		for _, l := range labs {
			spells, returns, plans := f.spells[l.ID], f.returns[l.ID], f.plans[l.ID]
			var this, last [Months]byte
			for i := 0; i < Months; i++ {
				this[i], last[i] = model.MonthNotCounted, model.MonthNotCounted
				if p := lists.PersonOf(sc.Year-1, monthEnd(sc.Year-1, i), spells, returns, plans).ThisYear; p.Counted {
					last[i] = scopeChar(placeOf(p))
				}
				asOf := monthEnd(sc.Year, i)
				if sc.AsOf.Before(asOf) {
					asOf = sc.AsOf
				}
				if p := lists.PersonOf(sc.Year, asOf, spells, returns, plans).ThisYear; p.Counted {
					this[i] = scopeChar(placeOf(p))
				}
			}
			sums.addSigned(string(this[:]), string(last[:]), 1)
			if p := lists.PersonOf(sc.Year, sc.AsOf, spells, returns, plans).ThisYear; p.Counted {
				now.Total++
				switch placeOf(p) {
				case derive.ScopeOutProvince:
					now.OutProvince++
				case derive.ScopeInProvince:
					now.InProvince++
				default:
					now.InCounty++
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return trendOf(sc, &sums, now), nil
}

// eachLedgerPage calls fn with each page of the ledger's labourers in the
// scope and their verified records (those the scope's year and the one
// before can read).
func (s *Service) eachLedgerPage(ctx context.Context, sc *lists.Scope, fn func([]labInfo, *facts)) error {
	db := s.db.WithContext(ctx)
	a := actor.From(ctx)
	var last int64
	for {
		// Keyset pages on the primary key alone, filtered here (see build).
		var page []ledgerRow
		if err := db.Model(&model.Labourer{}).Where("id > ?", last).Order("id").Limit(buildPage).
			Select("id, household_id, village_code, record_status, state").Scan(&page).Error; err != nil {
			return fmt.Errorf("report: recount: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		last = page[len(page)-1].ID
		var labs []labInfo
		for _, r := range page {
			if r.RecordStatus == model.RecordActive && r.State != permExit && strings.HasPrefix(r.VillageCode, sc.Region) &&
				a.InScope(r.VillageCode) {
				labs = append(labs, r.info())
			}
		}
		if len(labs) > 0 {
			ids := make([]int64, len(labs))
			for i, l := range labs {
				ids[i] = l.ID
			}
			f, err := loadFacts(db, ids, []int{sc.Year})
			if err != nil {
				return err
			}
			fn(labs, f)
		}
		if len(page) < buildPage {
			return nil
		}
	}
}
