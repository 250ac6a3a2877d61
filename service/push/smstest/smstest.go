// Package smstest is a local fake of Aliyun's SMS API (Dysmsapi SendSms,
// version 2017-05-25) for tests. It answers as the documentation says: it
// checks the common parameters, recomputes the signature-version-1.0
// signature with its own implementation of the canonicalization (so a
// signing bug in the client is caught, not mirrored), refuses a reused
// nonce or a stale timestamp, validates the phone and template parameters,
// and answers {"Code":"OK","BizId":…} or an error code. Errors can be
// injected per phone number.
package smstest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one accepted SendSms request.
type Message struct {
	Phone        string
	SignName     string
	TemplateCode string
	Params       map[string]string
	OutID        string
	BizID        string
}

type injected struct {
	code  string
	times int // < 0: forever
}

// Server is the fake. Its URL is the base URL for push.AliyunConfig.
type Server struct {
	*httptest.Server
	AccessKeyID string
	secret      string
	// MaxSkew is how far a Timestamp may be from now (Aliyun: 15 minutes).
	MaxSkew time.Duration

	mu       sync.Mutex
	sent     []Message
	nonces   map[string]bool
	errs     map[string]*injected
	requests int
	rejected map[string]int // error code → count
	seq      int
}

// New starts a fake that accepts requests signed with accessKeyID/secret.
// It is closed when the test ends.
func New(t testing.TB, accessKeyID, secret string) *Server {
	s := &Server{AccessKeyID: accessKeyID, secret: secret, MaxSkew: 15 * time.Minute,
		nonces: map[string]bool{}, errs: map[string]*injected{}, rejected: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// SetError makes the next times requests to phone answer code (times < 0:
// every request). Codes whose real HTTP status is not 200 keep it.
func (s *Server) SetError(phone, code string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs[phone] = &injected{code: code, times: times}
}

// Sent returns the accepted messages.
func (s *Server) Sent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}

// Requests is the number of requests received.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Rejected is how many requests were answered with code.
func (s *Server) Rejected(code string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected[code]
}

var phoneRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.seq++
	reqID := fmt.Sprintf("FAKE-%06d", s.seq)
	answer := func(status int, code, msg string) {
		if code != "OK" {
			s.rejected[code]++
		}
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"Code": code, "Message": msg, "RequestId": reqID})
	}
	if r.URL.Path != "/" {
		answer(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		answer(http.StatusBadRequest, "UnsupportedHTTPMethod", "method")
		return
	}
	if err := r.ParseForm(); err != nil {
		answer(http.StatusBadRequest, "InvalidParameter", "cannot parse parameters")
		return
	}
	p := map[string]string{}
	for k, v := range r.Form {
		if len(v) != 1 {
			answer(http.StatusBadRequest, "InvalidParameter", "duplicate parameter "+k)
			return
		}
		p[k] = v[0]
	}
	for _, k := range []string{"Action", "Version", "AccessKeyId", "SignatureMethod", "SignatureVersion",
		"SignatureNonce", "Timestamp", "Signature", "PhoneNumbers", "SignName", "TemplateCode"} {
		if p[k] == "" {
			answer(http.StatusBadRequest, "MissingParameter", "The input parameter \""+k+"\" that is mandatory for processing this request is not supplied.")
			return
		}
	}
	switch {
	case p["Action"] != "SendSms":
		answer(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found")
		return
	case p["Version"] != "2017-05-25":
		answer(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid.")
		return
	case p["SignatureMethod"] != "HMAC-SHA1" || p["SignatureVersion"] != "1.0":
		answer(http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
		return
	case p["AccessKeyId"] != s.AccessKeyID:
		answer(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
		return
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", p["Timestamp"])
	if err != nil {
		answer(http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
		return
	}
	if d := time.Since(ts); d > s.MaxSkew || d < -s.MaxSkew {
		answer(http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
		return
	}
	if want := Sign(r.Method, p, s.secret); !hmac.Equal([]byte(want), []byte(p["Signature"])) {
		answer(http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
		return
	}
	if s.nonces[p["SignatureNonce"]] {
		answer(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
		return
	}
	s.nonces[p["SignatureNonce"]] = true
	phone := p["PhoneNumbers"]
	if !phoneRE.MatchString(phone) {
		answer(http.StatusOK, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
		return
	}
	params := map[string]string{}
	if tp := p["TemplateParam"]; tp != "" {
		if err := json.Unmarshal([]byte(tp), &params); err != nil {
			answer(http.StatusOK, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
			return
		}
	}
	if inj := s.errs[phone]; inj != nil && inj.times != 0 {
		if inj.times > 0 {
			inj.times--
		}
		status := http.StatusOK
		if !strings.HasPrefix(inj.code, "isv.") && !strings.HasPrefix(inj.code, "isp.") {
			status = http.StatusBadRequest
		}
		if inj.code == "ServiceUnavailable" || inj.code == "InternalError" {
			status = http.StatusServiceUnavailable
		}
		answer(status, inj.code, "injected by smstest")
		return
	}
	biz := fmt.Sprintf("%d^%d", 900000+s.seq, time.Now().UnixNano())
	s.sent = append(s.sent, Message{Phone: phone, SignName: p["SignName"], TemplateCode: p["TemplateCode"],
		Params: params, OutID: p["OutId"], BizID: biz})
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]string{"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": reqID})
}

// Sign computes the signature-version-1.0 signature of params (Signature
// itself excluded) for method, written apart from the client on purpose.
func Sign(method string, params map[string]string, secret string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	pairs := make([]string, len(names))
	for i, k := range names {
		pairs[i] = rfc3986(k) + "=" + rfc3986(params[k])
	}
	str := method + "&" + rfc3986("/") + "&" + rfc3986(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(str))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// rfc3986 percent-encodes every byte except A–Z a–z 0–9 - _ . ~ with
// upper-case hex, as the Aliyun documentation specifies.
func rfc3986(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
