package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// Phone is the number WeChat vouches for. It is personal information: it
// logs masked.
type Phone struct {
	Number      string // with the country code for numbers outside the mainland
	PureNumber  string // without the country code
	CountryCode string // "86" for the mainland
}

// LogValue masks the number (138****1234).
func (p Phone) LogValue() slog.Value {
	return slog.GroupValue(slog.String("number", maskPhone(p.PureNumber)), slog.String("country", p.CountryCode))
}

func maskPhone(s string) string {
	r := []rune(s)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// flexString decodes a JSON string or number: WeChat documents countryCode
// as a string but its own example answers with the number 86.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

type phoneAnswer struct {
	PhoneInfo struct {
		PhoneNumber     string     `json:"phoneNumber"`
		PurePhoneNumber string     `json:"purePhoneNumber"`
		CountryCode     flexString `json:"countryCode"`
		Watermark       struct {
			Timestamp int64  `json:"timestamp"`
			AppID     string `json:"appid"`
		} `json:"watermark"`
	} `json:"phone_info"`
}

// PhoneNumber exchanges a getPhoneNumber button code for the user's phone.
// The code works once. A watermark naming another app is refused, so a
// phone code minted for someone else's mini-program cannot bind here.
//
// Errors: 40029 → 400 wechat_phone_code_invalid; 45011 → 429; watermark
// appid not ours → 403 wechat_appid_mismatch; -1 three times → 503
// wechat_busy; anything else → 503 wechat_unavailable. A rejected access
// token (40001/42001) is refreshed once and the call retried once.
func (c *Client) PhoneNumber(ctx context.Context, code string) (Phone, error) {
	if code == "" {
		return Phone{}, apperr.Invalid("code", "required", "缺少手机号授权凭证")
	}
	var out phoneAnswer
	var tokErr error
	errcode, err := c.retryBusy(ctx, PathPhoneNumber, func() (int, error) {
		var code2 int
		var err2 error
		code2, err2, tokErr = c.withToken(ctx, PathPhoneNumber, func(tok string) (int, error) {
			out = phoneAnswer{}
			return c.call(ctx, http.MethodPost, PathPhoneNumber, url.Values{"access_token": {tok}}, map[string]string{"code": code}, &out, tok, code)
		})
		return code2, err2
	})
	if tokErr != nil {
		return Phone{}, tokErr
	}
	switch {
	case err != nil && errcode == 0:
		return Phone{}, errUnavailable(err)
	case errcode == 0:
		info := out.PhoneInfo
		if info.Watermark.AppID != c.appID {
			c.log.WarnContext(ctx, "phone watermark names another app", "api", PathPhoneNumber)
			return Phone{}, &apperr.Error{Kind: apperr.KindForbidden, Code: CodeAppIDMismatch, Message: "手机号授权来源校验失败，请重新授权",
				Err: &APIError{Path: PathPhoneNumber, Msg: "watermark appid mismatch"}}
		}
		if info.PurePhoneNumber == "" && info.PhoneNumber == "" {
			return Phone{}, errUnavailable(&APIError{Path: PathPhoneNumber, Msg: "answer lacks phone_info"})
		}
		p := Phone{Number: info.PhoneNumber, PureNumber: info.PurePhoneNumber, CountryCode: string(info.CountryCode)}
		if p.PureNumber == "" {
			p.PureNumber = p.Number
		}
		if p.Number == "" {
			p.Number = p.PureNumber
		}
		return p, nil
	case errcode == ErrCodeInvalidCode || errcode == ErrCodeCodeUsed:
		return Phone{}, &apperr.Error{Kind: apperr.KindValidation, Code: CodePhoneInvalid, Message: "手机号授权已失效，请重新授权",
			Fields: []apperr.FieldError{{Field: "code", Code: CodePhoneInvalid, Message: "手机号授权已失效，请重新授权"}}, Err: err}
	case errcode == ErrCodeRateLimited:
		return Phone{}, errRateLimited(err)
	case errcode == ErrCodeBusy:
		return Phone{}, errBusy(err)
	default:
		c.log.WarnContext(ctx, "wechat phone number failed", "api", PathPhoneNumber, "errcode", errcode)
		return Phone{}, errUnavailable(err)
	}
}
