package infra_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

type txProbe struct {
	ID int64 `gorm:"primaryKey;autoIncrement:false"`
	N  int
}

// TestTxRetriesDeadlockVictim: two transactions lock rows 1 and 2 in
// opposite orders, so InnoDB must roll one back as a deadlock victim. Under
// infra.Tx both finish, the victim on its second run, and both increments
// land; under a bare Transaction one of them would fail with error 1213.
func TestTxRetriesDeadlockVictim(t *testing.T) {
	if !testenv.Real() {
		t.Skip("deadlocks are InnoDB's; SQLite serialises writers (the real pass runs this)")
	}
	db := testenv.DB(t)
	testenv.Must(t, db.AutoMigrate(&txProbe{}))
	testenv.Must(t, db.Create([]txProbe{{ID: 1}, {ID: 2}}).Error)

	var attempts atomic.Int32
	var firstLocks sync.WaitGroup
	firstLocks.Add(2)
	run := func(first, second int64) func(tx *gorm.DB) error {
		var tries int
		return func(tx *gorm.DB) error {
			tries++
			attempts.Add(1)
			var p txProbe
			if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&p, first).Error; err != nil {
				return err
			}
			if tries == 1 {
				firstLocks.Done()
				firstLocks.Wait() // both hold their first row: the next lock closes the cycle
			}
			return tx.Model(&txProbe{}).Where("id IN ?", []int64{first, second}).
				Update("n", gorm.Expr("n + 1")).Error
		}
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, order := range [][2]int64{{1, 2}, {2, 1}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = infra.Tx(db, run(order[0], order[1]))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	var rows []txProbe
	testenv.Must(t, db.Order("id").Find(&rows).Error)
	if rows[0].N != 2 || rows[1].N != 2 {
		t.Fatalf("rows after both transactions: %+v, want n = 2 each", rows)
	}
	if a := attempts.Load(); a < 3 {
		t.Fatalf("%d runs: no transaction was chosen as a deadlock victim, the test proves nothing", a)
	}
	t.Logf("two crossing transactions: %d runs, both committed", attempts.Load())
}
