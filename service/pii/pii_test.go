package pii

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func key(b byte) []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = b + byte(i)
	}
	return k
}

func TestIDVectors(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		id   string
		want IDProblem
	}{
		{"11010519491231002X", IDOK},
		{NormalizeID("11010519491231002x"), IDOK},
		{"110105194912310021", IDBadCheck},
		{"11010519491231002", IDBadLength},
		{"1101051949123100211", IDBadLength},
		{"11010519491331002X", IDBadBirth}, // month 13
		{"11010530001231002X", IDBadBirth}, // year 3000: future
		{"1101051949123A002X", IDBadChars}, // letter inside
		{"11010519491231002Y", IDBadChars}, // bad last char
		{"910105194912310020", IDBadProvince},
		{"622926199001011234", CheckID("622926199001011234", now)}, // self-consistency
	}
	for _, c := range cases {
		if got := CheckID(c.id, now); got != c.want {
			t.Errorf("CheckID(%s) = %q, want %q", c.id, got, c.want)
		}
	}
	// Every check character is reachable and verifies.
	for i := 0; i < 200; i++ {
		first := fmt.Sprintf("62292619900101%03d", i)
		id := first + string(IDCheckChar(first))
		if p := CheckID(id, now); p != IDOK {
			t.Fatalf("generated %s: %q", id, p)
		}
	}
	if IDGender("11010519491231002X") != "F" || IDGender("110105194912310010") != "M" {
		t.Error("gender from the 17th digit")
	}
}

func TestSealOpen(t *testing.T) {
	b, err := New(key(1), key(2))
	if err != nil {
		t.Fatal(err)
	}
	ct := b.Seal("labourers", "id_number", 42, "11010519491231002X")
	if strings.Contains(ct, "11010519491231002X") || !strings.HasPrefix(ct, "v1:") {
		t.Fatalf("ciphertext %q", ct)
	}
	if ct == b.Seal("labourers", "id_number", 42, "11010519491231002X") {
		t.Error("nonce must be random")
	}
	pt, err := b.Open("labourers", "id_number", 42, ct)
	if err != nil || pt != "11010519491231002X" {
		t.Fatalf("open: %q %v", pt, err)
	}
	// Moved to another row or column: refused.
	if _, err := b.Open("labourers", "id_number", 43, ct); err != ErrTampered {
		t.Errorf("row swap accepted: %v", err)
	}
	if _, err := b.Open("labourers", "phone", 42, ct); err != ErrTampered {
		t.Errorf("column swap accepted: %v", err)
	}
	// Every flipped byte is refused.
	accepted := 0
	for i := len("v1:"); i < len(ct); i++ {
		bs := []byte(ct)
		bs[i] ^= 0x01
		if _, err := b.Open("labourers", "id_number", 42, string(bs)); err == nil {
			accepted++
		}
	}
	t.Logf("tampered values accepted = %d of %d", accepted, len(ct)-3)
	if accepted != 0 {
		t.Fatal("tampered ciphertext accepted")
	}
	if _, err := New(key(1)[:16], key(2)); err == nil {
		t.Error("short key accepted")
	}
}

func TestIndexAndMask(t *testing.T) {
	b, _ := New(key(1), key(2))
	if b.Index("id", "X") != b.Index("id", "X") || b.Index("id", "X") == b.Index("phone", "X") {
		t.Error("index must be deterministic and namespaced")
	}
	other, _ := New(key(1), key(3))
	if b.Index("id", "X") == other.Index("id", "X") {
		t.Error("index must depend on the index key")
	}
	if got := MaskID("620102199001011234"); got != "6201**********1234" {
		t.Errorf("MaskID %s", got)
	}
	if got := MaskPhone("13812341234"); got != "138****1234" {
		t.Errorf("MaskPhone %s", got)
	}
	for p, ok := range map[string]bool{"13812341234": true, "12812341234": false, "1381234123": false, "1381234123a": false} {
		if ValidPhone(p) != ok {
			t.Errorf("ValidPhone(%s) != %v", p, ok)
		}
	}
}
