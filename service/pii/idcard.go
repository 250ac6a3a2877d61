package pii

import (
	"strings"
	"time"
)

// idWeights and idCheck are GB 11643's ISO 7064 MOD 11-2 weights and check characters.
var (
	idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idCheck   = "10X98765432"
)

// IDProblem names what is wrong with a 身份证 number; "" means valid.
type IDProblem string

// Problems an ID number can have, with stable codes for the API.
const (
	IDOK          IDProblem = ""
	IDBadLength   IDProblem = "invalid_length"
	IDBadChars    IDProblem = "invalid_chars"
	IDBadBirth    IDProblem = "invalid_birth_date"
	IDBadCheck    IDProblem = "invalid_check_digit"
	IDBadProvince IDProblem = "invalid_region"
)

// Message is the problem in Chinese.
func (p IDProblem) Message() string {
	switch p {
	case IDBadLength:
		return "身份证号码应为18位"
	case IDBadChars:
		return "身份证号码只能是数字，最后一位可以是X"
	case IDBadBirth:
		return "身份证号码中的出生日期不对"
	case IDBadCheck:
		return "身份证号码校验位不对，请仔细核对"
	case IDBadProvince:
		return "身份证号码的地区代码不对"
	}
	return ""
}

// NormalizeID trims spaces and upper-cases a trailing x.
func NormalizeID(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// CheckID validates an 18-digit 身份证 number (GB 11643): length, digits,
// a real birth date not in the future, and the MOD 11-2 check character.
// now is passed in so tests control the clock.
func CheckID(id string, now time.Time) IDProblem {
	if len(id) != 18 {
		return IDBadLength
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return IDBadChars
		}
		sum += int(c-'0') * idWeights[i]
	}
	if last := id[17]; (last < '0' || last > '9') && last != 'X' {
		return IDBadChars
	}
	if id[0] < '1' || id[0] > '8' {
		return IDBadProvince
	}
	birth, ok := IDBirthDate(id)
	if !ok || birth.After(now) || birth.Year() < 1900 {
		return IDBadBirth
	}
	if idCheck[sum%11] != id[17] {
		return IDBadCheck
	}
	return IDOK
}

// IDBirthDate reads the birth date out of an 18-digit number.
func IDBirthDate(id string) (time.Time, bool) {
	if len(id) != 18 {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102", id[6:14])
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// IDGender is "M" or "F" from the 17th digit.
func IDGender(id string) string {
	if len(id) != 18 {
		return ""
	}
	if (id[16]-'0')%2 == 1 {
		return "M"
	}
	return "F"
}

// IDCheckChar computes the check character for 17 digits (used to make test data).
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheck[sum%11]
}

// ValidPhone reports whether p is a mainland mobile number (11 digits, 1[3-9]…).
func ValidPhone(p string) bool {
	if len(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9' {
		return false
	}
	for i := 2; i < 11; i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}
