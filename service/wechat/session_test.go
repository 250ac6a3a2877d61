package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/wechat/wechattest"
)

// TestFakeAnswersAsDocumented checks the fake speaks WeChat's documented
// shapes and codes, so the client tests below test against the real contract.
func TestFakeAnswersAsDocumented(t *testing.T) {
	e := newEnv(t)
	get := func(code string) map[string]any {
		q := url.Values{"appid": {testAppID}, "secret": {testSecret}, "js_code": {code}, "grant_type": {"authorization_code"}}
		resp, err := http.Get(e.fake.URL + PathCode2Session + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for code, want := range map[string]float64{"invalid": 40029, "ratelimit": 45011, "risky": 40226, "busy-1": -1, "err-40013": 40013, "nonsense": 40029} {
		if got := get(code); got["errcode"] != want || got["errmsg"] == "" {
			t.Errorf("code %q: got %v, want errcode %v", code, got, want)
		}
	}
	ok := get("ok-alice")
	if ok["openid"] != wechattest.OpenID(testAppID, "alice") || ok["session_key"] == nil || ok["unionid"] == nil {
		t.Errorf("ok-alice: %v", ok)
	}
	if again := get("ok-alice"); again["errcode"] != float64(40029) {
		t.Errorf("second use of a code: %v, want 40029", again)
	}
	// stable_token: POST JSON only.
	resp, err := http.Get(e.fake.URL + PathStableToken)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if m["errcode"] != float64(43002) {
		t.Errorf("GET stable_token: %v, want 43002", m)
	}
	tok, err := e.c.AccessToken(context.Background())
	if err != nil || len(tok) < 20 {
		t.Fatalf("token %q %v", tok, err)
	}
	// A token-guarded API without a token.
	resp, err = http.Post(e.fake.URL+PathPhoneNumber, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	m = nil
	_ = json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if m["errcode"] != float64(41001) {
		t.Errorf("phone without token: %v, want 41001", m)
	}
}

// TestCode2SessionMapsErrcodes: every documented code2Session errcode maps
// to its application error, and every application error comes only from
// its errcodes.
func TestCode2SessionMapsErrcodes(t *testing.T) {
	cases := []struct {
		code       string
		errcode    int // what WeChat answered last; 0 for success
		kind       apperr.Kind
		appCode    string // "" for success
		retryAfter int
		calls      int // upstream requests
	}{
		{code: "ok-alice", calls: 1},
		{code: "invalid", errcode: 40029, kind: apperr.KindUnauthorized, appCode: CodeCodeInvalid, calls: 1},
		{code: "err-40163", errcode: 40163, kind: apperr.KindUnauthorized, appCode: CodeCodeInvalid, calls: 1},
		{code: "ratelimit", errcode: 45011, kind: apperr.KindTooMany, appCode: CodeRateLimited, retryAfter: 60, calls: 1},
		{code: "risky", errcode: 40226, kind: apperr.KindForbidden, appCode: CodeRiskyUser, calls: 1},
		{code: "busy-1", calls: 2},
		{code: "busy-2", calls: 3},
		{code: "busy-3", errcode: -1, kind: apperr.KindUnavailable, appCode: CodeBusy, calls: 3},
		{code: "busy-50", errcode: -1, kind: apperr.KindUnavailable, appCode: CodeBusy, calls: 3},
		{code: "err-40013", errcode: 40013, kind: apperr.KindUnavailable, appCode: CodeUnavailable, calls: 1},
		{code: "err-40125", errcode: 40125, kind: apperr.KindUnavailable, appCode: CodeUnavailable, calls: 1},
		{code: "err-45009", errcode: 45009, kind: apperr.KindUnavailable, appCode: CodeUnavailable, calls: 1},
	}
	e := newEnv(t)
	ctx := context.Background()
	produced := map[string][]int{} // app code → errcodes that produced it
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			before := e.fake.Calls(PathCode2Session)
			s, err := e.c.Code2Session(ctx, tc.code)
			if got := e.fake.Calls(PathCode2Session) - before; got != tc.calls {
				t.Errorf("upstream calls = %d, want %d", got, tc.calls)
			}
			if tc.appCode == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				name := tc.code
				if len(name) > 3 && name[:3] == "ok-" {
					name = name[3:]
				}
				if s.OpenID != wechattest.OpenID(testAppID, name) || s.UnionID != wechattest.UnionID(name) || s.SessionKey == "" {
					t.Fatalf("session %+v", s)
				}
				return
			}
			ae := wantAppErr(t, err, tc.kind, tc.appCode)
			if ae.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter = %d, want %d", ae.RetryAfter, tc.retryAfter)
			}
			if got := errcodeOf(err); got != tc.errcode {
				t.Errorf("cause errcode = %d, want %d", got, tc.errcode)
			}
			if s != (Session{}) {
				t.Errorf("session on error: %v", s)
			}
			produced[ae.Code] = append(produced[ae.Code], errcodeOf(err))
		})
	}
	for k := range produced {
		sort.Ints(produced[k])
	}
	want := map[string][]int{
		CodeCodeInvalid: {40029, 40163},
		CodeRateLimited: {45011},
		CodeRiskyUser:   {40226},
		CodeBusy:        {-1, -1},
		CodeUnavailable: {40013, 40125, 45009},
	}
	if !reflect.DeepEqual(produced, want) {
		t.Errorf("reverse mapping:\n got %v\nwant %v", produced, want)
	}
	t.Logf("code2Session: %d codes mapped", len(cases))

	// The login message is the one the mini-program shows.
	_, err := e.c.Code2Session(ctx, "invalid")
	if ae, _ := apperr.As(err); ae.Message != "登录已失效，请重新进入小程序" {
		t.Errorf("message %q", ae.Message)
	}
}

func TestLoginCodeWorksOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, code := range []string{"ok-bob", "busy-2"} {
		if _, err := e.c.Code2Session(ctx, code); err != nil {
			t.Fatalf("%s first use: %v", code, err)
		}
		before := e.fake.Calls(PathCode2Session)
		_, err := e.c.Code2Session(ctx, code)
		wantAppErr(t, err, apperr.KindUnauthorized, CodeCodeInvalid)
		if n := e.fake.Calls(PathCode2Session) - before; n != 1 {
			t.Errorf("%s second use: %d upstream calls, want 1 (no retry of a used code)", code, n)
		}
	}
	// Another process's client cannot reuse it either.
	_, err := e.client(testSecret, e.fake.URL).Code2Session(ctx, "ok-bob")
	wantAppErr(t, err, apperr.KindUnauthorized, CodeCodeInvalid)
}

func TestCode2SessionTransportAndBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.c.Code2Session(ctx, ""); !apperr.IsKind(err, apperr.KindValidation) {
		t.Errorf("empty code: %v", err)
	}
	dead := e.client(testSecret, "http://127.0.0.1:1")
	_, err := dead.Code2Session(ctx, "ok-x")
	wantAppErr(t, err, apperr.KindUnavailable, CodeUnavailable)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.c.Code2Session(cctx, "ok-y"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: want context.Canceled in the chain, got %v", err)
	}
}

func TestSessionHidesKey(t *testing.T) {
	s := Session{OpenID: "o1", UnionID: "u1", SessionKey: "SK-very-secret"}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), fmt.Sprintf("%+v", &s)} {
		if strings.Contains(out, "SK-very-secret") {
			t.Errorf("printed session leaks key: %s", out)
		}
	}
	b, _ := json.Marshal(s)
	if strings.Contains(string(b), "SK-very-secret") {
		t.Errorf("JSON leaks key: %s", b)
	}
}
