package push

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jiuyebang/jiuyebang/service/pii"
)

// Aliyun SMS (阿里云短信服务, Dysmsapi) SendSms, RPC style, signature version
// 1.0: the request parameters, sorted by name and percent-encoded
// (RFC 3986: space as %20, "*" as %2A, "~" kept), form the canonicalized
// query string; StringToSign = METHOD + "&" + enc("/") + "&" + enc(canonical);
// Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).
// We POST the parameters as a form so the phone number never appears in a
// URL (and so in no proxy's access log).
const (
	AliyunDefaultBaseURL = "https://dysmsapi.aliyuncs.com"
	aliyunVersion        = "2017-05-25"
	aliyunDefaultRegion  = "cn-hangzhou"
)

// aliyunTransient are codes where the same request may succeed later: the
// service was busy or a per-number or account flow control applied.
var aliyunTransient = map[string]bool{
	"isp.SYSTEM_ERROR":               true,
	"isv.BUSINESS_LIMIT_CONTROL":     true, // per-number minute/hour flow control
	"Throttling":                     true,
	"Throttling.User":                true,
	"Throttling.Api":                 true,
	"ServiceUnavailable":             true,
	"InternalError":                  true,
	"isp.GATEWAY_ERROR":              true,
	"SignatureNonceUsed":             true, // a fresh nonce on retry fixes it
	"isv.OUT_OF_SERVICE_TEMPORARILY": true,
}

// aliyunConfig are codes that mean our account, key, signature or template
// is wrong: permanent, and worth an alert.
var aliyunConfig = map[string]bool{
	"SignatureDoesNotMatch":           true,
	"InvalidAccessKeyId.NotFound":     true,
	"InvalidAccessKeyId.Inactive":     true,
	"InvalidTimeStamp.Expired":        true,
	"isv.SMS_SIGNATURE_ILLEGAL":       true,
	"isv.SMS_SIGN_ILLEGAL":            true,
	"isv.SMS_TEMPLATE_ILLEGAL":        true,
	"isv.TEMPLATE_MISSING_PARAMETERS": true,
	"isv.TEMPLATE_PARAMS_ILLEGAL":     true,
	"isv.INVALID_JSON_PARAM":          true,
	"isv.AMOUNT_NOT_ENOUGH":           true,
	"isv.OUT_OF_SERVICE":              true,
	"isv.PRODUCT_UN_SUBSCRIPT":        true,
	"isv.ACCOUNT_NOT_EXISTS":          true,
	"isv.ACCOUNT_ABNORMAL":            true,
	"isp.RAM_PERMISSION_DENY":         true,
}

// AliyunConfig configures the Aliyun provider.
type AliyunConfig struct {
	AccessKeyID     string
	AccessKeySecret string
	SignName        string // default 短信签名
	RegionID        string // default cn-hangzhou
	BaseURL         string // default AliyunDefaultBaseURL; the fake's URL in tests
	HTTP            *http.Client
	Logger          *slog.Logger
	Now             func() time.Time
}

// Aliyun sends SMS through Aliyun's SendSms API.
type Aliyun struct {
	cfg  AliyunConfig
	http *http.Client
	log  *slog.Logger
}

// NewAliyun builds the provider; the access key and a signature name are required.
func NewAliyun(cfg AliyunConfig) (*Aliyun, error) {
	if cfg.AccessKeyID == "" || cfg.AccessKeySecret == "" || cfg.SignName == "" {
		return nil, errors.New("aliyun sms: access key id, secret and sign name are required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = AliyunDefaultBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("aliyun sms: invalid base URL %q", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/") + "/"
	if cfg.RegionID == "" {
		cfg.RegionID = aliyunDefaultRegion
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Aliyun{cfg: cfg, http: cfg.HTTP, log: cfg.Logger}
	if a.http == nil {
		a.http = &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	return a, nil
}

// Name is "aliyun".
func (a *Aliyun) Name() string { return "aliyun" }

// aliyunAnswer is SendSms's response body.
type aliyunAnswer struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	BizID     string `json:"BizId"`
	RequestID string `json:"RequestId"`
}

// Send sends m. The log carries the template, our reference and Aliyun's
// code and request id, never the phone or the key.
func (a *Aliyun) Send(ctx context.Context, m SMS) error {
	params := map[string]string{}
	if len(m.Params) > 0 {
		b, err := json.Marshal(m.Params)
		if err != nil {
			return &SMSError{Provider: "aliyun", Code: "encode", Permanent: true, Err: err}
		}
		params["TemplateParam"] = string(b)
	}
	sign := m.SignName
	if sign == "" {
		sign = a.cfg.SignName
	}
	params["Action"] = "SendSms"
	params["Version"] = aliyunVersion
	params["RegionId"] = a.cfg.RegionID
	params["PhoneNumbers"] = m.Phone
	params["SignName"] = sign
	params["TemplateCode"] = m.TemplateCode
	if m.OutID != "" {
		params["OutId"] = m.OutID
	}
	params["AccessKeyId"] = a.cfg.AccessKeyID
	params["Format"] = "JSON"
	params["SignatureMethod"] = "HMAC-SHA1"
	params["SignatureVersion"] = "1.0"
	params["SignatureNonce"] = nonce()
	params["Timestamp"] = a.cfg.Now().UTC().Format("2006-01-02T15:04:05Z")
	params["Signature"] = AliyunSignature(http.MethodPost, params, a.cfg.AccessKeySecret)

	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.BaseURL, strings.NewReader(form.Encode()))
	if err != nil {
		return &SMSError{Provider: "aliyun", Code: "transport", Err: errors.New("build request failed")}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := a.http.Do(req)
	if err != nil {
		// The URL holds no secret or phone, but keep the text generic anyway.
		msg := "request failed"
		if ctx.Err() != nil {
			msg = ctx.Err().Error()
		} else if ue := (*url.Error)(nil); errors.As(err, &ue) && ue.Timeout() {
			msg = "timeout"
		}
		a.log.WarnContext(ctx, "sms request failed", "provider", "aliyun", "error", msg, "out_id", m.OutID)
		return &SMSError{Provider: "aliyun", Code: "transport", Err: errors.New(msg)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var ans aliyunAnswer
	if err != nil || json.Unmarshal(raw, &ans) != nil || ans.Code == "" {
		a.log.WarnContext(ctx, "sms answer unreadable", "provider", "aliyun", "status", resp.StatusCode, "out_id", m.OutID)
		return &SMSError{Provider: "aliyun", Code: fmt.Sprintf("http_%d", resp.StatusCode), Permanent: false,
			Err: fmt.Errorf("http status %d, unreadable answer", resp.StatusCode)}
	}
	if ans.Code == "OK" {
		a.log.InfoContext(ctx, "sms sent", "provider", "aliyun", "template", m.TemplateCode, "out_id", m.OutID,
			"biz_id", ans.BizID, "request_id", ans.RequestID, "ms", time.Since(start).Milliseconds())
		return nil
	}
	se := classifyAliyun(ans.Code)
	// Aliyun's message might quote the number; keep only a masked one.
	text := clip(ans.Message, 120)
	if m.Phone != "" {
		text = strings.ReplaceAll(text, m.Phone, pii.MaskPhone(m.Phone))
	}
	se.Err = fmt.Errorf("request %s: %s", ans.RequestID, text)
	lvl := a.log.InfoContext
	if se.Config {
		lvl = a.log.ErrorContext // our configuration is wrong: alert
	}
	lvl(ctx, "sms not sent", "provider", "aliyun", "code", ans.Code, "permanent", se.Permanent,
		"template", m.TemplateCode, "out_id", m.OutID, "request_id", ans.RequestID)
	return se
}

func classifyAliyun(code string) *SMSError {
	se := &SMSError{Provider: "aliyun", Code: code, Permanent: !aliyunTransient[code], Config: aliyunConfig[code]}
	return se
}

// AliyunSignature computes the signature-version-1.0 signature of params
// (which must not contain Signature) for an HTTP method.
func AliyunSignature(method string, params map[string]string, secret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(percentEncode(k))
		b.WriteByte('=')
		b.WriteString(percentEncode(params[k]))
	}
	toSign := method + "&" + percentEncode("/") + "&" + percentEncode(b.String())
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// percentEncode is Aliyun's POP encoding: URL encoding with space as %20,
// "*" as %2A and "~" left alone.
func percentEncode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	e = strings.ReplaceAll(e, "%7E", "~")
	return e
}

func nonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
