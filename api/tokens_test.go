package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/auth"
)

// testJWTKey is the key the harness gives the auth service.
var testJWTKey = []byte(strings.Repeat("k", 32))

// claimsFor are the claims a genuine access token of acc carries.
func claimsFor(acc *model.Account, role model.Role) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": auth.Issuer, "sub": strconv.FormatInt(acc.ID, 10), "aud": []string{auth.Audience},
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": fmt.Sprint(seq.Add(1)),
		"role": string(role), "ver": acc.TokenVersion, "typ": auth.TypAccess,
	}
}

func signHMAC(t testing.TB, m jwt.SigningMethod, key []byte, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// rawToken builds a token from a header and claims with an HMAC-SHA256
// signature under key, whatever alg the header claims.
func rawToken(header map[string]any, c jwt.MapClaims, key []byte) string {
	in := b64(header) + "." + b64(c)
	if key == nil {
		return in + "."
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// tamper rewrites a token's payload and keeps its signature.
func tamper(t testing.TB, tok string, edit func(jwt.MapClaims)) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	c := jwt.MapClaims{}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	edit(c)
	parts[1] = b64(c)
	return strings.Join(parts, ".")
}

func with(c jwt.MapClaims, edit func(jwt.MapClaims)) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	edit(out)
	return out
}

// TestTokenForgery: forged, stale and malformed bearer tokens are all refused (SECURITY.md 4).
func TestTokenForgery(t *testing.T) {
	wTok, wLab := st.worker(t, villageA)
	var worker model.Account
	st.db.Where("id = (SELECT account_id FROM labourers WHERE id = ?)", wLab.ID).Take(&worker)
	adminTok, admin := st.account(t, model.RoleAdmin)
	good := claimsFor(&worker, model.RoleWorker)
	hs := func(c jwt.MapClaims) string { return signHMAC(t, jwt.SigningMethodHS256, testJWTKey, c) }

	// Positive controls: our own forging kit makes tokens the API accepts, so
	// the refusals below are about what each case changes.
	for name, tok := range map[string]string{"issued": wTok, "forged with the real key": hs(good)} {
		if r := st.do(t, "GET", "/api/v1/me", tok, nil); r.Code != 200 {
			t.Fatalf("control %s: %d %s", name, r.Code, r.Raw)
		}
	}

	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, good).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	login := st.do(t, "POST", "/api/v1/auth/password/login", "", map[string]string{"username": *admin.Username, "password": "correct-horse-battery"})
	if login.Code != 200 {
		t.Fatalf("login: %d", login.Code)
	}
	refreshTok := login.Body["refresh_token"].(string)

	// Logout and scope change make earlier tokens stale.
	outTok, _ := wxLogin(t)
	if r := st.do(t, "POST", "/api/v1/auth/logout", outTok, nil); r.Code != 204 {
		t.Fatalf("logout: %d %s", r.Code, r.Raw)
	}
	cadreTok, cadre := st.account(t, model.RoleCadre, villageA)
	if r := st.do(t, "PUT", fmt.Sprintf("/api/v1/admin/accounts/%d/scopes", cadre.ID), adminTok,
		map[string]any{"region_codes": []string{villageB}}); r.Code != 200 {
		t.Fatalf("set scopes: %d %s", r.Code, r.Raw)
	}
	disTok, dis := st.account(t, model.RoleTaskforce, testCounty)
	st.db.Model(&model.Account{}).Where("id = ?", dis.ID).Update("disabled", true)

	cases := []struct{ name, header string }{
		{"alg=none", none},
		{"alg=None, no signature", rawToken(map[string]any{"alg": "None", "typ": "JWT"}, good, nil)},
		{"alg=NONE, HMAC signature", rawToken(map[string]any{"alg": "NONE", "typ": "JWT"}, good, testJWTKey)},
		{"HS256 with a wrong key", signHMAC(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), good)},
		{"HS256 with an empty key", rawToken(map[string]any{"alg": "HS256", "typ": "JWT"}, good, []byte{})},
		{"HS512 with our key", signHMAC(t, jwt.SigningMethodHS512, testJWTKey, good)},
		{"HS384 with our key", signHMAC(t, jwt.SigningMethodHS384, testJWTKey, good)},
		{"RS256 header, HMAC with our key (key confusion)", rawToken(map[string]any{"alg": "RS256", "typ": "JWT"}, good, testJWTKey)},
		{"ES256 header, HMAC with our key", rawToken(map[string]any{"alg": "ES256", "typ": "JWT"}, good, testJWTKey)},
		{"expired an hour ago", hs(with(good, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }))},
		{"no exp", hs(with(good, func(c jwt.MapClaims) { delete(c, "exp") }))},
		{"wrong aud", hs(with(good, func(c jwt.MapClaims) { c["aud"] = []string{"other-api"} }))},
		{"no aud", hs(with(good, func(c jwt.MapClaims) { delete(c, "aud") }))},
		{"wrong iss", hs(with(good, func(c jwt.MapClaims) { c["iss"] = "evil" }))},
		{"no iss", hs(with(good, func(c jwt.MapClaims) { delete(c, "iss") }))},
		{"iat 10 minutes ahead", hs(with(good, func(c jwt.MapClaims) { c["iat"] = time.Now().Add(10 * time.Minute).Unix() }))},
		{"nbf 10 minutes ahead", hs(with(good, func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(10 * time.Minute).Unix() }))},
		{"payload role → admin, original signature", tamper(t, wTok, func(c jwt.MapClaims) { c["role"] = "admin" })},
		{"payload sub → admin, original signature", tamper(t, wTok, func(c jwt.MapClaims) { c["sub"] = strconv.FormatInt(admin.ID, 10) })},
		{"payload exp extended, original signature", tamper(t, wTok, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(24 * time.Hour).Unix() })},
		{"role → admin re-signed (role differs from the account)", hs(with(good, func(c jwt.MapClaims) { c["role"] = "admin" }))},
		{"stale token version", hs(with(good, func(c jwt.MapClaims) { c["ver"] = worker.TokenVersion - 1 }))},
		{"typ missing", hs(with(good, func(c jwt.MapClaims) { delete(c, "typ") }))},
		{"typ=refresh", hs(with(good, func(c jwt.MapClaims) { c["typ"] = "refresh" }))},
		{"sub missing", hs(with(good, func(c jwt.MapClaims) { delete(c, "sub") }))},
		{"sub not a number", hs(with(good, func(c jwt.MapClaims) { c["sub"] = "1 OR 1=1" }))},
		{"sub of no account", hs(with(good, func(c jwt.MapClaims) { c["sub"] = "999999999" }))},
		{"refresh token as access token", refreshTok},
		{"access token after logout", outTok},
		{"access token after a scope change", cadreTok},
		{"access token of a disabled account", disTok},
		{"10,000-dot header", strings.Repeat(".", 10000)},
		{"3,000 dots (under the length cap)", strings.Repeat(".", 3000)},
		{"a real token with 10,000 dots appended", wTok + strings.Repeat(".", 10000)},
		{"two tokens", wTok + " " + wTok},
		{"empty bearer", ""},
		{"garbage", "garbage"},
		{"three garbage segments", "abc.def.ghi"},
		{"base64 junk segments", "eyJhbGciOiJIUzI1NiJ9.eyJ.%%%"},
	}
	accepted := 0
	for _, c := range cases {
		r, _ := call(t, nil, "GET", "/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + c.header})
		if r.Code != 401 {
			accepted++
			t.Errorf("%s: want 401, got %d %s", c.name, r.Code, r.Raw)
		}
	}
	// Headers that are not a bearer token at all.
	for _, h := range []string{"Bearer", "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:admin")), wTok, "Token " + wTok} {
		r, _ := call(t, nil, "GET", "/api/v1/me", nil, map[string]string{"Authorization": h})
		if r.Code != 401 {
			accepted++
			t.Errorf("Authorization %.20q…: want 401, got %d", h, r.Code)
		}
	}
	t.Logf("token forgery (SECURITY.md 4): %d forged or stale tokens tried; forged accepted = %d", len(cases)+4, accepted)
}

// TestRefreshRotation: a refresh token works once; reuse revokes the family;
// logout revokes refresh tokens (SECURITY.md 4).
func TestRefreshRotation(t *testing.T) {
	_, acc := st.account(t, model.RoleCadre, villageA)
	login := func() (string, string) {
		r := st.do(t, "POST", "/api/v1/auth/password/login", "", map[string]string{"username": *acc.Username, "password": "correct-horse-battery"})
		if r.Code != 200 {
			t.Fatalf("login: %d %s", r.Code, r.Raw)
		}
		return r.Body["access_token"].(string), r.Body["refresh_token"].(string)
	}
	refresh := func(tok string) resp {
		return st.do(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok})
	}
	_, r1 := login()
	a := refresh(r1)
	if a.Code != 200 {
		t.Fatalf("first refresh: %d %s", a.Code, a.Raw)
	}
	r2 := a.Body["refresh_token"].(string)
	if r2 == r1 {
		t.Fatal("refresh token not rotated")
	}
	if r := st.do(t, "GET", "/api/v1/me", a.Body["access_token"].(string), nil); r.Code != 200 {
		t.Fatalf("refreshed access token: %d", r.Code)
	}
	if b := refresh(r1); b.Code != 401 || b.errCode() != "refresh_reused" {
		t.Errorf("reused refresh token: want 401 refresh_reused, got %d %s", b.Code, b.Raw)
	} else if !hasCJK(b.Body["error"].(map[string]any)["message"].(string)) {
		t.Errorf("reuse message not Chinese: %s", b.Raw)
	}
	if c := refresh(r2); c.Code != 401 {
		t.Errorf("newer token of a revoked family: want 401, got %d %s", c.Code, c.Raw)
	}
	// Other sessions (families) are not touched by the reuse.
	_, other := login()
	if r := refresh(other); r.Code != 200 {
		t.Errorf("another session's refresh: %d %s", r.Code, r.Raw)
	} else {
		other = r.Body["refresh_token"].(string)
	}
	// Logout ends every session: the access token and all refresh tokens.
	acc3, r3 := login()
	if r := st.do(t, "POST", "/api/v1/auth/logout", acc3, nil); r.Code != 204 {
		t.Fatalf("logout: %d", r.Code)
	}
	for name, tok := range map[string]string{"this session": r3, "another session": other} {
		if r := refresh(tok); r.Code != 401 {
			t.Errorf("refresh after logout (%s): want 401, got %d", name, r.Code)
		}
	}
	if r := st.do(t, "GET", "/api/v1/me", acc3, nil); r.Code != 401 {
		t.Errorf("access token after logout: want 401, got %d", r.Code)
	}
	for _, junk := range []string{"", "x", strings.Repeat("a", 300), r1 + "x"} {
		if r := refresh(junk); r.Code != 401 && r.Code != 400 {
			t.Errorf("refresh %.10q: %d", junk, r.Code)
		}
	}
	t.Logf("refresh rotation: single use, reuse revokes the family, logout revokes all; checked")
}

// TestPasswordLockoutAndTOTP (SECURITY.md 5).
func TestPasswordLockoutAndTOTP(t *testing.T) {
	adminTok, _ := st.account(t, model.RoleAdmin)
	_, acc := st.account(t, model.RoleTaskforce, testCounty)
	login := func(pw, code string) (resp, map[string][]string) {
		r, h := call(t, nil, "POST", "/api/v1/auth/password/login", map[string]string{"username": *acc.Username, "password": pw, "totp_code": code}, nil)
		return r, h
	}
	for i := 1; i <= 5; i++ {
		if r, _ := login(fmt.Sprintf("wrong-password-%d", i), ""); r.Code != 401 || r.errCode() != "bad_credentials" {
			t.Fatalf("wrong password %d: %d %s", i, r.Code, r.Raw)
		}
	}
	r, h := login("correct-horse-battery", "")
	retry, _ := strconv.Atoi(strings.Join(h["Retry-After"], ""))
	if r.Code != 429 || r.errCode() != "account_locked" || retry <= 0 || retry > int(auth.LockoutDuration.Seconds())+1 {
		t.Fatalf("right password while locked: want 429 account_locked with Retry-After, got %d %s (Retry-After %v)", r.Code, r.Raw, h["Retry-After"])
	}
	if p := errorShapeProblems(r); len(p) > 0 {
		t.Errorf("locked answer: %v", p)
	}
	// An unknown username answers like a wrong password (no username oracle).
	if u := st.do(t, "POST", "/api/v1/auth/password/login", "", map[string]string{"username": "nobody-here", "password": "x"}); u.Code != 401 || u.errCode() != "bad_credentials" {
		t.Errorf("unknown user: %d %s", u.Code, u.Raw)
	}
	// The lock lapses by itself; the count then starts afresh and locks again after 5.
	st.db.Model(&model.Account{}).Where("id = ?", acc.ID).Update("locked_until", time.Now().Add(-time.Second))
	if r, _ = login("correct-horse-battery", ""); r.Code != 200 {
		t.Fatalf("after the lock lapsed: %d %s", r.Code, r.Raw)
	}
	for i := 1; i <= auth.MaxFailedLogins; i++ {
		if r, _ := login("wrong-again", ""); r.Code != 401 {
			t.Fatalf("wrong password %d after the lapse: %d %s", i, r.Code, r.Raw)
		}
	}
	if r, _ = login("correct-horse-battery", ""); r.Code != 429 {
		t.Fatalf("locked again: want 429, got %d %s", r.Code, r.Raw)
	}
	if u := st.do(t, "POST", fmt.Sprintf("/api/v1/admin/accounts/%d/unlock", acc.ID), adminTok, nil); u.Code != 204 {
		t.Fatalf("unlock: %d %s", u.Code, u.Raw)
	}
	r, _ = login("correct-horse-battery", "")
	if r.Code != 200 {
		t.Fatalf("after unlock: %d %s", r.Code, r.Raw)
	}
	oldTok := r.Body["access_token"].(string)

	// TOTP enrolment: from now on the password alone is not enough.
	e := st.do(t, "POST", fmt.Sprintf("/api/v1/admin/accounts/%d/totp", acc.ID), adminTok, nil)
	if e.Code != 200 {
		t.Fatalf("enrol: %d %s", e.Code, e.Raw)
	}
	key, err := otp.NewKeyFromURL(e.Body["otpauth_url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if m := st.do(t, "GET", "/api/v1/me", oldTok, nil); m.Code != 401 {
		t.Errorf("token from before enrolment: want 401, got %d", m.Code)
	}
	r, _ = login("correct-horse-battery", "")
	if r.Code != 400 || !contains(r.fieldCodes(), "totp_code:totp_required") {
		t.Errorf("no code: want 400 totp_required, got %d %s", r.Code, r.Raw)
	}
	code, _ := totp.GenerateCode(key.Secret(), time.Now())
	n, _ := strconv.Atoi(code)
	wrong := fmt.Sprintf("%06d", (n+500000)%1000000)
	if r, _ = login("correct-horse-battery", wrong); r.Code != 401 {
		t.Errorf("wrong code: want 401, got %d %s", r.Code, r.Raw)
	}
	if r, _ = login("wrong-password-x", code); r.Code != 401 {
		t.Errorf("right code, wrong password: want 401, got %d %s", r.Code, r.Raw)
	}
	if r, _ = login("correct-horse-battery", code); r.Code != 200 {
		t.Errorf("right code: want 200, got %d %s", r.Code, r.Raw)
	}
	// Guessing codes: a code-less attempt in between does not reset the count.
	for i := 1; i < auth.MaxFailedLogins; i++ {
		if r, _ = login("correct-horse-battery", wrong); r.Code != 401 {
			t.Fatalf("wrong code %d: %d %s", i, r.Code, r.Raw)
		}
	}
	if r, _ = login("correct-horse-battery", ""); r.Code != 400 {
		t.Fatalf("no code between guesses: %d %s", r.Code, r.Raw)
	}
	if r, _ = login("correct-horse-battery", wrong); r.Code != 401 {
		t.Fatalf("5th wrong code: %d %s", r.Code, r.Raw)
	}
	if r, _ = login("correct-horse-battery", code); r.Code != 429 {
		t.Errorf("after 5 wrong codes: want 429, got %d %s", r.Code, r.Raw)
	}
	t.Logf("lockout after %d failures (429 account_locked, Retry-After %ds), admin unlock, TOTP required/wrong/right: checked", auth.MaxFailedLogins, retry)
}

// TestWeChatLoginCodesAndSecrets (SECURITY.md 1).
func TestWeChatLoginCodesAndSecrets(t *testing.T) {
	st.wx.EchoSecrets(true) // a worst-case upstream that repeats secrets in its error messages
	defer st.wx.EchoSecrets(false)
	logStart := st.logs.Len()
	var bodies []string
	var clientTokens []string
	login := func(code string) (resp, map[string][]string) {
		r, h := call(t, nil, "POST", "/api/v1/auth/wechat/login", map[string]string{"code": code}, nil)
		bodies = append(bodies, r.Raw, fmt.Sprint(h))
		if tok, ok := r.Body["access_token"].(string); ok {
			clientTokens = append(clientTokens, tok, r.Body["refresh_token"].(string))
		}
		return r, h
	}
	mapped := 0
	expect := func(name string, r resp, code int, errCode string) {
		t.Helper()
		if r.Code != code || (errCode != "" && r.errCode() != errCode) {
			t.Errorf("%s: want %d %s, got %d %s", name, code, errCode, r.Code, r.Raw)
			return
		}
		if code >= 400 {
			if p := errorShapeProblems(r); len(p) > 0 {
				t.Errorf("%s: %v", name, p)
				return
			}
		}
		mapped++
	}
	r, _ := login("invalid")
	expect("40029 invalid", r, 401, "wechat_code_invalid")
	r, h := login("ratelimit")
	expect("45011 ratelimit", r, 429, "")
	if ra, _ := strconv.Atoi(strings.Join(h["Retry-After"], "")); ra <= 0 {
		t.Errorf("45011: no Retry-After: %v", h)
	}
	r, _ = login("risky")
	expect("40226 risky", r, 403, "")
	r, _ = login("busy-1")
	expect("-1 once, then retried", r, 200, "")
	r, _ = login("busy-9")
	expect("-1 every time: bounded retry", r, 503, "")
	code := fmt.Sprintf("ok-once%d", seq.Add(1))
	r, _ = login(code)
	expect("ok code", r, 200, "")
	r, _ = login(code)
	expect("the same code again", r, 401, "")
	r, _ = login("")
	expect("empty code", r, 400, "")

	// The phone-number call uses the access token; make it run, and fail once with echo on.
	if len(clientTokens) > 0 {
		tok := clientTokens[0]
		p, _ := call(t, nil, "POST", "/api/v1/me/phone", map[string]string{"code": "ok-" + knownPhone()}, bearer(tok))
		bodies = append(bodies, p.Raw)
		if p.Code != 200 {
			t.Errorf("phone binding: %d %s", p.Code, p.Raw)
		}
		p, _ = call(t, nil, "POST", "/api/v1/me/phone", map[string]string{"code": "invalid"}, bearer(tok))
		bodies = append(bodies, p.Raw)
		if p.Code < 400 || p.Code >= 500 {
			t.Errorf("bad phone code: %d %s", p.Code, p.Raw)
		}
		m, _ := call(t, nil, "GET", "/api/v1/me", nil, bearer(tok))
		bodies = append(bodies, m.Raw)
	}

	secrets := map[string]string{"app secret": testSecret}
	for i, k := range st.wx.SessionKeys() {
		secrets[fmt.Sprintf("session_key %d", i)] = k
	}
	wxTokens := st.wx.IssuedTokens()
	if len(wxTokens) == 0 {
		t.Error("no WeChat access token was issued: the phone call did not run")
	}
	for i, k := range wxTokens {
		secrets[fmt.Sprintf("wechat access_token %d", i)] = k
	}
	logs := st.logs.String()[logStart:]
	found := 0
	for name, s := range secrets {
		if s == "" {
			continue
		}
		for _, b := range bodies {
			if strings.Contains(b, s) {
				found++
				t.Errorf("%s in a response", name)
			}
		}
		if strings.Contains(logs, s) {
			found++
			t.Errorf("%s in the logs", name)
		}
	}
	// Our own bearer and refresh tokens never reach the logs either.
	for _, tok := range clientTokens {
		if strings.Contains(st.logs.String(), tok) {
			found++
			t.Errorf("a client token in the logs")
		}
	}
	t.Logf("WeChat login (SECURITY.md 1): codes mapped = %d/8; %d secrets + %d client tokens searched in %d responses and %d log bytes; secrets found = %d",
		mapped, len(secrets), len(clientTokens), len(bodies), len(logs), found)
}

// TestLockoutUnderConcurrency: many wrong passwords at once are still only
// MaxFailedLogins guesses (SECURITY.md 5).
func TestLockoutUnderConcurrency(t *testing.T) {
	_, acc := st.account(t, model.RoleTaskforce, testCounty)
	const n = 40
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, _ := call(t, nil, "POST", "/api/v1/auth/password/login",
				map[string]string{"username": *acc.Username, "password": fmt.Sprint("guess-", i)}, nil)
			codes[i] = r.Code
		}(i)
	}
	wg.Wait()
	checked, locked, other := 0, 0, 0
	for _, c := range codes {
		switch c {
		case 401:
			checked++
		case 429:
			locked++
		default:
			other++
		}
	}
	if checked > auth.MaxFailedLogins || other > 0 {
		t.Errorf("%d concurrent wrong passwords: %d checked (max %d), %d refused as locked, %d other", n, checked, auth.MaxFailedLogins, locked, other)
	}
	if r := st.do(t, "POST", "/api/v1/auth/password/login", "", map[string]string{"username": *acc.Username, "password": "correct-horse-battery"}); r.Code != 429 {
		t.Errorf("right password after the storm: want 429, got %d", r.Code)
	}
	t.Logf("lockout under concurrency: %d simultaneous wrong passwords → guesses checked = %d (limit %d), refused as locked = %d", n, checked, auth.MaxFailedLogins, locked)
}
