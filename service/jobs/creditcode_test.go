package jobs

import "testing"

func TestCheckCreditCode(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"design vector", "91350100M000100Y43", CreditOK},
		{"lower case normalised", " 91350100m000100y43 ", CreditOK},
		{"check char wrong", "91350100M000100Y44", CreditCheckDigit},
		{"check char letter wrong", "91350100M000100Y4A", CreditCheckDigit},
		{"two chars swapped", "91350100M000100Y34", CreditCheckDigit},
		{"one body char changed", "91350100M000101Y43", CreditCheckDigit},
		{"too short", "91350100M000100Y4", CreditBadLength},
		{"too long", "91350100M000100Y433", CreditBadLength},
		{"empty", "", CreditBadLength},
		{"forbidden letter I", "91350100M000100I43", CreditBadChar},
		{"forbidden letter O", "9135010OM000100Y43", CreditBadChar},
		{"non-ascii", "91350100M000100Y4３", CreditBadLength},
		{"region not digits", "91A50100M000100Y43", CreditBadRegion},
		{"generated vector with our own check char", withCheck("91620000MA7XXXXX1"), CreditOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := CheckCreditCode(NormalizeCreditCode(c.in)); got != c.want {
				t.Errorf("CheckCreditCode(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestCreditCheckChar(t *testing.T) {
	if c := CreditCheckChar("91350100M000100Y4"); c != '3' {
		t.Errorf("check char = %q, want '3'", c)
	}
	for _, bad := range []string{"", "91350100M000100Y", "91350100M000100I4"} {
		if c := CreditCheckChar(bad); c != 0 {
			t.Errorf("CreditCheckChar(%q) = %q, want 0", bad, c)
		}
	}
	// Every position's weight matters: changing any one character of a
	// valid code breaks it.
	valid := "91350100M000100Y43"
	for i := 0; i < 17; i++ {
		b := []byte(valid)
		if b[i] == '1' {
			b[i] = '2'
		} else {
			b[i] = '1'
		}
		if CheckCreditCode(string(b)) == CreditOK {
			t.Errorf("changing position %d kept the code valid: %s", i+1, b)
		}
	}
}

// withCheck appends the check character (test helper for generated vectors).
func withCheck(first17 string) string { return first17 + string(CreditCheckChar(first17)) }
