package wechat

import (
	"bytes"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/testenv"
	"github.com/jiuyebang/jiuyebang/service/wechat/wechattest"
)

const (
	testAppID  = "wx5f3c1d2e4b6a7980"
	testSecret = "app-secret-9c1e7f0b5d2a4c6e8f1a3b5c7d9e0f12"
)

// clock is a settable Config.Now: real time plus an offset.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// logBuffer collects log output from concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type env struct {
	t     *testing.T
	fake  *wechattest.Server
	rdb   redis.UniversalClient
	logs  *logBuffer
	log   *slog.Logger
	clock *clock
	c     *Client
}

// newEnv starts a fake WeChat and a Redis (miniredis, or TEST_REDIS_URL) and
// builds a client whose logs go to a buffer at debug level.
func newEnv(t *testing.T) *env {
	t.Helper()
	fake := wechattest.NewServer(testAppID, testSecret)
	t.Cleanup(fake.Close)
	r := testenv.Redis(t)
	logs := &logBuffer{}
	e := &env{
		t:     t,
		fake:  fake,
		rdb:   r.Client,
		logs:  logs,
		log:   slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		clock: &clock{},
	}
	e.c = e.client(testSecret, fake.URL)
	return e
}

// client builds another client on the same Redis and logs: another process.
func (e *env) client(secret, baseURL string) *Client {
	e.t.Helper()
	c, err := New(Config{
		AppID:   testAppID,
		Secret:  secret,
		BaseURL: baseURL,
		Redis:   e.rdb,
		Logger:  e.log,
		Now:     e.clock.Now,
		Backoff: time.Millisecond,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// wantAppErr checks an error's kind and code.
func wantAppErr(t *testing.T, err error, kind apperr.Kind, code string) *apperr.Error {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want apperr %s, got %T %v", code, err, err)
	}
	if ae.Kind != kind || ae.Code != code {
		t.Fatalf("want kind %d code %s, got kind %d code %s (%v)", kind, code, ae.Kind, ae.Code, err)
	}
	if ae.Message == "" {
		t.Fatalf("%s has no user message", code)
	}
	return ae
}

// errcodeOf digs WeChat's errcode out of an error chain.
func errcodeOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}
