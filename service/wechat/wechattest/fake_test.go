package wechattest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The handler mounted under a prefix, as the dev binary would.
func TestHandlerUnderPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/_fake/wechat/", http.StripPrefix("/_fake/wechat", NewHandler("wxapp", "sec")))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	base := srv.URL + "/_fake/wechat"

	do := func(method, path string, q url.Values, body string) map[string]any {
		t.Helper()
		u := base + path
		if q != nil {
			u += "?" + q.Encode()
		}
		req, _ := http.NewRequest(method, u, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s %s: status %d", method, path, resp.StatusCode)
		}
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	login := url.Values{"appid": {"wxapp"}, "secret": {"sec"}, "js_code": {"ok-13800000001"}, "grant_type": {"authorization_code"}}
	if m := do("GET", "/sns/jscode2session", login, ""); m["openid"] != OpenID("wxapp", "13800000001") {
		t.Fatalf("login: %v", m)
	}
	login.Set("secret", "nope")
	if m := do("GET", "/sns/jscode2session", login, ""); m["errcode"] != float64(40125) {
		t.Fatalf("wrong secret: %v", m)
	}
	tok := do("POST", "/cgi-bin/stable_token", nil, `{"grant_type":"client_credential","appid":"wxapp","secret":"sec"}`)
	at, _ := tok["access_token"].(string)
	if at == "" || tok["expires_in"] != float64(7200) {
		t.Fatalf("token: %v", tok)
	}
	// Normal mode: the same token while it is valid.
	if again := do("POST", "/cgi-bin/stable_token", nil, `{"grant_type":"client_credential","appid":"wxapp","secret":"sec"}`); again["access_token"] != at {
		t.Fatalf("normal mode changed the token")
	}
	q := url.Values{"access_token": {at}}
	ph := do("POST", "/wxa/business/getuserphonenumber", q, `{"code":"ok-13912345678"}`)
	info, _ := ph["phone_info"].(map[string]any)
	wm, _ := info["watermark"].(map[string]any)
	if ph["errcode"] != float64(0) || info["purePhoneNumber"] != "13912345678" || info["countryCode"] != float64(86) || wm["appid"] != "wxapp" {
		t.Fatalf("phone: %v", ph)
	}
	send := `{"touser":"o1","template_id":"t1","data":{"thing1":{"value":"x"}}}`
	if m := do("POST", "/cgi-bin/message/subscribe/send", q, send); m["errcode"] != float64(0) {
		t.Fatalf("send: %v", m)
	}
	if m := do("POST", "/cgi-bin/message/subscribe/send", url.Values{"access_token": {"forged"}}, send); m["errcode"] != float64(40001) {
		t.Fatalf("forged token: %v", m)
	}
}

func TestStableTokenLifecycle(t *testing.T) {
	f := NewServer("wxapp", "sec")
	defer f.Close()
	get := func(force bool) (string, float64) {
		body := `{"grant_type":"client_credential","appid":"wxapp","secret":"sec","force_refresh":` + map[bool]string{true: "true", false: "false"}[force] + `}`
		resp, err := http.Post(f.URL+"/cgi-bin/stable_token", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m struct {
			AccessToken string  `json:"access_token"`
			ExpiresIn   float64 `json:"expires_in"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m.AccessToken, m.ExpiresIn
	}
	use := func(tok string) float64 {
		resp, err := http.Post(f.URL+"/cgi-bin/message/subscribe/send?access_token="+tok, "application/json",
			strings.NewReader(`{"touser":"o1","template_id":"t1","data":{"k":{"value":"v"}}}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m["errcode"].(float64)
	}
	t1, _ := get(false)
	f.Advance(7200*time.Second - 4*time.Minute) // inside the last five minutes
	t2, exp := get(false)
	if t2 == t1 || exp != 7200 {
		t.Fatalf("last five minutes: want a new token, got same=%v expires_in=%v", t2 == t1, exp)
	}
	if use(t1) != 0 || use(t2) != 0 {
		t.Fatal("old and new tokens should both work during the overlap")
	}
	f.Advance(5 * time.Minute)
	if use(t1) != 42001 {
		t.Fatal("old token should have expired")
	}
	t3, _ := get(true)
	if t3 == t2 || use(t2) != 40001 || use(t3) != 0 {
		t.Fatal("force_refresh should revoke the previous token")
	}
	if f.TokenCalls() != 3 {
		t.Fatalf("token calls %d", f.TokenCalls())
	}
}
