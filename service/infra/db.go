// Package infra opens the database and Redis the configuration names: MySQL,
// MariaDB or TiDB and a real Redis in production, or a SQLite file and an
// in-process Redis for the embedded default.
package infra

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/jiuyebang/jiuyebang/model"
)

// Dialect names.
const (
	DialectMySQL  = "mysql"
	DialectSQLite = "sqlite"
)

// OpenDB opens the database: a MySQL DSN (or mysql:// URL) when dsn is set,
// else a SQLite file in dataDir.
func OpenDB(dsn, dataDir string, log *slog.Logger) (*gorm.DB, error) {
	gcfg := gormConfig()
	if dsn == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		path := filepath.Join(dataDir, "jiuyebang.db")
		db, err := gorm.Open(sqlite.Open(path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(0)&_pragma=synchronous(NORMAL)"), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		sqlDB, _ := db.DB()
		// SQLite has one writer; a single connection avoids SQLITE_BUSY under -race.
		sqlDB.SetMaxOpenConns(1)
		log.Info("database", "dialect", DialectSQLite, "path", path)
		return db, nil
	}
	mdsn, err := MySQLDSN(dsn)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(gormmysql.New(gormmysql.Config{DSN: mdsn}), gcfg)
	if err != nil {
		return nil, fmt.Errorf("open mysql: %w", err)
	}
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(64)
	sqlDB.SetMaxIdleConns(32)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	log.Info("database", "dialect", DialectMySQL)
	return db, nil
}

// gormConfig is the GORM configuration of every handle.
func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:                                   logger.Discard,
		TranslateError:                           true,
		SkipDefaultTransaction:                   true, // writes that need one open it themselves
		DisableForeignKeyConstraintWhenMigrating: true,
		NowFunc:                                  func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
}

// MySQLDSN accepts a go-sql-driver DSN or a mysql:// URL and returns a DSN
// with the options the code relies on (parseTime, UTC, utf8mb4).
func MySQLDSN(s string) (string, error) {
	if strings.HasPrefix(s, "mysql://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", fmt.Errorf("DATABASE_URL: %w", err)
		}
		cfg := mysql.NewConfig()
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
		cfg.Net = "tcp"
		cfg.Addr = u.Host
		if !strings.Contains(u.Host, ":") {
			cfg.Addr = u.Host + ":3306"
		}
		cfg.DBName = strings.TrimPrefix(u.Path, "/")
		s = cfg.FormatDSN()
		if q := u.RawQuery; q != "" {
			s += "&" + q
		}
	}
	cfg, err := mysql.ParseDSN(s)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	if cfg.DBName == "" {
		return "", errors.New("DATABASE_URL: no database name")
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	// Interpolate arguments client-side: one round trip per query instead of
	// prepare, execute and close (three). Safe with utf8mb4.
	cfg.InterpolateParams = true
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["charset"] = "utf8mb4"
	cfg.Collation = "utf8mb4_unicode_ci"
	return cfg.FormatDSN(), nil
}

// MultiStatementPool opens, for a MySQL handle opened from a DSN through
// MySQLDSN, a second small pool whose connections take several statements
// in one query (arguments still interpolated and escaped by the driver).
// Only service/status sends such queries — a status report's reads in one
// round trip and its transaction in another — so the application's own
// pool keeps refusing a second statement: an SQL injection, if one were
// ever written (SECURITY.md 19), could not chain statements there. Other
// handles (SQLite, a dialector over an existing pool) get nil: run the
// statements one by one.
func MultiStatementPool(db *gorm.DB) (*sql.DB, error) {
	d, ok := db.Dialector.(*gormmysql.Dialector)
	if !ok || d.Config == nil || d.DSN == "" {
		return nil, nil
	}
	cfg, err := mysql.ParseDSN(d.DSN)
	if err != nil || !cfg.InterpolateParams {
		return nil, nil
	}
	cfg.MultiStatements = true
	pool, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("infra: multi-statement pool: %w", err)
	}
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(16)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pool.SetConnMaxLifetime(30 * time.Minute)
	return pool, nil
}

// Dialect reports which database a handle talks to.
func Dialect(db *gorm.DB) string {
	if db.Dialector.Name() == "sqlite" {
		return DialectSQLite
	}
	return DialectMySQL
}

// Migrate creates or updates every table.
func Migrate(ctx context.Context, db *gorm.DB) error {
	tx := db.WithContext(ctx)
	if Dialect(db) == DialectMySQL {
		tx = tx.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	if err := tx.AutoMigrate(model.All()...); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// PingDB checks the database answers.
func PingDB(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}
