package jobs

import "strings"

// creditCharset is the 31 characters a 统一社会信用代码 may use (GB 32100-2015
// 4.2: digits and upper-case letters without I, O, Z, S, V); a character's
// value is its position.
const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the weights of positions 1–17: 3^(i-1) mod 31 (GB 32100 附录 B).
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Credit code problems, also the field error codes.
const (
	CreditOK          = ""
	CreditBadLength   = "invalid_length"
	CreditBadChar     = "invalid_char"
	CreditBadRegion   = "invalid_region"
	CreditCheckDigit  = "invalid_check_digit"
	creditCodeLength  = 18
	creditRegionStart = 2 // positions 3–8 hold the registering authority's region code
	creditRegionEnd   = 8
)

// NormalizeCreditCode trims spaces and upper-cases the letters.
func NormalizeCreditCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// CreditCheckChar computes the check character of the first 17 characters
// (GB 32100 附录 B: C18 = 31 − (Σ Ci·Wi mod 31), 31 written as 0). It returns
// 0 when first17 is not 17 characters of the charset.
func CreditCheckChar(first17 string) byte {
	if len(first17) != creditCodeLength-1 {
		return 0
	}
	sum := 0
	for i := 0; i < len(first17); i++ {
		v := strings.IndexByte(creditCharset, first17[i])
		if v < 0 {
			return 0
		}
		sum += v * creditWeights[i]
	}
	return creditCharset[(31-sum%31)%31]
}

// CheckCreditCode validates a normalised 统一社会信用代码 and names the
// problem (CreditOK when valid).
func CheckCreditCode(code string) string {
	if len(code) != creditCodeLength {
		return CreditBadLength
	}
	for i := 0; i < len(code); i++ {
		if strings.IndexByte(creditCharset, code[i]) < 0 {
			return CreditBadChar
		}
	}
	for i := creditRegionStart; i < creditRegionEnd; i++ {
		if code[i] < '0' || code[i] > '9' {
			return CreditBadRegion
		}
	}
	if CreditCheckChar(code[:17]) != code[17] {
		return CreditCheckDigit
	}
	return CreditOK
}

// creditMessages are the Chinese messages of the problems.
var creditMessages = map[string]string{
	CreditBadLength:  "统一社会信用代码应为18位",
	CreditBadChar:    "统一社会信用代码只能由数字和大写字母组成（不含I、O、Z、S、V）",
	CreditBadRegion:  "统一社会信用代码第3到8位应为行政区划代码",
	CreditCheckDigit: "统一社会信用代码校验位不对，请仔细核对",
}
