// Package pii protects personal information (SECURITY.md 9): 身份证 numbers
// and phones are encrypted with AES-256-GCM under a random nonce, with the
// table, column and row id as associated data so a ciphertext cannot be moved
// to another row or column; they are found by an HMAC-SHA256 blind index under
// a separate key, and shown masked.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// keyVersion prefixes every ciphertext so keys can be rotated later.
const keyVersion = "v1:"

// ErrTampered is returned when a ciphertext fails authentication.
var ErrTampered = errors.New("pii: ciphertext failed authentication")

// Box encrypts, decrypts and indexes personal data.
type Box struct {
	aead     cipher.AEAD
	indexKey []byte
}

// New builds a Box from a 32-byte encryption key and a separate index key.
func New(encKey, indexKey []byte) (*Box, error) {
	if len(encKey) != 32 {
		return nil, errors.New("pii: encryption key must be 32 bytes")
	}
	if len(indexKey) < 32 {
		return nil, errors.New("pii: index key must be at least 32 bytes")
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, indexKey: append([]byte(nil), indexKey...)}, nil
}

func aad(table, column string, rowID int64) []byte {
	return []byte(table + "/" + column + "/" + strconv.FormatInt(rowID, 10))
}

// Seal encrypts plaintext bound to table/column/row.
func (b *Box) Seal(table, column string, rowID int64, plaintext string) string {
	if plaintext == "" {
		return ""
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	ct := b.aead.Seal(nonce, nonce, []byte(plaintext), aad(table, column, rowID))
	return keyVersion + base64.RawStdEncoding.EncodeToString(ct)
}

// Open decrypts a value sealed for table/column/row.
func (b *Box) Open(table, column string, rowID int64, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if !strings.HasPrefix(sealed, keyVersion) {
		return "", fmt.Errorf("pii: unknown key version")
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed[len(keyVersion):])
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", ErrTampered
	}
	n := b.aead.NonceSize()
	pt, err := b.aead.Open(nil, raw[:n], raw[n:], aad(table, column, rowID))
	if err != nil {
		return "", ErrTampered
	}
	return string(pt), nil
}

// Index returns the blind index of a normalised value within a namespace
// ("id", "phone"), so equal values in different columns do not share a hash.
func (b *Box) Index(namespace, value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, b.indexKey)
	m.Write([]byte(namespace))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// MaskID shows the first four and last four characters: 6201**********1234.
func MaskID(id string) string {
	if len(id) < 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}

// MaskName shows a name's first and last characters: 马*军, 马*, 欧阳**娜.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return string(r)
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// MaskPhone shows 138****1234.
func MaskPhone(p string) string {
	if len(p) != 11 {
		if len(p) <= 4 {
			return strings.Repeat("*", len(p))
		}
		return strings.Repeat("*", len(p)-4) + p[len(p)-4:]
	}
	return p[:3] + "****" + p[7:]
}
