package infra_test

import (
	"os"
	"testing"

	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/plugin/dbresolver"

	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

type replicaProbe struct {
	ID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Where string
}

// TestReadReplica: plain reads of the reads handle go to the replica; writes,
// locking reads, transactions and reads marked dbresolver.Write go to the
// primary, and the primary handle never reads the replica. The "replica" is
// a second database holding different rows, so where a read went shows.
func TestReadReplica(t *testing.T) {
	primary := testenv.DB(t)
	replica := testenv.DB(t)
	for _, db := range []*gorm.DB{primary, replica} {
		testenv.Must(t, db.AutoMigrate(&replicaProbe{}))
	}
	testenv.Must(t, primary.Create(&replicaProbe{ID: 1, Where: "primary"}).Error)
	testenv.Must(t, replica.Create(&replicaProbe{ID: 1, Where: "replica"}).Error)

	var dialector gorm.Dialector
	if base := os.Getenv("TEST_MYSQL_DSN"); base != "" {
		dsn, err := infra.MySQLDSN(base)
		testenv.Must(t, err)
		cfg, _ := mysql.ParseDSN(dsn)
		cfg.DBName = replica.Migrator().CurrentDatabase()
		dialector = gormmysql.New(gormmysql.Config{DSN: cfg.FormatDSN()})
	} else {
		var file string
		testenv.Must(t, replica.Raw("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file).Error)
		dialector = sqlite.Open(file + "?_pragma=busy_timeout(10000)")
	}
	reads, err := infra.WithReplica(primary, dialector)
	testenv.Must(t, err)
	t.Cleanup(func() { infra.CloseReads(primary, reads) })

	where := func(db *gorm.DB) string {
		t.Helper()
		var p replicaProbe
		testenv.Must(t, db.Take(&p, 1).Error)
		return p.Where
	}
	if got := where(reads); got != "replica" {
		t.Fatalf("read on the reads handle went to %s", got)
	}
	if got := where(primary); got != "primary" {
		t.Fatalf("read on the primary handle went to %s", got)
	}
	if got := where(reads.Clauses(dbresolver.Write)); got != "primary" {
		t.Fatalf("read marked Write went to %s", got)
	}
	if infra.Dialect(primary) == infra.DialectMySQL {
		if got := where(reads.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})); got != "primary" {
			t.Fatalf("locking read went to %s", got)
		}
	}
	// A write through the reads handle lands on the primary.
	testenv.Must(t, reads.Create(&replicaProbe{ID: 2, Where: "written"}).Error)
	var n int64
	testenv.Must(t, primary.Model(&replicaProbe{}).Where("id = 2").Count(&n).Error)
	if n != 1 {
		t.Fatal("write through the reads handle did not reach the primary")
	}
	// A transaction on the reads handle runs on the primary, reads included.
	testenv.Must(t, reads.Transaction(func(tx *gorm.DB) error {
		if got := where(tx); got != "primary" {
			t.Fatalf("read in a transaction went to %s", got)
		}
		return tx.Model(&replicaProbe{}).Where("id = 1").Update("where", "primary, updated").Error
	}))
	if got := where(primary); got != "primary, updated" {
		t.Fatalf("transaction's write: %s", got)
	}
	if got := where(reads); got != "replica" {
		t.Fatalf("read after the transaction went to %s", got)
	}

	// Without a replica URL the reads handle is the primary.
	same, err := infra.OpenReads(primary, "", testenv.Logger())
	testenv.Must(t, err)
	if same != primary {
		t.Fatal("no replica: want the primary handle")
	}
}
