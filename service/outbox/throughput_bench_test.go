package outbox

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// BenchmarkQueueThroughput prints the queue's throughput in tasks/s: N no-op
// outbox events through Add, the Relay and the Worker (done markers in the
// database), and N no-op tasks through a plain asynq client and server;
// beside them redis-benchmark's SET and LPUSH on the same Redis, if the
// binary is on PATH. QUEUE_BENCH_EVENTS sets N (default 5000). Run with
// -benchtime=1x; on MariaDB and Redis when TEST_MYSQL_DSN and
// TEST_REDIS_URL are set.
func BenchmarkQueueThroughput(b *testing.B) {
	n := 5000
	if s, err := strconv.Atoi(os.Getenv("QUEUE_BENCH_EVENTS")); err == nil && s > 0 {
		n = s
	}
	db, cleanup, err := testenv.NewDB("bench_queue_throughput", b.TempDir())
	testenv.Must(b, err)
	b.Cleanup(cleanup)
	rds := testenv.Redis(b)
	ctx := context.Background()
	backend := "SQLite + in-process Redis"
	if testenv.Real() {
		backend = "MariaDB + Redis"
	}
	b.ResetTimer()

	// 1. Outbox: events committed in batches of 100, relayed, handled by a
	// no-op handler (Handle still writes the done marker).
	var handled atomic.Int64
	w := NewWorker(db, rds.Asynq, 10, testenv.Logger())
	w.Register(model.EventReturnReported, func(context.Context, *gorm.DB, model.OutboxEvent) error {
		handled.Add(1)
		return nil
	})
	testenv.Must(b, w.Start())
	client := asynq.NewClient(rds.Asynq)
	relay := NewRelay(db, client, testenv.Logger(), RelayOptions{PollInterval: 20 * time.Millisecond, Batch: 500, SweepAfter: time.Minute})
	rctx, cancel := context.WithCancel(ctx)
	relayDone := make(chan struct{})
	go func() { relay.Run(rctx); close(relayDone) }()
	start := time.Now()
	for added := 0; added < n; {
		testenv.Must(b, db.Transaction(func(tx *gorm.DB) error {
			for i := 0; i < 100 && added < n; i, added = i+1, added+1 {
				if _, err := Add(ctx, tx, model.EventReturnReported, int64(added+1), map[string]any{"seq": added}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	addTook := time.Since(start)
	for {
		var done int64
		testenv.Must(b, db.Model(&model.OutboxEvent{}).Where("done_at IS NOT NULL").Count(&done).Error)
		if done >= int64(n) {
			break
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("outbox: %d of %d events done after 5 minutes", done, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	outboxTook := time.Since(start)
	cancel()
	<-relayDone
	w.Shutdown()

	// 2. Plain asynq: n no-op tasks enqueued, then processed.
	const plainQueue = "bench_plain"
	var plain atomic.Int64
	allDone := make(chan struct{})
	srv := asynq.NewServer(rds.Asynq, asynq.Config{Concurrency: 10, Queues: map[string]int{plainQueue: 1},
		Logger: nil, LogLevel: asynq.ErrorLevel})
	mux := asynq.NewServeMux()
	mux.HandleFunc("bench:noop", func(context.Context, *asynq.Task) error {
		if plain.Add(1) == int64(n) {
			close(allDone)
		}
		return nil
	})
	start = time.Now()
	for i := 0; i < n; i++ {
		if _, err := client.Enqueue(asynq.NewTask("bench:noop", nil), asynq.Queue(plainQueue)); err != nil {
			b.Fatal(err)
		}
	}
	enqTook := time.Since(start)
	start2 := time.Now()
	testenv.Must(b, srv.Start(mux))
	select {
	case <-allDone:
	case <-time.After(5 * time.Minute):
		b.Fatalf("asynq: %d of %d tasks processed after 5 minutes", plain.Load(), n)
	}
	procTook := time.Since(start2)
	srv.Shutdown()
	client.Close()
	b.StopTimer()

	rate := func(k int, d time.Duration) string { return strconv.Itoa(int(float64(k)/d.Seconds())) + " tasks/s" }
	b.Logf("queue throughput (%s), %d no-op tasks:", backend, n)
	b.Logf("  outbox Add -> Relay -> Worker (done marker written): %s end to end (Add alone %s)", rate(n, outboxTook), rate(n, addTook))
	b.Logf("  plain asynq: enqueue %s, process %s", rate(n, enqTook), rate(n, procTook))
	b.ReportMetric(float64(n)/outboxTook.Seconds(), "outbox-tasks/s")
	b.ReportMetric(float64(n)/procTook.Seconds(), "asynq-process/s")

	// 3. The machine's ceiling: redis-benchmark on the same Redis.
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		b.Logf("  redis-benchmark: skipped (in-process Redis; set TEST_REDIS_URL)")
		return
	}
	bin, err := exec.LookPath("redis-benchmark")
	if err != nil {
		b.Logf("  redis-benchmark: not on PATH")
		return
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		b.Logf("  redis-benchmark: %v", err)
		return
	}
	host, port, _ := strings.Cut(opt.Addr, ":")
	out, err := exec.Command(bin, "-h", host, "-p", port, "-q", "-n", "100000", "-t", "set,lpush").CombinedOutput()
	if err != nil {
		b.Logf("  redis-benchmark: %v: %s", err, out)
		return
	}
	for _, line := range strings.Split(strings.ReplaceAll(string(out), "\r", "\n"), "\n") {
		if strings.Contains(line, "requests per second") {
			b.Logf("  redis-benchmark -p %s: %s", port, strings.TrimSpace(line))
		}
	}
}
