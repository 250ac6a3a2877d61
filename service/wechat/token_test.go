package wechat

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/service/apperr"
)

func TestAccessTokenCachedInRedis(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok, err := e.c.AccessToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other := e.client(testSecret, e.fake.URL)
	for i := 0; i < 20; i++ {
		for _, c := range []*Client{e.c, other} {
			got, err := c.AccessToken(ctx)
			if err != nil || got != tok {
				t.Fatalf("cached token: %q %v, want %q", got, err, tok)
			}
		}
	}
	if n := e.fake.TokenCalls(); n != 1 {
		t.Errorf("upstream token calls = %d, want 1", n)
	}
	key := "wechat:access_token:" + testAppID
	ttl, err := e.rdb.TTL(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	// expires_in 7200 s minus the 5 minute margin.
	if ttl < 6890*time.Second || ttl > 6900*time.Second {
		t.Errorf("cache TTL = %v, want ≈ 6900 s", ttl)
	}
	if v, _ := e.rdb.Get(ctx, key).Result(); !strings.HasSuffix(v, "|"+tok) {
		t.Errorf("cached value %q", v)
	}
}

// TestAccessTokenConcurrentAtExpiry: 200 callers in two "processes" find the
// token expired at the same instant; WeChat sees one refresh.
func TestAccessTokenConcurrentAtExpiry(t *testing.T) {
	cases := []struct {
		name   string
		expire func(e *env)
	}{
		{"stale by clock", func(e *env) {
			// Both clocks move to five minutes before WeChat's expiry: our
			// cached copy is stale and WeChat hands out the next token.
			e.clock.Advance(6901 * time.Second)
			e.fake.Advance(6901 * time.Second)
		}},
		{"expired by redis ttl", func(e *env) {
			// Let Redis expire the key for real (cache TTL 1 s for expires_in 301 s).
			deadline := time.Now().Add(5 * time.Second)
			for {
				n, err := e.rdb.Exists(context.Background(), "wechat:access_token:"+testAppID).Result()
				if err != nil {
					e.t.Fatal(err)
				}
				if n == 0 {
					return
				}
				if time.Now().After(deadline) {
					e.t.Fatal("cached token did not expire")
				}
				time.Sleep(50 * time.Millisecond)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			if tc.name == "expired by redis ttl" {
				e.fake.SetTokenTTL(301 * time.Second)
			}
			old, err := e.c.AccessToken(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tc.expire(e)
			e.fake.SetTokenDelay(30 * time.Millisecond) // a realistic upstream round trip
			before := e.fake.TokenCalls()

			clients := []*Client{e.c, e.client(testSecret, e.fake.URL)}
			const callers = 200
			var (
				wg    sync.WaitGroup
				start = make(chan struct{})
				mu    sync.Mutex
				got   = map[string]int{}
				errs  []error
			)
			for i := 0; i < callers; i++ {
				wg.Add(1)
				go func(c *Client) {
					defer wg.Done()
					<-start
					tok, err := c.AccessToken(ctx)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						errs = append(errs, err)
						return
					}
					got[tok]++
				}(clients[i%2])
			}
			close(start)
			wg.Wait()
			upstream := e.fake.TokenCalls() - before
			t.Logf("%d concurrent callers at expiry → %d upstream stable_token call(s)", callers, upstream)
			if len(errs) > 0 {
				t.Fatalf("%d callers failed, first: %v", len(errs), errs[0])
			}
			if upstream != 1 {
				t.Errorf("upstream calls = %d, want 1", upstream)
			}
			if len(got) != 1 {
				t.Fatalf("callers saw %d different tokens", len(got))
			}
			for tok := range got {
				if tok == old {
					t.Errorf("got the expired token back")
				}
			}
		})
	}
}

func TestAccessTokenRefreshFailure(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.c.coolDown = 300 * time.Millisecond
	e.fake.FailTokenCalls(40164) // e.g. IP not whitelisted
	e.fake.SetTokenDelay(20 * time.Millisecond)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.c.AccessToken(ctx)
			if apperr.IsKind(err, apperr.KindUnavailable) {
				mu.Lock()
				failed++
				mu.Unlock()
			} else {
				t.Errorf("want unavailable, got %v", err)
			}
		}()
	}
	wg.Wait()
	if n := e.fake.TokenCalls(); n != 1 || failed != 50 {
		t.Errorf("during an outage: %d upstream calls, %d failed; want 1 and 50", n, failed)
	}
	if errcodeOf(func() error { _, err := e.c.AccessToken(ctx); return err }()) != 40164 {
		t.Errorf("cause should carry errcode 40164")
	}
	// The lock was released and the failure forgotten after the cool-down.
	time.Sleep(400 * time.Millisecond)
	if _, err := e.c.AccessToken(ctx); err != nil {
		t.Fatalf("after cool-down: %v", err)
	}

	// -1 is retried within the refresh: two busy answers, then a token.
	e2 := newEnv(t)
	e2.fake.FailTokenCalls(-1, -1)
	if _, err := e2.c.AccessToken(ctx); err != nil {
		t.Fatalf("busy twice then ok: %v", err)
	}
	if n := e2.fake.TokenCalls(); n != 3 {
		t.Errorf("busy twice: %d calls, want 3", n)
	}
	e3 := newEnv(t)
	e3.fake.FailTokenCalls(-1, -1, -1)
	_, err := e3.c.AccessToken(ctx)
	wantAppErr(t, err, apperr.KindUnavailable, CodeBusy)
}

func TestInvalidateTokenOnlyDropsTheBadOne(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok, err := e.c.AccessToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.InvalidateToken(ctx, "some-older-token"); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.c.AccessToken(ctx); got != tok || e.fake.TokenCalls() != 1 {
		t.Fatalf("a stale invalidation replaced a good token")
	}
	e.fake.RevokeTokens()
	if err := e.c.InvalidateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	got, err := e.c.AccessToken(ctx)
	if err != nil || got == tok || e.fake.TokenCalls() != 2 {
		t.Fatalf("after invalidating: %q %v, calls %d", got, err, e.fake.TokenCalls())
	}
}

// TestTokenRejectedRefreshOnceRetryOnce: 40001/42001 make the client drop
// the token, fetch one new one and retry once — never more.
func TestTokenRejectedRefreshOnceRetryOnce(t *testing.T) {
	cases := []struct {
		name        string
		setup       func(e *env)
		wantErr     bool
		phoneCalls  int
		tokenCalls  int // after the warm-up call
		concurrency int
	}{
		{name: "40001 revoked", setup: func(e *env) { e.fake.RevokeTokens() }, phoneCalls: 2, tokenCalls: 1},
		{name: "42001 expired", setup: func(e *env) { e.fake.ExpireTokens() }, phoneCalls: 2, tokenCalls: 1},
		{name: "40001 answered once", setup: func(e *env) { e.fake.FailAPICalls(40001) }, phoneCalls: 2, tokenCalls: 1},
		{name: "40001 twice gives up", setup: func(e *env) { e.fake.FailAPICalls(40001, 40001) }, wantErr: true, phoneCalls: 2, tokenCalls: 1},
		{name: "42001 twice gives up", setup: func(e *env) { e.fake.FailAPICalls(42001, 42001) }, wantErr: true, phoneCalls: 2, tokenCalls: 1},
		// Every caller may or may not have read the revoked token before the
		// first refresh landed: phone calls fall between 51 and 100.
		{name: "50 callers with one revoked token", setup: func(e *env) { e.fake.RevokeTokens() }, phoneCalls: -1, tokenCalls: 1, concurrency: 50},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			if _, err := e.c.AccessToken(ctx); err != nil {
				t.Fatal(err)
			}
			tc.setup(e)
			n := max(tc.concurrency, 1)
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					<-start
					_, errs[i] = e.c.PhoneNumber(ctx, "ok-"+string(rune('a'+i%26))+string(rune('a'+i/26)))
				}(i)
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if tc.wantErr {
					wantAppErr(t, err, apperr.KindUnavailable, CodeUnavailable)
				} else if err != nil {
					t.Fatalf("want success after one refresh, got %v", err)
				}
			}
			got := e.fake.Calls(PathPhoneNumber)
			if tc.phoneCalls < 0 {
				t.Logf("%d concurrent callers with a revoked token: %d phone calls, %d token refresh(es)", n, got, e.fake.TokenCalls()-1)
				if got < n+1 || got > 2*n {
					t.Errorf("phone calls = %d, want between %d and %d", got, n+1, 2*n)
				}
			} else if got != tc.phoneCalls {
				t.Errorf("phone calls = %d, want %d", got, tc.phoneCalls)
			}
			if got := e.fake.TokenCalls() - 1; got != tc.tokenCalls {
				t.Errorf("token refreshes = %d, want %d", got, tc.tokenCalls)
			}
		})
	}
}
