package api

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
	glogger "gorm.io/gorm/logger"

	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/report"
	"github.com/jiuyebang/jiuyebang/service/status"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// loadResult is what runLoad measured: calls per second and latency
// percentiles.
type loadResult struct {
	ops       int
	errors    int64
	perSecond float64
	p50, p99  time.Duration
	// cpu is the CPU time per call of this process (server and load
	// generator) and of the processes in BENCH_SERVER_PIDS (the database and
	// Redis): wall-clock rates on a shared machine move with everyone else's
	// work, CPU per call much less.
	cpu time.Duration

	lats     []time.Duration // sorted
	elapsed  time.Duration
	cpuTotal time.Duration
}

func (r *loadResult) summarise() {
	r.ops = len(r.lats)
	if r.ops == 0 {
		return
	}
	pct := func(p float64) time.Duration { return r.lats[int(float64(len(r.lats)-1)*p)] }
	r.perSecond = float64(r.ops) / r.elapsed.Seconds()
	r.p50, r.p99 = pct(.5), pct(.99)
	r.cpu = r.cpuTotal / time.Duration(r.ops)
}

// mergeLoads is the result of two runs of the same load as one.
func mergeLoads(a, b loadResult) loadResult {
	r := loadResult{errors: a.errors + b.errors, elapsed: a.elapsed + b.elapsed, cpuTotal: a.cpuTotal + b.cpuTotal,
		lats: append(append([]time.Duration{}, a.lats...), b.lats...)}
	sort.Slice(r.lats, func(i, j int) bool { return r.lats[i] < r.lats[j] })
	r.summarise()
	return r
}

// runLoad runs fn from conc goroutines for d.

func runLoad(conc int, d time.Duration, fn func(worker, i int) error) loadResult {
	cpu0 := cpuUsed()
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
	r := loadResult{errors: errs.Load(), elapsed: time.Since(start), cpuTotal: cpuUsed() - cpu0, lats: lats}
	sort.Slice(r.lats, func(i, j int) bool { return r.lats[i] < r.lats[j] })
	r.summarise()
	return r
}

// cpuUsed is the CPU time used so far by this process and by the processes
// whose ids BENCH_SERVER_PIDS lists (scripts/bench.sh names its MariaDB and
// Redis; they should serve nobody else meanwhile).
func cpuUsed() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	for _, p := range strings.Fields(os.Getenv("BENCH_SERVER_PIDS")) {
		b, err := os.ReadFile("/proc/" + p + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command (which may hold spaces): utime and stime
		// are the 14th and 15th, in clock ticks (100 per second on Linux).
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 13 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			t += time.Duration(u+s) * 10 * time.Millisecond
		}
	}
	return t
}

func benchSeconds() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("BENCH_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 8 * time.Second
}

// BenchmarkStatusUpdates measures workers' status reports through real HTTP
// on loopback — the whole path: token check, scope, validation, transaction
// with audit and outbox rows and the reports' dirty mark, and the new status
// card — beside two ceilings measured in the same run: a bare gin handler and
// a bare single-row insert into the same database. It runs the reports twice,
// with the reports' change tracking on (as in production) and off
// (report.Untracked), so the tracking's cost shows on its own, and first
// counts the database round trips and statements of one report of each
// kind. Run it against MariaDB + Redis (make bench); the aim is ≥ 2,000
// updates/s at p99 ≤ 50 ms on 2 cores.
//
// BENCH_SECONDS sets the length of each run (8 s), BENCH_CONC the clients
// (32), BENCH_DB_CONNS another connection pool size, BENCH_SERVER_PIDS the
// database and Redis processes whose CPU time counts with this one's.
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
	// The same API with the reports' change tracking off, for its cost.
	untracked := st.deps
	untracked.Status = status.New(report.Untracked(st.db), st.regions, time.Now)
	untracked.Metrics = prometheus.NewRegistry()
	usrv := httptest.NewServer(New(untracked))
	defer usrv.Close()

	postTo := func(base string, w, i int) error {
		req, _ := http.NewRequest("POST", base+"/api/v1/me/reports", bytes.NewReader(bodies[i%len(bodies)]))
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
	post := func(w, i int) error { return postTo(srv.URL, w, i) }

	// Round trips and statements of one report of each kind, one at a time.
	counter := countStatements(st.db)
	for i := range bodies {
		if err := post(0, i); err != nil {
			b.Fatal(err)
		}
	}
	trips, stmts := counter.stop()
	perTrip, perStmt := float64(trips)/float64(len(bodies)), float64(stmts)/float64(len(bodies))

	sqlDB, _ := st.db.DB()
	if n, err := strconv.Atoi(os.Getenv("BENCH_DB_CONNS")); err == nil && n > 0 {
		// Try another pool size (infra.OpenDB's is 64).
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		defer func() { sqlDB.SetMaxOpenConns(64); sqlDB.SetMaxIdleConns(32) }()
	}
	before := sqlDB.Stats()
	// With tracking, then without, then with again: both figures span the
	// same stretch of time, so a machine that drifts (tables growing, other
	// work coming and going) favours neither.
	first := runLoad(conc, d/2, post)
	noTracking := runLoad(conc, d, func(w, i int) error { return postTo(usrv.URL, w, i) })
	updates := mergeLoads(first, runLoad(conc, d/2, post))
	after := sqlDB.Stats()

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
		// Read to the end, as the reports are: a body closed unread closes
		// the connection, and the ceiling would pay a dial per call.
		_, _ = io.Copy(io.Discard, res.Body)
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
	servers := os.Getenv("BENCH_SERVER_PIDS") != ""
	cpuNote := "this process (set BENCH_SERVER_PIDS to add MariaDB's and Redis')"
	if servers {
		cpuNote = "this process, MariaDB and Redis"
	}
	fmt.Printf("%-34s %10s %10s %10s %8s %10s %10s\n", "", "ops/s", "p50", "p99", "errors", "CPU/op", "ops/CPU-s")
	row := func(name string, r loadResult) {
		perCPU := 0.0
		if r.cpu > 0 {
			perCPU = float64(time.Second) / float64(r.cpu)
		}
		fmt.Printf("%-34s %10.0f %10s %10s %8d %10s %10.0f\n", name, r.perSecond, r.p50.Round(10*time.Microsecond),
			r.p99.Round(10*time.Microsecond), r.errors, r.cpu.Round(time.Microsecond), perCPU)
	}
	row("POST /api/v1/me/reports", updates)
	row("  the same, report tracking off", noTracking)
	row("ceiling: bare gin handler", ginCeil)
	row("ceiling: bare single-row INSERT", insert)
	fmt.Printf("CPU/op: CPU time per call of %s; ops/CPU-s = calls per CPU-second (2 dedicated cores: twice that, at most)\n", cpuNote)
	fmt.Printf("report tracking costs %.0f%% of the update rate (%.0f → %.0f updates/s) and %s CPU per update (%s → %s)\n",
		100*(1-updates.perSecond/noTracking.perSecond), noTracking.perSecond, updates.perSecond,
		(updates.cpu - noTracking.cpu).Round(time.Microsecond), noTracking.cpu.Round(time.Microsecond), updates.cpu.Round(time.Microsecond))
	fmt.Printf("per report (no_plan, plan_out, returned): %.1f database round trips, %.1f SQL statements, 2 Redis calls (rate limits)\n",
		perTrip, perStmt)
	fmt.Printf("connection pool: %d waits, %s waiting in all (max open %d)\n", after.WaitCount-before.WaitCount,
		(after.WaitDuration - before.WaitDuration).Round(time.Millisecond), after.MaxOpenConnections)
	fmt.Printf("aim: >= 2000 updates/s at p99 <= 50ms on 2 cores\n\n")
	b.ReportMetric(updates.perSecond, "updates/s")
	b.ReportMetric(float64(updates.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(noTracking.perSecond, "untracked-updates/s")
	b.ReportMetric(perTrip, "round-trips/update")
	b.ReportMetric(float64(updates.cpu.Microseconds()), "cpu-µs/update")
	b.ReportMetric(insert.perSecond, "bare-inserts/s")
	if updates.errors > 0 || noTracking.errors > 0 {
		b.Errorf("%d failed updates (%d untracked)", updates.errors+noTracking.errors, noTracking.errors)
	}
}

// statementCounter counts what a handle sends to the database while it is
// installed: round trips and SQL statements (a multi-statement query counts
// each of its statements). GORM hands every statement it runs to its logger,
// and so does service/status for the queries it sends itself; GORM's
// transactions begin and commit through the pool.
type statementCounter struct {
	db        *gorm.DB
	innerPool gorm.ConnPool
	innerLog  glogger.Interface
	trips     atomic.Int64
	stmts     atomic.Int64
}

// countStatements installs a counter on db; stop removes it. Nothing else
// may use db meanwhile.
func countStatements(db *gorm.DB) *statementCounter {
	c := &statementCounter{db: db, innerPool: db.Statement.ConnPool, innerLog: db.Config.Logger}
	pool := &countingPool{ConnPool: c.innerPool, c: c}
	db.Config.ConnPool, db.Statement.ConnPool = pool, pool
	db.Config.Logger = &countingLogger{Interface: c.innerLog, c: c}
	return c
}

func (c *statementCounter) stop() (trips, stmts int64) {
	c.db.Config.ConnPool, c.db.Statement.ConnPool = c.innerPool, c.innerPool
	c.db.Config.Logger = c.innerLog
	return c.trips.Load(), c.stmts.Load()
}

func (c *statementCounter) count(query string) {
	c.trips.Add(1)
	c.stmts.Add(int64(1 + strings.Count(query, ";\n")))
}

type countingLogger struct {
	glogger.Interface
	c *statementCounter
}

func (l *countingLogger) LogMode(glogger.LogLevel) glogger.Interface { return l }

func (l *countingLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	q, _ := fc()
	l.c.count(q)
	l.Interface.Trace(ctx, begin, fc, err)
}

// countingPool is the handle's pool; it counts the begin and commit of
// GORM's transactions.
type countingPool struct {
	gorm.ConnPool
	c *statementCounter
}

// Conn lends a connection of the pool (service/status sends a whole
// transaction on one).
func (p *countingPool) Conn(ctx context.Context) (*sql.Conn, error) {
	c, ok := p.ConnPool.(interface {
		Conn(context.Context) (*sql.Conn, error)
	})
	if !ok {
		return nil, fmt.Errorf("counting pool: no connections from %T", p.ConnPool)
	}
	return c.Conn(ctx)
}

// BeginTx makes GORM's transactions run on a counted pool too.
func (p *countingPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	b, ok := p.ConnPool.(interface {
		BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
	})
	if !ok {
		return nil, fmt.Errorf("counting pool: cannot begin on %T", p.ConnPool)
	}
	p.c.count("BEGIN")
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countingTx{ConnPool: tx, tx: tx, c: p.c}, nil
}

type countingTx struct {
	gorm.ConnPool
	tx *sql.Tx
	c  *statementCounter
}

func (t *countingTx) Commit() error   { t.c.count("COMMIT"); return t.tx.Commit() }
func (t *countingTx) Rollback() error { t.c.count("ROLLBACK"); return t.tx.Rollback() }
