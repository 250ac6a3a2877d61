// Package kpi answers the monthly tables of issue 6 item 4: the 72-hour
// service's KPIs (DESIGN.md Reports 5) and the subsidy totals, for a region in
// the caller's scope, one row per child region and month, with the region
// itself as the sum of its rows; and writes both as .xlsx in the seeds' layout
// (title, 数据截止日期, 数据来源 and 单位 lines above a merged two-row header).
//
// The case figures come from returncase.Service.KPIs, the one place the
// 72-hour rules (placed within 72 h, overdue, escalated, the median) live;
// this package only cuts the period into months and the region into its
// children. The parent's median is the median of its own cases, never an
// average of its children's medians.
package kpi

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/returncase"
)

// MaxMonths is the longest range one table covers (three years), which also
// bounds the work one request does.
const MaxMonths = 36

// OtherCode and OtherName name the row that holds records under the region
// whose codes fall under none of its known children (a village code missing
// from the region tree). It appears only when it is not empty, so the region
// row is always exactly the sum of the rows shown.
const (
	OtherCode = "other"
	OtherName = "其他（未归入下级地区）"
)

// China is the zone months are cut in.
var China = clock.China

// Regions is what the tables need from the region service.
type Regions interface {
	Get(code string) (model.Region, bool)
	Children(parent string) []model.Region
	PathName(code string) string
}

// Service computes the tables.
type Service struct {
	db      *gorm.DB
	regions Regions
	cases   *returncase.Service
}

// New builds the service. Its clock is the case service's, so "now" (overdue,
// still open, the data date) means the same in both.
func New(db *gorm.DB, regions Regions, cases *returncase.Service) *Service {
	return &Service{db: db, regions: regions, cases: cases}
}

// Query asks for a table: a region code ("" = the caller's scope) and a range
// of months, YYYY-MM, both ends included ("" = January of the current year
// to the current month).
type Query struct {
	Region string
	From   string
	To     string
}

// Month is one calendar month in China, [Start, End).
type Month struct {
	Key        string // YYYY-MM
	Start, End time.Time
}

// Place is a region the table covers: the region asked for or one of its rows.
type Place struct {
	Code  string
	Name  string
	Path  string
	Level int
}

// Scope is a resolved query: the region, its rows' regions, the months and
// the data date.
type Scope struct {
	Place
	Children []Place // the rows, in code order; the region itself when it has none
	Months   []Month
	From, To string    // YYYY-MM
	AsOf     time.Time // now, or the end of the last month if that is earlier
	childLen int       // code length of the rows
}

// Resolve checks the caller, the region and the months. Only the task force,
// officials and admins read these tables; a region the caller's scope does
// not reach is 403; bad months are field errors.
func (s *Service) Resolve(ctx context.Context, q Query) (*Scope, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	now := s.cases.Now()
	var f apperr.Fields
	code := strings.TrimSpace(q.Region)
	if code == "" {
		code = defaultRegion(a)
	}
	var reg model.Region
	if code != "" {
		var ok bool
		if model.LevelOf(code) == 0 || !digits(code) {
			f.Add("region", "invalid_region_code", "地区代码不对")
		} else if reg, ok = s.regions.Get(code); !ok {
			f.Add("region", "unknown_region", "没有这个地区")
		}
	}
	months := monthRange(&f, q.From, q.To, now)
	if err := f.Err(); err != nil {
		return nil, err
	}
	if code != "" && !a.CoversRegion(code) {
		return nil, apperr.Forbidden("该地区不在您的管辖范围内")
	}
	sc := &Scope{Months: months, From: months[0].Key, To: months[len(months)-1].Key}
	sc.AsOf = now
	if end := months[len(months)-1].End; end.Before(now) {
		sc.AsOf = end.Add(-time.Second)
	}
	if code == "" {
		sc.Place = Place{Name: "全部地区", Path: "全部地区"}
	} else {
		sc.Place = Place{Code: code, Name: reg.Name, Path: s.regions.PathName(code), Level: reg.Level}
	}
	for _, c := range s.regions.Children(code) {
		// A child the scope does not reach would only ever show zeros.
		if a.CoversRegion(c.Code) {
			sc.Children = append(sc.Children, Place{Code: c.Code, Name: c.Name, Path: s.regions.PathName(c.Code), Level: c.Level})
		}
	}
	switch {
	case len(sc.Children) > 0:
		sc.childLen = len(sc.Children[0].Code)
	case code != "":
		sc.Children = []Place{sc.Place} // a village: the region is its only row
		sc.childLen = len(code)
	}
	return sc, nil
}

// monthRange parses and checks the months: YYYY-MM, from ≤ to, to not after
// the current month, at most MaxMonths.
func monthRange(f *apperr.Fields, from, to string, now time.Time) []Month {
	n := now.In(China)
	current := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, China)
	parse := func(field, v string, def time.Time) (time.Time, bool) {
		v = strings.TrimSpace(v)
		if v == "" {
			return def, true
		}
		t, err := time.ParseInLocation("2006-01", v, China)
		if err != nil || len(v) != 7 {
			f.Add(field, "invalid_month", "月份格式应为 YYYY-MM，如 2024-03")
			return time.Time{}, false
		}
		return t, true
	}
	end, okTo := parse("to", to, current)
	start, okFrom := parse("from", from, time.Date(end.Year(), 1, 1, 0, 0, 0, 0, China))
	if !okTo || !okFrom {
		return nil
	}
	switch {
	case end.After(current):
		f.Add("to", "future_month", "结束月份不能晚于本月")
	case start.After(end):
		f.Add("from", "after_to", "开始月份不能晚于结束月份")
	case monthsBetween(start, end) > MaxMonths:
		f.Add("to", "range_too_long", "统计区间最多36个月")
	}
	if f.Len() > 0 {
		return nil
	}
	var out []Month
	for m := start; !m.After(end); m = m.AddDate(0, 1, 0) {
		out = append(out, Month{Key: m.Format("2006-01"), Start: m, End: m.AddDate(0, 1, 0)})
	}
	return out
}

// monthsBetween counts the months from a to b, both included.
func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()-a.Month()) + 1
}

// defaultRegion is the smallest region holding all of the caller's scopes:
// the scope itself for one, the longest common region prefix for several,
// "" (everything they see) otherwise and for admins.
func defaultRegion(a *actor.Actor) string {
	if a.AllRegions() || len(a.Scopes) == 0 {
		return ""
	}
	p := a.Scopes[0]
	for _, s := range a.Scopes[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	for l := model.LevelVillage; l >= model.LevelProvince; l-- {
		if n := model.CodeLength(l); len(p) >= n {
			return p[:n]
		}
	}
	return ""
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// rowOf places a record's region code on a row: the index of the child it
// lies under, or -1 for the 其他 row.
func (sc *Scope) rowOf(code string) int {
	if len(code) < sc.childLen {
		return -1
	}
	key := code[:sc.childLen]
	lo, hi := 0, len(sc.Children)
	for lo < hi { // children are in code order
		m := (lo + hi) / 2
		if sc.Children[m].Code < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(sc.Children) && sc.Children[lo].Code == key {
		return lo
	}
	return -1
}
