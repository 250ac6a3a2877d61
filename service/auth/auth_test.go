package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jiuyebang/jiuyebang/model"
)

// TestSignerClockEdges pins the leeway (SECURITY.md 4): a token is good until
// exp + leeway and refused a moment later; an iat slightly ahead (clock skew)
// passes, one beyond the leeway does not.
func TestSignerClockEdges(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	at := func(d time.Duration) signer {
		return signer{key: key, ttl: 15 * time.Minute, now: func() time.Time { return t0.Add(d) }}
	}
	acc := &model.Account{ID: 42, Role: model.RoleCadre, TokenVersion: 3}
	tok, err := at(0).issue(acc)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		now  time.Duration
		ok   bool
	}{
		{"at issue", 0, true},
		{"issued 20s in our future (skew)", -20 * time.Second, true},
		{"issued beyond the leeway in our future", -leeway - 2*time.Second, false},
		{"just before expiry", 15*time.Minute - time.Second, true},
		{"expired, within the leeway", 15*time.Minute + leeway - 2*time.Second, true},
		{"expired beyond the leeway", 15*time.Minute + leeway + 2*time.Second, false},
		{"a day later", 24 * time.Hour, false},
	}
	for _, c := range cases {
		cl, err := at(c.now).parse(tok)
		if (err == nil) != c.ok {
			t.Errorf("%s: ok=%v, err=%v", c.name, c.ok, err)
			continue
		}
		if c.ok && (cl.Subject != "42" || cl.Role != model.RoleCadre || cl.Version != 3 || cl.Typ != TypAccess) {
			t.Errorf("%s: claims %+v", c.name, cl)
		}
	}
	// The issued token says what the parser demands.
	p, _, err := jwt.NewParser().ParseUnverified(tok, &Claims{})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Claims.(*Claims)
	if p.Method.Alg() != "HS256" || c.Issuer != Issuer || len(c.Audience) != 1 || c.Audience[0] != Audience || c.ExpiresAt == nil || c.IssuedAt == nil || c.ID == "" {
		t.Errorf("issued claims: alg %s %+v", p.Method.Alg(), c)
	}
	// Over-long bearer strings are refused before parsing.
	if _, err := at(0).parse(tok + strings.Repeat("A", maxToken)); err == nil {
		t.Error("an over-long token was parsed")
	}
	t.Logf("JWT clock edges: %d cases, leeway %s", len(cases), leeway)
}
