package infra

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Redis is the Redis connection: a go-redis universal client and the same
// server as asynq connection options.
type Redis struct {
	Client redis.UniversalClient
	Asynq  asynq.RedisConnOpt
	mini   *miniredis.Miniredis
	stop   chan struct{}
}

// OpenRedis connects to REDIS_URL (redis://, rediss://, or a comma-separated
// list of cluster nodes as redis-cluster://host:port,host:port), or starts an
// in-process Redis on loopback when the URL is empty. The in-process Redis
// never expires keys by itself, so its clock is advanced on a ticker.
func OpenRedis(rawURL string, log *slog.Logger) (*Redis, error) {
	if rawURL == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("in-process redis: %w", err)
		}
		r := &Redis{mini: mr, stop: make(chan struct{})}
		r.Client = redis.NewClient(&redis.Options{Addr: mr.Addr()})
		r.Asynq = asynq.RedisClientOpt{Addr: mr.Addr()}
		go r.tick()
		log.Info("redis", "mode", "in-process", "addr", mr.Addr())
		return r, nil
	}
	if strings.HasPrefix(rawURL, "redis-cluster://") {
		addrs := strings.Split(strings.TrimPrefix(rawURL, "redis-cluster://"), ",")
		r := &Redis{Client: redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})}
		r.Asynq = asynq.RedisClusterClientOpt{Addrs: addrs}
		log.Info("redis", "mode", "cluster", "nodes", len(addrs))
		return r, nil
	}
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	r := &Redis{Client: redis.NewClient(opt)}
	r.Asynq = asynq.RedisClientOpt{Addr: opt.Addr, Username: opt.Username, Password: opt.Password, DB: opt.DB, TLSConfig: opt.TLSConfig}
	log.Info("redis", "mode", "server", "addr", opt.Addr, "db", opt.DB)
	return r, nil
}

func (r *Redis) tick() {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-r.stop:
			return
		case now := <-t.C:
			r.mini.FastForward(now.Sub(last))
			last = now
		}
	}
}

// InProcess reports whether this is the embedded in-process Redis.
func (r *Redis) InProcess() bool { return r.mini != nil }

// Close closes the client and stops an in-process server.
func (r *Redis) Close() error {
	err := r.Client.Close()
	if r.mini != nil {
		close(r.stop)
		r.mini.Close()
	}
	return err
}

// CheckPersistence warns when a production Redis could lose queued work
// (SECURITY.md 16): no AOF, or an eviction policy other than noeviction.
func (r *Redis) CheckPersistence(ctx context.Context, log *slog.Logger) {
	if r.InProcess() {
		return
	}
	if v, err := r.Client.ConfigGet(ctx, "maxmemory-policy").Result(); err == nil {
		if p := v["maxmemory-policy"]; p != "" && p != "noeviction" {
			log.Warn("redis maxmemory-policy should be noeviction; queued tasks may be evicted", "policy", p)
		}
	}
	if v, err := r.Client.ConfigGet(ctx, "appendonly").Result(); err == nil {
		if a := v["appendonly"]; a != "" && a != "yes" {
			log.Warn("redis appendonly should be yes; a restart may lose queued tasks (the outbox sweeper will re-enqueue them)")
		}
	}
}
