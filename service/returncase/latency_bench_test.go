package returncase

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/match"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/push"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// BenchmarkReturnToPush drives returns at a fixed rate (100/s for
// BENCH_SECONDS, default 10) through the real path — the return and its
// outbox event committed together, the relay, the outbox worker opening the
// case, matching, push.Notify — and measures, per return, the time from the
// report's commit to its push being handed to the inbox channel (the
// Delivery row in state sent). Run with -benchtime=1x; on MariaDB and Redis
// when TEST_MYSQL_DSN and TEST_REDIS_URL are set. Aim: p99 ≤ 2 s.
func BenchmarkReturnToPush(b *testing.B) {
	secs := 10
	if s, err := strconv.Atoi(os.Getenv("BENCH_SECONDS")); err == nil && s > 0 {
		secs = s
	}
	const rate = 100 // returns per second
	n := rate * secs

	db, cleanup, err := testenv.NewDB("bench_return_to_push", b.TempDir())
	testenv.Must(b, err)
	b.Cleanup(cleanup)
	rds := testenv.Redis(b)
	e := &env{db: db, clk: newClock()}
	e.match = match.New(db, nil, time.Now, testenv.Logger())
	e.push = push.New(db, nil, nil, nil, push.Config{Logger: testenv.Logger()})
	client := asynq.NewClient(rds.Asynq)
	defer client.Close()
	e.svc = New(db, e.match, e.push, Options{Logger: testenv.Logger(), Scheduler: NewTimer(client)})
	e.job(b, homeVillage[:6], "general_worker", 4000, nil)

	// The labourers exist before the load: the load is the return reports.
	labs := make([]*model.Labourer, n)
	for i := range labs {
		labs[i] = e.labourer(b, homeVillage, nil)
	}
	stop, err := background(context.Background(), db, rds.Asynq, e.svc)
	testenv.Must(b, err)
	defer stop()

	var mu sync.Mutex
	committed := make(map[int64]time.Time, n)
	latency := make([]time.Duration, 0, n)
	seen := make(map[int64]bool, n)

	// The watcher polls for inbox deliveries handed out (resolution ~10 ms).
	watchDone := make(chan struct{})
	stopWatch := make(chan struct{})
	since := time.Now().Add(-time.Minute)
	go func() {
		defer close(watchDone)
		for {
			var ids []int64
			if err := db.Model(&model.Delivery{}).Where("channel = ? AND state = ? AND created_at >= ?",
				model.ChannelInbox, model.DeliverySent, since).Pluck("labourer_id", &ids).Error; err != nil {
				b.Error(err)
				return
			}
			now := time.Now()
			mu.Lock()
			for _, id := range ids {
				if at, ok := committed[id]; ok && !seen[id] {
					seen[id] = true
					latency = append(latency, now.Sub(at))
				}
			}
			got := len(latency)
			mu.Unlock()
			if got == n {
				return
			}
			select {
			case <-stopWatch:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()

	report := func(lab *model.Labourer) error {
		err := db.Transaction(func(tx *gorm.DB) error {
			ret := model.ReturnEvent{ID: model.NewID(), LabourerID: lab.ID, ReturnDate: time.Now(), WantsWork: true, Source: model.SourceSelf}
			if err := tx.Create(&ret).Error; err != nil {
				return err
			}
			_, err := outbox.Add(context.Background(), tx, model.EventReturnReported, lab.ID, map[string]any{
				"return_event_id": fmt.Sprint(ret.ID), "labourer_id": fmt.Sprint(lab.ID), "village_code": lab.VillageCode})
			return err
		})
		if err == nil {
			at := time.Now() // the commit has returned
			mu.Lock()
			committed[lab.ID] = at
			mu.Unlock()
		}
		return err
	}

	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / rate)
	var lagged int
	for i := 0; i < n; i++ {
		<-tick.C
		wg.Add(1)
		go func(lab *model.Labourer) {
			defer wg.Done()
			if err := report(lab); err != nil {
				b.Error(err)
			}
		}(labs[i])
		if want := time.Duration(i+1) * time.Second / rate; time.Since(start) > want+100*time.Millisecond {
			lagged++
		}
	}
	tick.Stop()
	wg.Wait()
	offered := time.Since(start)
	select {
	case <-watchDone:
	case <-time.After(120 * time.Second):
		close(stopWatch)
		<-watchDone
	}
	total := time.Since(start)
	b.StopTimer()

	mu.Lock()
	defer mu.Unlock()
	if len(latency) < n {
		b.Errorf("%d of %d returns reached the channel within 120 s of the load's end", len(latency), n)
	}
	if len(latency) == 0 {
		return
	}
	sort.Slice(latency, func(i, j int) bool { return latency[i] < latency[j] })
	pct := func(p float64) time.Duration {
		return latency[min(len(latency)-1, int(p*float64(len(latency))))].Round(time.Millisecond)
	}
	backend := "SQLite + in-process Redis"
	if testenv.Real() {
		backend = "MariaDB + Redis"
	}
	b.Logf("return reported -> push handed to the channel (%s): %d returns offered at %d/s over %v (%d ticks late), all handed within %v",
		backend, n, rate, offered.Round(time.Millisecond), lagged, total.Round(time.Millisecond))
	b.Logf("  latency p50 %v  p90 %v  p99 %v  max %v   (aim: p99 <= 2s)", pct(0.50), pct(0.90), pct(0.99), latency[len(latency)-1].Round(time.Millisecond))
	b.ReportMetric(float64(pct(0.50).Milliseconds()), "p50-ms")
	b.ReportMetric(float64(pct(0.99).Milliseconds()), "p99-ms")
	b.ReportMetric(float64(latency[len(latency)-1].Milliseconds()), "max-ms")
}
