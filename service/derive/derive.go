// Package derive computes the facts the collection form and the six lists
// read off a labourer's employment spells: the work year a date falls in,
// the months worked and the income in a work year, whether the labourer
// counts as 务工 that year, and how households changed against the previous
// year. Everything here is a pure function of its arguments, so it is tested
// without a database; service/lists feeds it verified rows only.
package derive

import (
	"sort"
	"time"
)

// The work year of the collection form runs from 1 October of the previous
// year to 30 September (seed 002 附件1 "上年度10月至本年度9月", 指标解释 3
// "2019年10月至2020年9月"). A work year is named by the calendar year it ends
// in: work year 2020 is 2019-10-01 … 2020-09-30.
const (
	WorkYearStartMonth = time.October // first month of a work year
	WorkYearStartDay   = 1
	WorkYearEndMonth   = time.September // last month of a work year
	WorkYearEndDay     = 30
)

// The 务工 thresholds (seed 002 二 工作目标: "县内务工的不少于1个月，县外务工的
// 不少于3个月", "县内务工收入全年累计不低于3000元，县外务工收入全年不低于9000元";
// 指标解释 3 says the same with "大于"). We follow 工作目标's "不少于 / 不低于"
// (at least): exactly 1 month and 3,000 yuan count.
const (
	InCountyMinMonths  = 1.0  // 县内: months worked in the work year, at least
	InCountyMinIncome  = 3000 // 县内: yuan earned in the work year, at least
	OutCountyMinMonths = 3.0  // 县外 (省内县外 and 省外): months, at least
	OutCountyMinIncome = 9000 // 县外: yuan, at least
)

// Place scopes of a spell (model.PlaceScopes), relative to the labourer's 户籍.
const (
	ScopeInCounty    = "in_county"
	ScopeInProvince  = "in_province"
	ScopeOutProvince = "out_province"
)

// FormSelfEmployed is 自主创业: collected, but not counted as 务工 (seed 002
// 指标解释 4 "只采集信息，不统计为务工人员").
const FormSelfEmployed = "self_employed"

// eps absorbs floating-point error in sums of month fractions.
const eps = 1e-9

// Spell is the part of an employment spell the derivations read.
type Spell struct {
	ID          int64
	Start       time.Time  // first day of work
	End         *time.Time // last day of work (inclusive); nil while the spell is open
	Scope       string     // in_county, in_province or out_province
	Form        string     // 就业形式 code
	MonthlyWage int        // yuan
}

// Window is one work year: Start and End are the first and last days (UTC
// dates, End inclusive).
type Window struct {
	Year       int
	Start, End time.Time
}

// WorkYear returns the window of work year y (1 Oct y-1 … 30 Sep y).
func WorkYear(y int) Window {
	return Window{Year: y,
		Start: time.Date(y-1, WorkYearStartMonth, WorkYearStartDay, 0, 0, 0, 0, time.UTC),
		End:   time.Date(y, WorkYearEndMonth, WorkYearEndDay, 0, 0, 0, 0, time.UTC)}
}

// WorkYearOf returns the work year containing the calendar date of d: dates
// from 1 October on belong to the next year's work year.
func WorkYearOf(d time.Time) int {
	if d.Month() >= WorkYearStartMonth {
		return d.Year() + 1
	}
	return d.Year()
}

// Part is the work of one kind of place in a work year.
type Part struct {
	Months float64 // fractional months (see Assess)
	Income float64 // yuan: monthly wage × months, summed over spells
}

// Facts are a labourer's derived facts for one work year up to an as-of date.
type Facts struct {
	Year      int
	AsOf      time.Time // the last day counted: min(as-of date, 30 Sep)
	InCounty  Part      // 县内 work
	OutCounty Part      // 县外 work: 省内县外 and 省外 together
	// OutProvinceMonths is the part of OutCounty in another province (省外).
	OutProvinceMonths float64
	// SelfEmployedMonths are months of 自主创业, collected but not counted.
	SelfEmployedMonths float64
	// MeetsThreshold: the year's counted work reaches the 务工 thresholds.
	MeetsThreshold bool
	// InProgress: the as-of date lies before the end of the work year.
	InProgress bool
	// AtWork: on the as-of date the labourer is in a counted spell (open or
	// not yet ended), not 自主创业.
	AtWork bool
	// AtWorkScope is the place scope of that spell ("" when not at work).
	AtWorkScope string
	// Counted: the labourer counts as 务工 in this work year (see Assess).
	Counted bool
}

// Months is all counted months (县内 + 县外).
func (f Facts) Months() float64 { return f.InCounty.Months + f.OutCounty.Months }

// Income is all counted income (县内 + 县外), in yuan.
func (f Facts) Income() float64 { return f.InCounty.Income + f.OutCounty.Income }

// MeetsInCounty applies the 县内 rule to a part: ≥ 1 month and ≥ 3,000 yuan.
func MeetsInCounty(p Part) bool {
	return p.Months+eps >= InCountyMinMonths && p.Income+eps >= InCountyMinIncome
}

// MeetsOutCounty applies the 县外 rule to a part: ≥ 3 months and ≥ 9,000 yuan.
func MeetsOutCounty(p Part) bool {
	return p.Months+eps >= OutCountyMinMonths && p.Income+eps >= OutCountyMinIncome
}

// Assess derives a labourer's facts for work year y from their spells,
// counting days up to asOf (a date; spells still open at asOf run to it).
//
// Months: each calendar day belongs to at most one spell — where spells
// overlap, the one that started later owns the day (a new job replaces the
// old one, as status reports do; equal starts go to the higher ID) — so
// overlapping spells are never counted twice. A calendar month wholly worked
// is 1 month; a partly worked month is the days worked divided by the days of
// that month (指标解释 3 "不足月的可用小数"), so October 1–15 is 15/31 month.
// Income is each spell's monthly wage times its months.
//
// Whether the labourer counts as 务工 (mixed years included): the 县内 rule is
// applied to in-county work only, and the stricter 县外 rule to out-of-county
// work; a year that meets neither part alone still counts when all counted
// work together meets the 县外 rule (≥ 3 months and ≥ 9,000 yuan), since that
// is at least what either rule asks. Out-of-county work is never judged by the
// weaker 县内 rule. 自主创业 months are left out (指标解释 4).
//
// While the year is in progress (asOf before 30 September) the yearly
// thresholds cannot have been reached by someone who has just gone out, so a
// labourer at work on asOf in a counted spell also counts as 已外出务工; a
// finished year is judged by the thresholds alone.
func Assess(spells []Spell, y int, asOf time.Time) Facts {
	w := WorkYear(y)
	last := w.End
	asOf = civil(asOf)
	if asOf.Before(last) {
		last = asOf
	}
	f := Facts{Year: y, AsOf: last, InProgress: asOf.Before(w.End)}
	from, to := dayNum(w.Start), dayNum(last)
	if to < from {
		return f
	}
	type iv struct {
		lo, hi int64
		s      *Spell
	}
	ivs := make([]iv, 0, len(spells))
	for i := range spells {
		s := &spells[i]
		lo := dayNum(civil(s.Start))
		hi := to
		if s.End != nil {
			hi = dayNum(civil(*s.End))
		}
		if hi < lo {
			continue // ends before it starts: bad data, ignored
		}
		if hi > to {
			hi = to
		}
		if lo < from {
			lo = from
		}
		if lo > hi {
			continue
		}
		ivs = append(ivs, iv{lo, hi, s})
	}
	if len(ivs) == 0 {
		return f
	}
	// Elementary segments between every start and every end+1.
	cuts := make([]int64, 0, 2*len(ivs))
	for _, v := range ivs {
		cuts = append(cuts, v.lo, v.hi+1)
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i] < cuts[j] })
	for k := 0; k+1 < len(cuts); k++ {
		a, b := cuts[k], cuts[k+1]-1
		if b < a {
			continue
		}
		var win *Spell
		for _, v := range ivs {
			if v.lo <= a && a <= v.hi && (win == nil || later(v.s, win)) {
				win = v.s
			}
		}
		if win == nil {
			continue
		}
		m := monthsBetween(a, b)
		switch {
		case win.Form == FormSelfEmployed:
			f.SelfEmployedMonths += m
		case win.Scope == ScopeInCounty:
			f.InCounty.Months += m
			f.InCounty.Income += m * float64(win.MonthlyWage)
		default: // in_province, out_province
			f.OutCounty.Months += m
			f.OutCounty.Income += m * float64(win.MonthlyWage)
			if win.Scope == ScopeOutProvince {
				f.OutProvinceMonths += m
			}
		}
		if a <= to && to <= b && win.Form != FormSelfEmployed {
			f.AtWork, f.AtWorkScope = true, win.Scope
		}
	}
	all := Part{Months: f.Months(), Income: f.Income()}
	f.MeetsThreshold = MeetsInCounty(f.InCounty) || MeetsOutCounty(f.OutCounty) || MeetsOutCounty(all)
	f.Counted = f.MeetsThreshold || (f.InProgress && f.AtWork)
	return f
}

// later reports whether spell a supersedes spell b on a day both cover.
func later(a, b *Spell) bool {
	if !a.Start.Equal(b.Start) {
		return a.Start.After(b.Start)
	}
	return a.ID > b.ID
}

// civil keeps the calendar date of t as a UTC midnight (dates are stored as
// UTC dates; the zone is not converted).
func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func dayNum(t time.Time) int64 { return t.Unix() / 86400 }

func fromDay(n int64) time.Time { return time.Unix(n*86400, 0).UTC() }

// monthsBetween is the fractional months of the days a..b (inclusive): each
// calendar month contributes the days it holds divided by its length.
func monthsBetween(a, b int64) float64 {
	var m float64
	for a <= b {
		d := fromDay(a)
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
		next := first.AddDate(0, 1, 0)
		monthLen := dayNum(next) - dayNum(first)
		end := dayNum(next) - 1
		if end > b {
			end = b
		}
		if a == dayNum(first) && end == dayNum(next)-1 {
			m++ // a whole month is exactly 1
		} else {
			m += float64(end-a+1) / float64(monthLen)
		}
		a = end + 1
	}
	return m
}

// Member is one labourer's 务工 in two consecutive work years, for the
// household comparison.
type Member struct {
	HouseholdID int64
	LastYear    bool // counted as 务工 in the previous work year
	ThisYear    bool // counted as 务工 in this work year
}

// HouseholdChange is seed 000 附件's household columns, among last year's
// workers: households whose workers fell to zero (户内务工人员减少为0: 户数,
// 人数 = last year's workers there) and households whose workers fell but not
// to zero (减少但不为0: 户数, 去年人数, 今年人数). "This year" counts last
// year's workers who work again, so that, as in the seed's rows (陇南市:
// 20425 + 41588 − 22392 = 39621), zero persons + reduced last-year persons −
// reduced this-year persons = last year's workers not working this year.
type HouseholdChange struct {
	ZeroHouseholds     int `json:"zero_households"`
	ZeroPersons        int `json:"zero_persons"`
	ReducedHouseholds  int `json:"reduced_households"`
	ReducedLastPersons int `json:"reduced_last_persons"`
	ReducedThisPersons int `json:"reduced_this_persons"`
}

// Add adds another region's figures.
func (h *HouseholdChange) Add(o HouseholdChange) {
	h.ZeroHouseholds += o.ZeroHouseholds
	h.ZeroPersons += o.ZeroPersons
	h.ReducedHouseholds += o.ReducedHouseholds
	h.ReducedLastPersons += o.ReducedLastPersons
	h.ReducedThisPersons += o.ReducedThisPersons
}

// AddHousehold adds one household, given how many of its members worked last
// year and how many of those work this year.
func (h *HouseholdChange) AddHousehold(last, again int) {
	switch {
	case last == 0 || again >= last:
	case again == 0:
		h.ZeroHouseholds++
		h.ZeroPersons += last
	default:
		h.ReducedHouseholds++
		h.ReducedLastPersons += last
		h.ReducedThisPersons += again
	}
}

// CompareHouseholds compares each household's workers with the previous year.
func CompareHouseholds(members []Member) HouseholdChange {
	type tally struct{ last, again int }
	by := map[int64]*tally{}
	order := []int64{}
	for _, m := range members {
		t := by[m.HouseholdID]
		if t == nil {
			t = &tally{}
			by[m.HouseholdID] = t
			order = append(order, m.HouseholdID)
		}
		if m.LastYear {
			t.last++
			if m.ThisYear {
				t.again++
			}
		}
	}
	var h HouseholdChange
	for _, id := range order {
		h.AddHousehold(by[id].last, by[id].again)
	}
	return h
}
