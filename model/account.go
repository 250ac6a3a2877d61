package model

import "time"

// Account is anyone who logs in: a worker through WeChat, or a back-office
// user (cadre, task force, official, employer member, admin) by password.
type Account struct {
	ID           int64   `gorm:"primaryKey;autoIncrement:false"`
	Role         Role    `gorm:"size:16;not null;index"`
	Username     *string `gorm:"size:64;uniqueIndex"`
	PasswordHash string  `gorm:"size:100"`
	OpenID       *string `gorm:"column:open_id;size:64;uniqueIndex"`
	UnionID      string  `gorm:"size:64"`
	DisplayName  string  `gorm:"size:50"`
	PhoneEnc     string  `gorm:"size:128"`
	PhoneHash    string  `gorm:"size:64;index"`
	PhoneMasked  string  `gorm:"size:16"`
	TOTPSecret   string  `gorm:"column:totp_secret;size:160"`
	TokenVersion int     `gorm:"not null;default:1"`
	FailedLogins int     `gorm:"not null;default:0"`
	LockedUntil  *time.Time
	Disabled     bool `gorm:"not null;default:false"`
	Demo         bool `gorm:"not null;default:false"`
	EmployerID   *int64
	CreatedBy    *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AccountScope grants an account a region subtree: villages for a cadre, a
// county for a task force, any region for an official.
type AccountScope struct {
	ID         int64  `gorm:"primaryKey"`
	AccountID  int64  `gorm:"not null;uniqueIndex:uq_scope"`
	RegionCode string `gorm:"size:12;not null;uniqueIndex:uq_scope;index"`
}

// RefreshToken is an opaque, rotating refresh token stored as a hash
// (SECURITY.md 4). Tokens issued from one login share a family; reuse of a
// spent token revokes the family.
type RefreshToken struct {
	ID        int64     `gorm:"primaryKey"`
	AccountID int64     `gorm:"not null;index"`
	FamilyID  string    `gorm:"size:32;not null;index"`
	TokenHash string    `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}
