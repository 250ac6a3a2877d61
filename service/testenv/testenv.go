// Package testenv gives tests a migrated database and a Redis: real MariaDB
// and Redis when TEST_MYSQL_DSN and TEST_REDIS_URL are set (make test sets
// them for its second pass), else a SQLite file and miniredis.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/service/infra"
)

// Logger discards logs unless TEST_LOG=1.
func Logger() *slog.Logger {
	if os.Getenv("TEST_LOG") == "1" {
		return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewJSONHandler(io.Discard, nil))
}

// Real reports whether the tests run against real MariaDB and Redis.
func Real() bool { return os.Getenv("TEST_MYSQL_DSN") != "" }

// DB returns a migrated database of its own for the test: a fresh MariaDB
// schema when TEST_MYSQL_DSN is set (dropped afterwards), else a SQLite file
// in the test's temp dir.
func DB(t testing.TB) *gorm.DB {
	t.Helper()
	db, cleanup, err := NewDB(sanitize(t.Name()), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return db
}

// NewDB is DB for callers without a testing.TB, such as TestMain: a migrated
// database named after name (a fresh MariaDB schema when TEST_MYSQL_DSN is
// set, else SQLite in dir) and the function that drops it.
func NewDB(name, dir string) (*gorm.DB, func(), error) {
	ctx := context.Background()
	log := Logger()
	base := os.Getenv("TEST_MYSQL_DSN")
	closeDB := func(db *gorm.DB) {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	}
	if base == "" {
		db, err := infra.OpenDB("", dir, log)
		if err != nil {
			return nil, nil, err
		}
		if err := infra.Migrate(ctx, db); err != nil {
			return nil, nil, err
		}
		return db, func() { closeDB(db) }, nil
	}
	dsn, err := infra.MySQLDSN(base)
	if err != nil {
		return nil, nil, err
	}
	cfg, _ := mysql.ParseDSN(dsn)
	schema := "t_" + sanitize(name) + "_" + randHex(4)
	admin, err := infra.OpenDB(dsn, "", log)
	if err != nil {
		return nil, nil, err
	}
	if err := admin.Exec("CREATE DATABASE `" + schema + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		closeDB(admin)
		return nil, nil, err
	}
	cfg.DBName = schema
	db, err := infra.OpenDB(cfg.FormatDSN(), "", log)
	if err != nil {
		closeDB(admin)
		return nil, nil, err
	}
	cleanup := func() {
		closeDB(db)
		admin.Exec("DROP DATABASE `" + schema + "`")
		closeDB(admin)
	}
	if err := infra.Migrate(ctx, db); err != nil {
		cleanup()
		return nil, nil, err
	}
	return db, cleanup, nil
}

// Redis returns a Redis for the test: the real one at TEST_REDIS_URL,
// flushed first (make test runs the real pass with -p 1), or an in-process one.
func Redis(t testing.TB) *infra.Redis {
	t.Helper()
	r, err := NewRedis()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// NewRedis is Redis for callers without a testing.TB. On a real Redis each
// call gets a logical database of its own (0–13, handed out round-robin from
// a counter in database 15), so test packages running in parallel do not
// flush each other's keys; database 14 is left to the e2e run.
func NewRedis() (*infra.Redis, error) {
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		return infra.OpenRedis("", Logger())
	}
	ctx := context.Background()
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	opt.DB = 15
	counter := redis.NewClient(opt)
	n, err := counter.Incr(ctx, "testenv:next-db").Result()
	counter.Close()
	if err != nil {
		return nil, err
	}
	opt.DB = int(n % 14)
	u := fmt.Sprintf("redis://%s/%d", opt.Addr, opt.DB)
	if opt.Password != "" {
		u = fmt.Sprintf("redis://:%s@%s/%d", opt.Password, opt.Addr, opt.DB)
	}
	r, err := infra.OpenRedis(u, Logger())
	if err != nil {
		return nil, err
	}
	if err := r.Client.FlushDB(ctx).Err(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
		if b.Len() >= 30 {
			break
		}
	}
	return b.String()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Must fails the test on error.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(fmt.Errorf("unexpected: %w", err))
	}
}
