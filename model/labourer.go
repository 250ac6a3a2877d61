package model

import "time"

// Record statuses of a labourer row: active rows are in the ledger; pending
// rows were created by a worker who was not in the registry and wait for
// their village's cadre.
const (
	RecordActive  = "active"
	RecordPending = "pending"
)

// Household is a registered household (户).
type Household struct {
	ID             int64  `gorm:"primaryKey;autoIncrement:false"`
	HeadName       string `gorm:"size:50;not null"`
	ProvinceCode   string `gorm:"size:2;not null;index"`
	CityCode       string `gorm:"size:4;not null;index"`
	CountyCode     string `gorm:"size:6;not null;index"`
	TownCode       string `gorm:"size:9;not null;index"`
	VillageCode    string `gorm:"size:12;not null;index"`
	Address        string `gorm:"size:200"`
	Relocated      bool   `gorm:"not null;default:false"` // 易地扶贫搬迁
	ZeroEmployment bool   `gorm:"not null;default:false"` // 零就业家庭
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Labourer is one registered labourer (劳动力) with the collection form's
// 基本信息 block (seed 002 附件1). 身份证 and phone are encrypted at rest,
// found by an HMAC blind index and shown masked (SECURITY.md 9).
type Labourer struct {
	ID             int64  `gorm:"primaryKey;autoIncrement:false"`
	HouseholdID    int64  `gorm:"not null;index"`
	Name           string `gorm:"size:50;not null"`
	IDNumberEnc    string `gorm:"column:id_number_enc;size:128;not null"`
	IDNumberHash   string `gorm:"column:id_number_hash;size:64;not null;uniqueIndex"`
	IDMasked       string `gorm:"column:id_masked;size:18;not null"`
	Gender         string `gorm:"size:1"` // M/F, from the 身份证
	BirthDate      time.Time
	PhoneEnc       string `gorm:"size:128"`
	PhoneHash      string `gorm:"size:64;index"`
	PhoneMasked    string `gorm:"size:16"`
	Ethnicity      string `gorm:"size:16"`
	ProvinceCode   string `gorm:"size:2;not null;index"`
	CityCode       string `gorm:"size:4;not null;index"`
	CountyCode     string `gorm:"size:6;not null;index"`
	TownCode       string `gorm:"size:9;not null;index"`
	VillageCode    string `gorm:"size:12;not null;index"`
	Address        string `gorm:"size:200"`
	LabourCapacity string `gorm:"size:16"`
	SkillLevel     string `gorm:"size:24"`
	TwoAfter       bool   `gorm:"not null;default:false"` // 两后生
	Education      string `gorm:"size:24"`
	GraduationDate *time.Time
	State          string `gorm:"size:16;not null;default:normal"`
	StateReason    string `gorm:"size:24"`
	Category       string `gorm:"size:24;not null;index"`
	YuluGraduate   bool   `gorm:"not null;default:false"` // 雨露计划毕业生
	RecordStatus   string `gorm:"size:10;not null;default:active;index"`
	AccountID      *int64 `gorm:"uniqueIndex"`
	// Cached current status, rewritten with every status change so lists need no joins.
	Working      bool   `gorm:"not null;default:false"`
	PlaceScope   string `gorm:"size:16"`
	WantsWork    bool   `gorm:"not null;default:false"`
	StatusSource string `gorm:"size:8"`
	StatusAt     *time.Time
	Version      int `gorm:"not null;default:1"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}
