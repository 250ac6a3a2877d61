package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/wechat"
)

// errRaced means a delivery left the pending state under us; the handler's
// transaction rolls back and the retry finds the final state.
var errRaced = errors.New("push: delivery state changed concurrently")

// Deliver is the outbox handler for model.EventPushRequested (register it
// with outbox.Worker.Register). It runs inside the event's transaction
// (outbox.Handle): the delivery states and the event's done marker commit
// together, so a redelivered task finds nothing pending and sends nothing.
//
// Each run makes at most one call to WeChat or the SMS provider, so a
// transient failure — returned as an error, which rolls the transaction back
// and lets asynq retry with backoff — never undoes the record of another
// send. A permanent WeChat failure marks the WeChat delivery failed, turns
// the SMS standby into pending and adds a follow-up event for it.
//
// Sends happen before the state is marked: a crash between a provider's
// acceptance and our commit resends once on retry (at-least-once at the
// edge; neither WeChat nor SMS offers an idempotency key). 'sent' is final.
func (s *Service) Deliver(ctx context.Context, tx *gorm.DB, ev model.OutboxEvent) error {
	tx = tx.WithContext(ctx)
	msgID := ev.AggregateID
	var msg model.Message
	if err := tx.Take(&msg, msgID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("push deliver: message %d not found: %w", msgID, asynq.SkipRetry)
		}
		return fmt.Errorf("push deliver: %w", err)
	}
	var ds []model.Delivery
	if err := tx.Where("message_id = ? AND channel IN ?", msg.ID, []string{model.ChannelWeChat, model.ChannelSMS}).
		Find(&ds).Error; err != nil {
		return fmt.Errorf("push deliver: %w", err)
	}
	var wx, sms *model.Delivery
	for i := range ds {
		switch ds[i].Channel {
		case model.ChannelWeChat:
			wx = &ds[i]
		case model.ChannelSMS:
			sms = &ds[i]
		}
	}
	var err error
	switch {
	case wx != nil && wx.State == model.DeliveryPending:
		err = s.deliverWeChat(ctx, tx, msg, wx, sms)
	case sms != nil && sms.State == model.DeliveryPending:
		err = s.deliverSMS(ctx, tx, msg, sms)
	default:
		return nil // nothing pending: a redelivery, or everything was final
	}
	if err != nil {
		return fmt.Errorf("push deliver message %d: %w", msg.ID, err)
	}
	return nil
}

// attempt is this run's attempt number (asynq counts retries from 0).
func attempt(ctx context.Context) int {
	n, _ := asynq.GetRetryCount(ctx)
	return n + 1
}

// finish moves a pending delivery to its final state.
func (s *Service) finish(ctx context.Context, tx *gorm.DB, d *model.Delivery, state, reason, code string) error {
	now := s.cfg.Now().UTC()
	up := map[string]any{"state": state, "reason": reason, "error_code": code, "attempts": attempt(ctx), "updated_at": now}
	if state == model.DeliverySent {
		up["sent_at"] = now
	}
	res := tx.Model(&model.Delivery{}).Where("id = ? AND state = ?", d.ID, model.DeliveryPending).Updates(up)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return errRaced
	}
	d.State = state
	return nil
}

// settleStandby resolves the SMS kept in reserve for a WeChat message: used
// (pending, with a follow-up event) when WeChat could not deliver, dropped
// (skipped) when it did.
func (s *Service) settleStandby(ctx context.Context, tx *gorm.DB, msg model.Message, sms *model.Delivery, wechatDelivered bool) error {
	if sms == nil || sms.State != model.DeliveryStandby {
		return nil
	}
	up := map[string]any{"state": model.DeliveryPending, "updated_at": s.cfg.Now().UTC()}
	if wechatDelivered {
		up = map[string]any{"state": model.DeliverySkipped, "reason": ReasonWeChatSent, "updated_at": s.cfg.Now().UTC()}
	}
	res := tx.Model(&model.Delivery{}).Where("id = ? AND state = ?", sms.ID, model.DeliveryStandby).Updates(up)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return errRaced
	}
	if wechatDelivered {
		return nil
	}
	// The SMS goes in its own run, so its transient failures and retries
	// cannot roll back what was recorded about WeChat.
	_, err := outbox.Add(ctx, tx, model.EventPushRequested, msg.ID, pushPayload{MessageID: msg.ID})
	return err
}

func (s *Service) deliverWeChat(ctx context.Context, tx *gorm.DB, msg model.Message, d, sms *model.Delivery) error {
	log := s.log.With("message", msg.ID, "delivery", d.ID, "channel", model.ChannelWeChat)
	skip := func(reason string) error {
		if err := s.finish(ctx, tx, d, model.DeliverySkipped, reason, ""); err != nil {
			return err
		}
		log.InfoContext(ctx, "push skipped", "reason", reason)
		return s.settleStandby(ctx, tx, msg, sms, false)
	}
	tmpl := s.cfg.WeChatTemplates[msg.Kind]
	if s.wx == nil || tmpl == "" {
		return skip(ReasonNotConfigured)
	}
	if msg.AccountID == nil {
		return skip(ReasonNoAccount)
	}
	var acc model.Account
	if err := tx.Select("id", "open_id").Take(&acc, *msg.AccountID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return skip(ReasonNoAccount)
		}
		return err
	}
	if acc.OpenID == nil || *acc.OpenID == "" {
		return skip(ReasonNoOpenID)
	}
	// Take one grant. If WeChat fails transiently the transaction rolls back
	// and the grant with it.
	res := tx.Model(&model.SubscriptionQuota{}).
		Where("account_id = ? AND template_id = ? AND remaining > 0", acc.ID, tmpl).
		Update("remaining", gorm.Expr("remaining - 1"))
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return skip(ReasonNoQuota)
	}
	var sd storedData
	if msg.Data != "" {
		if err := json.Unmarshal([]byte(msg.Data), &sd); err != nil {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
	}
	err := s.wx.SendSubscribe(ctx, wechat.SubscribeMessage{
		ToUser: *acc.OpenID, TemplateID: tmpl, Page: msg.Link, Data: sd.Data,
		MiniprogramState: s.cfg.MiniprogramState, Lang: "zh_CN",
	})
	if err == nil {
		if err := s.finish(ctx, tx, d, model.DeliverySent, "", ""); err != nil {
			return err
		}
		log.InfoContext(ctx, "push sent", "attempt", attempt(ctx))
		return s.settleStandby(ctx, tx, msg, sms, true)
	}
	var se *wechat.SendError
	if !errors.As(err, &se) || !se.Permanent {
		// -1, transport, token trouble: asynq retries with backoff; the
		// rollback returns the grant.
		log.WarnContext(ctx, "push wechat transient failure; will retry", "attempt", attempt(ctx), "err", err.Error())
		return err
	}
	// Permanent: never retried. 43101 means WeChat holds no grant for this
	// user and template, whatever we counted; other codes did not use one.
	q := tx.Model(&model.SubscriptionQuota{}).Where("account_id = ? AND template_id = ?", acc.ID, tmpl)
	if se.Code == wechat.ErrCodeUserRefused {
		err = q.Update("remaining", 0).Error
	} else {
		err = q.Update("remaining", gorm.Expr("remaining + 1")).Error
	}
	if err != nil {
		return err
	}
	if err := s.finish(ctx, tx, d, model.DeliveryFailed, se.Reason, strconv.Itoa(se.Code)); err != nil {
		return err
	}
	if se.TemplateProblem() {
		// Our template configuration is wrong: every message of this kind
		// will fail until someone fixes it.
		log.ErrorContext(ctx, "ALERT push wechat template problem", "alert", "wechat_template",
			"kind", msg.Kind, "template_id", tmpl, "errcode", se.Code, "reason", se.Reason)
	} else {
		log.InfoContext(ctx, "push wechat failed permanently", "errcode", se.Code, "reason", se.Reason)
	}
	return s.settleStandby(ctx, tx, msg, sms, false)
}

func (s *Service) deliverSMS(ctx context.Context, tx *gorm.DB, msg model.Message, d *model.Delivery) error {
	log := s.log.With("message", msg.ID, "delivery", d.ID, "channel", model.ChannelSMS)
	skip := func(reason string) error {
		if err := s.finish(ctx, tx, d, model.DeliverySkipped, reason, ""); err != nil {
			return err
		}
		log.InfoContext(ctx, "push skipped", "reason", reason)
		return nil
	}
	tmpl := s.cfg.SMSTemplates[msg.Kind]
	if s.sms == nil || tmpl == "" {
		return skip(ReasonNotConfigured)
	}
	// Consent is checked again at send time: a withdrawal since the notice
	// was written must stop the message.
	ok, err := consented(tx, msg.LabourerID)
	if err != nil {
		return err
	}
	if !ok {
		return skip(ReasonNoConsent)
	}
	var lab model.Labourer
	if err := tx.Select("id", "phone_enc").Take(&lab, msg.LabourerID).Error; err != nil {
		return err
	}
	if lab.PhoneEnc == "" || s.box == nil {
		return skip(ReasonNoPhone)
	}
	phone, err := s.box.Open("labourers", "phone", lab.ID, lab.PhoneEnc)
	if err != nil {
		// A tampered or unreadable ciphertext will not heal by retrying.
		log.ErrorContext(ctx, "push sms: phone cannot be decrypted", "labourer", lab.ID)
		return s.finish(ctx, tx, d, model.DeliveryFailed, "phone_unreadable", "")
	}
	if phone == "" {
		return skip(ReasonNoPhone)
	}
	var sd storedData
	if msg.Data != "" {
		_ = json.Unmarshal([]byte(msg.Data), &sd)
	}
	params := sd.SMSParams
	if len(params) == 0 {
		params = map[string]string{"title": clip(msg.Title, 35), "content": clip(msg.Body, 35)}
	}
	err = s.sms.Send(ctx, SMS{Phone: phone, TemplateCode: tmpl, Params: params, OutID: strconv.FormatInt(d.ID, 10)})
	if err == nil {
		if err := s.finish(ctx, tx, d, model.DeliverySent, "", ""); err != nil {
			return err
		}
		log.InfoContext(ctx, "push sent", "provider", s.sms.Name(), "attempt", attempt(ctx))
		return nil
	}
	var se *SMSError
	if !errors.As(err, &se) || !se.Permanent {
		log.WarnContext(ctx, "push sms transient failure; will retry", "attempt", attempt(ctx), "err", err.Error())
		return err
	}
	if err := s.finish(ctx, tx, d, model.DeliveryFailed, "provider_rejected", clip(se.Code, 48)); err != nil {
		return err
	}
	if se.Config {
		log.ErrorContext(ctx, "ALERT push sms configuration problem", "alert", "sms_config",
			"provider", se.Provider, "code", se.Code, "kind", msg.Kind, "template", tmpl)
	} else {
		log.InfoContext(ctx, "push sms failed permanently", "code", se.Code)
	}
	return nil
}
