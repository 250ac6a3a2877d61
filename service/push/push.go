// Package push tells workers about jobs and their 72-hour case (issue 4,
// item 6). Every notice lands in the worker's in-app inbox; it is also pushed
// as a WeChat subscribe message when the worker's account has an openid and a
// one-time subscription left for the template, or else by SMS when the worker
// consented and has a phone. A per-worker daily limit keeps the noisy
// channels quiet; the inbox always gets the message.
//
// Notify runs inside the caller's transaction: the inbox message, one
// Delivery row per channel and an outbox event (model.EventPushRequested)
// commit or roll back with the change they announce. The queue handler
// (Deliver) sends through WeChat or the SMS Provider and records the state
// per message and channel; it is idempotent (SECURITY.md 14, 17).
package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/wechat"
)

// Notice kinds. A kind selects the WeChat template and SMS template used for
// it (Config); a kind without templates reaches the inbox only.
const (
	KindJobMatch   = "job_match"   // jobs recommended to the worker
	KindCaseUpdate = "case_update" // news on the worker's 72-hour case
)

// Per-worker limits so nobody is flooded. The inbox is never limited.
const (
	// DefaultMaxPushesPerDay is how many messages a worker may receive on the
	// noisy channels (WeChat or SMS) per calendar day in China Standard Time.
	DefaultMaxPushesPerDay = 3
	// MaxQuota caps the subscription grants we count per template; WeChat
	// keeps the real count and answers 43101 when it is used up.
	MaxQuota = 50
)

// Reasons recorded on skipped or failed deliveries, stable for reports.
const (
	ReasonNotConfigured = "not_configured" // no client/provider or no template for the kind
	ReasonNoAccount     = "no_account"     // the labourer has no mini-program account
	ReasonNoOpenID      = "no_openid"
	ReasonNoQuota       = "no_quota" // no one-time subscription left for the template
	ReasonNoConsent     = "no_consent"
	ReasonNoPhone       = "no_phone"
	ReasonDailyLimit    = "daily_limit"
	ReasonWeChatSent    = "wechat_sent" // SMS standby not needed
)

// Limits of the stored fields (runes).
const (
	maxTitle  = 100
	maxBody   = 500
	maxLink   = 255
	maxDedupe = 128
)

// Notice is one thing to tell a worker.
type Notice struct {
	LabourerID int64
	Kind       string // KindJobMatch, KindCaseUpdate, …
	Title      string // inbox title, e.g. "为您推荐3个岗位"
	Body       string // inbox text
	Link       string // mini-program page, e.g. "pages/jobs/detail?id=1"; also the WeChat card's page
	// Data holds the WeChat subscribe template's fields, e.g.
	// {"thing1": "电焊工", "amount2": "5000元/月"}. Stored with the message.
	Data map[string]string
	// SMSParams are the SMS template's variables; nil sends
	// {"title": Title, "content": Body}.
	SMSParams map[string]string
	// DedupeKey identifies the notice: a second Notify with the same key does
	// nothing, so callers that retry stay exactly-once. E.g.
	// "case:123:match:1" or "job:9:labourer:77".
	DedupeKey string
}

// WeChat sends subscribe messages; *wechat.Client implements it.
type WeChat interface {
	SendSubscribe(ctx context.Context, msg wechat.SubscribeMessage) error
}

// Config is the push service's settings.
type Config struct {
	WeChatTemplates map[string]string // kind → subscribe template id
	SMSTemplates    map[string]string // kind → SMS template code
	// MiniprogramState is the WeChat card's target: developer, trial or
	// formal (default).
	MiniprogramState string
	MaxPushesPerDay  int // 0: DefaultMaxPushesPerDay
	Now              func() time.Time
	Logger           *slog.Logger
}

// Service writes notices and delivers them.
type Service struct {
	db  *gorm.DB
	box *pii.Box
	wx  WeChat
	sms Provider
	cfg Config
	log *slog.Logger
}

// New builds the service. wx and sms may be nil: the channel is then skipped
// with ReasonNotConfigured.
func New(db *gorm.DB, box *pii.Box, wx WeChat, sms Provider, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxPushesPerDay <= 0 {
		cfg.MaxPushesPerDay = DefaultMaxPushesPerDay
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, box: box, wx: wx, sms: sms, cfg: cfg, log: cfg.Logger.With("component", "push")}
}

// dayStart is the start of t's calendar day in China, in UTC.
func dayStart(t time.Time) time.Time {
	l := t.In(clock.China)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, clock.China).UTC()
}

// WeChatTemplate returns the subscribe template id configured for kind.
func (s *Service) WeChatTemplate(kind string) string { return s.cfg.WeChatTemplates[kind] }

// Templates lists the configured subscribe templates, kind → id.
func (s *Service) Templates() map[string]string {
	out := make(map[string]string, len(s.cfg.WeChatTemplates))
	for k, v := range s.cfg.WeChatTemplates {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// pushPayload is the body of a push.requested event.
type pushPayload struct {
	MessageID int64 `json:"message_id"`
}

// Notify records n for its worker inside tx, the caller's transaction: the
// inbox message (always), a Delivery per channel and, when WeChat or SMS is
// to be used, one outbox event that the delivery handler picks up after
// commit. A notice whose DedupeKey was seen before does nothing and returns
// nil. Phones are never read here beyond "has one".
func (s *Service) Notify(ctx context.Context, tx *gorm.DB, n Notice) error {
	if err := n.check(); err != nil {
		return err
	}
	tx = tx.WithContext(ctx)
	var seen int64
	if err := tx.Model(&model.Message{}).Where("dedupe_key = ?", n.DedupeKey).Count(&seen).Error; err != nil {
		return fmt.Errorf("push notify: %w", err)
	}
	if seen > 0 {
		return nil
	}
	var lab model.Labourer
	if err := tx.Select("id", "account_id", "phone_enc").Take(&lab, n.LabourerID).Error; err != nil {
		return fmt.Errorf("push notify: labourer %d: %w", n.LabourerID, err)
	}
	now := s.cfg.Now().UTC()
	plan, err := s.plan(ctx, tx, lab, n.Kind, now)
	if err != nil {
		return fmt.Errorf("push notify: %w", err)
	}
	data := ""
	if len(n.Data) > 0 || len(n.SMSParams) > 0 {
		b, err := json.Marshal(storedData{Data: n.Data, SMSParams: n.SMSParams})
		if err != nil {
			return fmt.Errorf("push notify: data: %w", err)
		}
		data = string(b)
	}
	msg := model.Message{
		ID: model.NewID(), LabourerID: lab.ID, AccountID: lab.AccountID, Kind: n.Kind,
		Title: clip(n.Title, maxTitle), Body: clip(n.Body, maxBody), Link: n.Link, Data: data,
		DedupeKey: n.DedupeKey, Pushed: plan.pushed(), CreatedAt: now,
	}
	// A concurrent Notify with the same key may have inserted since the
	// check above: the unique index decides, and the loser does nothing.
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).Create(&msg)
	if res.Error != nil {
		return fmt.Errorf("push notify: message: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	rows := []model.Delivery{
		{ID: model.NewID(), MessageID: msg.ID, Channel: model.ChannelInbox, LabourerID: lab.ID, State: model.DeliverySent, SentAt: &now, CreatedAt: now, UpdatedAt: now},
		{ID: model.NewID(), MessageID: msg.ID, Channel: model.ChannelWeChat, LabourerID: lab.ID, State: plan.wx.state, Reason: plan.wx.reason, CreatedAt: now, UpdatedAt: now},
		{ID: model.NewID(), MessageID: msg.ID, Channel: model.ChannelSMS, LabourerID: lab.ID, State: plan.sms.state, Reason: plan.sms.reason, CreatedAt: now, UpdatedAt: now},
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("push notify: deliveries: %w", err)
	}
	if msg.Pushed {
		if _, err := outbox.Add(ctx, tx, model.EventPushRequested, msg.ID, pushPayload{MessageID: msg.ID}); err != nil {
			return fmt.Errorf("push notify: %w", err)
		}
	}
	return nil
}

func (n Notice) check() error {
	var bad []string
	if n.LabourerID <= 0 {
		bad = append(bad, "LabourerID")
	}
	if strings.TrimSpace(n.Kind) == "" || len(n.Kind) > 24 {
		bad = append(bad, "Kind")
	}
	if strings.TrimSpace(n.Title) == "" {
		bad = append(bad, "Title")
	}
	if strings.TrimSpace(n.DedupeKey) == "" || len(n.DedupeKey) > maxDedupe {
		bad = append(bad, "DedupeKey")
	}
	if len(n.Link) > maxLink {
		bad = append(bad, "Link")
	}
	if len(bad) > 0 {
		return fmt.Errorf("push notify: bad notice fields %s", strings.Join(bad, ", "))
	}
	return nil
}

// storedData is Message.Data: what the delivery handler needs later.
type storedData struct {
	Data      map[string]string `json:"data,omitempty"`
	SMSParams map[string]string `json:"sms_params,omitempty"`
}

// choice is a channel's initial state and, if not used, why.
type choice struct{ state, reason string }

type plan struct{ wx, sms choice }

func (p plan) pushed() bool {
	return p.wx.state == model.DeliveryPending || p.sms.state == model.DeliveryPending
}

// plan chooses the channels for a notice: WeChat when the account has an
// openid and a subscription left for the kind's template; otherwise SMS when
// the worker consented and has a phone. With WeChat chosen, a usable SMS is
// kept on standby as the fallback for a permanent WeChat failure. Over the
// daily limit both noisy channels are skipped.
func (s *Service) plan(ctx context.Context, tx *gorm.DB, lab model.Labourer, kind string, now time.Time) (plan, error) {
	wxReason, err := s.wechatReason(ctx, tx, lab, kind)
	if err != nil {
		return plan{}, err
	}
	smsReason, err := s.smsReason(ctx, tx, lab, kind)
	if err != nil {
		return plan{}, err
	}
	if wxReason == "" || smsReason == "" {
		var today int64
		if err := tx.Model(&model.Message{}).
			Where("labourer_id = ? AND pushed = ? AND created_at >= ?", lab.ID, true, dayStart(now)).
			Count(&today).Error; err != nil {
			return plan{}, err
		}
		if today >= int64(s.cfg.MaxPushesPerDay) {
			if wxReason == "" {
				wxReason = ReasonDailyLimit
			}
			if smsReason == "" {
				smsReason = ReasonDailyLimit
			}
		}
	}
	var p plan
	switch {
	case wxReason == "":
		p.wx = choice{state: model.DeliveryPending}
		if smsReason == "" {
			p.sms = choice{state: model.DeliveryStandby}
		} else {
			p.sms = choice{state: model.DeliverySkipped, reason: smsReason}
		}
	default:
		p.wx = choice{state: model.DeliverySkipped, reason: wxReason}
		if smsReason == "" {
			p.sms = choice{state: model.DeliveryPending}
		} else {
			p.sms = choice{state: model.DeliverySkipped, reason: smsReason}
		}
	}
	return p, nil
}

// wechatReason is "" when a subscribe message can go to the labourer now.
func (s *Service) wechatReason(ctx context.Context, tx *gorm.DB, lab model.Labourer, kind string) (string, error) {
	tmpl := s.cfg.WeChatTemplates[kind]
	if s.wx == nil || tmpl == "" {
		return ReasonNotConfigured, nil
	}
	if lab.AccountID == nil {
		return ReasonNoAccount, nil
	}
	var acc model.Account
	if err := tx.Select("id", "open_id").Take(&acc, *lab.AccountID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ReasonNoAccount, nil
		}
		return "", err
	}
	if acc.OpenID == nil || *acc.OpenID == "" {
		return ReasonNoOpenID, nil
	}
	var q int64
	if err := tx.Model(&model.SubscriptionQuota{}).
		Where("account_id = ? AND template_id = ? AND remaining > 0", acc.ID, tmpl).Count(&q).Error; err != nil {
		return "", err
	}
	if q == 0 {
		return ReasonNoQuota, nil
	}
	return "", nil
}

// smsReason is "" when an SMS can go to the labourer now.
func (s *Service) smsReason(ctx context.Context, tx *gorm.DB, lab model.Labourer, kind string) (string, error) {
	if s.sms == nil || s.cfg.SMSTemplates[kind] == "" {
		return ReasonNotConfigured, nil
	}
	ok, err := consented(tx, lab.ID)
	if err != nil {
		return "", err
	}
	if !ok {
		return ReasonNoConsent, nil
	}
	if lab.PhoneEnc == "" {
		return ReasonNoPhone, nil
	}
	return "", nil
}

func consented(tx *gorm.DB, labourerID int64) (bool, error) {
	var c model.SMSConsent
	err := tx.Where("labourer_id = ?", labourerID).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return c.Consented, nil
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
