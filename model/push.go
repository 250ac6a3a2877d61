package model

import "time"

// EventPushRequested: a message was written to a worker's inbox and has
// WeChat or SMS deliveries to make; the push handler sends them.
const EventPushRequested = "push.requested"

// Delivery channels. The inbox always gets the message; WeChat and SMS are
// the "noisy" channels that the per-worker limits apply to.
const (
	ChannelInbox  = "inbox"
	ChannelWeChat = "wechat"
	ChannelSMS    = "sms"
)

// Delivery states. Sent and failed are final; skipped says why a channel was
// not used; standby is an SMS held back as the fallback for a WeChat message
// (it becomes pending if the WeChat send fails permanently, skipped otherwise).
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
	DeliverySkipped = "skipped"
	DeliveryStandby = "standby"
)

// Message is one message in a worker's in-app inbox (收件箱). It is written
// for every notice; DedupeKey makes a retried Notify a no-op.
type Message struct {
	ID         int64  `gorm:"primaryKey;autoIncrement:false"`
	LabourerID int64  `gorm:"not null;index:idx_msg_lab_created,priority:1"`
	AccountID  *int64 `gorm:"index"`
	Kind       string `gorm:"size:24;not null"`
	Title      string `gorm:"size:100;not null"`
	Body       string `gorm:"size:500;not null"`
	Link       string `gorm:"size:255"`
	Data       string `gorm:"type:text"` // JSON object of template fields
	DedupeKey  string `gorm:"size:128;not null;uniqueIndex"`
	// Pushed is true when a noisy channel (WeChat or SMS) was chosen; the
	// per-worker daily limit counts these messages.
	Pushed    bool `gorm:"not null;default:false"`
	ReadAt    *time.Time
	CreatedAt time.Time `gorm:"not null;index:idx_msg_lab_created,priority:2"`
}

// Delivery is the state of one message on one channel.
type Delivery struct {
	ID         int64  `gorm:"primaryKey;autoIncrement:false"`
	MessageID  int64  `gorm:"not null;uniqueIndex:uq_delivery"`
	Channel    string `gorm:"size:8;not null;uniqueIndex:uq_delivery"`
	LabourerID int64  `gorm:"not null;index"`
	State      string `gorm:"size:8;not null;index"`
	// Reason is why a channel was skipped or failed: a stable code such as
	// "no_openid", "daily_limit", "user_refused", or the provider's code.
	Reason    string `gorm:"size:48"`
	ErrorCode string `gorm:"size:48"` // WeChat errcode or SMS provider code of the last failure
	Attempts  int    `gorm:"not null;default:0"`
	SentAt    *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SMSConsent is a worker's consent to job and case messages by SMS (PIPL:
// the phone is used for this purpose only with consent). One row per
// labourer holds the current answer; every change is audited.
type SMSConsent struct {
	LabourerID int64     `gorm:"primaryKey;autoIncrement:false"`
	Consented  bool      `gorm:"not null"`
	At         time.Time `gorm:"not null"`
	Source     string    `gorm:"size:24;not null"` // miniprogram, cadre, import
	ActorID    int64
	UpdatedAt  time.Time
}

// SubscriptionQuota counts the one-time WeChat subscribe-message grants an
// account holds for a template: each accept in wx.requestSubscribeMessage
// allows one send.
type SubscriptionQuota struct {
	ID         int64  `gorm:"primaryKey"`
	AccountID  int64  `gorm:"not null;uniqueIndex:uq_quota"`
	TemplateID string `gorm:"size:64;not null;uniqueIndex:uq_quota"`
	Remaining  int    `gorm:"not null;default:0"`
	UpdatedAt  time.Time
}

// pushModels lists the entities for messages, deliveries, SMS consent and subscription quota (issue 4).
func pushModels() []any {
	return []any{&Message{}, &Delivery{}, &SMSConsent{}, &SubscriptionQuota{}}
}
