// Package audit writes the append-only audit trail (SECURITY.md 10): every
// write of personal or money data and every unmasked read, with who, role,
// subject, purpose, before/after and time. Values are masked before they are
// written here; the trail must not become a second copy of the secrets.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
)

// Entry is one audited action.
type Entry struct {
	Action      string
	SubjectType string
	SubjectID   int64
	Purpose     string
	Before      any
	After       any
}

// Write records an entry inside tx (so it commits or rolls back with the change).
func Write(ctx context.Context, tx *gorm.DB, e Entry) error {
	row := Row(ctx, e)
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Row is the audit row Write would insert for an entry: who (from ctx),
// what and when. A caller that sends its transaction's statements together
// (service/status) inserts it itself, in the same transaction as the change.
func Row(ctx context.Context, e Entry) model.AuditLog {
	a := actor.From(ctx)
	return model.AuditLog{
		At:          time.Now().UTC(),
		ActorID:     a.AccountID,
		ActorRole:   string(a.Role),
		Action:      e.Action,
		SubjectType: e.SubjectType,
		SubjectID:   e.SubjectID,
		Purpose:     e.Purpose,
		Before:      encode(e.Before),
		After:       encode(e.After),
		RequestID:   a.RequestID,
		IP:          a.IP,
	}
}

func encode(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// Query lists audit rows, newest first, optionally for one subject.
func Query(ctx context.Context, db *gorm.DB, subjectType string, subjectID int64, limit int) ([]model.AuditLog, error) {
	q := db.WithContext(ctx).Model(&model.AuditLog{}).Order("id DESC").Limit(limit)
	if subjectType != "" {
		q = q.Where("subject_type = ?", subjectType)
	}
	if subjectID != 0 {
		q = q.Where("subject_id = ?", subjectID)
	}
	var rows []model.AuditLog
	return rows, q.Find(&rows).Error
}
