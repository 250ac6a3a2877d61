package model

import "time"

// AuditLog is an append-only record of a write, or of an unmasked read of
// personal data (SECURITY.md 10). Before/After hold JSON with personal values
// masked; nothing updates or deletes these rows.
type AuditLog struct {
	ID          int64     `gorm:"primaryKey"`
	At          time.Time `gorm:"not null;index"`
	ActorID     int64     `gorm:"index"`
	ActorRole   string    `gorm:"size:16"`
	Action      string    `gorm:"size:48;not null;index"`
	SubjectType string    `gorm:"size:32;not null"`
	SubjectID   int64     `gorm:"index"`
	Purpose     string    `gorm:"size:100"`
	Before      string    `gorm:"type:text"`
	After       string    `gorm:"type:text"`
	RequestID   string    `gorm:"size:40"`
	IP          string    `gorm:"size:45"`
}

// OutboxEvent is an event written in the same transaction as the change it
// announces; a relay hands it to the queue with a deterministic task id and a
// sweeper hands it again until a handler marks it done (SECURITY.md 15).
type OutboxEvent struct {
	ID          int64  `gorm:"primaryKey;autoIncrement:false"`
	Kind        string `gorm:"size:48;not null"`
	AggregateID int64  `gorm:"not null;index"`
	Payload     string `gorm:"type:text"`
	CreatedAt   time.Time
	EnqueuedAt  *time.Time `gorm:"index"`
	DoneAt      *time.Time `gorm:"index"`
	Attempts    int        `gorm:"not null;default:0"`
}

// Outbox event kinds.
const (
	// EventReturnReported: a returnee who wants work was recorded; the
	// 72-hour service starts from it.
	EventReturnReported = "return.reported"
)

// All lists every entity for migrations. Each capability's file lists its
// own entities in a function of its own, so adding one touches one file.
func All() []any {
	all := []any{
		&Region{}, &Account{}, &AccountScope{}, &RefreshToken{},
		&Household{}, &Labourer{}, &EmploymentSpell{}, &ReturnEvent{}, &OutingPlan{}, &StatusReport{},
		&AuditLog{}, &OutboxEvent{},
	}
	all = append(all, formModels()...)
	all = append(all, importModels()...)
	all = append(all, listModels()...)
	all = append(all, jobModels()...)
	all = append(all, caseModels()...)
	all = append(all, pushModels()...)
	all = append(all, subsidyModels()...)
	all = append(all, paymentModels()...)
	all = append(all, reportModels()...)
	return all
}
