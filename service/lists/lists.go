// Package lists builds the six lists (六张清单, seed 000 三 四) for any region
// in the caller's scope and any work year: counts for the region, counts per
// child region (province → cities → counties → towns → villages), the
// people on each list, and an Excel export.
//
// Only verified facts are read: labourer rows in the ledger (record_status
// active), and employment spells, return events and outing plans with
// Verified = true — a worker's own report counts once a cadre or the task
// force has confirmed it (seed 002 三(一)3: "凡未报专班认可的信息采集表，一律不能
// 录入"). A permanently exited labourer (永久退出) is on none of the lists.
//
// "Year" is the work year of the collection form, 1 October of the previous
// year to 30 September, named by the year it ends in (seed 002 附件1 "上年度10月
// 至本年度9月", 指标解释 3): 务工 is defined by months and income counted over
// that window, so a calendar year would judge the thresholds over a period no
// form records. Seed 000's "2019年外出务工 … 今年(2020)尚未外出" read on
// 2020-08-25 is work year 2019 against work year 2020 so far. The current year
// is read up to today (the data date); a finished year up to 30 September.
//
// The labour base is counted by one GROUP BY on the child-region column of
// labourers. The other lists depend on each labourer's spells clipped by
// calendar month (service/derive), so they are computed in Go over batches of
// labourers that have any verified fact in the two years (keyset pages of
// batchSize; three batched fact queries per page, never one per person), and
// summed per child region as they stream past. Every parent figure is the sum
// of its children's by construction.
package lists

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/derive"
)

// The six lists' codes (seed 000 三 四).
const (
	LabourBase     = "labour_base"       // 贫困劳动力底数
	OutLastYear    = "out_last_year"     // 去年外出务工
	OutThisYear    = "out_this_year"     // 今年已外出务工
	LastYearNotOut = "last_year_not_out" // 去年外出今年未外出
	Willing        = "willing"           // 有意愿外出务工
	Returned       = "returned"          // 今年返乡回流及再输出
)

// Lists names the six lists in the seed's order.
var Lists = model.Enum{
	{Code: LabourBase, Label: "贫困劳动力底数"},
	{Code: OutLastYear, Label: "去年外出务工"},
	{Code: OutThisYear, Label: "今年已外出务工"},
	{Code: LastYearNotOut, Label: "去年外出今年未外出"},
	{Code: Willing, Label: "有意愿外出务工"},
	{Code: Returned, Label: "今年返乡回流及再输出"},
}

// MinYear is the first work year accepted: 建档立卡 began in 2014.
const MinYear = 2014

// MaxPageSize caps a page of people (SECURITY.md 18).
const MaxPageSize = 100

// batchSize is how many labourers one keyset page reads.
const batchSize = 5000

// DataSource is the 数据来源 line of every list.
const DataSource = "就业帮台账（经核实的记录）"

// China is the zone the data date is read in.
var China = clock.China

// Regions is what the lists need from the region service.
type Regions interface {
	Get(code string) (model.Region, bool)
	Children(parent string) []model.Region
	PathName(code string) string
}

// Service builds the lists.
type Service struct {
	db      *gorm.DB
	regions Regions
	now     func() time.Time
}

// New builds the lists service.
func New(db *gorm.DB, regions Regions, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, regions: regions, now: now}
}

// Params choose a region and a work year; zero values take the caller's
// scope and the current work year.
type Params struct {
	Region string
	Year   int
}

// Scope is a resolved request: the region, the work year and its data date.
type Scope struct {
	Region     string // "" is every region the caller sees
	RegionName string
	RegionPath string
	Level      int // the region's level, 0 for ""
	Year       int
	Window     derive.Window
	AsOf       time.Time // the data date: today, or 30 Sep of a finished year
	childCol   string    // the labourers column naming the child region
	actor      *actor.Actor
}

// HasChildren reports whether the region has child regions to drill into.
func (sc *Scope) HasChildren() bool { return sc.Level < model.LevelVillage }

// levelCols names the labourers' region-code column at each level.
var levelCols = map[int]string{
	model.LevelProvince: "province_code",
	model.LevelCity:     "city_code",
	model.LevelCounty:   "county_code",
	model.LevelTown:     "town_code",
	model.LevelVillage:  "village_code",
}

// Resolve checks the caller, the region and the year.
func (s *Service) Resolve(ctx context.Context, p Params) (*Scope, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	today := civilToday(s.now())
	current := derive.WorkYearOf(today)
	var f apperr.Fields
	region := strings.TrimSpace(p.Region)
	if region == "" {
		region = defaultRegion(a)
	}
	var reg model.Region
	if region != "" {
		var ok bool
		if model.LevelOf(region) == 0 || !digits(region) {
			f.Add("region", "invalid_region_code", "地区代码不对")
		} else if reg, ok = s.regions.Get(region); !ok {
			f.Add("region", "unknown_region", "没有这个地区")
		}
	}
	year := p.Year
	if year == 0 {
		year = current
	}
	if year < MinYear || year > current {
		f.Add("year", "out_of_range", "年度应在2014年到本年度之间（本年度为上年10月至本年9月）")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if region != "" && !a.CoversRegion(region) {
		return nil, apperr.Forbidden("该地区不在您的管辖范围内")
	}
	sc := &Scope{Region: region, Year: year, Window: derive.WorkYear(year), actor: a}
	sc.AsOf = sc.Window.End
	if today.Before(sc.AsOf) {
		sc.AsOf = today
	}
	if region == "" {
		sc.RegionName, sc.RegionPath = "全部地区", "全部地区"
		sc.childCol = levelCols[model.LevelProvince]
	} else {
		sc.Level = reg.Level
		sc.RegionName, sc.RegionPath = reg.Name, s.regions.PathName(region)
		child := reg.Level + 1
		if child > model.LevelVillage {
			child = model.LevelVillage
		}
		sc.childCol = levelCols[child]
	}
	return sc, nil
}

// defaultRegion is the smallest region holding all of the caller's scopes:
// the scope itself for one scope, the common parent for several (a cadre's
// villages in one town give the town), "" (everything they see) otherwise.
func defaultRegion(a *actor.Actor) string {
	if a.AllRegions() || len(a.Scopes) == 0 {
		return ""
	}
	p := a.Scopes[0]
	for _, s := range a.Scopes[1:] {
		n := 0
		for n < len(p) && n < len(s) && p[n] == s[n] {
			n++
		}
		p = p[:n]
	}
	for l := model.LevelVillage; l >= model.LevelProvince; l-- {
		if n := model.CodeLength(l); n <= len(p) {
			return p[:n]
		}
	}
	return ""
}

// ValidList reports whether code names one of the six lists.
func ValidList(code string) error {
	if !Lists.Valid(code) {
		return apperr.Invalid("list", "invalid_list", "没有这张清单，可选：劳动力底数、去年外出务工、今年已外出务工、去年外出今年未外出、有意愿外出务工、今年返乡回流及再输出")
	}
	return nil
}

func civilToday(now time.Time) time.Time {
	n := now.In(China)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
