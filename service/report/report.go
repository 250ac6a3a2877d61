// Package report builds the provincial tables from individual records:
//
//   - the region table (seed 000 附件): last year's workers; of them not
//     working this year; households whose workers fell to zero (户数, 人数)
//     or fell but not to zero (户数, 去年人数, 今年人数); of the not working,
//     those who plan to go out — for any region in scope and any work year
//     against the year before, per child region, down to people;
//   - the province table (seed 001 附件): last year's out-workers; this
//     year's total, its ratio to last year, 省外 / 省内县外 / 县内, 跨省点对点
//     输送, and those not out but willing;
//   - targets per region and year (seed 002 二 一超过、两不少于) with progress;
//   - Excel workbooks of both tables in the seeds' own layout.
//
// Every figure means what service/lists means by it, on the same verified
// records: a labourer's facts for a year are derived by lists.PersonOf, the
// household comparison by derive.HouseholdChange.
//
// Speed. Recounting a province (1.75 million labourers) takes minutes, so
// the derived facts are kept: one model.ReportFact row per labourer and
// year, and one model.ReportVillage row of sums per village and year. A
// table is a sum of at most ~18,000 village rows (Gansu's villages), so a
// parent is always the sum of its children. The rows stay exact because:
//
//   - every write to a labourer's records marks the labourer dirty in the
//     same transaction (GORM callbacks, track.go);
//   - a row records the data dates it is exact for (AsOf … ValidUntil):
//     between two dated events of the records — a spell starting or ending,
//     a return, a plan, the year's end — nothing it holds can change;
//   - before a table is read, dirty labourers and rows that expired before
//     today are recomputed with their villages (Prepare), under a lock.
//
// Recount computes the same tables straight from the records; the tests
// compare the two after random changes.
package report

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/lists"
)

// DataSource is the 数据来源 line of the tables.
const DataSource = lists.DataSource

// Regions is what the reports need from the region service.
type Regions interface {
	Get(code string) (model.Region, bool)
	Children(parent string) []model.Region
	PathName(code string) string
}

// Service builds the tables and keeps their pre-aggregated rows.
type Service struct {
	db      *gorm.DB
	regions Regions
	lists   *lists.Service
	now     func() time.Time
	log     *slog.Logger
	mu      sync.Mutex // one refresh at a time in this process (lockRow across processes)

	buildWait time.Duration // how long a request waits for its year's build
	bmu       sync.Mutex
	builds    map[int]*building // builds running in this process, by year
	afterPage func(year int)    // tests: called after each page a build writes
}

// New builds the report service and installs change tracking on db.
func New(db *gorm.DB, regions Regions, ls *lists.Service, now func() time.Time, log *slog.Logger) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	if err := Track(db); err != nil {
		return nil, fmt.Errorf("report: track: %w", err)
	}
	return &Service{db: db, regions: regions, lists: ls, now: now, log: log.With("component", "report"),
		buildWait: DefaultBuildWait, builds: map[int]*building{}}, nil
}

// Params choose a region and a work year (as for the lists).
type Params = lists.Params

// Figures are one region's numbers for both tables.
type Figures struct {
	// seed 000 附件
	LastYear           int `json:"last_year"`            // 去年务工人数
	NotWorking         int `json:"not_working"`          // 其中至今尚未务工就业人数
	ZeroHouseholds     int `json:"zero_households"`      // 户内务工人员减少为0：户数
	ZeroPersons        int `json:"zero_persons"`         // ……人数
	ReducedHouseholds  int `json:"reduced_households"`   // 户内务工人员减少但不为0：户数
	ReducedLastPersons int `json:"reduced_last_persons"` // ……去年人数
	ReducedThisPersons int `json:"reduced_this_persons"` // ……今年人数
	Planned            int `json:"planned"`              // 今年计划外出人数
	// seed 001 附件
	ThisYear      int `json:"this_year"`       // 今年已外出务工 共计
	OutProvince   int `json:"out_province"`    // 省外
	InProvince    int `json:"in_province"`     // 省内县外
	InCounty      int `json:"in_county"`       // 县内
	PointToPoint  int `json:"point_to_point"`  // 跨省点对点输送
	WillingNotOut int `json:"willing_not_out"` // 未外出但有意愿外出
}

// Ratio is this year's out-workers over last year's (占去年比例), 0 when
// there were none last year.
func (f Figures) Ratio() float64 {
	if f.LastYear == 0 {
		return 0
	}
	return float64(f.ThisYear) / float64(f.LastYear)
}

// Add adds another region's figures.
func (f *Figures) Add(o Figures) {
	f.LastYear += o.LastYear
	f.NotWorking += o.NotWorking
	f.ZeroHouseholds += o.ZeroHouseholds
	f.ZeroPersons += o.ZeroPersons
	f.ReducedHouseholds += o.ReducedHouseholds
	f.ReducedLastPersons += o.ReducedLastPersons
	f.ReducedThisPersons += o.ReducedThisPersons
	f.Planned += o.Planned
	f.ThisYear += o.ThisYear
	f.OutProvince += o.OutProvince
	f.InProvince += o.InProvince
	f.InCounty += o.InCounty
	f.PointToPoint += o.PointToPoint
	f.WillingNotOut += o.WillingNotOut
}

func figuresOf(v *model.ReportVillage) Figures {
	return Figures{LastYear: v.LastYear, NotWorking: v.NotWorking, ZeroHouseholds: v.ZeroHouseholds, ZeroPersons: v.ZeroPersons,
		ReducedHouseholds: v.ReducedHouseholds, ReducedLastPersons: v.ReducedLastPersons, ReducedThisPersons: v.ReducedThisPersons,
		Planned: v.Planned, ThisYear: v.ThisYear, OutProvince: v.OutProvince, InProvince: v.InProvince, InCounty: v.InCounty,
		PointToPoint: v.PointToPoint, WillingNotOut: v.WillingNotOut}
}

// villageRow is figuresOf the other way: a village row holding f.
func villageRow(year int, code string, f Figures) model.ReportVillage {
	return model.ReportVillage{Year: year, VillageCode: code, LastYear: f.LastYear, NotWorking: f.NotWorking,
		ZeroHouseholds: f.ZeroHouseholds, ZeroPersons: f.ZeroPersons, ReducedHouseholds: f.ReducedHouseholds,
		ReducedLastPersons: f.ReducedLastPersons, ReducedThisPersons: f.ReducedThisPersons, Planned: f.Planned,
		ThisYear: f.ThisYear, OutProvince: f.OutProvince, InProvince: f.InProvince, InCounty: f.InCounty,
		PointToPoint: f.PointToPoint, WillingNotOut: f.WillingNotOut}
}

// Row is one child region's figures; Rows are its own children when the
// table was asked two levels deep (the export, as the seeds print a city
// followed by its counties).
type Row struct {
	Code string
	Name string
	// Known is false for a code in the ledger that the region table lacks;
	// its row is kept so the parent stays the sum of its rows.
	Known bool
	Level int
	Figures
	Rows []Row
}

// Table is a region's figures and its child regions'.
type Table struct {
	Scope *lists.Scope
	Total Figures
	Rows  []Row // empty for a village
}

// Table computes both tables' figures for a region and its children (depth
// 1) or also its grandchildren (depth 2) from the pre-aggregated rows,
// bringing them up to date first.
func (s *Service) Table(ctx context.Context, p Params, depth int) (*Table, error) {
	sc, err := s.lists.Resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.TableScope(ctx, sc, depth)
}

// TableScope is Table for a resolved scope.
func (s *Service) TableScope(ctx context.Context, sc *lists.Scope, depth int) (*Table, error) {
	if err := s.Prepare(ctx, sc.Year); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Model(&model.ReportVillage{}).Where("year = ?", sc.Year)
	if sc.Region != "" {
		q = q.Where("village_code LIKE ?", sc.Region+"%")
	}
	q = actor.From(ctx).ScopeLabourers(q, "village_code", "village_code")
	var vs []model.ReportVillage
	if err := q.Find(&vs).Error; err != nil {
		return nil, fmt.Errorf("report: table: %w", err)
	}
	byVillage := make(map[string]Figures, len(vs))
	for i := range vs {
		f := byVillage[vs[i].VillageCode]
		f.Add(figuresOf(&vs[i]))
		byVillage[vs[i].VillageCode] = f
	}
	return s.assemble(ctx, sc, byVillage, depth), nil
}

// assemble sums village figures into the region, its children and (depth
// 2) grandchildren. Every row is a sum of villages, so every parent is the
// sum of its rows.
func (s *Service) assemble(ctx context.Context, sc *lists.Scope, byVillage map[string]Figures, depth int) *Table {
	t := &Table{Scope: sc}
	for _, f := range byVillage {
		t.Total.Add(f)
	}
	if !sc.HasChildren() {
		return t
	}
	a := actor.From(ctx)
	t.Rows = s.rows(a, sc.Region, sc.Level, byVillage, depth)
	return t
}

// rows builds the child rows of a region at level (0 for "everything").
func (s *Service) rows(a *actor.Actor, region string, level int, byVillage map[string]Figures, depth int) []Row {
	childLevel := level + 1
	n := model.CodeLength(childLevel)
	sums := map[string]Figures{}
	sub := map[string]map[string]Figures{}
	for code, f := range byVillage {
		if len(code) < n || !strings.HasPrefix(code, region) {
			continue
		}
		c := code[:n]
		x := sums[c]
		x.Add(f)
		sums[c] = x
		if sub[c] == nil {
			sub[c] = map[string]Figures{}
		}
		sub[c][code] = f
	}
	var out []Row
	seen := map[string]bool{}
	for _, r := range s.regions.Children(region) {
		if !a.CoversRegion(r.Code) {
			continue
		}
		seen[r.Code] = true
		row := Row{Code: r.Code, Name: r.Name, Known: true, Level: r.Level, Figures: sums[r.Code]}
		if depth > 1 && childLevel < model.LevelVillage {
			row.Rows = s.rows(a, r.Code, childLevel, sub[r.Code], depth-1)
		}
		out = append(out, row)
	}
	var unknown []string
	for c := range sums {
		if !seen[c] {
			unknown = append(unknown, c)
		}
	}
	sort.Strings(unknown)
	for _, c := range unknown {
		out = append(out, Row{Code: c, Name: "（未知地区）", Level: childLevel, Figures: sums[c]})
	}
	return out
}

// Recount computes the tables straight from the records, without the
// pre-aggregated rows (no writes): the reference the fast path is tested
// against, and a check an operator can run.
func (s *Service) Recount(ctx context.Context, p Params, depth int) (*Table, error) {
	sc, err := s.lists.Resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	today := civilToday(s.now())
	sums := map[string]*villageSum{}
	err = s.eachLedgerPage(ctx, sc, func(labs []labInfo, f *facts) {
		for _, l := range labs {
			r, ok := f.row(l, sc.Year, today)
			if !ok {
				continue
			}
			vs := sums[r.VillageCode]
			if vs == nil {
				vs = newVillageSum(sc.Year, r.VillageCode)
				sums[r.VillageCode] = vs
			}
			vs.add(&factLite{VillageCode: r.VillageCode, HouseholdID: r.HouseholdID, LastCounted: r.LastCounted,
				ThisCounted: r.ThisCounted, Willing: r.Willing, Scope: r.Scope, PointToPoint: r.PointToPoint})
		}
	})
	if err != nil {
		return nil, err
	}
	byVillage := make(map[string]Figures, len(sums))
	for code, vs := range sums {
		v := vs.done()
		byVillage[code] = figuresOf(&v)
	}
	return s.assemble(ctx, sc, byVillage, depth), nil
}
