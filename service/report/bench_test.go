package report_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/report"
	"github.com/jiuyebang/jiuyebang/service/synth"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// The benchmark's population is made once per process (Go calls a
// benchmark function several times) and dropped by TestMain.
var (
	benchOnce    sync.Once
	benchErr     error
	benchCleanup func()
	bench        struct {
		e    *env
		gen  *synth.Stats
		peak uint64
	}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchCleanup != nil {
		benchCleanup()
	}
	os.Exit(code)
}

// peakHeap samples the Go heap in use while fn runs and returns its peak.
func peakHeap(fn func() error) (uint64, error) {
	runtime.GC()
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak {
				peak = ms.HeapInuse
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	err := fn()
	close(stop)
	<-done
	return peak, err
}

// rssPeak is the process's peak resident set (VmHWM), "" where /proc is missing.
func rssPeak() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return ""
}

func mib(n uint64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// BenchmarkGansuRegionTable measures the region table for all of Gansu
// (the province and its 14 cities) on a synthetic population of
// REPORT_BENCH_LABOURERS labourers (default 100,000; 1,750,000 is Gansu's
// 2019 figure in seed 000), on MariaDB when TEST_MYSQL_DSN is set. It prints
// the generator's rate and peak heap, the one-off build of the
// pre-aggregated rows, the table's time per request (the timed loop: the
// freshness check and the sum of village rows), a refresh after 1,000
// labourers' records changed, and the time and peak heap of exporting both
// workbooks. REPORT_BENCH_RECOUNT=1 also times a recount from the records.
// Figures only; nothing is asserted about time (shared 2-core machines).
func BenchmarkGansuRegionTable(b *testing.B) {
	ctx := admin()
	setupOnce(b)
	e := bench.e
	b.ResetTimer()
	var t *report.Table
	for i := 0; i < b.N; i++ {
		var err error
		if t, err = e.rep.Table(ctx, report.Params{Region: "62", Year: 2020}, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/table")
	b.Logf("Gansu region table (%d cities): last year %d, not working %d, zero %d/%d, reduced %d/%d/%d, planned %d; this year %d (省外 %d, 省内县外 %d, 县内 %d, 点对点 %d), willing %d",
		len(t.Rows), t.Total.LastYear, t.Total.NotWorking, t.Total.ZeroHouseholds, t.Total.ZeroPersons, t.Total.ReducedHouseholds,
		t.Total.ReducedLastPersons, t.Total.ReducedThisPersons, t.Total.Planned, t.Total.ThisYear, t.Total.OutProvince,
		t.Total.InProvince, t.Total.InCounty, t.Total.PointToPoint, t.Total.WillingNotOut)
	b.Logf("per table: %.1f ms (%d runs)", float64(b.Elapsed().Microseconds())/1000/float64(b.N), b.N)
}

// BenchmarkGansuTrend measures the dashboard's monthly trend for all of
// Gansu on BenchmarkGansuRegionTable's population (the same setup): the
// freshness check and one GROUP BY month over the village month rows, plus
// the sum of the village rows for the month in progress.
func BenchmarkGansuTrend(b *testing.B) {
	ctx := admin()
	setupOnce(b)
	e := bench.e
	var rows int64
	if err := e.db.Model(&model.ReportMonth{}).Where("year = ?", 2020).Count(&rows).Error; err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var t *report.Trend
	for i := 0; i < b.N; i++ {
		var err error
		if t, err = e.rep.Trend(ctx, report.Params{Region: "62", Year: 2020}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/trend")
	var line []string
	for _, m := range t.Months {
		if m.Reached {
			line = append(line, fmt.Sprintf("%s %d/%d", m.End.Format("01"), m.This.Total, m.Last.Total))
		}
	}
	b.Logf("Gansu trend (this/last year by month's end, %d month rows): %s", rows, strings.Join(line, ", "))
	b.Logf("per trend: %.1f ms (%d runs)", float64(b.Elapsed().Microseconds())/1000/float64(b.N), b.N)
}

// setupOnce builds the benchmarks' population once per process:
// REPORT_BENCH_LABOURERS labourers (default 100,000).
func setupOnce(b *testing.B) {
	n := 100000
	if v := os.Getenv("REPORT_BENCH_LABOURERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("REPORT_BENCH_LABOURERS=%q", v)
		}
	}
	benchOnce.Do(func() { benchErr = setupBench(b, n) })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
}

func setupBench(b *testing.B, n int) error {
	dir, err := os.MkdirTemp("", "jyb-bench-")
	if err != nil {
		return err
	}
	db, cleanup, err := testenv.NewDB("bench_report", dir)
	if err != nil {
		return err
	}
	benchCleanup = func() { cleanup(); os.RemoveAll(dir) }
	e := &env{db: db}
	e.clock.Store(start.UnixNano())
	now := func() time.Time { return time.Unix(0, e.clock.Load()).UTC() }
	ctx := context.Background()
	e.regions = region.New(db)
	if _, err := e.regions.SeedCountry(ctx); err != nil {
		return err
	}
	if _, err := e.regions.SeedGansu(ctx); err != nil {
		return err
	}
	e.lists = lists.New(db, e.regions, now)
	if e.rep, err = report.New(db, e.regions, e.lists, now, testenv.Logger()); err != nil {
		return err
	}
	if e.box, err = pii.New(make([]byte, 32), []byte("0123456789abcdef0123456789abcdef")); err != nil {
		return err
	}
	bench.e = e
	b.Logf("database: %s; %d labourers; %d CPUs", infra.Dialect(db), n, runtime.NumCPU())

	var st *synth.Stats
	peak, err := peakHeap(func() error {
		var err error
		st, err = synth.New(db, e.box, e.regions).Run(ctx, synth.Options{Labourers: n, Seed: 2019, Year: 2020,
			Now: func() time.Time { return start }})
		return err
	})
	if err != nil {
		return err
	}
	b.Logf("generate: %d households, %d labourers, %d spells, %d returns, %d plans = %d rows in %s: %.0f rows/s; peak heap %s",
		st.Households, st.Labourers, st.Spells, st.Returns, st.Plans, st.Rows(), st.Elapsed.Round(time.Millisecond),
		st.RowsPerSecond(), mib(peak))

	var bs *report.BuildStats
	peak, err = peakHeap(func() error {
		var err error
		bs, err = e.rep.Rebuild(admin(), 2020)
		return err
	})
	if err != nil {
		return err
	}
	b.Logf("build pre-aggregated rows (once per year): %d rows, %d villages in %s (%.0f labourers/s); peak heap %s",
		bs.Rows, bs.Villages, bs.Elapsed.Round(time.Millisecond), float64(bs.Labourers)/bs.Elapsed.Seconds(), mib(peak))
	ctx2 := admin()
	t0 := time.Now()
	if _, err := e.rep.Table(ctx2, report.Params{Region: "62", Year: 2020}, 1); err != nil {
		return err
	}
	b.Logf("first table after the build: %s", time.Since(t0).Round(time.Millisecond))

	// 1,000 labourers' records change; the next table recomputes them.
	var ids []int64
	if err := db.Model(&model.Labourer{}).Order("id").Limit(1000).Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if err := db.Create(&model.EmploymentSpell{ID: model.NewID(), LabourerID: id, StartDate: day("2020-08-01"),
			PlaceCode: "440306", PlaceScope: "out_province", Form: "employed", MonthlyWage: 5000, Industry: "general_worker",
			Source: model.SourceCadre, Verified: true}).Error; err != nil {
			return err
		}
	}
	t0 = time.Now()
	if _, err := e.rep.Table(ctx2, report.Params{Region: "62", Year: 2020}, 1); err != nil {
		return err
	}
	b.Logf("table after 1,000 labourers changed (refresh included): %s", time.Since(t0).Round(time.Millisecond))

	sc, err := e.lists.Resolve(ctx2, report.Params{Region: "62", Year: 2020})
	if err != nil {
		return err
	}
	for _, kind := range []string{"region", "province"} {
		cw := &countWriter{}
		t0 = time.Now()
		peak, err = peakHeap(func() error {
			if kind == "region" {
				return e.rep.ExportRegion(ctx2, sc, cw)
			}
			return e.rep.ExportProvince(ctx2, sc, report.UnitWan, cw)
		})
		if err != nil {
			return err
		}
		b.Logf("export %s workbook: %d bytes in %s; peak heap %s", kind, cw.n, time.Since(t0).Round(time.Millisecond), mib(peak))
	}
	if os.Getenv("REPORT_BENCH_RECOUNT") == "1" {
		t0 = time.Now()
		if _, err := e.rep.Recount(ctx2, report.Params{Region: "62", Year: 2020}, 1); err != nil {
			return err
		}
		b.Logf("recount from the records (no pre-aggregation): %s", time.Since(t0).Round(time.Millisecond))
	}
	b.Logf("process peak RSS so far: %s", rssPeak())
	return nil
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
