package wechat

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSecretsNeverLeak drives every path — successes, every errcode, token
// refreshes, a wrong secret, an unreachable host — against a fake that
// echoes the secret and token back in its error messages, then scans every
// error string, printed value and log line for the app secret, every access
// token and every session key the fake handed out (SECURITY.md 1).
func TestSecretsNeverLeak(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.fake.EchoSecrets(true)

	// The fake really does echo secrets, so this test is not vacuous.
	q := url.Values{"appid": {testAppID}, "secret": {testSecret}, "js_code": {"invalid"}, "grant_type": {"authorization_code"}}
	resp, err := http.Get(e.fake.URL + PathCode2Session + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), testSecret) {
		t.Fatalf("fake does not echo the secret: %s", raw)
	}

	var outputs []string
	record := func(v any, err error) {
		if err != nil {
			outputs = append(outputs, err.Error(), fmt.Sprintf("%v|%+v|%#v", err, err, err))
		}
		if v != nil {
			b, _ := json.Marshal(v)
			outputs = append(outputs, string(b), fmt.Sprintf("%v|%+v|%#v|%s", v, v, v, v))
			e.log.Info("result", "value", v) // as a careless caller might
		}
	}

	for _, code := range []string{"ok-alice", "ok-bob", "invalid", "ratelimit", "risky", "busy-2", "busy-9", "err-40013", "err-40163", "ok-alice"} {
		s, err := e.c.Code2Session(ctx, code)
		record(s, err)
	}
	for _, code := range []string{"ok-13912345678", "invalid", "ratelimit", "busy-1", "busy-9", "err-40013"} {
		p, err := e.c.PhoneNumber(ctx, code)
		record(p, err)
	}
	e.fake.RevokeTokens() // 40001 → refresh → retry
	p, err := e.c.PhoneNumber(ctx, "ok-2")
	record(p, err)
	e.fake.FailAPICalls(42001, 42001) // refresh, retry, give up
	p, err = e.c.PhoneNumber(ctx, "ok-3")
	record(p, err)
	e.fake.SetWatermarkAppID("wx_other")
	p, err = e.c.PhoneNumber(ctx, "ok-4")
	record(p, err)

	for _, code := range []int{0, 43101, 47003, 40037, 40003, 41030, -1, 45009} {
		openid := fmt.Sprintf("oLeak%d", code)
		e.fake.SetSendError(openid, code, 0)
		record(nil, e.c.SendSubscribe(ctx, msgTo(openid)))
	}
	e.fake.FailAPICalls(40001, 40001)
	record(nil, e.c.SendSubscribe(ctx, msgTo("oLeakToken")))

	// A token refresh WeChat refuses, echoing the secret.
	e.fake.RevokeTokens()
	e.fake.FailAPICalls(40001)
	e.fake.FailTokenCalls(40164)
	p, err = e.c.PhoneNumber(ctx, "ok-5")
	record(p, err)
	time.Sleep(1100 * time.Millisecond) // past the failure cool-down

	// A wrong secret: WeChat's error echoes it.
	const wrongSecret = "wrong-secret-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	bad := e.client(wrongSecret, e.fake.URL)
	s, err := bad.Code2Session(ctx, "ok-carol")
	record(s, err)
	_ = e.rdb.Del(ctx, "wechat:access_token:"+testAppID).Err()
	tok, err := bad.AccessToken(ctx)
	record(nil, err)
	if tok != "" {
		t.Fatalf("wrong secret got a token")
	}
	time.Sleep(1100 * time.Millisecond)

	// An unreachable host: net/http's error text carries the whole URL.
	dead := e.client(testSecret, "http://127.0.0.1:1")
	s, err = dead.Code2Session(ctx, "ok-dave")
	record(s, err)
	_ = e.rdb.Del(ctx, "wechat:access_token:"+testAppID).Err()
	_, err = dead.AccessToken(ctx)
	record(nil, err)
	if err == nil {
		t.Fatal("unreachable host gave a token")
	}
	// A slow host: the timeout error carries the URL too.
	hang := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	defer hung.Close()
	defer close(hang)
	cSlow, err := New(Config{AppID: testAppID, Secret: testSecret, BaseURL: hung.URL, HTTP: &http.Client{Timeout: 50 * time.Millisecond},
		Redis: e.rdb, Logger: e.log, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s, err = cSlow.Code2Session(ctx, "ok-erin")
	record(s, err)

	secrets := append([]string{testSecret, wrongSecret}, e.fake.IssuedTokens()...)
	secrets = append(secrets, e.fake.SessionKeys()...)
	if len(e.fake.IssuedTokens()) < 2 || len(e.fake.SessionKeys()) < 3 {
		t.Fatalf("too few secrets issued to make the scan meaningful")
	}
	logs := e.logs.String()
	outputs = append(outputs, logs)
	found := 0
	for _, sec := range secrets {
		for _, form := range []string{sec, url.QueryEscape(sec)} {
			for _, out := range outputs {
				if strings.Contains(out, form) {
					found++
					t.Errorf("secret %.6s… found in: %.300s", sec, out)
				}
			}
		}
	}
	t.Logf("scanned %d outputs (%d log bytes, %d log lines) for %d secrets: secrets found = %d",
		len(outputs), len(logs), strings.Count(logs, "\n"), len(secrets), found)
	if !strings.Contains(logs, `"errcode":40029`) || !strings.Contains(logs, `"api":"/sns/jscode2session"`) {
		t.Errorf("logs should carry the errcode and the path")
	}
	for _, param := range []string{"secret=", "access_token=", "js_code="} {
		if strings.Contains(logs, param) {
			t.Errorf("a log line carries a query string (%s)", param)
		}
	}
}
