package model

import "time"

// LedgerChange records one confirmed change to a labourer's ledger entry,
// field by field, for the 异动 export to the national system (seed 002
// 填表说明 5). Personal numbers appear masked. Written in the same
// transaction as the change.
type LedgerChange struct {
	ID         int64     `gorm:"primaryKey;autoIncrement:false"`
	LabourerID int64     `gorm:"not null;index"`
	CountyCode string    `gorm:"size:6;not null;index:idx_change_county_at,priority:1"`
	Source     string    `gorm:"size:16;not null"` // form, self_report, import, hire
	SourceID   int64     `gorm:"not null"`
	Fields     string    `gorm:"type:text;not null"` // JSON: {"field": {"old": …, "new": …}}
	At         time.Time `gorm:"not null;index:idx_change_county_at,priority:2"`
}

// formModels lists the collection-form entities (issue 3: verification).
func formModels() []any { return []any{&LedgerChange{}} }
