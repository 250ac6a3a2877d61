package status

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/report"
)

// batch collects statements that GORM builds without running them (a DryRun
// session, so the SQL and its arguments come from the models as in every
// other query) and sends them in one round trip when the connection takes
// several statements per query (infra.MultiStatementPool), else one by one.
// A status report is a handful of statements none of which needs another's
// result, so this turns about fifteen round trips into two: one for what
// the report reads, one for what it writes — with the transaction's start
// and commit (commit).
//
// Statements sent this way bypass GORM's callbacks: the reports' change
// tracking (service/report track.go) does not see them, so the writer adds
// its own ReportDirty row (see writer.flush).
type batch struct {
	tx    *gorm.DB // where the statements run: the transaction, or the handle
	dry   *gorm.DB // builds statements without running them
	multi *sql.DB  // a pool taking several statements per query; nil: one by one
	sqls  []string
	vars  [][]any
	err   error
}

func newBatch(db *gorm.DB, multi *sql.DB) *batch {
	// Untracked: the tracking callbacks would only build dry statements of
	// their own here, never run them.
	// A silent logger: building is not running; exec and query log what runs.
	dry := report.Untracked(db.Session(&gorm.Session{NewDB: true})).Session(&gorm.Session{DryRun: true, Logger: logger.Discard})
	return &batch{tx: db, dry: dry, multi: multi}
}

// add records the statement q built (q comes from b.dry).
func (b *batch) add(q *gorm.DB) {
	if b.err != nil {
		return
	}
	if q.Error != nil {
		b.err = q.Error
		return
	}
	b.sqls = append(b.sqls, q.Statement.SQL.String())
	b.vars = append(b.vars, q.Statement.Vars)
}

// joined is the statements as one query, and all their arguments.
func (b *batch) joined() (string, []any) {
	var n int
	for _, v := range b.vars {
		n += len(v)
	}
	args := make([]any, 0, n)
	for _, v := range b.vars {
		args = append(args, v...)
	}
	return strings.Join(b.sqls, ";\n"), args
}

// exec runs the statements, in order; the first that fails stops the rest
// (MySQL stops a multi-statement query at its first error) and the caller
// rolls the transaction back.
func (b *batch) exec(ctx context.Context) error {
	if b.err != nil {
		return b.err
	}
	pool := b.tx.Statement.ConnPool
	if b.multi != nil && len(b.sqls) > 1 {
		q, args := b.joined()
		start := time.Now()
		_, err := b.multi.ExecContext(ctx, q, args...)
		b.trace(ctx, start, q, args, err)
		return err
	}
	for i, q := range b.sqls {
		start := time.Now()
		_, err := pool.ExecContext(ctx, q, b.vars[i]...)
		b.trace(ctx, start, q, b.vars[i], err)
		if err != nil {
			return err
		}
	}
	return nil
}

// commit runs the statements as one transaction. Where a connection takes
// several statements per query, the transaction's start, its statements and
// its commit go in one round trip on a connection of its own; elsewhere
// (SQLite) it is a GORM transaction running them one by one. b's handle must
// not be a transaction.
//
// Like a transaction of GORM's, it reads nothing: the reads it depends on
// ran before it (load), as non-locking reads do inside a transaction too.
func (b *batch) commit(ctx context.Context) error {
	if b.err != nil || len(b.sqls) == 0 {
		return b.err
	}
	if b.multi != nil {
		conn, err := b.multi.Conn(ctx)
		if err != nil {
			return err
		}
		return b.commitOn(ctx, conn)
	}
	return infra.Tx(b.tx, func(tx *gorm.DB) error {
		return (&batch{tx: tx, sqls: b.sqls, vars: b.vars}).exec(ctx)
	})
}

// commitOn sends START TRANSACTION, the statements and COMMIT as one query.
// MySQL stops at the first statement that fails: those before it ran inside
// the transaction, the rest and the commit did not. The transaction is then
// rolled back on the same connection before it goes back to the pool, or,
// if that fails too, the connection is closed (the server rolls back what
// a closed connection left open).
func (b *batch) commitOn(ctx context.Context, conn *sql.Conn) error {
	q, args := b.joined()
	q = "START TRANSACTION;\n" + q + ";\nCOMMIT"
	start := time.Now()
	_, err := conn.ExecContext(ctx, q, args...)
	b.trace(ctx, start, q, args, err)
	if err == nil {
		return conn.Close()
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, rerr := conn.ExecContext(rctx, "ROLLBACK"); rerr != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // closes it
	}
	_ = conn.Close()
	return err
}

// trace hands what ran to the handle's GORM logger, as GORM does for its
// own statements.
func (b *batch) trace(ctx context.Context, start time.Time, q string, args []any, err error) {
	b.tx.Logger.Trace(ctx, start, func() (string, int64) { return b.tx.Dialector.Explain(q, args...), -1 }, err)
}

// query runs SELECT statements and hands each one's rows to the scanner of
// the same index; scan reads every row of its result with rows.Next.
func (b *batch) query(ctx context.Context, scan ...func(*sql.Rows) error) error {
	if b.err != nil {
		return b.err
	}
	if len(scan) != len(b.sqls) {
		return fmt.Errorf("status: %d queries, %d scanners", len(b.sqls), len(scan))
	}
	pool := b.tx.Statement.ConnPool
	if b.multi != nil && len(b.sqls) > 1 {
		q, args := b.joined()
		start := time.Now()
		rows, err := b.multi.QueryContext(ctx, q, args...)
		b.trace(ctx, start, q, args, err)
		if err != nil {
			return err
		}
		defer rows.Close()
		for i, fn := range scan {
			if i > 0 && !rows.NextResultSet() {
				if err := rows.Err(); err != nil {
					return err
				}
				return fmt.Errorf("status: query %d of %d returned no result", i+1, len(scan))
			}
			if err := fn(rows); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return rows.Close()
	}
	for i, fn := range scan {
		if err := func() error {
			start := time.Now()
			rows, err := pool.QueryContext(ctx, b.sqls[i], b.vars[i]...)
			b.trace(ctx, start, b.sqls[i], b.vars[i], err)
			if err != nil {
				return err
			}
			defer rows.Close()
			if err := fn(rows); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
			return rows.Close()
		}(); err != nil {
			return err
		}
	}
	return nil
}

// scanInto returns a scanner that reads every row into *dst. GORM scans the
// rest of the rows itself once the first is read (one column mapping for
// all of them, not one per row).
func scanInto[T any](db *gorm.DB, dst *[]T) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		if !rows.Next() {
			return nil
		}
		return db.ScanRows(rows, dst)
	}
}
