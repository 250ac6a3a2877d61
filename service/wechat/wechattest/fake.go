// Package wechattest is a local fake of the WeChat mini-program server API
// that answers as WeChat's documentation says: code2Session,
// getStableAccessToken, getuserphonenumber and subscribe message send. Tests
// use Server; the running binary can mount NewHandler in dev and e2e runs,
// where the real WeChat hosts are unreachable.
//
// Codes (login and phone) are interpreted by name:
//
//	ok-<name>   succeeds once; the openid is derived from <name> (see OpenID);
//	            for phone codes, ok-<11 digits> returns that number
//	invalid     40029
//	ratelimit   45011
//	risky       40226 (login only)
//	busy-<N>    -1 for the first N calls, then succeeds once
//	err-<N>     errcode N, e.g. err-40013
//	anything else, or a code already used: 40029
package wechattest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Documented error messages, as WeChat words them.
var errMsgs = map[int]string{
	-1:    "system error",
	40001: "invalid credential, access_token is invalid or not latest",
	40002: "invalid grant_type",
	40003: "invalid openid",
	40013: "invalid appid",
	40029: "invalid code",
	40037: "invalid template_id",
	40125: "invalid appsecret",
	40226: "code blocked",
	41001: "access_token missing",
	41030: "invalid page",
	42001: "access_token expired",
	43001: "require GET method",
	43002: "require POST method",
	43101: "user refuse to accept the msg",
	44002: "empty post data",
	45011: "api minute-quota reach limit  mustslower  retry next minute",
	47001: "data format error",
	47003: "argument invalid! data.thing1.value is empty",
}

// Request is one request the fake received, secrets included: it is what
// WeChat would see.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   []byte
	Time   time.Time
}

// SentMessage is a subscribe message the fake accepted.
type SentMessage struct {
	ToUser           string                       `json:"touser"`
	TemplateID       string                       `json:"template_id"`
	Page             string                       `json:"page"`
	Data             map[string]map[string]string `json:"data"`
	MiniprogramState string                       `json:"miniprogram_state"`
	Lang             string                       `json:"lang"`
}

type token struct {
	value   string
	expires time.Time
	revoked bool
}

type sendRule struct {
	errcode int
	times   int // <= 0: always
}

// Fake is the fake WeChat's state. All methods are safe for concurrent use.
type Fake struct {
	appid, secret string

	mu          sync.Mutex
	offset      time.Duration // added to time.Now: Advance moves the fake's clock
	used        map[string]bool
	busySeen    map[string]int
	codeErr     map[string]int
	tokens      map[string]*token
	current     string
	tokenTTL    time.Duration
	tokenCalls  int
	tokenDelay  time.Duration
	tokenFail   []int
	apiFail     []int
	phone       [3]string // number, pure number, country code
	watermark   string
	sendRules   map[string]*sendRule
	sent        []SentMessage
	requests    []Request
	sessionKeys []string
	echo        bool
}

// maxRecorded caps the request record so a long dev run does not grow forever.
const maxRecorded = 5000

// NewFake builds a fake for one mini-program.
func NewFake(appid, secret string) *Fake {
	return &Fake{
		appid:     appid,
		secret:    secret,
		used:      map[string]bool{},
		busySeen:  map[string]int{},
		codeErr:   map[string]int{},
		tokens:    map[string]*token{},
		tokenTTL:  7200 * time.Second,
		phone:     [3]string{"13800138000", "13800138000", "86"},
		watermark: appid,
		sendRules: map[string]*sendRule{},
	}
}

// NewHandler is the fake as an http.Handler, for mounting in the running
// binary (dev, e2e). Mount it at the root of a base URL, e.g. with
// http.StripPrefix("/_fake/wechat", h), and point WECHAT_BASE_URL there.
func NewHandler(appid, secret string) http.Handler { return NewFake(appid, secret) }

// Server is the fake behind a loopback httptest.Server.
type Server struct {
	*Fake
	URL string
	srv *httptest.Server
}

// NewServer starts the fake on loopback. Close it when done.
func NewServer(appid, secret string) *Server {
	f := NewFake(appid, secret)
	srv := httptest.NewServer(f)
	return &Server{Fake: f, URL: srv.URL, srv: srv}
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// OpenID is the deterministic openid the fake gives the login code
// "ok-<name>" for the given app: 28 characters starting with "o", like real ones.
func OpenID(appid, name string) string { return derive("openid|"+appid+"|", name) }

// UnionID is the deterministic unionid for "ok-<name>".
func UnionID(name string) string { return derive("unionid|", name) }

func derive(prefix, name string) string {
	sum := sha256.Sum256([]byte(prefix + name))
	return "o" + base64.RawURLEncoding.EncodeToString(sum[:])[:27]
}

// --- test controls ---

// Advance moves the fake's clock (token expiry) forward.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offset += d
}

// SetTokenTTL sets expires_in for tokens issued from now on.
func (f *Fake) SetTokenTTL(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenTTL = d
}

// SetTokenDelay makes stable_token answer slowly, widening races in tests.
func (f *Fake) SetTokenDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenDelay = d
}

// ExpireTokens makes every issued token expired now: using one answers 42001
// and the next stable_token issues a new one.
func (f *Fake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	for _, t := range f.tokens {
		t.expires = now
	}
}

// RevokeTokens invalidates every issued token, as a force_refresh elsewhere
// would: using one answers 40001.
func (f *Fake) RevokeTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.tokens {
		t.revoked = true
	}
}

// FailTokenCalls makes the next stable_token calls answer these errcodes, in order.
func (f *Fake) FailTokenCalls(errcodes ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenFail = append(f.tokenFail, errcodes...)
}

// FailAPICalls makes the next token-guarded calls (phone, subscribe) answer
// these errcodes, in order, whatever their token.
func (f *Fake) FailAPICalls(errcodes ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apiFail = append(f.apiFail, errcodes...)
}

// TokenCalls counts stable_token requests.
func (f *Fake) TokenCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls
}

// IssuedTokens lists every access token handed out.
func (f *Fake) IssuedTokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.tokens))
	for v := range f.tokens {
		out = append(out, v)
	}
	return out
}

// SessionKeys lists every session_key handed out.
func (f *Fake) SessionKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sessionKeys...)
}

// SetCodeError makes a login or phone code answer errcode (every time).
func (f *Fake) SetCodeError(code string, errcode int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.codeErr[code] = errcode
}

// SetPhone sets the phone getuserphonenumber returns for ok- codes that do
// not name a number.
func (f *Fake) SetPhone(number, pure, countryCode string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phone = [3]string{number, pure, countryCode}
}

// SetWatermarkAppID sets the appid in the phone watermark (default: ours).
func (f *Fake) SetWatermarkAppID(appid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watermark = appid
}

// SetSendError makes subscribe sends to openid answer errcode, for the next
// times sends (times <= 0: always; errcode 0 clears).
func (f *Fake) SetSendError(openid string, errcode, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if errcode == 0 {
		delete(f.sendRules, openid)
		return
	}
	f.sendRules[openid] = &sendRule{errcode: errcode, times: times}
}

// EchoSecrets makes error messages repeat the secret and access token the
// request carried — a worst-case upstream for redaction tests.
func (f *Fake) EchoSecrets(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.echo = on
}

// Sent lists accepted subscribe messages.
func (f *Fake) Sent() []SentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SentMessage(nil), f.sent...)
}

// Requests lists received requests (the latest maxRecorded).
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// Calls counts received requests to path.
func (f *Fake) Calls(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if r.Path == path {
			n++
		}
	}
	return n
}

// --- HTTP ---

func (f *Fake) now() time.Time { return time.Now().Add(f.offset) }

// ServeHTTP answers like api.weixin.qq.com.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	f.mu.Lock()
	if len(f.requests) >= maxRecorded {
		f.requests = f.requests[1:]
	}
	f.requests = append(f.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body, Time: f.now()})
	f.mu.Unlock()

	switch r.URL.Path {
	case "/sns/jscode2session":
		f.code2Session(w, r)
	case "/cgi-bin/stable_token":
		f.stableToken(w, r, body)
	case "/wxa/business/getuserphonenumber":
		f.phoneNumber(w, r, body)
	case "/cgi-bin/message/subscribe/send":
		f.subscribeSend(w, r, body)
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	// WeChat answers 200 with errcode in the body, even for errors.
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *Fake) fail(w http.ResponseWriter, errcode int, echo ...string) {
	msg, ok := errMsgs[errcode]
	if !ok {
		msg = "error " + strconv.Itoa(errcode)
	}
	f.mu.Lock()
	e := f.echo
	f.mu.Unlock()
	if e {
		msg += " (" + strings.Join(echo, ",") + ")"
	}
	writeJSON(w, map[string]any{"errcode": errcode, "errmsg": msg + ", rid: " + randHex(8)})
}

var busyRe = regexp.MustCompile(`^busy-(\d+)$`)
var errRe = regexp.MustCompile(`^err-(-?\d+)$`)

// judgeCode decides a one-time code's fate: 0 to succeed (and consume it),
// else the errcode. kind separates login codes from phone codes.
func (f *Fake) judgeCode(kind, code string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := kind + "|" + code
	if ec, ok := f.codeErr[code]; ok {
		return ec
	}
	if code == "" {
		return 40029
	}
	if f.used[key] {
		return 40029
	}
	switch {
	case code == "invalid":
		return 40029
	case code == "ratelimit":
		return 45011
	case code == "risky" && kind == "login":
		return 40226
	case strings.HasPrefix(code, "ok-"):
	case busyRe.MatchString(code):
		n, _ := strconv.Atoi(busyRe.FindStringSubmatch(code)[1])
		if f.busySeen[key] < n {
			f.busySeen[key]++
			return -1
		}
	case errRe.MatchString(code):
		if n, _ := strconv.Atoi(errRe.FindStringSubmatch(code)[1]); n != 0 {
			return n
		}
	default:
		return 40029
	}
	f.used[key] = true
	return 0
}

func (f *Fake) code2Session(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		f.fail(w, 43001)
		return
	}
	q := r.URL.Query()
	switch {
	case q.Get("appid") != f.appid:
		f.fail(w, 40013)
		return
	case q.Get("secret") != f.secret:
		f.fail(w, 40125, q.Get("secret"))
		return
	case q.Get("grant_type") != "authorization_code":
		f.fail(w, 40002)
		return
	}
	code := q.Get("js_code")
	if ec := f.judgeCode("login", code); ec != 0 {
		f.fail(w, ec, f.secret)
		return
	}
	name := strings.TrimPrefix(code, "ok-")
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	sk := base64.StdEncoding.EncodeToString(key)
	f.mu.Lock()
	f.sessionKeys = append(f.sessionKeys, sk)
	f.mu.Unlock()
	// Success carries no errcode, as the real API's answers usually do not.
	writeJSON(w, map[string]any{"openid": OpenID(f.appid, name), "session_key": sk, "unionid": UnionID(name)})
}

func (f *Fake) stableToken(w http.ResponseWriter, r *http.Request, body []byte) {
	f.mu.Lock()
	f.tokenCalls++
	delay := f.tokenDelay
	f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if r.Method != http.MethodPost {
		f.fail(w, 43002)
		return
	}
	var in struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if len(body) == 0 {
		f.fail(w, 44002)
		return
	}
	if err := json.Unmarshal(body, &in); err != nil {
		f.fail(w, 47001)
		return
	}
	switch {
	case in.GrantType != "client_credential":
		f.fail(w, 40002)
		return
	case in.AppID != f.appid:
		f.fail(w, 40013)
		return
	case in.Secret != f.secret:
		f.fail(w, 40125, in.Secret)
		return
	}
	f.mu.Lock()
	if len(f.tokenFail) > 0 {
		ec := f.tokenFail[0]
		f.tokenFail = f.tokenFail[1:]
		f.mu.Unlock()
		f.fail(w, ec, f.secret)
		return
	}
	now := f.now()
	cur := f.tokens[f.current]
	// Normal mode returns the current token until its last five minutes,
	// then a new one while the old stays valid; force_refresh revokes all.
	if in.ForceRefresh || cur == nil || cur.revoked || !now.Before(cur.expires.Add(-5*time.Minute)) {
		if in.ForceRefresh {
			for _, t := range f.tokens {
				t.revoked = true
			}
		}
		cur = &token{value: "fake_at_" + randHex(24), expires: now.Add(f.tokenTTL)}
		f.tokens[cur.value] = cur
		f.current = cur.value
	}
	out := map[string]any{"access_token": cur.value, "expires_in": int(cur.expires.Sub(now).Seconds())}
	f.mu.Unlock()
	writeJSON(w, out)
}

// checkToken returns the errcode for the request's access token, 0 if good.
func (f *Fake) checkToken(r *http.Request) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.apiFail) > 0 {
		ec := f.apiFail[0]
		f.apiFail = f.apiFail[1:]
		return ec
	}
	tok := r.URL.Query().Get("access_token")
	if tok == "" {
		return 41001
	}
	t, ok := f.tokens[tok]
	switch {
	case !ok || t.revoked:
		return 40001
	case !f.now().Before(t.expires):
		return 42001
	}
	return 0
}

var phoneRe = regexp.MustCompile(`^1\d{10}$`)

func (f *Fake) phoneNumber(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Method != http.MethodPost {
		f.fail(w, 43002)
		return
	}
	tok := r.URL.Query().Get("access_token")
	if ec := f.checkToken(r); ec != 0 {
		f.fail(w, ec, tok)
		return
	}
	var in struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		f.fail(w, 47001)
		return
	}
	if ec := f.judgeCode("phone", in.Code); ec != 0 {
		f.fail(w, ec, tok)
		return
	}
	f.mu.Lock()
	p := f.phone
	wm := f.watermark
	ts := f.now().Unix()
	f.mu.Unlock()
	if n := strings.TrimPrefix(in.Code, "ok-"); phoneRe.MatchString(n) {
		p = [3]string{n, n, "86"}
	}
	// countryCode as a number, as in WeChat's own example answer.
	var cc any = p[2]
	if n, err := strconv.Atoi(p[2]); err == nil {
		cc = n
	}
	writeJSON(w, map[string]any{
		"errcode": 0,
		"errmsg":  "ok",
		"phone_info": map[string]any{
			"phoneNumber":     p[0],
			"purePhoneNumber": p[1],
			"countryCode":     cc,
			"watermark":       map[string]any{"timestamp": ts, "appid": wm},
		},
	})
}

func (f *Fake) subscribeSend(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Method != http.MethodPost {
		f.fail(w, 43002)
		return
	}
	tok := r.URL.Query().Get("access_token")
	if ec := f.checkToken(r); ec != 0 {
		f.fail(w, ec, tok)
		return
	}
	var m SentMessage
	if err := json.Unmarshal(body, &m); err != nil {
		f.fail(w, 47001)
		return
	}
	switch {
	case m.ToUser == "":
		f.fail(w, 40003)
		return
	case m.TemplateID == "":
		f.fail(w, 40037)
		return
	case len(m.Data) == 0:
		f.fail(w, 47003)
		return
	}
	for k, v := range m.Data {
		if v["value"] == "" {
			writeJSON(w, map[string]any{"errcode": 47003, "errmsg": fmt.Sprintf("argument invalid! data.%s.value is empty, rid: %s", k, randHex(8))})
			return
		}
	}
	f.mu.Lock()
	if rule, ok := f.sendRules[m.ToUser]; ok {
		ec := rule.errcode
		if rule.times > 0 {
			rule.times--
			if rule.times == 0 {
				delete(f.sendRules, m.ToUser)
			}
		}
		f.mu.Unlock()
		f.fail(w, ec, tok)
		return
	}
	f.sent = append(f.sent, m)
	f.mu.Unlock()
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
