package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jiuyebang/jiuyebang/model"
)

// Token claims settings (SECURITY.md 4).
const (
	Issuer    = "jiuyebang"
	Audience  = "jiuyebang-api"
	TypAccess = "access"
	leeway    = 30 * time.Second
	maxToken  = 4096 // bytes; a longer bearer token is refused before parsing
)

// Claims are an access token's claims.
type Claims struct {
	jwt.RegisteredClaims
	Role    model.Role `json:"role"`
	Version int        `json:"ver"`
	Typ     string     `json:"typ"`
}

type signer struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

func (s signer) issue(acc *model.Account) (string, error) {
	now := s.now()
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   strconv.FormatInt(acc.ID, 10),
			Audience:  jwt.ClaimStrings{Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.ttl)),
			ID:        randomToken(9),
		},
		Role:    acc.Role,
		Version: acc.TokenVersion,
		Typ:     TypAccess,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
}

var errBadToken = errors.New("bad token")

func (s signer) parse(tok string) (*Claims, error) {
	if len(tok) > maxToken {
		return nil, errBadToken
	}
	var c Claims
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(s.now),
	)
	_, err := p.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return s.key, nil })
	if err != nil {
		return nil, err
	}
	if c.Typ != TypAccess || c.Subject == "" {
		return nil, errBadToken
	}
	return &c, nil
}

// randomToken returns n random bytes, URL-safe base64.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}
