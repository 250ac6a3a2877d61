package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/pii"
)

// RegionChecker validates region codes; the region service implements it.
type RegionChecker interface {
	ValidateCode(field, code string, level int) error
}

// NewAccount is what an admin fills in to create a back-office account.
type NewAccount struct {
	Username    string
	Password    string
	Role        model.Role
	DisplayName string
	RegionCodes []string
	EmployerID  *int64
}

var usernameRe = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,32}$`)

// MinPasswordLength for back-office accounts.
const MinPasswordLength = 10

// scopeLevel is the region level a role's scope must name (0 = any up to county).
func scopeLevel(r model.Role) (level int, needed bool) {
	switch r {
	case model.RoleCadre:
		return model.LevelVillage, true
	case model.RoleTaskforce:
		return model.LevelCounty, true
	case model.RoleOfficial:
		return 0, true
	}
	return 0, false
}

func validateScopes(f *apperr.Fields, regions RegionChecker, role model.Role, codes []string) {
	level, needed := scopeLevel(role)
	if !needed {
		if len(codes) > 0 {
			f.Add("region_codes", "not_allowed", "该角色不需要管辖地区")
		}
		return
	}
	if len(codes) == 0 {
		f.Add("region_codes", "required", "请选择管辖地区")
		return
	}
	if len(codes) > 200 {
		f.Add("region_codes", "too_many", "管辖地区太多")
		return
	}
	for i, c := range codes {
		field := fmt.Sprintf("region_codes[%d]", i)
		if err := regions.ValidateCode(field, c, level); err != nil {
			if e, ok := apperr.As(err); ok {
				for _, fe := range e.Fields {
					f.Add(fe.Field, fe.Code, fe.Message)
				}
				continue
			}
			f.Add(field, "invalid_region_code", "地区代码不对")
		}
		if role == model.RoleOfficial && model.LevelOf(c) > model.LevelCounty {
			f.Add(field, "region_level", "主管部门的管辖范围应为省、市或县")
		}
	}
}

// CreateAccount creates a back-office account (admin only; the API checks the role).
func (s *Service) CreateAccount(ctx context.Context, regions RegionChecker, in NewAccount) (*model.Account, error) {
	var f apperr.Fields
	in.Username = strings.TrimSpace(in.Username)
	if !usernameRe.MatchString(in.Username) {
		f.Add("username", "invalid_username", "用户名为3到32位字母、数字、下划线、点或减号")
	}
	if len([]rune(in.Password)) < MinPasswordLength || len(in.Password) > 72 {
		f.Add("password", "weak_password", fmt.Sprintf("密码至少%d位", MinPasswordLength))
	}
	if !model.Roles.Valid(string(in.Role)) || in.Role == model.RoleWorker {
		f.Add("role", "invalid_enum", "请选择角色（务工人员通过微信登录，不在这里创建）")
	}
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if in.DisplayName == "" || len([]rune(in.DisplayName)) > 50 {
		f.Add("display_name", "required", "请填写姓名（50字以内）")
	}
	if !f.Has("role") {
		validateScopes(&f, regions, in.Role, in.RegionCodes)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.cfg.BcryptCost)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	acc := &model.Account{ID: model.NewID(), Role: in.Role, Username: &in.Username, PasswordHash: string(hash),
		DisplayName: in.DisplayName, TokenVersion: 1, EmployerID: in.EmployerID}
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Create(acc).Error; err != nil {
			return err
		}
		for _, c := range dedupe(in.RegionCodes) {
			if err := tx.Create(&model.AccountScope{AccountID: acc.ID, RegionCode: c}).Error; err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "account.create", SubjectType: "account", SubjectID: acc.ID,
			After: map[string]any{"username": in.Username, "role": in.Role, "scopes": in.RegionCodes}})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, apperr.Invalid("username", "username_taken", "用户名已被使用")
	}
	if err != nil {
		return nil, fmt.Errorf("create account: %w", err)
	}
	return acc, nil
}

// AccountView is an account with its scopes for the admin list.
type AccountView struct {
	model.Account
	Scopes []string
}

// ListAccounts lists back-office accounts, newest first.
func (s *Service) ListAccounts(ctx context.Context, role string, limit, offset int) ([]AccountView, int64, error) {
	q := s.db.WithContext(ctx).Model(&model.Account{}).Where("role <> ?", model.RoleWorker)
	if role != "" {
		q = q.Where("role = ?", role)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var accs []model.Account
	if err := q.Order("id DESC").Limit(limit).Offset(offset).Find(&accs).Error; err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(accs))
	for i, a := range accs {
		ids[i] = a.ID
	}
	var scopes []model.AccountScope
	if len(ids) > 0 {
		if err := s.db.WithContext(ctx).Where("account_id IN ?", ids).Order("region_code").Find(&scopes).Error; err != nil {
			return nil, 0, err
		}
	}
	by := map[int64][]string{}
	for _, sc := range scopes {
		by[sc.AccountID] = append(by[sc.AccountID], sc.RegionCode)
	}
	out := make([]AccountView, len(accs))
	for i, a := range accs {
		out[i] = AccountView{Account: a, Scopes: by[a.ID]}
	}
	return out, total, nil
}

// SetScopes replaces an account's region scopes and ends its sessions so the
// new scope applies at once (SECURITY.md 4).
func (s *Service) SetScopes(ctx context.Context, regions RegionChecker, accountID int64, codes []string) error {
	var acc model.Account
	if err := s.db.WithContext(ctx).Take(&acc, accountID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.NotFound("账号")
		}
		return err
	}
	var f apperr.Fields
	validateScopes(&f, regions, acc.Role, codes)
	if err := f.Err(); err != nil {
		return err
	}
	return infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var before []string
		if err := tx.Model(&model.AccountScope{}).Where("account_id = ?", accountID).Pluck("region_code", &before).Error; err != nil {
			return err
		}
		if err := tx.Where("account_id = ?", accountID).Delete(&model.AccountScope{}).Error; err != nil {
			return err
		}
		for _, c := range dedupe(codes) {
			if err := tx.Create(&model.AccountScope{AccountID: accountID, RegionCode: c}).Error; err != nil {
				return err
			}
		}
		if err := s.bumpVersion(ctx, tx, accountID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "account.scopes", SubjectType: "account", SubjectID: accountID,
			Before: before, After: codes})
	})
}

// Unlock clears a password lockout.
func (s *Service) Unlock(ctx context.Context, accountID int64) error {
	return infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		res := tx.Model(&model.Account{}).Where("id = ?", accountID).Updates(map[string]any{"failed_logins": 0, "locked_until": nil})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.NotFound("账号")
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "account.unlock", SubjectType: "account", SubjectID: accountID})
	})
}

// EnrolTOTP gives an account a new TOTP secret and returns the otpauth URL to
// scan. From then on its password login needs the code.
func (s *Service) EnrolTOTP(ctx context.Context, accountID int64) (string, error) {
	var acc model.Account
	if err := s.db.WithContext(ctx).Take(&acc, accountID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return "", apperr.NotFound("账号")
		}
		return "", err
	}
	name := acc.DisplayName
	if acc.Username != nil {
		name = *acc.Username
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "就业帮", AccountName: name})
	if err != nil {
		return "", apperr.Internal(err)
	}
	sealed := s.box.Seal("accounts", "totp_secret", acc.ID, key.Secret())
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Model(&model.Account{}).Where("id = ?", acc.ID).Update("totp_secret", sealed).Error; err != nil {
			return err
		}
		if err := s.bumpVersion(ctx, tx, acc.ID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "account.totp_enrol", SubjectType: "account", SubjectID: acc.ID})
	})
	if err != nil {
		return "", err
	}
	return key.URL(), nil
}

// BindPhone stores the phone WeChat vouches for (getuserphonenumber) on a
// worker's account.
func (s *Service) BindPhone(ctx context.Context, accountID int64, code string) (*model.Account, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 128 {
		return nil, apperr.Invalid("code", "required", "缺少手机号授权凭证")
	}
	if s.wx == nil {
		return nil, apperr.New(apperr.KindUnavailable, "wechat_unconfigured", "微信未配置")
	}
	phone, err := s.wx.PhoneNumber(ctx, code)
	if err != nil {
		return nil, err
	}
	if !pii.ValidPhone(phone) {
		return nil, apperr.Invalid("code", "invalid_phone", "微信返回的手机号不是大陆手机号，请手动填写")
	}
	var acc model.Account
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Take(&acc, accountID).Error; err != nil {
			return err
		}
		before := acc.PhoneMasked
		acc.PhoneEnc = s.box.Seal("accounts", "phone", acc.ID, phone)
		acc.PhoneHash = s.box.Index("phone", phone)
		acc.PhoneMasked = pii.MaskPhone(phone)
		if err := tx.Model(&model.Account{}).Where("id = ?", acc.ID).
			Updates(map[string]any{"phone_enc": acc.PhoneEnc, "phone_hash": acc.PhoneHash, "phone_masked": acc.PhoneMasked}).Error; err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "account.phone", SubjectType: "account", SubjectID: acc.ID,
			Before: before, After: acc.PhoneMasked})
	})
	if err != nil {
		return nil, fmt.Errorf("bind phone: %w", err)
	}
	return &acc, nil
}

// AccountPhone returns the account's verified phone in clear, for binding.
func (s *Service) AccountPhone(acc *model.Account) (string, error) {
	return s.box.Open("accounts", "phone", acc.ID, acc.PhoneEnc)
}

// Get loads an account.
func (s *Service) Get(ctx context.Context, id int64) (*model.Account, error) {
	var acc model.Account
	if err := s.db.WithContext(ctx).Take(&acc, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("账号")
		}
		return nil, err
	}
	return &acc, nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
