package infra

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/glebarez/sqlite"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// OpenReads returns the handle for reads that tolerate replication lag
// (region tables, lists, exports): with a replica (DATABASE_REPLICA_URL, a
// DSN or mysql:// URL like DATABASE_URL) plain SELECTs on it go to the
// replica, while everything that must see the latest committed state stays
// on the primary — writes, locking reads (FOR UPDATE), transactions, and
// queries marked with Clauses(dbresolver.Write). Without a replica, or on
// SQLite, it is primary itself.
//
// The handle shares the primary's connection pool for what goes to the
// primary, but it is a gorm.DB of its own: callbacks registered on primary
// (the reports' dirty marks, service/report track.go) do not run on it, so
// records are written through primary, never through this handle. It is
// kept separate rather than routing every read of the primary handle to the
// replica because much of the code reads and then acts (token rotation,
// logout, case scheduling) and would misbehave on a lagging copy.
func OpenReads(primary *gorm.DB, replicaURL string, log *slog.Logger) (*gorm.DB, error) {
	if replicaURL == "" {
		return primary, nil
	}
	if Dialect(primary) != DialectMySQL {
		log.Warn("DATABASE_REPLICA_URL ignored: the embedded SQLite database has no replicas")
		return primary, nil
	}
	dsn, err := MySQLDSN(replicaURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_REPLICA_URL: %w", err)
	}
	reads, err := WithReplica(primary, gormmysql.New(gormmysql.Config{DSN: dsn}))
	if err != nil {
		return nil, err
	}
	log.Info("database read replica", "dialect", DialectMySQL)
	return reads, nil
}

// WithReplica is OpenReads with the replica given as a GORM dialector (tests
// use two SQLite files).
func WithReplica(primary *gorm.DB, replica gorm.Dialector) (*gorm.DB, error) {
	sqlDB, err := primary.DB()
	if err != nil {
		return nil, fmt.Errorf("read replica: %w", err)
	}
	var self gorm.Dialector
	switch Dialect(primary) {
	case DialectMySQL:
		self = gormmysql.New(gormmysql.Config{Conn: sqlDB})
	case DialectSQLite:
		self = &sqlite.Dialector{Conn: sqlDB}
	default:
		return nil, errors.New("read replica: unknown dialect")
	}
	reads, err := gorm.Open(self, gormConfig())
	if err != nil {
		return nil, fmt.Errorf("read replica: %w", err)
	}
	// No Sources: writes and transactions use reads' own pool, the primary's.
	if err := reads.Use(dbresolver.Register(dbresolver.Config{Replicas: []gorm.Dialector{replica}})); err != nil {
		return nil, fmt.Errorf("read replica: %w", err)
	}
	// The replica's pool, sized like the primary's.
	replicaPools(primary, reads, func(pool gorm.ConnPool) {
		if p, ok := pool.(interface {
			SetMaxOpenConns(int)
			SetMaxIdleConns(int)
			SetConnMaxLifetime(time.Duration)
		}); ok {
			p.SetMaxOpenConns(64)
			p.SetMaxIdleConns(32)
			p.SetConnMaxLifetime(30 * time.Minute)
		}
	})
	return reads, nil
}

// replicaPools calls fn with each connection pool of reads that is not the
// primary's.
func replicaPools(primary, reads *gorm.DB, fn func(gorm.ConnPool)) {
	p, ok := reads.Config.Plugins[(&dbresolver.DBResolver{}).Name()].(*dbresolver.DBResolver)
	if !ok {
		return
	}
	own, _ := primary.DB()
	_ = p.Call(func(pool gorm.ConnPool) error {
		if db, ok := pool.(*sql.DB); !ok || db != own {
			fn(pool)
		}
		return nil
	})
}

// CloseReads closes the replica connections of a handle from OpenReads (the
// primary's pool is closed with the primary). It does nothing when reads is
// primary.
func CloseReads(primary, reads *gorm.DB) {
	if reads == nil || reads == primary {
		return
	}
	replicaPools(primary, reads, func(pool gorm.ConnPool) {
		if c, ok := pool.(interface{ Close() error }); ok {
			_ = c.Close()
		}
	})
}
