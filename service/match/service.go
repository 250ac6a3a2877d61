package match

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// DefaultRefresh is how often the whole index is reloaded, so processes that
// did not see a job event (another API instance, a job that expired) agree
// with the database within this time.
const DefaultRefresh = time.Minute

// maxCandidates bounds how many willing labourers one candidate search scores.
const maxCandidates = 5000

// Service matches against the database: it keeps an Index of the open jobs
// and builds worker profiles from the registry.
type Service struct {
	db   *gorm.DB
	idx  *Index
	name Namer
	now  func() time.Time
	log  *slog.Logger
}

// New builds the service; name may be nil; now defaults to time.Now.
func New(db *gorm.DB, name Namer, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, idx: NewIndex(), name: name, now: now, log: log.With("component", "match")}
}

// Index is the in-memory index of open jobs.
func (s *Service) Index() *Index { return s.idx }

// Namer names region codes in reasons.
func (s *Service) Namer() Namer { return s.name }

// Refresh reloads every open, unexpired job with headcount left.
func (s *Service) Refresh(ctx context.Context) error { return s.refresh(ctx, s.db) }

// refresh loads through db (a handler's transaction: on SQLite another
// handle would wait for it forever).
func (s *Service) refresh(ctx context.Context, db *gorm.DB) error {
	now := s.now()
	var rows []model.Job
	err := db.WithContext(ctx).Where("status = ? AND valid_until >= ? AND filled < headcount", model.JobOpen, now).
		Find(&rows).Error
	if err != nil {
		return fmt.Errorf("match refresh: %w", err)
	}
	jobs := make([]Job, len(rows))
	for i := range rows {
		jobs[i] = JobFrom(&rows[i])
	}
	s.idx.Replace(jobs, now)
	return nil
}

// RefreshJob reloads one job (after approval, a hire or a close), inside tx
// when given so a handler sees its own writes.
func (s *Service) RefreshJob(ctx context.Context, tx *gorm.DB, id int64) (Job, error) {
	if tx == nil {
		tx = s.db
	}
	var row model.Job
	err := tx.WithContext(ctx).Take(&row, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		s.idx.Remove(id)
		return Job{}, apperr.NotFound("岗位")
	}
	if err != nil {
		return Job{}, fmt.Errorf("match refresh job %d: %w", id, err)
	}
	j := JobFrom(&row)
	if j.ValidUntil.Before(s.now()) || j.Filled >= j.Headcount {
		j.Open = false
	}
	s.idx.Upsert(j)
	return JobFrom(&row), nil
}

// ensure loads the index on first use, through tx when given.
func (s *Service) ensure(ctx context.Context, tx *gorm.DB) error {
	if !s.idx.LoadedAt().IsZero() {
		return nil
	}
	if tx == nil {
		tx = s.db
	}
	return s.refresh(ctx, tx)
}

// RunRefresher reloads the index every interval until ctx ends.
func (s *Service) RunRefresher(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultRefresh
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("job index refresh failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Search runs opt for a profile against the index (tx, when given, loads
// the index on first use).
func (s *Service) Search(ctx context.Context, tx *gorm.DB, p Profile, opt Options) ([]Match, error) {
	if err := s.ensure(ctx, tx); err != nil {
		return nil, err
	}
	return s.idx.Search(p, s.now(), opt, s.name), nil
}

// Profile builds one labourer's profile (inside tx when given).
func (s *Service) Profile(ctx context.Context, tx *gorm.DB, labourerID int64) (Profile, error) {
	ps, err := s.Profiles(ctx, tx, []int64{labourerID})
	if err != nil {
		return Profile{}, err
	}
	if len(ps) == 0 {
		return Profile{}, apperr.NotFound("劳动力")
	}
	return ps[0], nil
}

// Profiles builds profiles in bulk: four queries for any number of labourers.
func (s *Service) Profiles(ctx context.Context, tx *gorm.DB, ids []int64) ([]Profile, error) {
	if tx == nil {
		tx = s.db
	}
	tx = tx.WithContext(ctx)
	out := make([]Profile, 0, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var labs []model.Labourer
		if err := tx.Select("id", "household_id", "birth_date", "labour_capacity", "skill_level", "village_code", "category").
			Where("id IN ?", chunk).Find(&labs).Error; err != nil {
			return nil, fmt.Errorf("match profiles: %w", err)
		}
		hhIDs := make([]int64, 0, len(labs))
		for _, l := range labs {
			hhIDs = append(hhIDs, l.HouseholdID)
		}
		var hhs []model.Household
		if err := tx.Select("id", "zero_employment", "relocated").Where("id IN ?", hhIDs).Find(&hhs).Error; err != nil {
			return nil, fmt.Errorf("match profiles: households: %w", err)
		}
		hh := make(map[int64]model.Household, len(hhs))
		for _, h := range hhs {
			hh[h.ID] = h
		}
		var plans []model.OutingPlan
		if err := tx.Select("id", "labourer_id", "has_plan", "dest_code", "job", "expected_wage").
			Where("labourer_id IN ?", chunk).Order("id").Find(&plans).Error; err != nil {
			return nil, fmt.Errorf("match profiles: plans: %w", err)
		}
		plan := map[int64]model.OutingPlan{}
		for _, p := range plans { // ids are time-ordered: the last one wins
			plan[p.LabourerID] = p
		}
		var spells []model.EmploymentSpell
		if err := tx.Select("id", "labourer_id", "start_date", "industry", "monthly_wage").
			Where("labourer_id IN ?", chunk).Order("start_date, id").Find(&spells).Error; err != nil {
			return nil, fmt.Errorf("match profiles: spells: %w", err)
		}
		last := map[int64]model.EmploymentSpell{}
		for _, sp := range spells {
			last[sp.LabourerID] = sp
		}
		for _, l := range labs {
			p := Profile{LabourerID: l.ID, BirthDate: l.BirthDate, Capacity: l.LabourCapacity, Skill: l.SkillLevel,
				HomeCode: l.VillageCode, Monitored: l.Category == "monitored"}
			if h, ok := hh[l.HouseholdID]; ok {
				p.ZeroEmployment, p.Relocated = h.ZeroEmployment, h.Relocated
			}
			if sp, ok := last[l.ID]; ok {
				p.LastIndustry, p.ExpectedWage = sp.Industry, sp.MonthlyWage
			}
			if pl, ok := plan[l.ID]; ok && pl.HasPlan {
				p.DestCode, p.PlanJob = pl.DestCode, pl.Job
				if pl.ExpectedWage > 0 {
					p.ExpectedWage = pl.ExpectedWage
				}
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// Feed is a worker's top n open jobs, searched everywhere.
func (s *Service) Feed(ctx context.Context, labourerID int64, n int) ([]Match, error) {
	p, err := s.Profile(ctx, nil, labourerID)
	if err != nil {
		return nil, err
	}
	return s.Search(ctx, nil, p, Options{N: n, Wide: true})
}

// Candidate is a labourer matched to a job.
type Candidate struct {
	LabourerID int64
	CaseID     int64 // the open 72-hour case, 0 if none
	Match      Match
}

// Candidates are the best labourers for a job: returnees with an open
// 72-hour case first, then other labourers who want work and are not
// working, each group best score first. within limits the labourers to
// region prefixes (nil: everywhere).
func (s *Service) Candidates(ctx context.Context, jobID int64, n int, within []string) ([]Candidate, error) {
	var row model.Job
	if err := s.db.WithContext(ctx).Take(&row, jobID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("岗位")
		}
		return nil, fmt.Errorf("match candidates: %w", err)
	}
	job := JobFrom(&row)
	if n <= 0 {
		n = 20
	}
	scope := func(q *gorm.DB, col string) *gorm.DB {
		if within == nil {
			return q
		}
		if len(within) == 0 {
			return q.Where("1 = 0")
		}
		cond, args := "", []any{}
		for i, p := range within {
			if i > 0 {
				cond += " OR "
			}
			cond += col + " LIKE ?"
			args = append(args, p+"%")
		}
		return q.Where("("+cond+")", args...)
	}
	type caseRow struct {
		ID         int64
		LabourerID int64
	}
	var cases []caseRow
	if err := scope(s.db.WithContext(ctx).Model(&model.ReturnCase{}).Select("id", "labourer_id").
		Where("status = ?", model.CaseOpen), "village_code").Order("opened_at").Limit(maxCandidates).Scan(&cases).Error; err != nil {
		return nil, fmt.Errorf("match candidates: cases: %w", err)
	}
	caseOf := make(map[int64]int64, len(cases))
	ids := make([]int64, 0, len(cases))
	for _, c := range cases {
		if _, dup := caseOf[c.LabourerID]; !dup {
			caseOf[c.LabourerID] = c.ID
			ids = append(ids, c.LabourerID)
		}
	}
	var willing []int64
	if err := scope(s.db.WithContext(ctx).Model(&model.Labourer{}).
		Where("wants_work = ? AND working = ? AND record_status = ? AND state = ?", true, false, model.RecordActive, "normal"),
		"village_code").Order("status_at DESC").Limit(maxCandidates).Pluck("id", &willing).Error; err != nil {
		return nil, fmt.Errorf("match candidates: willing: %w", err)
	}
	for _, id := range willing {
		if _, dup := caseOf[id]; !dup {
			ids = append(ids, id)
		}
	}
	profiles, err := s.Profiles(ctx, nil, ids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Candidate, 0, len(profiles))
	for _, p := range profiles {
		m, ok := Score(p, job, now, s.name)
		if !ok {
			continue
		}
		out = append(out, Candidate{LabourerID: p.LabourerID, CaseID: caseOf[p.LabourerID], Match: m})
	}
	sort.Slice(out, func(a, b int) bool {
		ca, cb := out[a].CaseID != 0, out[b].CaseID != 0
		if ca != cb {
			return ca
		}
		return better(out[a].Match.Score, out[a].LabourerID, out[b].Match.Score, out[b].LabourerID)
	})
	return out[:min(n, len(out))], nil
}
