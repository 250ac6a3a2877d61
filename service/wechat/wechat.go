// Package wechat is 就业帮's client for the WeChat mini-program server API:
// login (code2Session), phone binding (getuserphonenumber), the stable access
// token (shared through Redis with one refresher at a time) and subscribe
// messages. SECURITY.md items 1–3 and 17 are the promises it keeps.
//
// Why a small client of our own over net/http instead of
// github.com/silenceper/wechat/v2: that module pulls go-redis v8 for its
// cache while the rest of the project is on go-redis v9, so we would ship two
// Redis clients and could not share our connection or our lock; the real
// WeChat hosts are unreachable from our test machines, so the base URL must be
// configurable to point at the local fake (wechattest); and the exact error
// codes (40029, 45011, 40226, -1, 40001/42001, the subscribe-message codes)
// decide user-visible behaviour, so we want that mapping in our own code where
// each case is tested, not behind a library's generic error. Four endpoints
// do not justify a dependency.
//
// Secrets — the app secret, access tokens and session_key — never appear in
// logs or error strings: logs carry the API path (never the query string) and
// WeChat's errcode; error texts are passed through a redactor as well.
package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// DefaultBaseURL is the real WeChat API host.
const DefaultBaseURL = "https://api.weixin.qq.com"

// API paths, also used as the "api" attribute in logs.
const (
	PathCode2Session  = "/sns/jscode2session"
	PathStableToken   = "/cgi-bin/stable_token"
	PathPhoneNumber   = "/wxa/business/getuserphonenumber"
	PathSubscribeSend = "/cgi-bin/message/subscribe/send"
)

// WeChat error codes the client acts on.
const (
	ErrCodeBusy           = -1    // system busy, try again
	ErrCodeInvalidToken   = 40001 // access token invalid or not the latest
	ErrCodeInvalidOpenID  = 40003
	ErrCodeInvalidTokenB  = 40014 // access token malformed
	ErrCodeInvalidCode    = 40029 // login or phone code invalid or used
	ErrCodeTemplateID     = 40037
	ErrCodeCodeUsed       = 40163 // code already used (seen in the wild)
	ErrCodeRiskyUser      = 40226 // high-risk user, login blocked
	ErrCodeInvalidPage    = 41030
	ErrCodeTokenExpired   = 42001
	ErrCodeRateLimited    = 45011 // per-user minute quota
	ErrCodeUserRefused    = 43101 // user has not (or no longer) subscribed
	ErrCodeTemplateParams = 47003
)

// maxAttempts bounds retries of a -1 (system busy) answer.
const maxAttempts = 3

// Config holds what the client needs. AppID, Secret and Redis are required.
type Config struct {
	AppID   string
	Secret  string
	BaseURL string                // default DefaultBaseURL; the fake's URL in tests
	HTTP    *http.Client          // default: 10 s timeout, no redirects
	Redis   redis.UniversalClient // shared access-token cache and refresh lock
	Logger  *slog.Logger          // default: discard
	Now     func() time.Time      // default time.Now; decides when a cached token is stale

	// Backoff is the first pause before retrying a -1 answer; it doubles.
	// Zero means 200 ms.
	Backoff time.Duration
	// TokenWait bounds how long a caller waits for another process to
	// refresh the access token. Zero means 15 s.
	TokenWait time.Duration
}

// Client talks to WeChat. It is safe for concurrent use.
type Client struct {
	appID   string
	secret  string
	base    string
	http    *http.Client
	rdb     redis.UniversalClient
	log     *slog.Logger
	now     func() time.Time
	backoff time.Duration

	lockTTL  time.Duration // refresh lock lifetime, longer than one upstream call
	wait     time.Duration // how long a caller waits for another refresher
	poll     time.Duration // how often a waiting caller looks at the cache
	coolDown time.Duration // how long a failed refresh is remembered
}

// New builds a client from cfg.
func New(cfg Config) (*Client, error) {
	if cfg.AppID == "" || cfg.Secret == "" {
		return nil, errors.New("wechat: AppID and Secret are required")
	}
	if cfg.Redis == nil {
		return nil, errors.New("wechat: Redis is required for the access-token cache")
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("wechat: invalid BaseURL %q", base)
	}
	c := &Client{
		appID:    cfg.AppID,
		secret:   cfg.Secret,
		base:     strings.TrimRight(base, "/"),
		http:     cfg.HTTP,
		rdb:      cfg.Redis,
		log:      cfg.Logger,
		now:      cfg.Now,
		backoff:  cfg.Backoff,
		lockTTL:  15 * time.Second,
		wait:     cfg.TokenWait,
		poll:     20 * time.Millisecond,
		coolDown: time.Second,
	}
	if c.http == nil {
		c.http = &http.Client{
			Timeout: 10 * time.Second,
			// A redirect would resend the query string (secret, token) to
			// wherever WeChat's answer points; WeChat never redirects.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	// The lock must outlive one refresh — up to maxAttempts requests — so a
	// slow but live refresher is not joined by a second one; it expires on
	// its own only if the holder dies.
	if t := c.http.Timeout; t > 0 && maxAttempts*t+2*time.Second > c.lockTTL {
		c.lockTTL = maxAttempts*t + 2*time.Second
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.backoff <= 0 {
		c.backoff = 200 * time.Millisecond
	}
	if c.wait <= 0 {
		c.wait = 15 * time.Second
	}
	return c, nil
}

// AppID is the mini-program's app id.
func (c *Client) AppID() string { return c.appID }

// errBody is the error part every WeChat answer may carry. A missing errcode
// means success.
type errBody struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// APIError is a non-zero errcode from WeChat. It is carried as the cause of
// the apperr.Error the client returns, for logs; it holds no secrets.
type APIError struct {
	Path string
	Code int
	Msg  string // WeChat's errmsg, redacted and shortened
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wechat %s: errcode %d: %s", e.Path, e.Code, e.Msg)
}

// TransportError is a failure before WeChat answered with JSON: network,
// timeout, HTTP status or an unreadable body. Its text never contains the
// request URL's query string.
type TransportError struct {
	Path string
	msg  string
	ctx  error // context.Canceled or DeadlineExceeded when that was the cause
}

func (e *TransportError) Error() string { return "wechat " + e.Path + ": " + e.msg }

// Unwrap exposes a context error so callers can tell a cancelled request.
func (e *TransportError) Unwrap() error { return e.ctx }

// call sends one request and decodes the JSON answer into out (which should
// embed errBody's fields) and returns WeChat's errcode. sensitive lists
// values besides the app secret to scrub from any error text (tokens, codes).
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body any, out any, sensitive ...string) (int, error) {
	start := time.Now()
	endpoint := c.base + path
	if len(query) > 0 {
		endpoint += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, &TransportError{Path: path, msg: "encode request: " + c.redact(err.Error(), sensitive...)}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, rd)
	if err != nil {
		return 0, &TransportError{Path: path, msg: "build request failed"}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		te := &TransportError{Path: path, msg: c.redact(describeTransport(err), sensitive...)}
		if ctxErr := ctx.Err(); ctxErr != nil {
			te.ctx = ctxErr
		}
		c.log.WarnContext(ctx, "wechat request failed", "api", path, "error", te.msg, "ms", time.Since(start).Milliseconds())
		return 0, te
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		te := &TransportError{Path: path, msg: "read answer: " + c.redact(err.Error(), sensitive...)}
		c.log.WarnContext(ctx, "wechat request failed", "api", path, "error", te.msg)
		return 0, te
	}
	if resp.StatusCode != http.StatusOK {
		te := &TransportError{Path: path, msg: fmt.Sprintf("http status %d", resp.StatusCode)}
		c.log.WarnContext(ctx, "wechat request failed", "api", path, "status", resp.StatusCode)
		return 0, te
	}
	var eb errBody
	if err := json.Unmarshal(raw, &eb); err != nil {
		c.log.WarnContext(ctx, "wechat answer is not JSON", "api", path, "bytes", len(raw))
		return 0, &TransportError{Path: path, msg: "answer is not JSON"}
	}
	if out != nil && eb.ErrCode == 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.log.WarnContext(ctx, "wechat answer has an unexpected shape", "api", path)
			return 0, &TransportError{Path: path, msg: "answer has an unexpected shape"}
		}
	}
	if eb.ErrCode != 0 {
		c.log.InfoContext(ctx, "wechat api error", "api", path, "errcode", eb.ErrCode, "ms", time.Since(start).Milliseconds())
	} else {
		c.log.DebugContext(ctx, "wechat api ok", "api", path, "ms", time.Since(start).Milliseconds())
	}
	return eb.ErrCode, c.apiError(path, eb, sensitive...)
}

// apiError turns a non-zero errcode into an *APIError, nil otherwise.
func (c *Client) apiError(path string, eb errBody, sensitive ...string) error {
	if eb.ErrCode == 0 {
		return nil
	}
	msg := c.redact(eb.ErrMsg, sensitive...)
	if r := []rune(msg); len(r) > 160 {
		msg = string(r[:160]) + "…"
	}
	return &APIError{Path: path, Code: eb.ErrCode, Msg: msg}
}

// describeTransport renders an http.Client error without the request URL:
// *url.Error's text includes the full URL, query string and all.
func describeTransport(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return strings.ToLower(ue.Op) + ": timeout"
		}
		return strings.ToLower(ue.Op) + ": " + ue.Err.Error()
	}
	return err.Error()
}

// redact removes the app secret and the given values from s.
func (c *Client) redact(s string, sensitive ...string) string {
	for _, v := range append([]string{c.secret}, sensitive...) {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "***")
			if esc := url.QueryEscape(v); esc != v {
				s = strings.ReplaceAll(s, esc, "***")
			}
		}
	}
	return s
}

// retryBusy runs fn until it answers something other than -1, at most
// maxAttempts times, pausing backoff, 2×backoff, … in between.
func (c *Client) retryBusy(ctx context.Context, path string, fn func() (int, error)) (int, error) {
	pause := c.backoff
	for attempt := 1; ; attempt++ {
		code, err := fn()
		if code != ErrCodeBusy || attempt >= maxAttempts {
			if code == ErrCodeBusy {
				c.log.WarnContext(ctx, "wechat busy, giving up", "api", path, "attempts", attempt)
			}
			return code, err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return code, err
		case <-t.C:
		}
		pause *= 2
	}
}

// User-facing errors. Messages are shown to workers; codes are stable.
func errUnavailable(cause error) error {
	if cause != nil && (errors.Is(cause, context.Canceled) || errors.Is(cause, context.DeadlineExceeded)) {
		return cause
	}
	return &apperr.Error{Kind: apperr.KindUnavailable, Code: CodeUnavailable, Message: "微信服务暂时不可用，请稍后再试", Err: cause}
}

func errBusy(cause error) error {
	return &apperr.Error{Kind: apperr.KindUnavailable, Code: CodeBusy, Message: "微信服务繁忙，请稍后再试", Err: cause}
}

func errRateLimited(cause error) error {
	e := apperr.TooMany(60) // 45011 is a per-minute quota: try again next minute
	e.Code = CodeRateLimited
	e.Message = "操作太频繁，请一分钟后再试"
	e.Err = cause
	return e
}
