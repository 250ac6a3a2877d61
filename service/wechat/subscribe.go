package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// SubscribeMessage is one subscribe message (订阅消息) to a user.
type SubscribeMessage struct {
	ToUser           string            // the recipient's openid
	TemplateID       string            // template id from the mini-program console
	Page             string            // page opened from the card, e.g. "pages/jobs/detail?id=1"; empty for none
	Data             map[string]string // template keys to values, e.g. {"thing1": "电焊工"}
	MiniprogramState string            // developer, trial or formal (default)
	Lang             string            // zh_CN (default)
}

// Reasons a send failed, stable for logs, metrics and alerts.
const (
	ReasonUserRefused    = "user_refused"    // 43101: not subscribed, or subscription used up
	ReasonTemplateParams = "template_params" // 47003: data does not fit the template
	ReasonTemplateID     = "template_id"     // 40037
	ReasonOpenID         = "openid"          // 40003
	ReasonPage           = "page"            // 41030
	ReasonBusy           = "busy"            // -1
	ReasonToken          = "token"           // no usable access token
	ReasonTransport      = "transport"       // network, timeout, HTTP status
	ReasonOther          = "other"           // any other errcode
)

// SendError is a failed SendSubscribe. Permanent errors must not be retried
// (fall back to SMS where the worker consented); transient ones may be
// retried with backoff (SECURITY.md 17).
type SendError struct {
	Code      int    // WeChat errcode; 0 if WeChat gave none
	Permanent bool   // retrying cannot help
	Reason    string // one of the Reason constants
	Err       error  // cause, free of secrets
}

func (e *SendError) Error() string {
	kind := "transient"
	if e.Permanent {
		kind = "permanent"
	}
	s := fmt.Sprintf("wechat subscribe send: %s (%s, errcode %d)", e.Reason, kind, e.Code)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *SendError) Unwrap() error { return e.Err }

// TemplateProblem reports errors that mean our template configuration is
// wrong (bad id, data or page) — worth an alert, not just a fallback.
func (e *SendError) TemplateProblem() bool {
	return e.Reason == ReasonTemplateParams || e.Reason == ReasonTemplateID || e.Reason == ReasonPage
}

// IsPermanent reports whether err is a SendError that must not be retried.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// permanentSend maps the errcodes that retrying cannot fix to their reason.
var permanentSend = map[int]string{
	ErrCodeUserRefused:    ReasonUserRefused,
	ErrCodeTemplateParams: ReasonTemplateParams,
	ErrCodeTemplateID:     ReasonTemplateID,
	ErrCodeInvalidOpenID:  ReasonOpenID,
	ErrCodeInvalidPage:    ReasonPage,
}

// ClassifySend returns the SendError for a WeChat errcode (nil for 0).
func ClassifySend(errcode int, cause error) *SendError {
	if errcode == 0 {
		return nil
	}
	if r, ok := permanentSend[errcode]; ok {
		return &SendError{Code: errcode, Permanent: true, Reason: r, Err: cause}
	}
	switch {
	case errcode == ErrCodeBusy:
		return &SendError{Code: errcode, Reason: ReasonBusy, Err: cause}
	case isTokenRejected(errcode): // still rejected after one refresh and retry
		return &SendError{Code: errcode, Reason: ReasonToken, Err: cause}
	default:
		return &SendError{Code: errcode, Reason: ReasonOther, Err: cause}
	}
}

// SendSubscribe sends a subscribe message. It returns nil or a *SendError
// saying whether a retry can help. It does not retry -1 itself: the queue
// that calls it retries with backoff. A rejected access token is refreshed
// once and the send retried once.
func (c *Client) SendSubscribe(ctx context.Context, msg SubscribeMessage) error {
	data := make(map[string]map[string]string, len(msg.Data))
	for k, v := range msg.Data {
		data[k] = map[string]string{"value": v}
	}
	body := map[string]any{
		"touser":      msg.ToUser,
		"template_id": msg.TemplateID,
		"data":        data,
	}
	if msg.Page != "" {
		body["page"] = msg.Page
	}
	if msg.MiniprogramState != "" {
		body["miniprogram_state"] = msg.MiniprogramState
	}
	if msg.Lang != "" {
		body["lang"] = msg.Lang
	}
	errcode, err, tokErr := c.withToken(ctx, PathSubscribeSend, func(tok string) (int, error) {
		return c.call(ctx, http.MethodPost, PathSubscribeSend, url.Values{"access_token": {tok}}, body, nil, tok)
	})
	switch {
	case tokErr != nil:
		return &SendError{Reason: ReasonToken, Err: tokErr}
	case err != nil && errcode == 0:
		return &SendError{Reason: ReasonTransport, Err: err}
	case errcode != 0:
		se := ClassifySend(errcode, err)
		lvl := c.log.InfoContext
		if se.TemplateProblem() {
			lvl = c.log.ErrorContext // our configuration is wrong: alert
		}
		lvl(ctx, "subscribe message not sent", "api", PathSubscribeSend, "errcode", errcode,
			"reason", se.Reason, "permanent", se.Permanent, "template_id", msg.TemplateID)
		return se
	}
	return nil
}
