package infra_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// leaderRedis is the Redis the leader tests use: the Cluster when
// TEST_REDIS_CLUSTER_URL is set, else testenv's (real Redis or in-process).
func leaderRedis(t *testing.T) *infra.Redis {
	t.Helper()
	if u := os.Getenv("TEST_REDIS_CLUSTER_URL"); u != "" {
		r, err := infra.OpenRedis(u, testenv.Logger())
		testenv.Must(t, err)
		t.Cleanup(func() { r.Close() })
		return r
	}
	return testenv.Redis(t)
}

// TestLeaderOneAtATime runs three candidates and checks that the work runs
// in one of them at a time, that the lease moves on when the leader stops
// or loses it, and that nothing runs after every candidate stopped.
func TestLeaderOneAtATime(t *testing.T) {
	r := leaderRedis(t)
	name := fmt.Sprintf("test-%d", time.Now().UnixNano())
	ctx := context.Background()
	t.Cleanup(func() { r.Client.Del(context.Background(), infra.LeaderKey(name)) })

	var running, maxRunning, started atomic.Int32
	work := func(ctx context.Context) {
		n := running.Add(1)
		started.Add(1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		<-ctx.Done()
		running.Add(-1)
	}
	const ttl = 600 * time.Millisecond
	var (
		leaders []*infra.Leader
		cancels []context.CancelFunc
		wg      sync.WaitGroup
	)
	for i := 0; i < 3; i++ {
		l := infra.NewLeader(r.Client, name, testenv.Logger(), infra.LeaderOptions{TTL: ttl, ID: fmt.Sprintf("c%d", i)})
		cctx, cancel := context.WithCancel(ctx)
		leaders, cancels = append(leaders, l), append(cancels, cancel)
		wg.Add(1)
		go func() { defer wg.Done(); l.Run(cctx, work) }()
	}
	leader := func() int {
		t.Helper()
		deadline := time.Now().Add(5 * ttl)
		for time.Now().Before(deadline) {
			found := -1
			for i, l := range leaders {
				if l.IsLeader() {
					if found >= 0 {
						t.Fatalf("candidates %d and %d both lead", found, i)
					}
					found = i
				}
			}
			if found >= 0 && running.Load() == 1 {
				return found
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("no leader")
		return -1
	}

	first := leader()
	v, err := r.Client.Get(ctx, infra.LeaderKey(name)).Result()
	testenv.Must(t, err)
	if v != leaders[first].ID() {
		t.Fatalf("lease value %q, leader %q", v, leaders[first].ID())
	}
	// Held across several renewals.
	time.Sleep(3 * ttl)
	if !leaders[first].IsLeader() || leaders[first].Terms() != 1 {
		t.Fatalf("leader %d lost the lease while renewing (terms %d)", first, leaders[first].Terms())
	}

	// A leader that stops gives the lease up at once.
	cancels[first]()
	t0 := time.Now()
	for leaders[first].IsLeader() {
		time.Sleep(time.Millisecond)
	}
	second := leader()
	if second == first {
		t.Fatal("a stopped candidate still leads")
	}
	handover := time.Since(t0)

	// A leader whose lease is taken (it expired while the process stalled,
	// and someone else holds it) steps down at its next renewal.
	testenv.Must(t, r.Client.Set(ctx, infra.LeaderKey(name), "intruder", ttl).Err())
	deadline := time.Now().Add(2 * ttl)
	for leaders[second].IsLeader() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if leaders[second].IsLeader() {
		t.Fatal("leader kept running after its lease was taken")
	}
	third := leader() // the intruder's lease expires; a candidate takes over
	t.Logf("leader: first %d, after stop %d (handover %s), after a lost lease %d; most running at once %d",
		first, second, handover.Round(time.Millisecond), third, maxRunning.Load())

	for _, c := range cancels {
		c()
	}
	wg.Wait()
	if n := running.Load(); n != 0 {
		t.Fatalf("%d still running after every candidate stopped", n)
	}
	if m := maxRunning.Load(); m != 1 {
		t.Fatalf("work ran in %d candidates at once", m)
	}
	if n := r.Client.Exists(ctx, infra.LeaderKey(name)).Val(); n != 0 {
		t.Fatal("lease left behind by a candidate that stopped")
	}
	if started.Load() < 3 {
		t.Fatalf("work started %d times, want 3", started.Load())
	}
}
