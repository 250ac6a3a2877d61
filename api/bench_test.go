package api

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// load runs fn from conc goroutines for d and returns the calls per second
// and latency percentiles.
type loadResult struct {
	ops       int
	errors    int64
	perSecond float64
	p50, p99  time.Duration
}

func runLoad(conc int, d time.Duration, fn func(worker, i int) error) loadResult {
	var (
		mu    sync.Mutex
		lats  []time.Duration
		errs  atomic.Int64
		wg    sync.WaitGroup
		start = time.Now()
		stop  = start.Add(d)
	)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for i := 0; time.Now().Before(stop); i++ {
				t0 := time.Now()
				if err := fn(w, i); err != nil {
					errs.Add(1)
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lats = append(lats, local...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	el := time.Since(start)
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	pct := func(p float64) time.Duration {
		if len(lats) == 0 {
			return 0
		}
		return lats[int(float64(len(lats)-1)*p)]
	}
	return loadResult{ops: len(lats), errors: errs.Load(), perSecond: float64(len(lats)) / el.Seconds(), p50: pct(.5), p99: pct(.99)}
}

func benchSeconds() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("BENCH_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 8 * time.Second
}

// BenchmarkStatusUpdates measures workers' status reports through real HTTP
// on loopback — the whole path: token check, scope, validation, transaction
// with audit and outbox rows, and the new status card — beside two ceilings
// measured in the same run: a bare gin handler and a bare single-row insert
// into the same database. Run it against MariaDB + Redis (make bench); the
// aim is ≥ 2,000 updates/s at p99 ≤ 50 ms on 2 cores.
func BenchmarkStatusUpdates(b *testing.B) {
	if b.N > 1 {
		b.Skip("fixed-duration load run: use -benchtime=1x")
	}
	conc := 32
	if v, err := strconv.Atoi(os.Getenv("BENCH_CONC")); err == nil && v > 0 {
		conc = v
	}
	d := benchSeconds()
	srv := httptest.NewServer(st.engine)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc * 2, MaxConnsPerHost: conc * 2}}

	tokens := make([]string, conc)
	for i := range tokens {
		tokens[i], _ = st.worker(b, villageA)
	}
	bodies := [][]byte{
		[]byte(`{"kind":"no_plan","reason":"family_care"}`),
		[]byte(`{"kind":"plan_out","dest_code":"3205","job":"普工","expected_wage":5000}`),
		[]byte(`{"kind":"returned","wants_work":true}`),
	}
	post := func(w, i int) error {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/me/reports", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tokens[w])
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		var buf [4096]byte
		for {
			if _, err := res.Body.Read(buf[:]); err != nil {
				break
			}
		}
		if res.StatusCode != 201 {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	}
	updates := runLoad(conc, d, post)

	// Ceiling 1: a bare gin handler over the same client and loopback.
	bare := gin.New()
	bare.POST("/x", func(c *gin.Context) { c.JSON(201, gin.H{"ok": true}) })
	bs := httptest.NewServer(bare)
	defer bs.Close()
	ginCeil := runLoad(conc, d/2, func(w, i int) error {
		res, err := client.Post(bs.URL+"/x", "application/json", bytes.NewReader(bodies[0]))
		if err != nil {
			return err
		}
		res.Body.Close()
		return nil
	})

	// Ceiling 2: a bare single-row insert (autocommit) into the same database.
	st.db.Exec("CREATE TABLE IF NOT EXISTS bench_rows (id BIGINT PRIMARY KEY, labourer_id BIGINT, kind VARCHAR(16), payload TEXT, created_at DATETIME(6))")
	var next atomic.Int64
	next.Store(time.Now().UnixNano())
	insert := runLoad(conc, d/2, func(w, i int) error {
		return st.db.Exec("INSERT INTO bench_rows (id, labourer_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
			next.Add(1), w, "no_plan", `{"kind":"no_plan"}`, time.Now()).Error
	})

	dialect := infra.Dialect(st.db)
	if !testenv.Real() {
		dialect += " (embedded; run make bench for MariaDB + Redis)"
	}
	fmt.Printf("\nstatus updates — %s, %d CPUs, %d concurrent clients, %s each\n", dialect, runtime.NumCPU(), conc, d)
	fmt.Printf("%-34s %10s %10s %10s %8s\n", "", "ops/s", "p50", "p99", "errors")
	row := func(name string, r loadResult) {
		fmt.Printf("%-34s %10.0f %10s %10s %8d\n", name, r.perSecond, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.errors)
	}
	row("POST /api/v1/me/reports", updates)
	row("ceiling: bare gin handler", ginCeil)
	row("ceiling: bare single-row INSERT", insert)
	fmt.Printf("aim: >= 2000 updates/s at p99 <= 50ms on 2 cores\n\n")
	b.ReportMetric(updates.perSecond, "updates/s")
	b.ReportMetric(float64(updates.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(insert.perSecond, "bare-inserts/s")
	if updates.errors > 0 {
		b.Errorf("%d failed updates", updates.errors)
	}
}
