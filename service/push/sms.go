package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// SMS is one templated text message. Phone is personal data: providers send
// it and never log it.
type SMS struct {
	Phone        string
	SignName     string // 短信签名; empty: the provider's default
	TemplateCode string
	Params       map[string]string // template variables
	OutID        string            // our reference, echoed in delivery receipts
}

// Provider sends SMS. Send returns nil or an *SMSError saying whether a retry
// can help.
type Provider interface {
	Name() string
	Send(ctx context.Context, m SMS) error
}

// SMSError is a failed send.
type SMSError struct {
	Provider  string
	Code      string // the provider's code, e.g. "isv.MOBILE_NUMBER_ILLEGAL"; "transport" for network errors
	Permanent bool   // retrying the same message cannot help
	Config    bool   // our account, signature or template is wrong: alert
	Err       error  // cause, free of secrets and phones
}

func (e *SMSError) Error() string {
	kind := "transient"
	if e.Permanent {
		kind = "permanent"
	}
	s := fmt.Sprintf("sms %s: %s (%s)", e.Provider, e.Code, kind)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *SMSError) Unwrap() error { return e.Err }

// SMSPermanent reports whether err is an SMSError that must not be retried.
func SMSPermanent(err error) bool {
	var se *SMSError
	return errors.As(err, &se) && se.Permanent
}

// NewProvider builds the provider named by SMS_PROVIDER: "none" (or empty)
// gives nil — the SMS channel is skipped —, "fake" a FakeProvider, "aliyun"
// the Aliyun provider from ac.
func NewProvider(name string, ac AliyunConfig, log *slog.Logger) (Provider, error) {
	switch name {
	case "", "none":
		return nil, nil
	case "fake":
		return &FakeProvider{Log: log}, nil
	case "aliyun":
		if ac.Logger == nil {
			ac.Logger = log
		}
		p, err := NewAliyun(ac)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return p, nil
	}
	return nil, fmt.Errorf("sms: unknown provider %q", name)
}

// FakeProvider accepts every message and sends nothing: the SMS channel of
// the embedded default and of development. It keeps the messages in memory
// for inspection and logs only the template and our reference.
type FakeProvider struct {
	Log *slog.Logger
	mu  sync.Mutex
	out []SMS
}

// Name is "fake".
func (f *FakeProvider) Name() string { return "fake" }

// Send records m.
func (f *FakeProvider) Send(ctx context.Context, m SMS) error {
	f.mu.Lock()
	f.out = append(f.out, m)
	f.mu.Unlock()
	if f.Log != nil {
		f.Log.InfoContext(ctx, "sms (fake provider, not sent)", "template", m.TemplateCode, "out_id", m.OutID)
	}
	return nil
}

// Sent returns the messages accepted so far.
func (f *FakeProvider) Sent() []SMS {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SMS(nil), f.out...)
}
