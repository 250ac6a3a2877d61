package report

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/infra"
)

// Building a year. A year's rows are built once (on first use, or when
// RowsVersion changes) and refreshed from the dirty marks after that. At a
// province's size a build takes minutes (docs/benchmarks.md), so:
//
//   - the scheduler leader keeps the current work year built and refreshed
//     (Keep), so a request rarely finds work to do;
//   - a request that does find its year unbuilt starts the build (or joins
//     the one running in its process), waits up to BuildWait, and then
//     answers report_building (503, Retry-After) while the build goes on
//     without it;
//   - one process builds a year at a time: the build claims the year's
//     ReportYear row with a token and beats BuildingAt; a claim not beaten
//     within buildLease (a process that died) is taken over;
//   - refreshes in any process go on during a build. Marks they apply while
//     a build runs are kept (Applied); the build's last step, under the
//     refresh lock, recomputes its year for every labourer still marked, so
//     a change made after the build read that labourer is not lost.

// DefaultBuildWait is how long a request waits for its year to be built
// before answering report_building.
const DefaultBuildWait = 15 * time.Second

// buildLease is how long a build claim lives without a heartbeat; a build
// beats it once per page (buildPage labourers, a few seconds at most).
const buildLease = 3 * time.Minute

// KeepEvery is how often the scheduler leader refreshes the current year.
const KeepEvery = 30 * time.Second

// buildingRetry is the Retry-After of report_building, in seconds.
const buildingRetry = 30

var (
	// errBuildingElsewhere: another process holds a live claim on the year.
	errBuildingElsewhere = errors.New("report: the year is being built by another process")
	// errClaimLost: the claim was taken over or dropped (a bulk load
	// invalidated every year) while building; the caller starts again.
	errClaimLost = errors.New("report: build claim lost")
)

func errBuilding(y int) error {
	e := apperr.New(apperr.KindUnavailable, "report_building",
		fmt.Sprintf("%d年度的报表正在生成（全省数据需要十几分钟），请过一会儿再刷新", y))
	e.RetryAfter = buildingRetry
	return e
}

// building is one in-process build that requests can join.
type building struct {
	done chan struct{}
	st   *BuildStats
	err  error
}

// awaitBuild starts the build of year y in this process, or joins the one
// running, and waits for it up to wait (forever when negative). The build
// runs on without the caller: a request that gives up does not stop it.
func (s *Service) awaitBuild(ctx context.Context, y int, force bool, wait time.Duration) (*BuildStats, error) {
	s.bmu.Lock()
	b := s.builds[y]
	if b == nil {
		b = &building{done: make(chan struct{})}
		s.builds[y] = b
		bctx := context.WithoutCancel(ctx)
		go func() {
			b.st, b.err = s.buildClaimed(bctx, y, force)
			s.bmu.Lock()
			delete(s.builds, y)
			s.bmu.Unlock()
			close(b.done)
		}()
	}
	s.bmu.Unlock()
	var timeout <-chan time.Time
	if wait >= 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-b.done:
		return b.st, b.err
	case <-timeout:
		return nil, errBuilding(y)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// buildClaimed claims year y and builds it; nil stats when the year turned
// out to be built already (and force is off).
func (s *Service) buildClaimed(ctx context.Context, y int, force bool) (*BuildStats, error) {
	token, err := s.claim(ctx, y, force)
	if err != nil || token == "" {
		return nil, err
	}
	st, err := s.buildYear(ctx, y, civilToday(s.now()), token)
	if err != nil {
		s.release(ctx, y, token)
		return nil, err
	}
	return st, nil
}

// claim takes the build claim on year y, under the refresh lock so a
// refresh sees the build from its next batch on. It returns "" when the
// year is built (unless force) and errBuildingElsewhere when another
// process's claim is live.
func (s *Service) claim(ctx context.Context, y int, force bool) (string, error) {
	var token string
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		token = ""
		if err := lockRow(tx); err != nil {
			return err
		}
		var ry model.ReportYear
		err := tx.Where("year = ?", y).Take(&ry).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		found := err == nil
		now := time.Now().UTC()
		if found && ry.BuildToken != "" && ry.BuildingAt != nil && now.Sub(*ry.BuildingAt) < buildLease {
			return errBuildingElsewhere
		}
		if found && ry.BuildToken == "" && ry.Version == RowsVersion && !force {
			return nil
		}
		var mark int64
		if err := tx.Model(&model.ReportDirty{}).Select("COALESCE(MAX(id), 0)").Scan(&mark).Error; err != nil {
			return err
		}
		token = newToken()
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&model.ReportYear{Year: y, Version: 0,
			BuildToken: token, BuildingAt: &now, BuildMark: mark}).Error
	})
	if err != nil {
		if errors.Is(err, errBuildingElsewhere) {
			return "", err
		}
		return "", fmt.Errorf("report: claim %d: %w", y, err)
	}
	return token, nil
}

// beat renews the claim; errClaimLost when it is no longer ours.
func (s *Service) beat(db *gorm.DB, y int, token string) error {
	res := db.Model(&model.ReportYear{}).Where("year = ? AND build_token = ?", y, token).
		Update("building_at", time.Now().UTC())
	if res.Error != nil {
		return fmt.Errorf("report: build heartbeat: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return errClaimLost
	}
	return nil
}

// release gives up a claim after a failed build, so another process need not
// wait for the lease.
func (s *Service) release(ctx context.Context, y int, token string) {
	if err := s.db.WithContext(context.WithoutCancel(ctx)).Model(&model.ReportYear{}).
		Where("year = ? AND build_token = ?", y, token).
		Updates(map[string]any{"build_token": "", "building_at": nil}).Error; err != nil {
		s.log.Warn("report: releasing a build claim failed", "year", y, "err", err.Error())
	}
}

// finish is a build's last step, under the refresh lock: the year is
// recomputed for every labourer still marked (a change committed after the
// build read that labourer, whether or not a refresh has applied it to the
// other years since), the marks every built year now reflects are deleted,
// and the year is marked built.
func (s *Service) finish(tx *gorm.DB, y int, token string, today time.Time) error {
	if err := lockRow(tx); err != nil {
		return err
	}
	var ry model.ReportYear
	if err := tx.Where("year = ? AND build_token = ?", y, token).Take(&ry).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errClaimLost
		}
		return err
	}
	var marks []model.ReportDirty
	if err := tx.Where("labourer_id <> 0").Order("id").Find(&marks).Error; err != nil {
		return err
	}
	others, err := builtYearsIn(tx)
	if err != nil {
		return err
	}
	var ids, done []int64
	for _, m := range marks {
		ids = append(ids, m.LabourerID)
		if m.Applied || len(others) == 0 {
			done = append(done, m.ID)
		}
	}
	ids = dedupe(ids)
	for len(ids) > 0 {
		n := min(len(ids), refreshBatch)
		if err := s.recompute(tx, ids[:n], []int{y}, today); err != nil {
			return err
		}
		ids = ids[n:]
	}
	for len(done) > 0 {
		n := min(len(done), refreshBatch)
		if err := tx.Where("id IN ?", done[:n]).Delete(&model.ReportDirty{}).Error; err != nil {
			return err
		}
		done = done[n:]
	}
	if len(others) == 0 {
		// The only year: a "rebuild everything" mark from before the claim
		// is what this build did. One from after it stays, and the next
		// refresh rebuilds.
		if err := tx.Where("labourer_id = 0 AND id <= ?", ry.BuildMark).Delete(&model.ReportDirty{}).Error; err != nil {
			return err
		}
	}
	return tx.Model(&model.ReportYear{}).Where("year = ?", y).Updates(map[string]any{
		"version": RowsVersion, "built_at": time.Now().UTC(), "build_token": "", "building_at": nil}).Error
}

// buildRunning reports whether a live build claim exists (inside the
// refresh lock).
func buildRunning(tx *gorm.DB) (bool, error) {
	var n int64
	err := tx.Model(&model.ReportYear{}).Where("year > 0 AND build_token <> '' AND building_at > ?",
		time.Now().UTC().Add(-buildLease)).Count(&n).Error
	return n > 0, err
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Keep keeps the current work year built and refreshed until ctx ends: the
// scheduler leader runs it, so the first request of the day (or after a
// deploy that changed RowsVersion) does not pay for the build.
func (s *Service) Keep(ctx context.Context, every time.Duration) {
	for {
		y := derive.WorkYearOf(civilToday(s.now()))
		err := s.prepare(ctx, y, -1)
		switch {
		case ctx.Err() != nil:
			return
		case apperr.IsKind(err, apperr.KindUnavailable):
			// another process is building it
		case err != nil:
			s.log.Warn("report: keeping the current year failed", "year", y, "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
