package api

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/jiuyebang/jiuyebang/model"
)

// limitedEngine is the API on the shared stack's database, Redis and
// services with other rate limits (building a whole new stack would seed the
// regions again). Callers use peer addresses of their own, so the shared
// stack's counters do not interfere.
func limitedEngine(lim Limits) *gin.Engine {
	return New(Deps{Logger: slogTo(&bytes.Buffer{}), DB: st.db, Redis: st.redis.Client, Metrics: prometheus.NewRegistry(),
		Auth: st.auth, Registry: st.registry, Status: st.status, Regions: st.regions, BodyLimit: 64 << 10, Limits: lim})
}

// freshIP is a peer address no other test uses.
func freshIP() string {
	n := seq.Add(1)
	return fmt.Sprintf("10.%d.%d.%d:40000", 100+n%100, (n/100)%250, 1+n%250)
}

// rateLimited checks a 429 answer: stable code, Chinese message, Retry-After.
func rateLimited(t *testing.T, what string, r resp, h map[string][]string) bool {
	t.Helper()
	ra, _ := strconv.Atoi(strings.Join(h["Retry-After"], ""))
	if r.Code != 429 || r.errCode() != "rate_limited" || ra <= 0 || len(errorShapeProblems(r)) > 0 {
		t.Errorf("%s: want 429 rate_limited with Retry-After and a Chinese message, got %d %s (Retry-After %v)", what, r.Code, r.Raw, h["Retry-After"])
		return false
	}
	return true
}

// TestRateLimits (SECURITY.md 18).
func TestRateLimits(t *testing.T) {
	eng := limitedEngine(Limits{LoginPerMin: 3, ReportsPerMin: 2, RevealsPerHour: 2})
	_, acc := st.account(t, model.RoleCadre, villageA)
	ip := freshIP()
	login := func(hdr map[string]string) (resp, map[string][]string) {
		return call(t, eng, "POST", "/api/v1/auth/password/login",
			map[string]string{"username": *acc.Username, "password": "correct-horse-battery"}, merge2(map[string]string{"Remote-Addr": ip}, hdr))
	}
	for i := 1; i <= 3; i++ {
		if r, _ := login(nil); r.Code != 200 {
			t.Fatalf("login %d: %d %s", i, r.Code, r.Raw)
		}
	}
	r, h := login(nil)
	limited := rateLimited(t, "4th login from one IP", r, h)

	// The client cannot choose its own IP, and so its own bucket.
	spoofed := 0
	for _, hdr := range []map[string]string{
		{"X-Forwarded-For": "203.0.113.7"},
		{"X-Real-IP": "203.0.113.8"},
		{"X-Forwarded-For": "203.0.113.9, 198.51.100.1"},
	} {
		if r, _ := login(hdr); r.Code != 429 {
			spoofed++
			t.Errorf("login with %v escaped the limit: %d", hdr, r.Code)
		}
	}
	// Refresh shares the login bucket.
	if r, _ := call(t, eng, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": "x"}, map[string]string{"Remote-Addr": ip}); r.Code != 429 {
		t.Errorf("refresh from a limited IP: %d", r.Code)
	}
	// Another IP has its own bucket.
	if r, _ := call(t, eng, "POST", "/api/v1/auth/password/login", map[string]string{"username": *acc.Username, "password": "correct-horse-battery"},
		map[string]string{"Remote-Addr": freshIP()}); r.Code != 200 {
		t.Errorf("login from another IP: %d %s", r.Code, r.Raw)
	}

	// Status reports per account.
	wTok, _ := st.worker(t, villageA)
	for i := 1; i <= 2; i++ {
		if r, _ := call(t, eng, "POST", "/api/v1/me/reports", map[string]any{"kind": "no_plan", "reason": "farming"}, merge2(bearer(wTok), map[string]string{"Remote-Addr": freshIP()})); r.Code != 201 {
			t.Fatalf("report %d: %d %s", i, r.Code, r.Raw)
		}
	}
	r, h = call(t, eng, "POST", "/api/v1/me/reports", map[string]any{"kind": "no_plan", "reason": "farming"}, merge2(bearer(wTok), map[string]string{"Remote-Addr": freshIP()}))
	rateLimited(t, "3rd report in a minute (from another IP)", r, h)

	// Unmasked reads per account.
	tfTok, _ := totpAccount(t, model.RoleTaskforce, testCounty)
	lab, _, _ := newLab(t, villageA, fmt.Sprintf("限流%d", seq.Add(1)))
	path := "/api/v1/labourers/" + idString(lab.ID) + "/pii?purpose=" + url.QueryEscape("核对信息")
	for i := 1; i <= 2; i++ {
		if r, _ := call(t, eng, "GET", path, nil, merge2(bearer(tfTok), map[string]string{"Remote-Addr": freshIP()})); r.Code != 200 {
			t.Fatalf("reveal %d: %d %s", i, r.Code, r.Raw)
		}
	}
	r, h = call(t, eng, "GET", path, nil, merge2(bearer(tfTok), map[string]string{"Remote-Addr": freshIP()}))
	rateLimited(t, "3rd reveal in an hour", r, h)
	var audits int64
	st.db.Model(&model.AuditLog{}).Where("action = ? AND subject_id = ?", "pii.reveal", lab.ID).Count(&audits)
	if audits != 2 {
		t.Errorf("reveals audited: %d, want 2 (the refused one reveals nothing)", audits)
	}

	// Every API call per IP.
	ipEng := limitedEngine(Limits{PerIPPerMin: 5})
	ip2 := freshIP()
	for i := 1; i <= 5; i++ {
		if r, _ := call(t, ipEng, "GET", "/api/v1/options", nil, map[string]string{"Remote-Addr": ip2}); r.Code != 200 {
			t.Fatalf("options %d: %d", i, r.Code)
		}
	}
	r, h = call(t, ipEng, "GET", "/api/v1/options", nil, map[string]string{"Remote-Addr": ip2, "X-Forwarded-For": "198.51.100.77"})
	rateLimited(t, "6th call from one IP", r, h)

	t.Logf("rate limits (SECURITY.md 18): login 3/min per IP → 4th answered %d (limited=%v), spoofed X-Forwarded-For/X-Real-IP escapes = %d; reports 2/min and reveals 2/h per account, 5 calls/min per IP: limited",
		429, limited, spoofed)
}
