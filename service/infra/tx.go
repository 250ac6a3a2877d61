package infra

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// TxAttempts is how many times Tx runs a transaction InnoDB chose as a
// deadlock victim. A victim is rolled back whole, so running it again is
// safe; the second run reads what the winner committed and usually answers
// with the ordinary conflict (a 409) instead of a 500.
const TxAttempts = 4

// Tx runs fn in a transaction on db, running it again when InnoDB rolls it
// back as a deadlock victim (error 1213). Two conditional updates of one row
// at the same instant deadlock when MariaDB plans them through a secondary
// index on the column they change (state, status): on a small table it
// prefers idx_…_status to the primary key, and the two transactions then
// queue on each other's gap locks (docs/decisions.md 27).
//
// fn must touch nothing but tx: it may run more than once. Inside an outer
// transaction Tx does not retry (the deadlock rolled back the outer one
// too); the error goes up to the outer Tx.
func Tx(db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if c, ok := db.Statement.ConnPool.(gorm.TxCommitter); ok && c != nil {
		return db.Transaction(fn)
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = db.Transaction(fn)
		if attempt == TxAttempts || !IsDeadlock(err) {
			return err
		}
		// A short random pause so the two victims do not meet again.
		time.Sleep(time.Duration(1+rand.IntN(5*attempt)) * time.Millisecond)
	}
}

// IsDeadlock reports whether err is InnoDB's deadlock error (1213).
func IsDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1213
}
