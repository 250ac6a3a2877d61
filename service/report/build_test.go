package report_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/report"
)

// builtYear is the year the default tables read (the one a first Table call built).
func builtYear(t *testing.T, e *env) int {
	t.Helper()
	var ys []int
	must(e.db.Model(&model.ReportYear{}).Where("year > 0").Pluck("year", &ys).Error)
	if len(ys) != 1 {
		t.Fatalf("built years %v, want one", ys)
	}
	return ys[0]
}

func wantBuilding(t *testing.T, err error, step string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindUnavailable || e.Code != "report_building" || e.RetryAfter <= 0 || e.Message == "" {
		t.Fatalf("%s: %v, want report_building with Retry-After", step, err)
	}
}

// TestRequestDoesNotWaitForBuild: a request that finds its year unbuilt
// starts the build, waits up to the build wait, and answers report_building
// (503) while the build goes on; a second request joins the same build;
// once it is done the tables answer and are exact.
func TestRequestDoesNotWaitForBuild(t *testing.T) {
	e := newEnv(t)
	e.population(t, 300, 5)
	e.rep.SetBuildWait(0)
	release := make(chan struct{})
	var pages atomic.Int32
	report.SetAfterPage(e.rep, func(int) {
		if pages.Add(1) == 1 {
			<-release
		}
	})
	ctx := admin()
	_, err := e.rep.Table(ctx, report.Params{Region: "62"}, 1)
	wantBuilding(t, err, "first request")
	_, err = e.rep.Table(ctx, report.Params{Region: county}, 1)
	wantBuilding(t, err, "second request during the build")
	close(release)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err = e.rep.Table(ctx, report.Params{Region: "62"}, 1)
		if err == nil {
			break
		}
		wantBuilding(t, err, "waiting")
		if time.Now().After(deadline) {
			t.Fatal("the build did not finish in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := pages.Load(); n != 1 {
		t.Fatalf("%d pages written: the second request started a build of its own", n)
	}
	compare(t, e, "after a build in the background")
}

// TestBuildClaimedElsewhere: a live claim by another process makes requests
// answer report_building without building; a claim whose heartbeat stopped
// (the process died) is taken over.
func TestBuildClaimedElsewhere(t *testing.T) {
	e := newEnv(t)
	e.population(t, 300, 6)
	ctx := admin()
	if _, err := e.rep.Table(ctx, report.Params{Region: "62"}, 1); err != nil {
		t.Fatal(err)
	}
	y := builtYear(t, e)
	var pages atomic.Int32
	report.SetAfterPage(e.rep, func(int) { pages.Add(1) })
	now := time.Now().UTC()
	must(e.db.Model(&model.ReportYear{}).Where("year = ?", y).
		Updates(map[string]any{"version": 0, "build_token": "another-process", "building_at": now}).Error)
	e.rep.SetBuildWait(300 * time.Millisecond) // looks again a few times, then answers
	_, err := e.rep.Table(ctx, report.Params{Region: "62"}, 1)
	wantBuilding(t, err, "live claim elsewhere")
	if pages.Load() != 0 {
		t.Fatal("built although another process holds the claim")
	}
	must(e.db.Model(&model.ReportYear{}).Where("year = ?", y).Update("building_at", now.Add(-time.Hour)).Error)
	if _, err := e.rep.Table(ctx, report.Params{Region: "62"}, 1); err != nil {
		t.Fatalf("after the claim went stale: %v", err)
	}
	if pages.Load() == 0 {
		t.Fatal("the stale claim was not taken over")
	}
	compare(t, e, "after taking over a stale claim")
}

// TestChangesDuringBuildAreKept: records change after the build has read
// them, and a refresh of another built year applies those marks meanwhile;
// the build's last step still recomputes its year for them, so the tables
// equal the recount.
func TestChangesDuringBuildAreKept(t *testing.T) {
	e := newEnv(t)
	e.population(t, 600, 9)
	ctx := admin()
	compare(t, e, "initial")
	y := builtYear(t, e)
	if _, err := e.rep.Table(ctx, report.Params{Region: "62", Year: y - 1}, 1); err != nil {
		t.Fatal(err)
	}
	var labs []model.Labourer
	must(e.db.Where("county_code = ?", county).Limit(30).Find(&labs).Error)
	if len(labs) < 10 {
		t.Fatalf("only %d labourers in the county", len(labs))
	}
	var changed atomic.Bool
	var hookErr error
	report.SetAfterPage(e.rep, func(year int) {
		if year != y || !changed.CompareAndSwap(false, true) {
			return
		}
		for i, l := range labs {
			// Every labourer the page read ends their open job, or starts one
			// out of the province.
			var sp model.EmploymentSpell
			if e.db.Where("labourer_id = ? AND end_date IS NULL", l.ID).Take(&sp).Error == nil {
				must(e.db.Model(&model.EmploymentSpell{}).Where("id = ?", sp.ID).Update("end_date", sp.StartDate).Error)
				continue
			}
			must(e.db.Create(&model.EmploymentSpell{ID: model.NewID(), LabourerID: l.ID, StartDate: day("2019-11-01").AddDate(0, 0, i),
				PlaceCode: "440306", PlaceScope: "out_province", Form: "employed", MonthlyWage: 4000,
				Industry: "general_worker", Source: model.SourceCadre, Verified: true}).Error)
		}
		// Another process's request refreshes the other built year: it
		// applies the marks, and must keep them for this build.
		_, hookErr = e.rep.Table(ctx, report.Params{Region: "62", Year: y - 1}, 1)
	})
	if _, err := e.rep.Rebuild(ctx, y); err != nil {
		t.Fatal(err)
	}
	if hookErr != nil {
		t.Fatalf("refresh during the build: %v", hookErr)
	}
	if !changed.Load() {
		t.Fatal("the build wrote no page: nothing was changed during it")
	}
	var left int64
	must(e.db.Model(&model.ReportDirty{}).Where("applied = ?", true).Count(&left).Error)
	if left != 0 {
		t.Fatalf("%d applied marks left after the build", left)
	}
	compare(t, e, "changes during a build")
}

// TestKeepBuildsAndRefreshes: the scheduler leader's loop builds the current
// work year with no request asking, then applies changes as they come.
func TestKeepBuildsAndRefreshes(t *testing.T) {
	e := newEnv(t)
	e.population(t, 300, 4)
	ctx, cancel := context.WithCancel(admin())
	done := make(chan struct{})
	go func() {
		e.rep.Keep(ctx, 20*time.Millisecond)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()
	year := derive.WorkYearOf(start.In(lists.China))
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("Keep did not %s in 30 s", what)
			}
		}
	}
	waitFor("build the current year", func() bool {
		var n int64
		must(e.db.Model(&model.ReportYear{}).Where("year = ? AND version = ? AND build_token = ''", year, report.RowsVersion).Count(&n).Error)
		return n == 1
	})
	var lab model.Labourer
	must(e.db.Where("county_code = ?", county).Take(&lab).Error)
	must(e.db.Create(&model.EmploymentSpell{ID: model.NewID(), LabourerID: lab.ID, StartDate: day("2020-08-01"),
		PlaceCode: "440306", PlaceScope: "out_province", Form: "employed", MonthlyWage: 4000,
		Industry: "general_worker", Source: model.SourceCadre, Verified: true}).Error)
	waitFor("apply the change", func() bool {
		var n int64
		must(e.db.Model(&model.ReportDirty{}).Count(&n).Error)
		return n == 0
	})
	compare(t, e, "kept by the leader")
}
