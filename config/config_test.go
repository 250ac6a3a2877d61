package config

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func key(b byte) string {
	k := make([]byte, 32)
	for i := range k {
		k[i] = b + byte(i)
	}
	return base64.StdEncoding.EncodeToString(k)
}

func prod() map[string]string {
	return map[string]string{
		"APP_ENV": "production", "DATABASE_URL": "jyb:secret-pass@tcp(db:3306)/jyb", "REDIS_URL": "redis://:redispw@redis:6379/0",
		"JWT_KEY": key(1), "PII_KEY": key(2), "PII_INDEX_KEY": key(3), "WECHAT_APPID": "wx123", "WECHAT_SECRET": "s3cr3t",
	}
}

func TestEmbeddedDefault(t *testing.T) {
	c, err := Load(env(map[string]string{"DATA_DIR": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Embedded || !c.DevLogin || !c.SeedDemo || !c.InProcessQueue || c.HTTPAddr != ":8080" || c.DevClock {
		t.Fatalf("embedded defaults: %+v", c)
	}
	if err := c.EnsureDevKeys(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// Keys are generated once and kept.
	again, _ := Load(env(map[string]string{"DATA_DIR": c.DataDir}))
	if err := again.EnsureDevKeys(); err != nil {
		t.Fatal(err)
	}
	if string(again.JWTKey) != string(c.JWTKey) || string(again.PIIKey) != string(c.PIIKey) {
		t.Fatal("dev keys changed between starts")
	}
}

// TestProductionRefusals: every unsafe production setting stops the start (SECURITY.md 21).
func TestProductionRefusals(t *testing.T) {
	good := prod()
	c, err := Load(env(good))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureDevKeys(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("good production config refused: %v", err)
	}
	cases := []struct {
		name   string
		change map[string]string
		want   string
	}{
		{"dev login", map[string]string{"DEV_LOGIN": "true"}, "DEV_LOGIN"},
		{"dev clock", map[string]string{"DEV_CLOCK": "true"}, "DEV_CLOCK"},
		{"demo data", map[string]string{"SEED_DEMO": "true"}, "SEED_DEMO"},
		{"no database", map[string]string{"DATABASE_URL": ""}, "DATABASE_URL"},
		{"no redis", map[string]string{"REDIS_URL": ""}, "REDIS_URL"},
		{"no jwt key", map[string]string{"JWT_KEY": ""}, "JWT_KEY"},
		{"short jwt key", map[string]string{"JWT_KEY": base64.StdEncoding.EncodeToString([]byte("short"))}, "JWT_KEY"},
		{"default key", map[string]string{"PII_KEY": base64.StdEncoding.EncodeToString(make([]byte, 32))}, "default"},
		{"same pii keys", map[string]string{"PII_INDEX_KEY": key(2)}, "must differ"},
		{"no wechat", map[string]string{"WECHAT_SECRET": ""}, "WECHAT"},
		{"bad env", map[string]string{"APP_ENV": "prod"}, "APP_ENV"},
	}
	refused := 0
	for _, tc := range cases {
		m := prod()
		for k, v := range tc.change {
			m[k] = v
		}
		c, err := Load(env(m))
		if err == nil {
			_ = c.EnsureDevKeys()
			err = c.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: want refusal mentioning %s, got %v", tc.name, tc.want, err)
			continue
		}
		refused++
	}
	t.Logf("unsafe production settings refused = %d of %d", refused, len(cases))
}

func TestBadValues(t *testing.T) {
	for _, kv := range [][2]string{{"DEV_LOGIN", "maybe"}, {"DEV_CLOCK", "later"}, {"ACCESS_TTL", "soon"}, {"BODY_LIMIT", "big"}, {"JWT_KEY", "%%%"}, {"LOG_LEVEL", "loud"}} {
		if _, err := Load(env(map[string]string{kv[0]: kv[1]})); err == nil {
			t.Errorf("%s=%s accepted", kv[0], kv[1])
		}
	}
}

// TestSecretsMasked: logging the config never prints a secret.
func TestSecretsMasked(t *testing.T) {
	c, _ := Load(env(prod()))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	out := buf.String()
	for _, secret := range []string{"secret-pass", "redispw", "s3cr3t", prod()["JWT_KEY"], prod()["PII_KEY"], fmt.Sprint(c.JWTKey)} {
		if strings.Contains(out, secret) {
			t.Errorf("log shows %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "jyb:***@tcp(db:3306)/jyb") {
		t.Errorf("masked DSN missing: %s", out)
	}
}
