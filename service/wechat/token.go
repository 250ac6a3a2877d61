package wechat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// tokenMargin is how long before WeChat's expiry we stop using a token. In
// normal mode the platform hands out a new stable token during the last five
// minutes and keeps the old one valid meanwhile, so refreshing then is both
// possible and safe.
const tokenMargin = 5 * time.Minute

// Redis keys. The cached value is "<stale-at unix ms>|<token>": the key's TTL
// expires it, and the stale-at time is checked against Config.Now as well, so
// a Redis that does not expire keys on time cannot hand out a dead token.
func (c *Client) tokenKey() string { return "wechat:access_token:" + c.appID }
func (c *Client) lockKey() string  { return c.tokenKey() + ":lock" }
func (c *Client) failKey() string  { return c.tokenKey() + ":failed" }

// releaseLock deletes the lock only if we still hold it.
var releaseLock = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)

// dropIfToken deletes the cached token only if it is still the given one.
var dropIfToken = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local i = string.find(v, '|', 1, true)
if i and string.sub(v, i + 1) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)

// AccessToken returns a valid stable access token (getStableAccessToken,
// normal mode), cached in Redis until five minutes before it expires. Only
// one caller across all processes refreshes it at a time, holding a Redis
// SET NX lock; the others poll the cache until the new token appears.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	tok, err := c.cachedToken(ctx)
	if err != nil || tok != "" {
		return tok, err
	}
	return c.refresh(ctx)
}

// InvalidateToken drops the cached token after WeChat rejected it (40001,
// 42001), so the next AccessToken fetches a new one. If another caller has
// already replaced it, the cache is left alone: many callers holding the
// same bad token cause one refresh, not many.
func (c *Client) InvalidateToken(ctx context.Context, bad string) error {
	if bad == "" {
		return nil
	}
	if err := dropIfToken.Run(ctx, c.rdb, []string{c.tokenKey()}, bad).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return errUnavailable(fmt.Errorf("wechat: drop cached token: %w", err))
	}
	return nil
}

// cachedToken returns the cached token, or "" when there is none or it is stale.
func (c *Client) cachedToken(ctx context.Context) (string, error) {
	v, err := c.rdb.Get(ctx, c.tokenKey()).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", errUnavailable(fmt.Errorf("wechat: read cached token: %w", err))
	}
	at, tok, ok := strings.Cut(v, "|")
	if !ok || tok == "" {
		return "", nil
	}
	ms, err := strconv.ParseInt(at, 10, 64)
	if err != nil || c.now().UnixMilli() >= ms {
		return "", nil
	}
	return tok, nil
}

// refresh takes the refresh lock or waits for whoever holds it.
func (c *Client) refresh(ctx context.Context) (string, error) {
	deadline := time.Now().Add(c.wait)
	lockVal := randomHex(16)
	for {
		got, err := c.rdb.SetNX(ctx, c.lockKey(), lockVal, c.lockTTL).Result()
		if err != nil {
			return "", errUnavailable(fmt.Errorf("wechat: take token lock: %w", err))
		}
		if got {
			return c.refreshLocked(ctx, lockVal)
		}
		// Someone else is refreshing: wait for the cache instead of calling WeChat.
		for {
			if err := sleepCtx(ctx, c.poll); err != nil {
				return "", err
			}
			tok, err := c.cachedToken(ctx)
			if err != nil || tok != "" {
				return tok, err
			}
			if err := c.recentFailure(ctx); err != nil {
				return "", err
			}
			if time.Now().After(deadline) {
				c.log.WarnContext(ctx, "gave up waiting for the access token refresh", "api", PathStableToken)
				return "", errUnavailable(errors.New("wechat: timed out waiting for the token refresh"))
			}
			n, err := c.rdb.Exists(ctx, c.lockKey()).Result()
			if err != nil {
				return "", errUnavailable(fmt.Errorf("wechat: check token lock: %w", err))
			}
			if n == 0 { // holder finished without a token (or died): compete again
				break
			}
		}
	}
}

// refreshLocked fetches a token from WeChat while holding the lock.
func (c *Client) refreshLocked(ctx context.Context, lockVal string) (string, error) {
	defer func() {
		// Release even if ctx is cancelled; the lock's TTL is the backstop.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = releaseLock.Run(rctx, c.rdb, []string{c.lockKey()}, lockVal).Err()
	}()
	// The previous holder may have stored a token between our cache miss and our lock.
	if tok, err := c.cachedToken(ctx); err != nil || tok != "" {
		return tok, err
	}
	if err := c.recentFailure(ctx); err != nil {
		return "", err
	}
	body := map[string]any{
		"grant_type":    "client_credential",
		"appid":         c.appID,
		"secret":        c.secret,
		"force_refresh": false,
	}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	errcode, err := c.retryBusy(ctx, PathStableToken, func() (int, error) {
		return c.call(ctx, http.MethodPost, PathStableToken, nil, body, &out)
	})
	if err == nil && (out.AccessToken == "" || out.ExpiresIn <= 0) {
		err = &APIError{Path: PathStableToken, Msg: "answer lacks access_token or expires_in"}
	}
	if err != nil {
		lvl := c.log.WarnContext
		switch errcode {
		case 40013, 40125, 40164, 41002, 41004: // bad appid or secret, IP not whitelisted: our configuration
			lvl = c.log.ErrorContext
		}
		lvl(ctx, "access token refresh failed", "api", PathStableToken, "errcode", errcode)
		if ctx.Err() == nil {
			// Remember the failure briefly so waiting callers fail fast and
			// do not each call WeChat in turn.
			until := time.Now().Add(c.coolDown).UnixMilli()
			_ = c.rdb.Set(context.WithoutCancel(ctx), c.failKey(), strconv.Itoa(errcode)+"|"+strconv.FormatInt(until, 10), c.coolDown).Err()
		}
		if errcode == ErrCodeBusy {
			return "", errBusy(err)
		}
		return "", errUnavailable(err)
	}
	expiresIn := time.Duration(out.ExpiresIn) * time.Second
	ttl := expiresIn - tokenMargin
	if ttl <= 0 { // WeChat promises expires_in ≥ 300 s; stay sane if not
		ttl = expiresIn / 2
	}
	if ttl < time.Second {
		ttl = time.Second
	}
	staleAt := c.now().Add(ttl).UnixMilli()
	if err := c.rdb.Set(ctx, c.tokenKey(), strconv.FormatInt(staleAt, 10)+"|"+out.AccessToken, ttl).Err(); err != nil {
		// The token is good; other callers will fetch their own.
		c.log.WarnContext(ctx, "could not cache the access token", "api", PathStableToken, "error", c.redact(err.Error(), out.AccessToken))
	}
	c.log.InfoContext(ctx, "access token refreshed", "api", PathStableToken, "ttl_s", int(ttl.Seconds()))
	return out.AccessToken, nil
}

// recentFailure reports a refresh that failed in the last coolDown.
func (c *Client) recentFailure(ctx context.Context) error {
	v, err := c.rdb.Get(ctx, c.failKey()).Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return errUnavailable(fmt.Errorf("wechat: read token failure marker: %w", err))
	}
	// The value carries its own end time: a Redis whose clock lags (the
	// in-process one advances on a ticker) must not stretch the cool-down.
	codeStr, untilStr, _ := strings.Cut(v, "|")
	if until, err := strconv.ParseInt(untilStr, 10, 64); err != nil || time.Now().UnixMilli() >= until {
		return nil
	}
	code, _ := strconv.Atoi(codeStr)
	cause := &APIError{Path: PathStableToken, Code: code, Msg: "refresh failed moments ago"}
	if code == ErrCodeBusy {
		return errBusy(cause)
	}
	return errUnavailable(cause)
}

// isTokenRejected reports the errcodes that mean "this access token is no good".
func isTokenRejected(code int) bool {
	return code == ErrCodeInvalidToken || code == ErrCodeTokenExpired || code == ErrCodeInvalidTokenB
}

// withToken runs fn with an access token. If WeChat rejects the token
// (40001, 42001, 40014) it drops that token, fetches a fresh one and runs fn
// once more — one refresh, one retry. tokErr is set when no token could be
// had at all; otherwise fn's errcode and error are returned.
func (c *Client) withToken(ctx context.Context, path string, fn func(token string) (int, error)) (code int, err error, tokErr error) {
	tok, tokErr := c.AccessToken(ctx)
	if tokErr != nil {
		return 0, nil, tokErr
	}
	code, err = fn(tok)
	if !isTokenRejected(code) {
		return code, err, nil
	}
	c.log.InfoContext(ctx, "access token rejected, refreshing once", "api", path, "errcode", code)
	if tokErr = c.InvalidateToken(ctx, tok); tokErr != nil {
		return 0, nil, tokErr
	}
	if tok, tokErr = c.AccessToken(ctx); tokErr != nil {
		return 0, nil, tokErr
	}
	code, err = fn(tok)
	if isTokenRejected(code) {
		c.log.WarnContext(ctx, "fresh access token rejected too", "api", path, "errcode", code)
	}
	return code, err, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
