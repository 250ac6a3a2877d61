package wechat

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// Session is what code2Session vouches for. SessionKey is for server-side
// use only (decrypting wx data): it is dropped from JSON and hidden when the
// value is printed or logged.
type Session struct {
	OpenID     string `json:"openid"`
	UnionID    string `json:"unionid,omitempty"`
	SessionKey string `json:"-"`
}

// String hides the session key.
func (s Session) String() string {
	return "wechat.Session{OpenID:" + s.OpenID + " UnionID:" + s.UnionID + " SessionKey:" + hidden(s.SessionKey) + "}"
}

// GoString hides the session key from %#v too.
func (s Session) GoString() string { return s.String() }

// LogValue hides the session key from slog.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("openid", s.OpenID),
		slog.String("unionid", s.UnionID),
		slog.String("session_key", hidden(s.SessionKey)),
	)
}

func hidden(v string) string {
	if v == "" {
		return ""
	}
	return "[hidden]"
}

// Stable error codes returned to API clients.
const (
	CodeCodeInvalid   = "wechat_code_invalid"
	CodeRiskyUser     = "wechat_risky_user"
	CodeRateLimited   = "wechat_rate_limited"
	CodeBusy          = "wechat_busy"
	CodeUnavailable   = "wechat_unavailable"
	CodePhoneInvalid  = "wechat_phone_code_invalid"
	CodeAppIDMismatch = "wechat_appid_mismatch"
)

// Code2Session exchanges a wx.login code for the user's openid, unionid and
// session key. A code works once: the client retries only a -1 (system busy)
// answer, which WeChat gives before the code is used, never a success.
//
// Errors: 40029 (and 40163, code used) → 401 wechat_code_invalid;
// 45011 → 429 wechat_rate_limited with RetryAfter; 40226 → 403
// wechat_risky_user; -1 three times → 503 wechat_busy; anything else →
// 503 wechat_unavailable.
func (c *Client) Code2Session(ctx context.Context, code string) (Session, error) {
	if code == "" {
		return Session{}, apperr.Invalid("code", "required", "缺少微信登录凭证")
	}
	q := url.Values{
		"appid":      {c.appID},
		"secret":     {c.secret},
		"js_code":    {code},
		"grant_type": {"authorization_code"},
	}
	var out struct {
		OpenID     string `json:"openid"`
		UnionID    string `json:"unionid"`
		SessionKey string `json:"session_key"`
	}
	errcode, err := c.retryBusy(ctx, PathCode2Session, func() (int, error) {
		return c.call(ctx, http.MethodGet, PathCode2Session, q, nil, &out, code)
	})
	switch {
	case err != nil && errcode == 0:
		return Session{}, errUnavailable(err)
	case errcode == 0:
		if out.OpenID == "" || out.SessionKey == "" {
			c.log.WarnContext(ctx, "wechat answer lacks openid or session_key", "api", PathCode2Session)
			return Session{}, errUnavailable(&APIError{Path: PathCode2Session, Msg: "answer lacks openid or session_key"})
		}
		return Session{OpenID: out.OpenID, UnionID: out.UnionID, SessionKey: out.SessionKey}, nil
	case errcode == ErrCodeInvalidCode || errcode == ErrCodeCodeUsed:
		return Session{}, &apperr.Error{Kind: apperr.KindUnauthorized, Code: CodeCodeInvalid, Message: "登录已失效，请重新进入小程序", Err: err}
	case errcode == ErrCodeRateLimited:
		return Session{}, errRateLimited(err)
	case errcode == ErrCodeRiskyUser:
		return Session{}, &apperr.Error{Kind: apperr.KindForbidden, Code: CodeRiskyUser, Message: "当前微信账号存在安全风险，暂时无法登录", Err: err}
	case errcode == ErrCodeBusy:
		return Session{}, errBusy(err)
	default:
		c.log.WarnContext(ctx, "wechat login failed", "api", PathCode2Session, "errcode", errcode)
		return Session{}, errUnavailable(err)
	}
}
