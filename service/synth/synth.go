// Package synth generates a synthetic registry of any size for imports,
// reports and load runs (`jiuyebang seed synthetic --labourers N --seed S`):
// households and labourers over real Gansu village codes, spread over
// counties in the proportions of seed 000's table, with valid 身份证 numbers
// (GB 11643) and phones sealed and blind-indexed like real ones, and two
// work years of history — employment spells in the county, the province and
// other provinces with wages, 返乡回流, outing plans, and out-of-province
// hires through organised transport jobs (跨省点对点输送).
//
// The content is a pure function of the seed, the size and the year: every
// county is cut into chunks of households, and each chunk draws from its own
// random stream (seed, county, chunk), so chunks can be written in parallel
// and still come out the same. Row ids are the application's time-ordered
// ids and differ between runs; identity numbers do not.
//
// Rows are written in batched INSERTs, a chunk per transaction, by several
// writers on MySQL (one on SQLite), outside report change tracking; at the
// end the reports are invalidated as a whole (report.MarkAll) so their
// pre-aggregated rows are rebuilt.
package synth

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/report"
)

// Regions is what the generator needs from the region service.
type Regions interface {
	Get(code string) (model.Region, bool)
	Children(parent string) []model.Region
}

// Options choose the population.
type Options struct {
	Labourers int
	Seed      uint64
	// Year is the work year the population is "now" in (the reports' this
	// year); its previous year is complete. 0: the work year of Now.
	Year int
	// Now is the data date: this year's history stops there (default time.Now).
	Now func() time.Time
	// Writers write chunks in parallel (default 3 on MySQL, 1 on SQLite).
	Writers int
	// Chunk is labourers per transaction (default 2000).
	Chunk int
	// Progress is called after each chunk (from one goroutine at a time).
	Progress func(Stats)
}

// Stats count what was written.
type Stats struct {
	Households int64
	Labourers  int64
	Spells     int64
	Returns    int64
	Plans      int64
	Jobs       int64
	Elapsed    time.Duration
}

// Rows is every row written.
func (s Stats) Rows() int64 {
	return s.Households + s.Labourers + s.Spells + s.Returns + s.Plans + s.Jobs
}

// RowsPerSecond is the write rate.
func (s Stats) RowsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Rows()) / s.Elapsed.Seconds()
}

// Generator writes synthetic populations.
type Generator struct {
	db      *gorm.DB
	box     *pii.Box
	regions Regions
}

// New builds a generator.
func New(db *gorm.DB, box *pii.Box, regions Regions) *Generator {
	return &Generator{db: db, box: box, regions: regions}
}

// Shares of the population (seed 000: 12.6% of 2019's workers had not gone
// out again by 25 August 2020; seed 001 甘肃: 省外 76.8, 省内县外 33.5, 县内
// 65.0 of 175.3 万; 跨省点对点 4.0 万 of 省外).
const (
	shareWorkedLastYear = 0.82 // counted as 务工 last year
	shareWeakLastYear   = 0.06 // some work last year, below the thresholds
	shareAgain          = 0.87 // of last year's workers, at work again this year
	shareNewThisYear    = 0.25 // of the others, went out this year
	shareOutProvince    = 0.44
	shareInProvince     = 0.19 // the rest is 县内
	sharePointToPoint   = 0.09 // of new out-of-province spells, via a transport job
	shareUnverified     = 0.03 // facts still 待核实 (self-reported), not counted
)

// destinations are common out-of-province work places of Gansu's workers.
var destinations = []string{"440306", "440307", "440113", "441900", "330782", "330106", "320583", "320506",
	"350206", "650102", "650104", "610113", "610116", "640104", "630104", "110105", "310115", "510107"}

var surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文")
var given = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玉兰鹏飞斌宇浩凯婷雪梅红霞海燕志强")

// county is one county's share of the population.
type county struct {
	code     string
	villages []string
	n        int
	inProv   []string // other Gansu counties, for 省内县外 work
}

// chunk is a run of households of one county generated from one stream.
type chunk struct {
	county *county
	ci     int // county index
	seq    int // chunk index within the county
	first  int // county-local index of its first labourer
	n      int // labourers
}

// Run writes a population and returns what it wrote.
func (g *Generator) Run(ctx context.Context, opt Options) (*Stats, error) {
	start := time.Now()
	if opt.Labourers <= 0 {
		return nil, errors.New("synth: --labourers must be positive")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	sqlite := infra.Dialect(g.db) == infra.DialectSQLite
	if opt.Writers <= 0 {
		opt.Writers = 3
		if sqlite {
			opt.Writers = 1
		}
	}
	if opt.Chunk <= 0 {
		opt.Chunk = 2000
	}
	today := civil(opt.Now().In(clock.China))
	if opt.Year == 0 {
		opt.Year = derive.WorkYearOf(today)
	}
	if today.Before(derive.WorkYear(opt.Year).Start) {
		return nil, fmt.Errorf("synth: work year %d has not begun on %s", opt.Year, today.Format("2006-01-02"))
	}
	counties, err := g.counties(opt.Labourers)
	if err != nil {
		return nil, err
	}
	db := report.Untracked(g.db.WithContext(ctx))
	st := &Stats{}
	jobs, err := g.transportJobs(db, opt.Seed, today)
	if err != nil {
		return nil, err
	}
	st.Jobs = int64(len(jobs))

	var chunks []chunk
	for ci, c := range counties {
		for seq, first := 0, 0; first < c.n; seq++ {
			n := min(opt.Chunk, c.n-first)
			chunks = append(chunks, chunk{county: c, ci: ci, seq: seq, first: first, n: n})
			first += n
		}
	}
	w := &world{opt: opt, today: today, jobs: jobs, box: g.box, insert: 1000}
	if sqlite {
		w.insert = 200
	}
	work := make(chan chunk)
	errc := make(chan error, opt.Writers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var done atomic.Bool
	for i := 0; i < opt.Writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range work {
				if done.Load() {
					continue
				}
				b := w.generate(ch)
				if err := b.write(db, w.insert); err != nil {
					done.Store(true)
					errc <- err
					continue
				}
				mu.Lock()
				st.Households += int64(len(b.households))
				st.Labourers += int64(len(b.labourers))
				st.Spells += int64(len(b.spells))
				st.Returns += int64(len(b.returns))
				st.Plans += int64(len(b.plans))
				st.Elapsed = time.Since(start)
				if opt.Progress != nil {
					opt.Progress(*st)
				}
				mu.Unlock()
			}
		}()
	}
	for _, ch := range chunks {
		if ctx.Err() != nil || done.Load() {
			break
		}
		work <- ch
	}
	close(work)
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return st, fmt.Errorf("synth: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if err := report.MarkAll(g.db.WithContext(ctx)); err != nil {
		return st, fmt.Errorf("synth: invalidate reports: %w", err)
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// counties shares n labourers among the counties by seed 000's weights
// (largest remainders, so the sum is exactly n).
func (g *Generator) counties(n int) ([]*county, error) {
	total := 0
	var out []*county
	for _, cw := range countyWeights {
		if _, ok := g.regions.Get(cw.code); !ok {
			continue
		}
		var villages []string
		for _, t := range g.regions.Children(cw.code) {
			for _, v := range g.regions.Children(t.Code) {
				villages = append(villages, v.Code)
			}
		}
		if len(villages) == 0 {
			continue
		}
		sort.Strings(villages)
		out = append(out, &county{code: cw.code, villages: villages})
		total += cw.weight
	}
	if len(out) == 0 {
		return nil, errors.New("synth: no Gansu villages loaded (run `jiuyebang seed regions` first)")
	}
	type rem struct {
		i int
		r int64
	}
	var rems []rem
	given := 0
	for i, c := range out {
		w := int64(countyWeight(c.code))
		c.n = int(int64(n) * w / int64(total))
		given += c.n
		rems = append(rems, rem{i, int64(n) * w % int64(total)})
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < n; k++ {
		out[rems[k%len(rems)].i].n++
		given++
	}
	for _, c := range out {
		for _, o := range out {
			if o.code != c.code {
				c.inProv = append(c.inProv, o.code)
			}
		}
	}
	return out, nil
}

func countyWeight(code string) int {
	for _, cw := range countyWeights {
		if cw.code == code {
			return cw.weight
		}
	}
	return 0
}

// transportJobs makes (or finds) one employer and its organised transport
// jobs in other provinces, for the 跨省点对点 spells to point at.
func (g *Generator) transportJobs(db *gorm.DB, seed uint64, today time.Time) ([]model.Job, error) {
	body := fmt.Sprintf("91620000MA%07d", seed%10000000)
	code := body + string(creditCheckChar(body))
	emp := model.Employer{ID: model.NewID(), CreditCode: code, Name: "甘肃劳务协作输转中心（模拟）", Kind: model.EmployerAgency,
		RegionCode: "620102", CountyCode: "620102", Status: model.EmployerVerified}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&emp).Error; err != nil {
		return nil, fmt.Errorf("synth: employer: %w", err)
	}
	if err := db.Where("credit_code = ?", code).Take(&emp).Error; err != nil {
		return nil, fmt.Errorf("synth: employer: %w", err)
	}
	var jobs []model.Job
	if err := db.Where("employer_id = ? AND transport = ?", emp.ID, true).Order("id").Find(&jobs).Error; err != nil {
		return nil, fmt.Errorf("synth: jobs: %w", err)
	}
	if len(jobs) > 0 {
		return jobs, nil
	}
	for i, d := range destinations[:8] {
		if _, ok := g.regions.Get(d); !ok {
			continue
		}
		jobs = append(jobs, model.Job{ID: model.NewID(), EmployerID: emp.ID, CountyCode: emp.CountyCode,
			Title: fmt.Sprintf("点对点输送普工（第%d批）", i+1), Industry: "general_worker", Headcount: 500, WageMin: 4000, WageMax: 6500,
			PlaceCode: d, MinAge: 18, MaxAge: 55, Transport: true, Housing: true, Meals: true,
			ValidUntil: today.AddDate(1, 0, 0), Status: model.JobOpen})
	}
	if len(jobs) > 0 {
		if err := db.Create(&jobs).Error; err != nil {
			return nil, fmt.Errorf("synth: jobs: %w", err)
		}
	}
	return jobs, nil
}

// creditCheckChar is the GB 32100 check character of a 统一社会信用代码.
func creditCheckChar(first17 string) byte {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		v := 0
		for j := 0; j < len(chars); j++ {
			if chars[j] == first17[i] {
				v = j
			}
		}
		sum += v * weights[i]
	}
	return chars[(31-sum%31)%31]
}

// world is what every chunk reads.
type world struct {
	opt    Options
	today  time.Time
	jobs   []model.Job
	box    *pii.Box
	insert int
}

// batch is one chunk's rows.
type batch struct {
	households []model.Household
	labourers  []model.Labourer
	spells     []model.EmploymentSpell
	returns    []model.ReturnEvent
	plans      []model.OutingPlan
}

func (b *batch) write(db *gorm.DB, n int) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(b.households, n).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(b.labourers, n).Error; err != nil {
			return err
		}
		if len(b.spells) > 0 {
			if err := tx.CreateInBatches(b.spells, n).Error; err != nil {
				return err
			}
		}
		if len(b.returns) > 0 {
			if err := tx.CreateInBatches(b.returns, n).Error; err != nil {
				return err
			}
		}
		if len(b.plans) > 0 {
			return tx.CreateInBatches(b.plans, n).Error
		}
		return nil
	})
}

// Identity numbers: a county-local index k gives a birth date and a
// sequence that no other k of the county shares (birthDays consecutive days
// times 500 sequences), and the seed shifts the sequence so that
// populations of different seeds (mod 100) do not collide while a county
// has fewer than 5 × birthDays labourers.
const (
	birthDays = 15000 // 1963-01-01 … 2004-01-25
	dayStep   = 7919  // prime, coprime with birthDays: spreads k over the days
)

var birthEpoch = time.Date(1963, 1, 1, 0, 0, 0, 0, time.UTC)

func idNumber(countyCode string, k int, male bool, seed uint64) (string, time.Time) {
	day := (k % birthDays * dayStep) % birthDays
	s := (k/birthDays + int(seed%100)*5) % 500
	g := 0
	if male {
		g = 1
	}
	birth := birthEpoch.AddDate(0, 0, day)
	first := countyCode + birth.Format("20060102") + fmt.Sprintf("%03d", 2*s+g)
	return first + string(pii.IDCheckChar(first)), birth
}

// generate draws one chunk's households and history.
func (w *world) generate(ch chunk) *batch {
	c := ch.county
	r := rand.New(rand.NewPCG(w.opt.Seed, uint64(ch.ci)<<32|uint64(ch.seq)))
	b := &batch{}
	y := w.opt.Year
	prev, cur := derive.WorkYear(y-1), derive.WorkYear(y)
	asOf := cur.End
	if w.today.Before(asOf) {
		asOf = w.today
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	k := ch.first
	for left := ch.n; left > 0; {
		size := householdSize(r)
		size = min(size, left)
		left -= size
		v := c.villages[r.IntN(len(c.villages))]
		h := model.Household{ID: model.NewID(), ProvinceCode: v[:2], CityCode: v[:4], CountyCode: v[:6], TownCode: v[:9],
			VillageCode: v, Address: "甘肃省（模拟地址）", CreatedAt: now, UpdatedAt: now}
		surname := string(surnames[r.IntN(len(surnames))])
		for m := 0; m < size; m++ {
			male := r.IntN(100) < 55
			id, birth := idNumber(c.code, k, male, w.opt.Seed)
			k++
			name := surname + string(given[r.IntN(len(given))])
			if r.IntN(2) == 0 {
				name += string(given[r.IntN(len(given))])
			}
			if m == 0 {
				h.HeadName = name
			}
			phone := fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.Int64N(1_000_000_000))
			lab := model.Labourer{ID: model.NewID(), HouseholdID: h.ID, Name: name, Gender: pii.IDGender(id), BirthDate: birth,
				Ethnicity: "汉族", ProvinceCode: v[:2], CityCode: v[:4], CountyCode: v[:6], TownCode: v[:9], VillageCode: v,
				LabourCapacity: "ordinary", SkillLevel: "none", Education: "junior_high", State: "normal", Category: "lifted",
				RecordStatus: model.RecordActive, Version: 1, CreatedAt: now, UpdatedAt: now}
			lab.IDNumberEnc = w.box.Seal("labourers", "id_number", lab.ID, id)
			lab.IDNumberHash = w.box.Index("id", id)
			lab.IDMasked = pii.MaskID(id)
			lab.PhoneEnc = w.box.Seal("labourers", "phone", lab.ID, phone)
			lab.PhoneHash = w.box.Index("phone", phone)
			lab.PhoneMasked = pii.MaskPhone(phone)
			w.history(r, b, &lab, c, prev, cur, asOf, now)
			b.labourers = append(b.labourers, lab)
		}
		b.households = append(b.households, h)
	}
	return b
}

// householdSize: 1–4 labourers (mean about 1.8).
func householdSize(r *rand.Rand) int {
	switch x := r.IntN(100); {
	case x < 42:
		return 1
	case x < 78:
		return 2
	case x < 94:
		return 3
	default:
		return 4
	}
}

// history draws a labourer's two work years.
func (w *world) history(r *rand.Rand, b *batch, lab *model.Labourer, c *county, prev, cur derive.Window, asOf, now time.Time) {
	spell := func(start time.Time, end *time.Time, scope string) model.EmploymentSpell {
		place, wage := w.place(r, c, lab.VillageCode, scope)
		sp := model.EmploymentSpell{ID: model.NewID(), LabourerID: lab.ID, StartDate: start, EndDate: end, PlaceCode: place,
			PlaceScope: region.PlaceScope(lab.VillageCode, place), Form: "employed", MonthlyWage: wage,
			Industry: "general_worker", Source: model.SourceImport, Verified: r.Float64() >= shareUnverified,
			CreatedAt: now, UpdatedAt: now}
		if sp.PlaceScope == derive.ScopeOutProvince && len(w.jobs) > 0 && r.Float64() < sharePointToPoint {
			j := w.jobs[r.IntN(len(w.jobs))]
			sp.JobID, sp.PlaceCode, sp.Source = &j.ID, j.PlaceCode, model.SourceHire
			sp.PlaceScope = region.PlaceScope(lab.VillageCode, j.PlaceCode)
		}
		if !sp.Verified {
			sp.Source = model.SourceSelf
		}
		b.spells = append(b.spells, sp)
		return sp
	}
	ret := func(d time.Time, prevPlace string) {
		b.returns = append(b.returns, model.ReturnEvent{ID: model.NewID(), LabourerID: lab.ID, ReturnDate: d,
			Reason: []string{"epidemic", "farming", "illness", "personal"}[r.IntN(4)], WantsWork: r.IntN(100) < 60,
			PrevPlace: prevPlace, Source: model.SourceCadre, Verified: r.Float64() >= shareUnverified, CreatedAt: now})
	}
	plan := func() {
		d := dayIn(r, cur.Start, asOf)
		p := model.OutingPlan{ID: model.NewID(), LabourerID: lab.ID, HasPlan: r.IntN(100) < 50, Source: model.SourceCadre,
			Verified: r.Float64() >= shareUnverified, CreatedAt: d.Add(4 * time.Hour)} // noon in China
		if p.HasPlan {
			p.DestCode, p.Job, p.ExpectedWage = destinations[r.IntN(len(destinations))], "普工", 4000+100*r.IntN(30)
		} else {
			p.NoPlanReason = []string{"farming", "family_care", "health", "unwilling"}[r.IntN(4)]
		}
		b.plans = append(b.plans, p)
	}

	x := r.Float64()
	switch {
	case x < shareWorkedLastYear:
		// Last year: 4–11 months from a start in the first five months.
		start := prev.Start.AddDate(0, 0, r.IntN(150))
		end := start.AddDate(0, 4+r.IntN(8), -1)
		scope := w.scope(r)
		continuing := r.IntN(100) < 30
		if !continuing && end.After(prev.End) {
			end = prev.End
		}
		again := r.Float64() < shareAgain
		if continuing && again && !end.Before(cur.Start) {
			// Still there this year: open, or ended before the data date with a return.
			if r.IntN(100) < 75 || !end.Before(asOf) {
				spell(start, nil, scope)
				return
			}
			sp := spell(start, &end, scope)
			ret(end.AddDate(0, 0, 1), sp.PlaceCode)
			return
		}
		if end.After(prev.End) {
			end = prev.End
		}
		sp := spell(start, &end, scope)
		if again {
			s2 := dayIn(r, cur.Start, asOf)
			if r.IntN(100) < 80 {
				spell(s2, nil, w.scope(r))
			} else {
				e2 := s2.AddDate(0, 1+r.IntN(5), 0)
				if e2.Before(asOf) {
					sp2 := spell(s2, &e2, w.scope(r))
					ret(e2.AddDate(0, 0, 1), sp2.PlaceCode)
					if r.IntN(100) < 30 && e2.AddDate(0, 0, 20).Before(asOf) {
						spell(e2.AddDate(0, 0, 10+r.IntN(10)), nil, w.scope(r)) // 再输出
					}
				} else {
					spell(s2, nil, w.scope(r))
				}
			}
			return
		}
		// Not out again this year: some came home, some plan to go.
		switch y := r.IntN(100); {
		case y < 40:
			ret(dayIn(r, cur.Start, asOf), sp.PlaceCode)
			if r.IntN(100) < 30 {
				plan()
			}
		case y < 75:
			plan()
		}
	case x < shareWorkedLastYear+shareWeakLastYear:
		// One or two months outside the county: below the thresholds.
		start := prev.Start.AddDate(0, 0, r.IntN(200))
		end := start.AddDate(0, 1+r.IntN(2), -1)
		spell(start, &end, derive.ScopeInProvince)
		if r.Float64() < shareNewThisYear {
			spell(dayIn(r, cur.Start, asOf), nil, w.scope(r))
		}
	default:
		if r.Float64() < shareNewThisYear {
			spell(dayIn(r, cur.Start, asOf), nil, w.scope(r))
		} else if r.IntN(100) < 20 {
			plan()
		}
	}
}

func (w *world) scope(r *rand.Rand) string {
	switch x := r.Float64(); {
	case x < shareOutProvince:
		return derive.ScopeOutProvince
	case x < shareOutProvince+shareInProvince:
		return derive.ScopeInProvince
	default:
		return derive.ScopeInCounty
	}
}

// place picks a work place of a scope and a monthly wage for it.
func (w *world) place(r *rand.Rand, c *county, home, scope string) (string, int) {
	switch scope {
	case derive.ScopeOutProvince:
		return destinations[r.IntN(len(destinations))], 3500 + 100*r.IntN(40)
	case derive.ScopeInProvince:
		if len(c.inProv) > 0 {
			return c.inProv[r.IntN(len(c.inProv))], 2800 + 100*r.IntN(28)
		}
	}
	return c.villages[r.IntN(len(c.villages))][:9], 2200 + 100*r.IntN(18)
}

// dayIn is a day in [from, to].
func dayIn(r *rand.Rand, from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours()/24) + 1
	if days <= 1 {
		return from
	}
	return from.AddDate(0, 0, r.IntN(days))
}

func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
