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
	ctx := context.Background()
	log := Logger()
	base := os.Getenv("TEST_MYSQL_DSN")
	if base == "" {
		db, err := infra.OpenDB("", t.TempDir(), log)
		if err != nil {
			t.Fatal(err)
		}
		if err := infra.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if s, err := db.DB(); err == nil {
				s.Close()
			}
		})
		return db
	}
	dsn, err := infra.MySQLDSN(base)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := mysql.ParseDSN(dsn)
	name := "t_" + sanitize(t.Name()) + "_" + randHex(4)
	admin, err := infra.OpenDB(dsn, "", log)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		t.Fatal(err)
	}
	cfg.DBName = name
	db, err := infra.OpenDB(cfg.FormatDSN(), "", log)
	if err != nil {
		t.Fatal(err)
	}
	if err := infra.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
		admin.Exec("DROP DATABASE `" + name + "`")
		if s, err := admin.DB(); err == nil {
			s.Close()
		}
	})
	return db
}

// Redis returns a Redis for the test: the real one at TEST_REDIS_URL,
// flushed first (make test runs the real pass with -p 1), or an in-process one.
func Redis(t testing.TB) *infra.Redis {
	t.Helper()
	url := os.Getenv("TEST_REDIS_URL")
	r, err := infra.OpenRedis(url, Logger())
	if err != nil {
		t.Fatal(err)
	}
	if url != "" {
		if err := r.Client.FlushDB(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { r.Close() })
	return r
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
