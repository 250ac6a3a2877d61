package push

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
)

// MaxPageSize caps an inbox page.
const MaxPageSize = 50

// Consent sources.
const (
	SourceMiniprogram = "miniprogram" // the worker, in the mini-program
	SourceCadre       = "cadre"       // recorded by a cadre at the door, on paper
)

// InboxPage is one page of a worker's inbox, newest first.
type InboxPage struct {
	Items  []model.Message
	Total  int64
	Unread int64
}

// Inbox lists a labourer's messages, newest first.
func (s *Service) Inbox(ctx context.Context, labourerID int64, page, size int) (InboxPage, error) {
	if size <= 0 || size > MaxPageSize {
		size = MaxPageSize
	}
	if page < 1 {
		page = 1
	}
	var out InboxPage
	db := s.db.WithContext(ctx)
	base := func() *gorm.DB { return db.Model(&model.Message{}).Where("labourer_id = ?", labourerID) }
	if err := base().Count(&out.Total).Error; err != nil {
		return out, fmt.Errorf("inbox: %w", err)
	}
	if err := base().Where("read_at IS NULL").Count(&out.Unread).Error; err != nil {
		return out, fmt.Errorf("inbox: %w", err)
	}
	if err := base().Order("created_at DESC").Order("id DESC").Offset((page - 1) * size).Limit(size).
		Find(&out.Items).Error; err != nil {
		return out, fmt.Errorf("inbox: %w", err)
	}
	return out, nil
}

// MarkRead marks one of the labourer's messages read. Another worker's
// message is "not found", never "forbidden": its existence is not revealed.
func (s *Service) MarkRead(ctx context.Context, labourerID, messageID int64) (model.Message, error) {
	var m model.Message
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND labourer_id = ?", messageID, labourerID).Take(&m).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.NotFound("消息")
			}
			return err
		}
		if m.ReadAt != nil {
			return nil
		}
		now := s.cfg.Now().UTC()
		if err := tx.Model(&model.Message{}).Where("id = ? AND read_at IS NULL", m.ID).Update("read_at", now).Error; err != nil {
			return err
		}
		m.ReadAt = &now
		return nil
	})
	if err != nil {
		return m, fmt.Errorf("inbox read: %w", err)
	}
	return m, nil
}

// Deliveries returns a message's delivery rows (for the inbox view and tests).
func (s *Service) Deliveries(ctx context.Context, messageID int64) ([]model.Delivery, error) {
	var ds []model.Delivery
	err := s.db.WithContext(ctx).Where("message_id = ?", messageID).Order("channel").Find(&ds).Error
	return ds, err
}

// ConsentState is a labourer's SMS consent as the worker sees it. It says
// whether a phone is on file, never which.
type ConsentState struct {
	Consented bool
	At        *time.Time
	Source    string
	HasPhone  bool
}

// Consent returns the labourer's SMS consent.
func (s *Service) Consent(ctx context.Context, labourerID int64) (ConsentState, error) {
	db := s.db.WithContext(ctx)
	var lab model.Labourer
	if err := db.Select("id", "phone_enc").Take(&lab, labourerID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ConsentState{}, apperr.NotFound("劳动力")
		}
		return ConsentState{}, fmt.Errorf("sms consent: %w", err)
	}
	out := ConsentState{HasPhone: lab.PhoneEnc != ""}
	var c model.SMSConsent
	err := db.Where("labourer_id = ?", labourerID).Take(&c).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return out, fmt.Errorf("sms consent: %w", err)
	default:
		at := c.At
		out.Consented, out.At, out.Source = c.Consented, &at, c.Source
	}
	return out, nil
}

// SetConsent records the labourer's answer with time and source, audited
// (SECURITY.md 10). Repeating the current answer changes nothing.
func (s *Service) SetConsent(ctx context.Context, labourerID int64, consented bool, source string) (ConsentState, error) {
	if source != SourceMiniprogram && source != SourceCadre {
		return ConsentState{}, apperr.Invalid("source", "invalid_source", "来源不对")
	}
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var lab model.Labourer
		if err := tx.Select("id").Take(&lab, labourerID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.NotFound("劳动力")
			}
			return err
		}
		var old model.SMSConsent
		err := tx.Where("labourer_id = ?", labourerID).Take(&old).Error
		had := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if had && old.Consented == consented {
			return nil
		}
		now := s.cfg.Now().UTC()
		row := model.SMSConsent{LabourerID: labourerID, Consented: consented, At: now, Source: source, ActorID: actor.From(ctx).AccountID, UpdatedAt: now}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "labourer_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"consented", "at", "source", "actor_id", "updated_at"}),
		}).Create(&row).Error; err != nil {
			return err
		}
		type view struct {
			Consented bool   `json:"consented"`
			Source    string `json:"source"`
		}
		var before any
		if had {
			before = view{old.Consented, old.Source}
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "sms_consent.set", SubjectType: "labourer", SubjectID: labourerID,
			Purpose: "短信通知授权", Before: before, After: view{consented, source}})
	})
	if err != nil {
		return ConsentState{}, fmt.Errorf("sms consent: %w", err)
	}
	return s.Consent(ctx, labourerID)
}

// Quota is an account's count of one-time grants for a template.
type Quota struct {
	Kind       string
	TemplateID string
	Remaining  int
}

// Quotas lists the configured templates with the account's grants, by kind.
func (s *Service) Quotas(ctx context.Context, accountID int64) ([]Quota, error) {
	tmpls := s.Templates()
	var rows []model.SubscriptionQuota
	if err := s.db.WithContext(ctx).Where("account_id = ?", accountID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	have := make(map[string]int, len(rows))
	for _, r := range rows {
		have[r.TemplateID] = r.Remaining
	}
	out := make([]Quota, 0, len(tmpls))
	for kind, id := range tmpls {
		out = append(out, Quota{Kind: kind, TemplateID: id, Remaining: have[id]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out, nil
}

// MaxSubscriptionResults caps how many templates one report may name
// (wx.requestSubscribeMessage asks for at most 3 at a time).
const MaxSubscriptionResults = 10

// AddSubscriptions records what the user answered in
// wx.requestSubscribeMessage: each "accept" for one of our templates is one
// more send allowed (capped at MaxQuota). "reject", "ban" and "filter" add
// nothing. A template that is not ours is a field error.
func (s *Service) AddSubscriptions(ctx context.Context, accountID int64, results map[string]string) ([]Quota, error) {
	known := map[string]bool{}
	for _, id := range s.Templates() {
		known[id] = true
	}
	var f apperr.Fields
	if len(results) == 0 {
		f.Add("results", "required", "请提供订阅结果")
	}
	if len(results) > MaxSubscriptionResults {
		f.Add("results", "too_many", "订阅结果太多")
	}
	ids := make([]string, 0, len(results))
	for id, res := range results {
		switch {
		case !known[id]:
			f.Add("results."+clip(id, 64), "unknown_template", "不是本小程序的消息模板")
		case res != "accept" && res != "reject" && res != "ban" && res != "filter":
			f.Add("results."+clip(id, 64), "invalid_result", "订阅结果不对")
		case res == "accept":
			ids = append(ids, id)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	sort.Strings(ids) // a fixed order keeps concurrent reports from deadlocking
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		for _, id := range ids {
			row := model.SubscriptionQuota{AccountID: accountID, TemplateID: id, Remaining: 0, UpdatedAt: s.cfg.Now().UTC()}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "account_id"}, {Name: "template_id"}}, DoNothing: true}).
				Create(&row).Error; err != nil {
				return err
			}
			if err := tx.Model(&model.SubscriptionQuota{}).
				Where("account_id = ? AND template_id = ? AND remaining < ?", accountID, id, MaxQuota).
				Updates(map[string]any{"remaining": gorm.Expr("remaining + 1"), "updated_at": s.cfg.Now().UTC()}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return s.Quotas(ctx, accountID)
}
