// Package auth logs people in and tells the API who is calling: WeChat login
// for workers, passwords with lockout and TOTP for back-office accounts, a dev
// login for the embedded default, short JWT access tokens and opaque rotating
// refresh tokens (SECURITY.md 1–5).
package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/pquerna/otp/totp"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/pii"
)

// Lockout policy for password logins (SECURITY.md 5).
const (
	MaxFailedLogins = 5
	LockoutDuration = 15 * time.Minute
)

// WeChat is the part of the WeChat client auth needs; faked in tests.
type WeChat interface {
	Code2Session(ctx context.Context, code string) (openID, unionID string, err error)
	PhoneNumber(ctx context.Context, code string) (string, error)
}

// Config holds the auth settings taken from the app config.
type Config struct {
	JWTKey     []byte
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	DevLogin   bool
	BcryptCost int
	Now        func() time.Time
}

// Service is the auth capability.
type Service struct {
	db     *gorm.DB
	box    *pii.Box
	wx     WeChat
	signer signer
	cfg    Config
}

// New builds the auth service.
func New(db *gorm.DB, box *pii.Box, wx WeChat, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.DefaultCost
	}
	return &Service{db: db, box: box, wx: wx, cfg: cfg, signer: signer{key: cfg.JWTKey, ttl: cfg.AccessTTL, now: cfg.Now}}
}

// DevLoginEnabled reports whether the dev login is on.
func (s *Service) DevLoginEnabled() bool { return s.cfg.DevLogin }

// TokenPair is what a login returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int
	Account      *model.Account
}

var errLoginAgain = apperr.Unauthorized("unauthorized", "登录已失效，请重新登录")

// WeChatLogin exchanges a wx.login code for tokens, creating the worker's
// account on first login.
func (s *Service) WeChatLogin(ctx context.Context, code string) (*TokenPair, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 128 {
		return nil, apperr.Invalid("code", "required", "缺少微信登录凭证")
	}
	if s.wx == nil {
		return nil, apperr.New(apperr.KindUnavailable, "wechat_unconfigured", "微信登录未配置")
	}
	openID, unionID, err := s.wx.Code2Session(ctx, code)
	if err != nil {
		return nil, err
	}
	var acc model.Account
	err = s.db.WithContext(ctx).Where("open_id = ?", openID).Take(&acc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		acc = model.Account{ID: model.NewID(), Role: model.RoleWorker, OpenID: &openID, UnionID: unionID, TokenVersion: 1}
		err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
			if err := tx.Create(&acc).Error; err != nil {
				return err
			}
			return audit.Write(actor.With(ctx, &actor.Actor{AccountID: acc.ID, Role: acc.Role, RequestID: actor.From(ctx).RequestID, IP: actor.From(ctx).IP}), tx,
				audit.Entry{Action: "account.create", SubjectType: "account", SubjectID: acc.ID, After: map[string]any{"role": acc.Role, "via": "wechat"}})
		})
		if errors.Is(err, gorm.ErrDuplicatedKey) { // two first logins at once
			err = s.db.WithContext(ctx).Where("open_id = ?", openID).Take(&acc).Error
		}
	}
	if err != nil {
		return nil, fmt.Errorf("wechat login: %w", err)
	}
	if acc.Disabled {
		return nil, apperr.Forbidden("账号已停用，请联系村干部")
	}
	return s.issue(ctx, &acc, "")
}

// PasswordLogin logs a back-office account in, locking it after repeated failures.
func (s *Service) PasswordLogin(ctx context.Context, username, password, totpCode string) (*TokenPair, error) {
	var f apperr.Fields
	if strings.TrimSpace(username) == "" {
		f.Add("username", "required", "请输入用户名")
	}
	if password == "" {
		f.Add("password", "required", "请输入密码")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	bad := apperr.Unauthorized("bad_credentials", "用户名或密码不对")
	var acc model.Account
	err := s.db.WithContext(ctx).Where("username = ?", strings.TrimSpace(username)).Take(&acc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Same work as a real check, so timing does not reveal which usernames exist.
		_ = bcrypt.CompareHashAndPassword([]byte("$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z3.nYR4u8Z3qzWpmLV4sS7e."), []byte(password))
		return nil, bad
	}
	if err != nil {
		return nil, fmt.Errorf("password login: %w", err)
	}
	now := s.cfg.Now().UTC()
	locked := func(until *time.Time) error {
		e := apperr.New(apperr.KindTooMany, "account_locked", "密码错误次数太多，账号已锁定，请15分钟后再试或联系管理员")
		e.RetryAfter = int(LockoutDuration.Seconds())
		if until != nil {
			e.RetryAfter = int(until.Sub(now).Seconds()) + 1
		}
		return e
	}
	if acc.LockedUntil != nil && acc.LockedUntil.After(now) {
		return nil, locked(acc.LockedUntil)
	}
	if acc.Disabled || acc.PasswordHash == "" {
		return nil, bad
	}
	// Take this attempt from the allowance before checking it, in one
	// statement, so concurrent guesses cannot all read the same failure count;
	// the attempt that uses the allowance up locks the account. (SET reads
	// the old failed_logins on both MySQL and SQLite in this order.)
	res := s.db.WithContext(ctx).Exec("UPDATE accounts SET locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END, "+
		"failed_logins = failed_logins + 1 WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?)",
		MaxFailedLogins, now.Add(LockoutDuration), acc.ID, now)
	if res.Error != nil {
		return nil, fmt.Errorf("password login: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		var cur model.Account
		s.db.WithContext(ctx).Select("locked_until").Take(&cur, acc.ID)
		return nil, locked(cur.LockedUntil)
	}
	ok := bcrypt.CompareHashAndPassword([]byte(acc.PasswordHash), []byte(password)) == nil
	if ok && acc.TOTPSecret != "" {
		secret, err := s.box.Open("accounts", "totp_secret", acc.ID, acc.TOTPSecret)
		if err != nil {
			return nil, apperr.Internal(err)
		}
		if totpCode == "" {
			// Right password, code still to come: give the attempt back.
			if err := s.db.WithContext(ctx).Exec("UPDATE accounts SET locked_until = CASE WHEN failed_logins >= ? THEN NULL ELSE locked_until END, "+
				"failed_logins = failed_logins - 1 WHERE id = ? AND failed_logins > 0", MaxFailedLogins, acc.ID).Error; err != nil {
				return nil, fmt.Errorf("password login: %w", err)
			}
			return nil, apperr.Invalid("totp_code", "totp_required", "请输入动态验证码")
		}
		if !totp.Validate(strings.TrimSpace(totpCode), secret) {
			ok = false
		}
	}
	if !ok {
		// Once the allowance is used up the lock is on; the count starts afresh behind it.
		if err := s.db.WithContext(ctx).Model(&model.Account{}).Where("id = ? AND failed_logins >= ?", acc.ID, MaxFailedLogins).
			Update("failed_logins", 0).Error; err != nil {
			return nil, fmt.Errorf("record failed login: %w", err)
		}
		return nil, bad
	}
	if err := s.db.WithContext(ctx).Model(&model.Account{}).Where("id = ?", acc.ID).
		Updates(map[string]any{"failed_logins": 0, "locked_until": nil}).Error; err != nil {
		return nil, fmt.Errorf("password login: %w", err)
	}
	return s.issue(ctx, &acc, "")
}

// DevAccounts lists the demo accounts the dev login offers.
func (s *Service) DevAccounts(ctx context.Context) ([]model.Account, error) {
	if !s.cfg.DevLogin {
		return nil, apperr.NotFound("开发登录")
	}
	var list []model.Account
	err := s.db.WithContext(ctx).Where("demo = ?", true).Order("id").Find(&list).Error
	return list, err
}

// DevLogin logs in as a demo account; only in the embedded default.
func (s *Service) DevLogin(ctx context.Context, accountID int64) (*TokenPair, error) {
	if !s.cfg.DevLogin {
		return nil, apperr.NotFound("开发登录")
	}
	var acc model.Account
	err := s.db.WithContext(ctx).Where("id = ? AND demo = ?", accountID, true).Take(&acc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.Invalid("account_id", "unknown_account", "没有这个演示账号")
	}
	if err != nil {
		return nil, err
	}
	return s.issue(ctx, &acc, "")
}

// issue makes an access token and a refresh token in the given family
// (a new family when family is "").
func (s *Service) issue(ctx context.Context, acc *model.Account, family string) (*TokenPair, error) {
	access, err := s.signer.issue(acc)
	if err != nil {
		return nil, err
	}
	if family == "" {
		family = randomToken(16)
	}
	refresh := randomToken(32)
	row := model.RefreshToken{AccountID: acc.ID, FamilyID: family, TokenHash: hashToken(refresh), ExpiresAt: s.cfg.Now().Add(s.cfg.RefreshTTL)}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return nil, fmt.Errorf("store refresh token: %w", err)
	}
	return &TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: int(s.cfg.AccessTTL.Seconds()), Account: acc}, nil
}

// Refresh rotates a refresh token. A token used twice means it was stolen or
// replayed: the whole family is revoked (SECURITY.md 4).
func (s *Service) Refresh(ctx context.Context, token string) (*TokenPair, error) {
	if token == "" || len(token) > 256 {
		return nil, errLoginAgain
	}
	now := s.cfg.Now()
	var row model.RefreshToken
	err := s.db.WithContext(ctx).Where("token_hash = ?", hashToken(token)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errLoginAgain
	}
	if err != nil {
		return nil, err
	}
	if row.RevokedAt != nil || now.After(row.ExpiresAt) {
		return nil, errLoginAgain
	}
	res := s.db.WithContext(ctx).Model(&model.RefreshToken{}).
		Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", row.ID).Update("used_at", now)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected != 1 {
		s.db.WithContext(ctx).Model(&model.RefreshToken{}).
			Where("family_id = ? AND revoked_at IS NULL", row.FamilyID).Update("revoked_at", now)
		return nil, apperr.Unauthorized("refresh_reused", "登录凭证已被使用过，为安全起见请重新登录")
	}
	var acc model.Account
	if err := s.db.WithContext(ctx).Take(&acc, row.AccountID).Error; err != nil {
		return nil, errLoginAgain
	}
	if acc.Disabled {
		return nil, errLoginAgain
	}
	return s.issue(ctx, &acc, row.FamilyID)
}

// Logout ends every session of the account: the token version moves on, so
// access tokens stop working at once, and refresh tokens are revoked.
func (s *Service) Logout(ctx context.Context, accountID int64) error {
	return s.bumpVersion(ctx, s.db, accountID)
}

func (s *Service) bumpVersion(ctx context.Context, tx *gorm.DB, accountID int64) error {
	if err := tx.WithContext(ctx).Model(&model.Account{}).Where("id = ?", accountID).
		Update("token_version", gorm.Expr("token_version + 1")).Error; err != nil {
		return fmt.Errorf("bump token version: %w", err)
	}
	return tx.WithContext(ctx).Model(&model.RefreshToken{}).
		Where("account_id = ? AND revoked_at IS NULL", accountID).Update("revoked_at", s.cfg.Now()).Error
}

// Authenticate turns a bearer token into the actor, checking the token
// version so logout and role or scope changes take effect at once.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*actor.Actor, error) {
	c, err := s.signer.parse(bearer)
	if err != nil {
		return nil, errLoginAgain
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil {
		return nil, errLoginAgain
	}
	// One round trip for the account and, for a worker, their labourer row.
	var row struct {
		model.Account
		LabID *int64 `gorm:"column:lab_id"`
	}
	err = s.db.WithContext(ctx).Table("accounts").Select("accounts.*, labourers.id AS lab_id").
		Joins("LEFT JOIN labourers ON labourers.account_id = accounts.id").Where("accounts.id = ?", id).Take(&row).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, errLoginAgain
		}
		return nil, err
	}
	acc := row.Account
	if acc.Disabled || acc.TokenVersion != c.Version || acc.Role != c.Role {
		return nil, errLoginAgain
	}
	if row.LabID == nil {
		var zero int64
		row.LabID = &zero
	}
	return s.actor(ctx, &acc, row.LabID)
}

// Actor builds the actor for an account: scopes, and a worker's own labourer.
func (s *Service) Actor(ctx context.Context, acc *model.Account) (*actor.Actor, error) {
	return s.actor(ctx, acc, nil)
}

// actor builds the actor; known is the worker's labourer id when the caller
// already read it (nil: look it up; a pointer to 0: not bound).
func (s *Service) actor(ctx context.Context, acc *model.Account, known *int64) (*actor.Actor, error) {
	a := &actor.Actor{AccountID: acc.ID, Role: acc.Role, Name: acc.DisplayName, TOTP: acc.TOTPSecret != ""}
	if acc.EmployerID != nil {
		a.EmployerID = *acc.EmployerID
	}
	switch acc.Role {
	case model.RoleWorker:
		if known != nil {
			a.LabourerID = *known
			break
		}
		var ids []int64
		if err := s.db.WithContext(ctx).Model(&model.Labourer{}).Where("account_id = ?", acc.ID).Limit(1).Pluck("id", &ids).Error; err != nil {
			return nil, err
		}
		if len(ids) == 1 {
			a.LabourerID = ids[0]
		}
	case model.RoleCadre, model.RoleTaskforce, model.RoleOfficial:
		if err := s.db.WithContext(ctx).Model(&model.AccountScope{}).Where("account_id = ?", acc.ID).
			Order("region_code").Pluck("region_code", &a.Scopes).Error; err != nil {
			return nil, err
		}
	}
	return a, nil
}
