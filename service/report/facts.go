package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/lists"
)

// Forever is the ValidUntil of a row whose year is over: it never expires.
var Forever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// permExit is the labourer state the lists leave out (永久退出).
const permExit = "perm_exit"

// labInfo is the labourer columns a fact row carries.
type labInfo struct {
	ID          int64
	HouseholdID int64
	VillageCode string
}

// ledgerRow is a labourers row with the columns that decide whether the
// lists count it.
type ledgerRow struct {
	ID           int64
	HouseholdID  int64
	VillageCode  string
	RecordStatus string
	State        string
}

func (r ledgerRow) info() labInfo {
	return labInfo{ID: r.ID, HouseholdID: r.HouseholdID, VillageCode: r.VillageCode}
}

// facts are one batch's verified records, by labourer.
type facts struct {
	spells    map[int64][]model.EmploymentSpell
	returns   map[int64][]model.ReturnEvent
	plans     map[int64][]model.OutingPlan
	transport map[int64]bool // job ids with organised transport
}

// loadFacts reads the verified records of a batch of labourers that any of
// the years could read, including future-dated ones (a spell that starts
// next week decides when today's row expires).
func loadFacts(tx *gorm.DB, ids []int64, years []int) (*facts, error) {
	minYear := years[0]
	for _, y := range years {
		minYear = min(minYear, y)
	}
	f := &facts{spells: map[int64][]model.EmploymentSpell{}, returns: map[int64][]model.ReturnEvent{},
		plans: map[int64][]model.OutingPlan{}, transport: map[int64]bool{}}
	var spells []model.EmploymentSpell
	if err := tx.Where("labourer_id IN ? AND verified = ? AND (end_date IS NULL OR end_date >= ?)", ids, true,
		derive.WorkYear(minYear-1).Start).Find(&spells).Error; err != nil {
		return nil, fmt.Errorf("report: spells: %w", err)
	}
	var jobIDs []int64
	for _, sp := range spells {
		f.spells[sp.LabourerID] = append(f.spells[sp.LabourerID], sp)
		if sp.JobID != nil && sp.PlaceScope == derive.ScopeOutProvince {
			jobIDs = append(jobIDs, *sp.JobID)
		}
	}
	if len(jobIDs) > 0 {
		var tj []int64
		if err := tx.Model(&model.Job{}).Where("id IN ? AND transport = ?", jobIDs, true).Pluck("id", &tj).Error; err != nil {
			return nil, fmt.Errorf("report: jobs: %w", err)
		}
		for _, id := range tj {
			f.transport[id] = true
		}
	}
	var returns []model.ReturnEvent
	if err := tx.Where("labourer_id IN ? AND verified = ? AND return_date >= ?", ids, true, derive.WorkYear(minYear).Start).
		Find(&returns).Error; err != nil {
		return nil, fmt.Errorf("report: returns: %w", err)
	}
	for _, r := range returns {
		f.returns[r.LabourerID] = append(f.returns[r.LabourerID], r)
	}
	var plans []model.OutingPlan
	if err := tx.Where("labourer_id IN ? AND verified = ?", ids, true).Find(&plans).Error; err != nil {
		return nil, fmt.Errorf("report: plans: %w", err)
	}
	for _, p := range plans {
		f.plans[p.LabourerID] = append(f.plans[p.LabourerID], p)
	}
	return f, nil
}

// asOfFor is the data date of year y on day today: today, or 30 September
// of a finished year (as service/lists resolves it).
func asOfFor(y int, today time.Time) time.Time {
	end := derive.WorkYear(y).End
	if today.Before(end) {
		return today
	}
	return end
}

// row derives one labourer's fact row for year y from their records through
// service/lists (the same derivation the lists use), or reports that they
// have no record the year could read.
func (f *facts) row(l labInfo, y int, today time.Time) (model.ReportFact, bool) {
	asOf := asOfFor(y, today)
	w := derive.WorkYear(y)
	spanStart := derive.WorkYear(y - 1).Start
	var spells []model.EmploymentSpell
	for _, sp := range f.spells[l.ID] {
		if sp.EndDate == nil || !civil(*sp.EndDate).Before(spanStart) {
			spells = append(spells, sp)
		}
	}
	var returns []model.ReturnEvent
	for _, r := range f.returns[l.ID] {
		if !civil(r.ReturnDate).Before(w.Start) {
			returns = append(returns, r)
		}
	}
	var plans []model.OutingPlan
	for _, p := range f.plans[l.ID] {
		if !planDay(p).Before(w.Start) {
			plans = append(plans, p)
		}
	}
	if len(spells) == 0 && len(returns) == 0 && len(plans) == 0 {
		return model.ReportFact{}, false
	}
	p := lists.PersonOf(y, asOf, spells, returns, plans)
	r := model.ReportFact{LabourerID: l.ID, Year: y, VillageCode: l.VillageCode, HouseholdID: l.HouseholdID,
		LastCounted: p.LastYear.Counted, ThisCounted: p.ThisYear.Counted, Willing: p.Willing, AsOf: asOf}
	ds := deriveSpells(spells)
	r.ThisMonths, r.LastMonths = monthStates(ds, y), monthStates(ds, y-1)
	if r.ThisCounted {
		r.Scope = placeOf(p.ThisYear)
		if r.Scope == derive.ScopeOutProvince {
			for _, sp := range spells {
				if sp.PlaceScope == derive.ScopeOutProvince && sp.Form != derive.FormSelfEmployed && sp.JobID != nil &&
					f.transport[*sp.JobID] && !civil(sp.StartDate).After(asOf) &&
					(sp.EndDate == nil || !civil(*sp.EndDate).Before(w.Start)) {
					r.PointToPoint = true
				}
			}
		}
	}
	r.ValidUntil = validUntil(asOf, w, spells, returns, plans)
	return r, true
}

// placeOf is where a counted labourer's work this year is: the place of the
// work they are at on the data date, else the place where they worked the
// most months (a tie goes to the farther place).
func placeOf(f derive.Facts) string {
	if f.AtWork {
		return f.AtWorkScope
	}
	out := f.OutProvinceMonths
	in := f.OutCounty.Months - f.OutProvinceMonths
	home := f.InCounty.Months
	switch {
	case out >= in && out >= home && out > 0:
		return derive.ScopeOutProvince
	case in >= home && in > 0:
		return derive.ScopeInProvince
	default:
		return derive.ScopeInCounty
	}
}

// validUntil is the last data date for which a row computed at asOf stays
// exact. Between two dated events of the labourer's records nothing a row
// holds can change: someone at work stays at work (and counted, while the
// year runs); someone not at work earns no months, so the thresholds cannot
// be crossed; a plan or return dated later is not yet read. The events are
// spell starts, the day after spell ends, return dates, plan dates and the
// year's end (a year in progress counts whoever is at work; a finished year
// only those who reached the thresholds).
func validUntil(asOf time.Time, w derive.Window, spells []model.EmploymentSpell, returns []model.ReturnEvent, plans []model.OutingPlan) time.Time {
	if !asOf.Before(w.End) {
		return Forever
	}
	next := w.End
	consider := func(d time.Time) {
		if d.After(asOf) && d.Before(next) {
			next = d
		}
	}
	for _, sp := range spells {
		consider(civil(sp.StartDate))
		if sp.EndDate != nil {
			consider(civil(*sp.EndDate).AddDate(0, 0, 1))
		}
	}
	for _, r := range returns {
		consider(civil(r.ReturnDate))
	}
	for _, p := range plans {
		consider(planDay(p))
	}
	return next.AddDate(0, 0, -1)
}

// planDay is the day a plan was recorded, in China (as the lists read it).
func planDay(p model.OutingPlan) time.Time { return civil(p.CreatedAt.In(lists.China)) }

func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func civilToday(now time.Time) time.Time { return civil(now.In(lists.China)) }

// ledger limits a labourers query to the rows the lists count.
func ledger(q *gorm.DB) *gorm.DB {
	return q.Where("record_status = ? AND state <> ?", model.RecordActive, permExit)
}

// recompute rewrites the fact rows of some labourers for some years and the
// village rows they touch, inside tx.
func (s *Service) recompute(tx *gorm.DB, ids []int64, years []int, today time.Time) error {
	if len(ids) == 0 || len(years) == 0 {
		return nil
	}
	var labs []labInfo
	if err := ledger(tx.Model(&model.Labourer{})).Where("id IN ?", ids).
		Select("id, household_id, village_code").Scan(&labs).Error; err != nil {
		return fmt.Errorf("report: labourers: %w", err)
	}
	// The rows before the change, and the households they and the new rows
	// belong to, are read first: the village rows change by the difference.
	var old []factRow
	if err := tx.Model(&model.ReportFact{}).Where("labourer_id IN ? AND year IN ?", ids, years).
		Select(factRowCols).Scan(&old).Error; err != nil {
		return fmt.Errorf("report: old rows: %w", err)
	}
	var rows []model.ReportFact
	if len(labs) > 0 {
		lids := make([]int64, len(labs))
		for i, l := range labs {
			lids[i] = l.ID
		}
		f, err := loadFacts(tx, lids, years)
		if err != nil {
			return err
		}
		for _, l := range labs {
			for _, y := range years {
				if r, ok := f.row(l, y, today); ok {
					rows = append(rows, r)
				}
			}
		}
	}
	deltas := make(map[int]*yearDelta, len(years))
	households := make(map[int]map[int64]bool, len(years))
	for _, y := range years {
		deltas[y] = newYearDelta(y)
		households[y] = map[int64]bool{}
	}
	for i := range old {
		households[old[i].Year][old[i].F.HouseholdID] = true
	}
	for i := range rows {
		households[rows[i].Year][rows[i].HouseholdID] = true
	}
	for _, y := range years {
		hh := make([]int64, 0, len(households[y]))
		for h := range households[y] {
			hh = append(hh, h)
		}
		if err := deltas[y].households(tx, hh); err != nil {
			return err
		}
	}
	for i := range old {
		deltas[old[i].Year].row(&old[i].F, -1)
	}
	for i := range rows {
		r := &rows[i]
		deltas[r.Year].row(lite(r), 1)
	}
	if err := tx.Where("labourer_id IN ? AND year IN ?", ids, years).Delete(&model.ReportFact{}).Error; err != nil {
		return fmt.Errorf("report: delete rows: %w", err)
	}
	if len(rows) > 0 {
		if err := tx.CreateInBatches(rows, s.insertBatch()).Error; err != nil {
			return fmt.Errorf("report: insert rows: %w", err)
		}
	}
	for _, y := range years {
		d := deltas[y]
		d.settleHouseholds()
		if err := s.apply(tx, d); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) insertBatch() int {
	if infra.Dialect(s.db) == infra.DialectSQLite {
		return 200 // SQLite's bound-variable limit and its driver's quadratic binding
	}
	return 1000
}

// factLite is what the village sums read of a fact row.
type factLite struct {
	VillageCode  string
	HouseholdID  int64
	LastCounted  bool
	ThisCounted  bool
	Willing      bool
	Scope        string
	PointToPoint bool
	ThisMonths   string
	LastMonths   string
}

// lite is what the village sums read of a fact row.
func lite(r *model.ReportFact) *factLite {
	return &factLite{VillageCode: r.VillageCode, HouseholdID: r.HouseholdID, LastCounted: r.LastCounted,
		ThisCounted: r.ThisCounted, Willing: r.Willing, Scope: r.Scope, PointToPoint: r.PointToPoint,
		ThisMonths: r.ThisMonths, LastMonths: r.LastMonths}
}

// factCols are the fact row columns the village sums read.
const factCols = "village_code, household_id, last_counted, this_counted, willing, scope, point_to_point, this_months, last_months"

// villageSum sums one village's fact rows as they stream past.
type villageSum struct {
	year   int
	code   string
	f      Figures
	hh     map[int64]*[2]int // household → last year's workers, of them working again
	months monthSums
}

func newVillageSum(year int, code string) *villageSum {
	return &villageSum{year: year, code: code, hh: map[int64]*[2]int{}}
}

func (vs *villageSum) add(r *factLite) {
	addCounters(&vs.f, r, 1)
	if r.LastCounted {
		t := vs.hh[r.HouseholdID]
		if t == nil {
			t = &[2]int{}
			vs.hh[r.HouseholdID] = t
		}
		t[0]++
		if r.ThisCounted {
			t[1]++
		}
	}
	vs.months.addSigned(r.ThisMonths, r.LastMonths, 1)
}

// done applies the household comparison (service/derive) and returns the row.
func (vs *villageSum) done() model.ReportVillage {
	var h derive.HouseholdChange
	for _, t := range vs.hh {
		h.AddHousehold(t[0], t[1])
	}
	f := vs.f
	f.ZeroHouseholds, f.ZeroPersons = h.ZeroHouseholds, h.ZeroPersons
	f.ReducedHouseholds, f.ReducedLastPersons, f.ReducedThisPersons = h.ReducedHouseholds, h.ReducedLastPersons, h.ReducedThisPersons
	return villageRow(vs.year, vs.code, f)
}

// ---- keeping the rows up to date ----

// refreshBatch labourers are recomputed per transaction.
const refreshBatch = 2000

// errRebuild: a "rebuild everything" mark was found.
var errRebuild = errors.New("report: rebuild")

// Prepare makes the rows of year y exact for today: it builds the year on
// first use (waiting up to the build wait, then answering report_building
// while the build goes on), then recomputes the labourers marked dirty (for
// every built year) and the rows of year y whose validity ended before today.
func (s *Service) Prepare(ctx context.Context, y int) error { return s.prepare(ctx, y, s.buildWait) }

func (s *Service) prepare(ctx context.Context, y int, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for attempt := 0; attempt < 3; {
		built, err := s.builtYears(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(built, y) {
			left := time.Duration(-1) // wait for the build however long it takes
			if wait >= 0 {
				left = max(0, time.Until(deadline))
			}
			_, err := s.awaitBuild(ctx, y, false, left)
			switch {
			case errors.Is(err, errBuildingElsewhere):
				// Another process is building it: look again until the wait is over.
				if wait < 0 || time.Now().After(deadline) {
					return errBuilding(y)
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(250 * time.Millisecond):
				}
			case err != nil && !errors.Is(err, errClaimLost):
				return err
			default: // built, or the claim was lost to a rebuild: look again
				attempt++
			}
			continue
		}
		attempt++
		s.mu.Lock()
		err = s.refresh(ctx, y, civilToday(s.now()))
		s.mu.Unlock()
		if errors.Is(err, errRebuild) {
			continue
		}
		return err
	}
	return errors.New("report: the rows kept changing while they were rebuilt")
}

func (s *Service) builtYears(ctx context.Context) ([]int, error) {
	return builtYearsIn(s.db.WithContext(ctx))
}

// builtYearsIn lists the years whose rows are built with this layout.
func builtYearsIn(db *gorm.DB) ([]int, error) {
	var ys []int
	if err := db.Model(&model.ReportYear{}).Where("year > 0 AND version = ? AND build_token = ''", RowsVersion).Order("year").
		Pluck("year", &ys).Error; err != nil {
		return nil, fmt.Errorf("report: years: %w", err)
	}
	return ys, nil
}

// lockRow takes the refresh lock (the ReportYear row 0) inside tx, so two
// processes never write the same rows from different snapshots.
func lockRow(tx *gorm.DB) error {
	var ry model.ReportYear
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("year = 0").Take(&ry).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&model.ReportYear{Year: 0}).Error; err != nil {
			return err
		}
		return tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("year = 0").Take(&ry).Error
	}
	return err
}

// refresh recomputes dirty labourers (every built year) and expired rows of
// year y, a batch per transaction, until none is left.
func (s *Service) refresh(ctx context.Context, y int, today time.Time) error {
	asOf := asOfFor(y, today)
	for {
		done, rebuild := false, false
		err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
			if err := lockRow(tx); err != nil {
				return err
			}
			// The built years are read under the lock: a build that
			// finished a moment ago counts from this batch on.
			built, err := builtYearsIn(tx)
			if err != nil {
				return err
			}
			// While a year is being built, the marks applied here are kept
			// for the build's last step (finish); otherwise they go.
			building, err := buildRunning(tx)
			if err != nil {
				return err
			}
			if !building {
				if err := tx.Where("applied = ?", true).Delete(&model.ReportDirty{}).Error; err != nil {
					return err
				}
			}
			var marks []model.ReportDirty
			if err := tx.Where("applied = ?", false).Order("id").Limit(refreshBatch).Find(&marks).Error; err != nil {
				return err
			}
			var markIDs, dirty []int64
			for _, m := range marks {
				if m.LabourerID == 0 {
					rebuild = true
					return s.dropAll(tx, m.ID)
				}
				markIDs = append(markIDs, m.ID)
				dirty = append(dirty, m.LabourerID)
			}
			var stale []int64
			// Rows are computed at or before today, so only the end of their
			// validity can pass (an index range on year, valid_until).
			if err := tx.Model(&model.ReportFact{}).Where("year = ? AND valid_until < ?", y, asOf).
				Limit(refreshBatch).Pluck("labourer_id", &stale).Error; err != nil {
				return err
			}
			if len(marks) == 0 && len(stale) == 0 {
				done = true
				return nil
			}
			if err := s.recompute(tx, dedupe(dirty), built, today); err != nil {
				return err
			}
			if err := s.recompute(tx, dedupe(stale), []int{y}, today); err != nil {
				return err
			}
			if len(markIDs) > 0 && building {
				return tx.Model(&model.ReportDirty{}).Where("id IN ?", markIDs).Update("applied", true).Error
			}
			if len(markIDs) > 0 {
				return tx.Where("id IN ?", markIDs).Delete(&model.ReportDirty{}).Error
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("report: refresh: %w", err)
		}
		if rebuild {
			return errRebuild
		}
		if done {
			return nil
		}
	}
}

// dropAll forgets every built year (a bulk load invalidated them) and the
// marks up to upTo; the caller rebuilds.
func (s *Service) dropAll(tx *gorm.DB, upTo int64) error {
	for _, q := range []any{&model.ReportFact{}, &model.ReportVillage{}, &model.ReportMonth{}} {
		if err := tx.Where("1 = 1").Delete(q).Error; err != nil {
			return err
		}
	}
	if err := tx.Where("year > 0").Delete(&model.ReportYear{}).Error; err != nil {
		return err
	}
	if err := tx.Where("id <= ?", upTo).Delete(&model.ReportDirty{}).Error; err != nil {
		return err
	}
	return nil // committed; the caller then builds afresh
}

func dedupe(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// buildPage labourers are read per page when a year is built.
const buildPage = 5000

// BuildStats says what a build did.
type BuildStats struct {
	Year      int
	Labourers int
	Rows      int
	Villages  int
	Elapsed   time.Duration
}

// buildYear computes every row of year y from the records, holding the
// build claim token (see build.go): pages of labourers, then the village
// rows, then finish under the refresh lock.
func (s *Service) buildYear(ctx context.Context, y int, today time.Time, token string) (*BuildStats, error) {
	start := time.Now()
	db := s.db.WithContext(ctx)
	st := &BuildStats{Year: y}
	if err := db.Where("year = ?", y).Delete(&model.ReportFact{}).Error; err != nil {
		return nil, fmt.Errorf("report: build: %w", err)
	}
	sums := map[string]*villageSum{} // the village rows, summed as the fact rows are written
	var last int64
	for {
		// Pages follow the primary key alone and the ledger filter is applied
		// here: with it in SQL, MariaDB picks the record_status index and
		// rescans every earlier id on each page.
		var page []ledgerRow
		if err := db.Model(&model.Labourer{}).Where("id > ?", last).Order("id").Limit(buildPage).
			Select("id, household_id, village_code, record_status, state").Scan(&page).Error; err != nil {
			return nil, fmt.Errorf("report: build: %w", err)
		}
		if len(page) == 0 {
			break
		}
		if err := s.beat(db, y, token); err != nil {
			return nil, err
		}
		last = page[len(page)-1].ID
		labs := make([]labInfo, 0, len(page))
		for _, r := range page {
			if r.RecordStatus == model.RecordActive && r.State != permExit {
				labs = append(labs, r.info())
			}
		}
		st.Labourers += len(labs)
		if len(labs) == 0 {
			continue
		}
		ids := make([]int64, len(labs))
		for i, l := range labs {
			ids[i] = l.ID
		}
		f, err := loadFacts(db, ids, []int{y})
		if err != nil {
			return nil, err
		}
		rows := make([]model.ReportFact, 0, len(labs))
		for _, l := range labs {
			if r, ok := f.row(l, y, today); ok {
				rows = append(rows, r)
				vs := sums[r.VillageCode]
				if vs == nil {
					vs = newVillageSum(y, r.VillageCode)
					sums[r.VillageCode] = vs
				}
				vs.add(lite(&r))
			}
		}
		if len(rows) > 0 {
			if err := db.Clauses(clause.OnConflict{UpdateAll: true}).CreateInBatches(rows, s.insertBatch()).Error; err != nil {
				return nil, fmt.Errorf("report: build: %w", err)
			}
		}
		st.Rows += len(rows)
		if s.afterPage != nil {
			s.afterPage(y)
		}
		if len(page) < buildPage {
			break
		}
	}
	if err := s.beat(db, y, token); err != nil {
		return nil, err
	}
	n, err := s.writeVillages(ctx, y, sums)
	if err != nil {
		return nil, err
	}
	st.Villages = n
	if err := infra.Tx(db, func(tx *gorm.DB) error { return s.finish(tx, y, token, today) }); err != nil {
		if errors.Is(err, errClaimLost) {
			return nil, err
		}
		return nil, fmt.Errorf("report: build: %w", err)
	}
	st.Elapsed = time.Since(start)
	s.log.Info("report year built", "year", y, "labourers", st.Labourers, "rows", st.Rows, "villages", st.Villages,
		"ms", st.Elapsed.Milliseconds())
	return st, nil
}

// writeVillages replaces every village row of year y with the sums the
// build gathered while it wrote the fact rows (the build is the only writer
// of an unbuilt year's rows, so the sums are those of the rows; reading them
// back in village order cost a random look-up per row — most of a
// province's build once the rows outgrew the buffer pool).
func (s *Service) writeVillages(ctx context.Context, y int, sums map[string]*villageSum) (int, error) {
	db := s.db.WithContext(ctx)
	codes := make([]string, 0, len(sums))
	for c := range sums {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	out := make([]model.ReportVillage, 0, len(codes))
	months := make([]villageMonths, 0, len(codes))
	for _, c := range codes {
		vs := sums[c]
		out = append(out, vs.done())
		months = append(months, villageMonths{c, vs.months})
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("year = ?", y).Delete(&model.ReportVillage{}).Error; err != nil {
			return err
		}
		if err := tx.Where("year = ?", y).Delete(&model.ReportMonth{}).Error; err != nil {
			return err
		}
		if len(out) > 0 {
			if err := tx.CreateInBatches(out, s.insertBatch()).Error; err != nil {
				return err
			}
		}
		// The month rows are made a thousand villages at a time: a province
		// has up to twelve per village.
		for len(months) > 0 {
			n := min(len(months), 1000)
			var ms []model.ReportMonth
			for _, vm := range months[:n] {
				ms = vm.sums.rows(y, vm.code, ms)
			}
			months = months[n:]
			if len(ms) > 0 {
				if err := tx.CreateInBatches(ms, s.insertBatch()).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("report: villages: %w", err)
	}
	return len(out), nil
}

// Rebuild builds year y afresh and waits for it (the synthetic generator
// and the benchmark call it; reports build a year by themselves on first
// use, and the scheduler leader keeps the current year built).
func (s *Service) Rebuild(ctx context.Context, y int) (*BuildStats, error) {
	st, err := s.awaitBuild(ctx, y, true, -1)
	if err == nil && st == nil {
		st = &BuildStats{Year: y} // joined a build that found the year built
	}
	return st, err
}
