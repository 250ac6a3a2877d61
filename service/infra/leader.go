package infra

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// LeaderKey is the Redis key of the lease named name. The name is a hash tag,
// so anything keyed alongside it later lands on the same Cluster slot.
func LeaderKey(name string) string { return "jiuyebang:leader:{" + name + "}" }

// LeaderOptions tune a Leader; zero values take the defaults.
type LeaderOptions struct {
	// TTL is the lease: a leader that stops renewing (killed, cut off from
	// Redis) is replaced at most TTL later (default 15s).
	TTL time.Duration
	// Renew is how often the leader renews and a follower tries to take the
	// lease (default TTL/3).
	Renew time.Duration
	// ID names this candidate in the lease's value (default host:pid:random).
	ID string
}

// Leader elects one process among the serve and worker processes to run the
// periodic work that should not run N times at once (the case sweeper and
// the rebuild of the checkpoint queue). The lease is a Redis key set with
// SET NX PX and renewed by its holder with a compare-and-PEXPIRE script; one
// key, so it works the same on a single Redis, Sentinel or a Cluster.
//
// The lease is an efficiency device, not a correctness one: there are no
// fencing tokens, and for a moment around a lost lease two processes may run
// the work. Everything run under it must stay safe to run twice — here every
// effect is guarded by the database (row locks, dedupe keys, deterministic
// task ids). A leader that cannot renew steps down before its lease can have
// expired, so overlap needs a stalled process, not just a slow network.
type Leader struct {
	rdb   redis.UniversalClient
	name  string
	key   string
	id    string
	ttl   time.Duration
	renew time.Duration
	log   *slog.Logger

	held  atomic.Bool
	terms atomic.Int64
}

var (
	renewScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`)
	leaveScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)
)

// NewLeader returns a candidate for the lease name on rdb.
func NewLeader(rdb redis.UniversalClient, name string, log *slog.Logger, opt LeaderOptions) *Leader {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opt.TTL <= 0 {
		opt.TTL = 15 * time.Second
	}
	if opt.Renew <= 0 || opt.Renew > opt.TTL/2 {
		opt.Renew = opt.TTL / 3
	}
	if opt.ID == "" {
		host, _ := os.Hostname()
		opt.ID = fmt.Sprintf("%s:%d:%08x", host, os.Getpid(), rand.Uint32())
	}
	return &Leader{rdb: rdb, name: name, key: LeaderKey(name), id: opt.ID, ttl: opt.TTL, renew: opt.Renew,
		log: log.With("component", "leader", "lease", name, "candidate", opt.ID)}
}

// ID is this candidate's name, the lease's value while it leads.
func (l *Leader) ID() string { return l.id }

// IsLeader reports whether this candidate holds the lease now.
func (l *Leader) IsLeader() bool { return l.held.Load() }

// Terms counts the times this candidate became leader.
func (l *Leader) Terms() int64 { return l.terms.Load() }

// Run campaigns until ctx ends. Each time it wins the lease it runs every
// function of work in its own goroutine with a context that is cancelled
// when the lease is lost, and waits for them to return before campaigning
// again. On ctx's end it stops the work and gives the lease up, so another
// candidate takes over at once instead of after TTL.
func (l *Leader) Run(ctx context.Context, work ...func(context.Context)) {
	for {
		if l.acquire(ctx) {
			l.lead(ctx, work)
		}
		if ctx.Err() != nil {
			return
		}
		// Jitter, so candidates started together do not ask in step.
		wait := l.renew/2 + rand.N(l.renew/2+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (l *Leader) acquire(ctx context.Context) bool {
	cctx, cancel := context.WithTimeout(ctx, l.renew)
	defer cancel()
	ok, err := l.rdb.SetNX(cctx, l.key, l.id, l.ttl).Result()
	if err != nil {
		if ctx.Err() == nil {
			l.log.Warn("leader lease: cannot ask Redis; will retry", "err", err)
		}
		return false
	}
	return ok
}

// lead runs the work while the lease is renewed.
func (l *Leader) lead(ctx context.Context, work []func(context.Context)) {
	valid := time.Now().Add(l.ttl - l.renew) // conservative: the SET was sent before now
	l.held.Store(true)
	l.terms.Add(1)
	l.log.Info("leader lease won; running the periodic work", "ttl", l.ttl)
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, fn := range work {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(wctx)
		}()
	}
	t := time.NewTicker(l.renew)
	reason := ""
	for reason == "" {
		select {
		case <-ctx.Done():
			reason = "shutting down"
			continue
		case <-t.C:
		}
		sent := time.Now()
		rctx, cancel := context.WithTimeout(ctx, l.renew)
		n, err := renewScript.Run(rctx, l.rdb, []string{l.key}, l.id, l.ttl.Milliseconds()).Int()
		cancel()
		switch {
		case err == nil && n == 1:
			valid = sent.Add(l.ttl)
		case err == nil:
			reason = "lease taken by another candidate or expired"
		case ctx.Err() != nil:
			reason = "shutting down"
		case time.Now().Add(l.renew).After(valid):
			// Cannot reach Redis and the lease may run out before the next
			// try: step down while it is certainly still ours.
			reason = "cannot renew: " + err.Error()
		default:
			l.log.Warn("leader lease: renewal failed; will retry", "err", err)
		}
	}
	t.Stop()
	stop()
	wg.Wait()
	l.held.Store(false)
	// Give the lease up (only if still ours), so a successor need not wait
	// for it to expire.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	_ = leaveScript.Run(rctx, l.rdb, []string{l.key}, l.id).Err()
	cancel()
	l.log.Info("leader lease given up", "reason", reason)
}
