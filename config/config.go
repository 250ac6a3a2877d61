// Package config loads the one typed configuration from environment
// variables, fills defaults in one place, validates it, and masks secrets
// when it is logged. It is loaded once in main and passed down.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Environments.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Config is everything the binary can be told.
type Config struct {
	AppEnv   string // APP_ENV: development (default) or production
	HTTPAddr string // HTTP_ADDR, default :8080
	DataDir  string // DATA_DIR, default ./data: SQLite file and dev keys

	DatabaseURL        string // DATABASE_URL: MySQL/MariaDB/TiDB DSN; empty = SQLite in DataDir
	DatabaseReplicaURL string // DATABASE_REPLICA_URL: optional read replica
	RedisURL           string // REDIS_URL: redis://…; empty = in-process Redis

	JWTKey      []byte // JWT_KEY (base64, ≥ 32 bytes)
	PIIKey      []byte // PII_KEY (base64, 32 bytes): AES-256-GCM for 身份证 and phones
	PIIIndexKey []byte // PII_INDEX_KEY (base64, ≥ 32 bytes): HMAC blind index

	WeChatAppID   string // WECHAT_APPID
	WeChatSecret  string // WECHAT_SECRET
	WeChatBaseURL string // WECHAT_BASE_URL, default https://api.weixin.qq.com
	// Subscribe-message template ids from the mini-program console, per notice kind.
	WeChatTemplateJobMatch   string // WECHAT_TEMPLATE_JOB_MATCH
	WeChatTemplateCaseUpdate string // WECHAT_TEMPLATE_CASE_UPDATE
	WeChatMiniprogramState   string // WECHAT_MINIPROGRAM_STATE: developer, trial or formal (default)

	// SMS (push channel for workers who consented).
	SMSProvider           string // SMS_PROVIDER: none, fake (default outside production) or aliyun
	SMSBaseURL            string // SMS_BASE_URL, default https://dysmsapi.aliyuncs.com
	SMSRegion             string // SMS_REGION, default cn-hangzhou
	SMSAccessKeyID        string // SMS_ACCESS_KEY_ID
	SMSAccessKeySecret    string // SMS_ACCESS_KEY_SECRET
	SMSSignName           string // SMS_SIGN_NAME: the approved 短信签名
	SMSTemplateJobMatch   string // SMS_TEMPLATE_JOB_MATCH: template code, e.g. SMS_123456789
	SMSTemplateCaseUpdate string // SMS_TEMPLATE_CASE_UPDATE

	DevLogin       bool // DEV_LOGIN: pick a demo account of any role (embedded default only)
	DevClock       bool // DEV_CLOCK: GET/PUT /api/v1/dev/clock move this process's clock forward (default off; refused in production)
	SeedDemo       bool // SEED_DEMO: demo accounts and data on start
	InProcessQueue bool // IN_PROCESS_WORKER: run the queue worker inside serve

	AccessTTL    time.Duration // ACCESS_TTL, default 15m
	RefreshTTL   time.Duration // REFRESH_TTL, default 720h
	BodyLimit    int64         // BODY_LIMIT bytes, default 1 MiB
	RatePerMin   int           // RATE_PER_MIN per IP on the API, default 600
	LogLevel     slog.Level    // LOG_LEVEL: debug, info, warn, error
	ShutdownWait time.Duration // SHUTDOWN_WAIT, default 15s
	// TrustedProxies (TRUSTED_PROXIES, comma-separated IPs or CIDRs) are the
	// load balancers whose X-Forwarded-For is believed; none by default, so
	// a client cannot pick its own IP for rate limits and the audit trail.
	TrustedProxies []string

	// Embedded is true when no DATABASE_URL and REDIS_URL are given: SQLite
	// plus an in-process Redis, for a newcomer's first run.
	Embedded bool
}

// SMS providers.
const (
	SMSNone   = "none"   // no SMS channel
	SMSFake   = "fake"   // accepts and drops messages (development)
	SMSAliyun = "aliyun" // Aliyun Dysmsapi SendSms

	// SMSAliyunBaseURL is Aliyun's SMS endpoint.
	SMSAliyunBaseURL = "https://dysmsapi.aliyuncs.com"
)

// Load reads the environment (getenv is os.Getenv in main, a map in tests).
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{
		AppEnv:        or(getenv("APP_ENV"), EnvDevelopment),
		HTTPAddr:      or(getenv("HTTP_ADDR"), ":8080"),
		DataDir:       or(getenv("DATA_DIR"), "data"),
		DatabaseURL:   getenv("DATABASE_URL"),
		RedisURL:      getenv("REDIS_URL"),
		WeChatAppID:   getenv("WECHAT_APPID"),
		WeChatSecret:  getenv("WECHAT_SECRET"),
		WeChatBaseURL: or(getenv("WECHAT_BASE_URL"), "https://api.weixin.qq.com"),

		WeChatTemplateJobMatch:   getenv("WECHAT_TEMPLATE_JOB_MATCH"),
		WeChatTemplateCaseUpdate: getenv("WECHAT_TEMPLATE_CASE_UPDATE"),
		WeChatMiniprogramState:   getenv("WECHAT_MINIPROGRAM_STATE"),
		SMSProvider:              getenv("SMS_PROVIDER"),
		SMSBaseURL:               or(getenv("SMS_BASE_URL"), SMSAliyunBaseURL),
		SMSRegion:                or(getenv("SMS_REGION"), "cn-hangzhou"),
		SMSAccessKeyID:           getenv("SMS_ACCESS_KEY_ID"),
		SMSAccessKeySecret:       getenv("SMS_ACCESS_KEY_SECRET"),
		SMSSignName:              getenv("SMS_SIGN_NAME"),
		SMSTemplateJobMatch:      getenv("SMS_TEMPLATE_JOB_MATCH"),
		SMSTemplateCaseUpdate:    getenv("SMS_TEMPLATE_CASE_UPDATE"),
		AccessTTL:                15 * time.Minute,
		RefreshTTL:               30 * 24 * time.Hour,
		BodyLimit:                1 << 20,
		RatePerMin:               600,
		LogLevel:                 slog.LevelInfo,
		ShutdownWait:             15 * time.Second,
	}
	c.DatabaseReplicaURL = getenv("DATABASE_REPLICA_URL")
	if c.SMSProvider == "" {
		c.SMSProvider = SMSFake
		if c.AppEnv == EnvProduction {
			c.SMSProvider = SMSNone
		}
	}
	for _, p := range strings.Split(getenv("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	c.Embedded = c.DatabaseURL == "" && c.RedisURL == ""
	dev := c.AppEnv != EnvProduction
	var errs []error
	bools := []struct {
		name string
		dst  *bool
		def  bool
	}{
		{"DEV_LOGIN", &c.DevLogin, dev && c.Embedded},
		{"DEV_CLOCK", &c.DevClock, false},
		{"SEED_DEMO", &c.SeedDemo, dev && c.Embedded},
		{"IN_PROCESS_WORKER", &c.InProcessQueue, c.RedisURL == ""},
	}
	for _, b := range bools {
		*b.dst = b.def
		if v := getenv(b.name); v != "" {
			x, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: not a boolean: %q", b.name, v))
			}
			*b.dst = x
		}
	}
	durs := []struct {
		name string
		dst  *time.Duration
	}{{"ACCESS_TTL", &c.AccessTTL}, {"REFRESH_TTL", &c.RefreshTTL}, {"SHUTDOWN_WAIT", &c.ShutdownWait}}
	for _, d := range durs {
		if v := getenv(d.name); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", d.name, err))
			}
			*d.dst = x
		}
	}
	if v := getenv("BODY_LIMIT"); v != "" {
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("BODY_LIMIT: %w", err))
		}
		c.BodyLimit = x
	}
	if v := getenv("RATE_PER_MIN"); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("RATE_PER_MIN: %w", err))
		}
		c.RatePerMin = x
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL: %w", err))
		}
	}
	keys := []struct {
		name string
		dst  *[]byte
	}{{"JWT_KEY", &c.JWTKey}, {"PII_KEY", &c.PIIKey}, {"PII_INDEX_KEY", &c.PIIIndexKey}}
	for _, k := range keys {
		if v := getenv(k.name); v != "" {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: not base64", k.name))
			}
			*k.dst = b
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// DevKeysFile is where development keys are kept, generated once.
const DevKeysFile = "dev-keys.json"

// EnsureDevKeys fills missing keys outside production from DataDir/dev-keys.json,
// generating and saving them the first time so tokens and ciphertexts survive restarts.
func (c *Config) EnsureDevKeys() error {
	if c.AppEnv == EnvProduction {
		return nil
	}
	if len(c.JWTKey) > 0 && len(c.PIIKey) > 0 && len(c.PIIIndexKey) > 0 {
		return nil
	}
	path := filepath.Join(c.DataDir, DevKeysFile)
	var keys struct{ JWT, PII, PIIIndex []byte }
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &keys); err != nil {
			return fmt.Errorf("dev keys %s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if len(keys.JWT) == 0 {
		keys.JWT, keys.PII, keys.PIIIndex = random(32), random(32), random(32)
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return err
		}
		b, _ := json.Marshal(keys)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return fmt.Errorf("save dev keys: %w", err)
		}
	}
	if len(c.JWTKey) == 0 {
		c.JWTKey = keys.JWT
	}
	if len(c.PIIKey) == 0 {
		c.PIIKey = keys.PII
	}
	if len(c.PIIIndexKey) == 0 {
		c.PIIIndexKey = keys.PIIIndex
	}
	return nil
}

// Validate refuses configurations that must not start (SECURITY.md 21).
func (c *Config) Validate() error {
	var errs []error
	if c.AppEnv != EnvDevelopment && c.AppEnv != EnvProduction {
		errs = append(errs, fmt.Errorf("APP_ENV must be %s or %s", EnvDevelopment, EnvProduction))
	}
	if len(c.JWTKey) < 32 {
		errs = append(errs, errors.New("JWT_KEY must be at least 32 bytes (base64)"))
	}
	if len(c.PIIKey) != 32 {
		errs = append(errs, errors.New("PII_KEY must be exactly 32 bytes (base64)"))
	}
	if len(c.PIIIndexKey) < 32 {
		errs = append(errs, errors.New("PII_INDEX_KEY must be at least 32 bytes (base64)"))
	}
	if c.AccessTTL <= 0 || c.AccessTTL > time.Hour {
		errs = append(errs, errors.New("ACCESS_TTL must be between 0 and 1h"))
	}
	if c.RefreshTTL < c.AccessTTL {
		errs = append(errs, errors.New("REFRESH_TTL must be longer than ACCESS_TTL"))
	}
	if c.BodyLimit < 1024 {
		errs = append(errs, errors.New("BODY_LIMIT must be at least 1024"))
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			errs = append(errs, fmt.Errorf("TRUSTED_PROXIES: %q is not an IP or CIDR", p))
		}
	}
	if c.RatePerMin <= 0 {
		errs = append(errs, errors.New("RATE_PER_MIN must be positive"))
	}
	switch c.SMSProvider {
	case SMSNone, SMSFake:
	case SMSAliyun:
		if c.SMSAccessKeyID == "" || c.SMSAccessKeySecret == "" || c.SMSSignName == "" {
			errs = append(errs, errors.New("SMS_PROVIDER=aliyun needs SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET and SMS_SIGN_NAME"))
		}
	default:
		errs = append(errs, fmt.Errorf("SMS_PROVIDER must be %s, %s or %s", SMSNone, SMSFake, SMSAliyun))
	}
	switch c.WeChatMiniprogramState {
	case "", "developer", "trial", "formal":
	default:
		errs = append(errs, errors.New("WECHAT_MINIPROGRAM_STATE must be developer, trial or formal"))
	}
	if c.AppEnv == EnvProduction {
		if c.DatabaseURL == "" {
			errs = append(errs, errors.New("DATABASE_URL is required in production"))
		}
		if c.RedisURL == "" {
			errs = append(errs, errors.New("REDIS_URL is required in production"))
		}
		if c.WeChatAppID == "" || c.WeChatSecret == "" {
			errs = append(errs, errors.New("WECHAT_APPID and WECHAT_SECRET are required in production"))
		}
		if c.DevLogin {
			errs = append(errs, errors.New("DEV_LOGIN is refused in production"))
		}
		if c.SeedDemo {
			errs = append(errs, errors.New("SEED_DEMO is refused in production"))
		}
		if c.DevClock {
			errs = append(errs, errors.New("DEV_CLOCK is refused in production"))
		}
		if c.SMSProvider == SMSFake {
			errs = append(errs, errors.New("SMS_PROVIDER=fake is refused in production (use aliyun or none)"))
		}
		if isWeak(c.JWTKey) || isWeak(c.PIIKey) || isWeak(c.PIIIndexKey) {
			errs = append(errs, errors.New("a key is a default or repeated-byte value; generate one with `openssl rand -base64 32`"))
		}
		if string(c.PIIKey) == string(c.PIIIndexKey) {
			errs = append(errs, errors.New("PII_KEY and PII_INDEX_KEY must differ"))
		}
	}
	return errors.Join(errs...)
}

// LogValue masks secrets whenever the config is logged.
func (c *Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("app_env", c.AppEnv),
		slog.String("http_addr", c.HTTPAddr),
		slog.String("data_dir", c.DataDir),
		slog.Bool("embedded", c.Embedded),
		slog.String("database_url", MaskURL(c.DatabaseURL)),
		slog.String("redis_url", MaskURL(c.RedisURL)),
		slog.String("jwt_key", maskKey(c.JWTKey)),
		slog.String("pii_key", maskKey(c.PIIKey)),
		slog.String("pii_index_key", maskKey(c.PIIIndexKey)),
		slog.String("wechat_appid", c.WeChatAppID),
		slog.String("wechat_secret", maskKey([]byte(c.WeChatSecret))),
		slog.String("wechat_base_url", c.WeChatBaseURL),
		slog.String("wechat_template_job_match", c.WeChatTemplateJobMatch),
		slog.String("wechat_template_case_update", c.WeChatTemplateCaseUpdate),
		slog.String("sms_provider", c.SMSProvider),
		slog.String("sms_base_url", MaskURL(c.SMSBaseURL)),
		slog.String("sms_access_key_id", maskID(c.SMSAccessKeyID)),
		slog.String("sms_access_key_secret", maskKey([]byte(c.SMSAccessKeySecret))),
		slog.String("sms_sign_name", c.SMSSignName),
		slog.String("sms_template_job_match", c.SMSTemplateJobMatch),
		slog.String("sms_template_case_update", c.SMSTemplateCaseUpdate),
		slog.Bool("dev_login", c.DevLogin),
		slog.Bool("dev_clock", c.DevClock),
		slog.Bool("seed_demo", c.SeedDemo),
		slog.Bool("in_process_worker", c.InProcessQueue),
		slog.Any("trusted_proxies", c.TrustedProxies),
	)
}

// MaskURL hides the password in a DSN or URL.
func MaskURL(s string) string {
	if s == "" {
		return ""
	}
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	head := s[:at]
	start := strings.Index(head, "://")
	if start >= 0 {
		start += 3
	} else {
		start = 0
	}
	if colon := strings.Index(head[start:], ":"); colon >= 0 {
		return head[:start+colon+1] + "***" + s[at:]
	}
	return s
}

func maskKey(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return fmt.Sprintf("***(%d bytes)", len(b))
}

// maskID shows only the first four characters of an access key id.
func maskID(s string) string {
	if len(s) <= 4 {
		return maskKey([]byte(s))
	}
	return s[:4] + "***"
}

func isWeak(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	for _, x := range b[1:] {
		if x != b[0] {
			return false
		}
	}
	return true
}

func random(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
