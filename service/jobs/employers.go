package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/auth"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/pii"
)

// Error codes of the employer rules.
const (
	ErrCreditCodeTaken   = "credit_code_taken"
	ErrAlreadyRegistered = "already_registered"
	ErrNotPending        = "not_pending"
	ErrNotVerified       = "employer_not_verified"
)

// EmployerInput is what a registration says.
type EmployerInput struct {
	CreditCode  string
	Name        string
	Kind        string
	RegionCode  string
	Address     string
	ContactName string
	Phone       string
}

func (s *Service) validateEmployer(in *EmployerInput) error {
	var f apperr.Fields
	in.CreditCode = NormalizeCreditCode(in.CreditCode)
	if p := CheckCreditCode(in.CreditCode); in.CreditCode == "" {
		f.Add("credit_code", "required", "请填写统一社会信用代码")
	} else if p != CreditOK {
		f.Add("credit_code", p, creditMessages[p])
	}
	in.Name = strings.TrimSpace(in.Name)
	if n := runes(in.Name); n < 2 || n > 100 {
		f.Add("name", "required", "请填写单位名称（2到100字）")
	}
	if !model.EmployerKinds.Valid(in.Kind) {
		f.Add("kind", "invalid_enum", "请选择单位类型")
	}
	if err := s.regions.ValidateCode("region_code", in.RegionCode, 0); err != nil {
		copyFields(&f, "region_code", err)
	} else if model.LevelOf(in.RegionCode) < model.LevelCounty {
		f.Add("region_code", "region_level", "单位所在地请选择到县（区）一级或更细")
	}
	in.Address = strings.TrimSpace(in.Address)
	if runes(in.Address) > 200 {
		f.Add("address", "too_long", "地址太长（200字以内）")
	}
	in.ContactName = strings.TrimSpace(in.ContactName)
	if n := runes(in.ContactName); n == 0 || n > 50 {
		f.Add("contact_name", "required", "请填写联系人（50字以内）")
	}
	in.Phone = strings.TrimSpace(in.Phone)
	if !pii.ValidPhone(in.Phone) {
		f.Add("phone", "invalid_phone", "请填写11位手机号")
	}
	return f.Err()
}

// RegisterEmployer registers an organisation. An employer account registers
// its own (pending, and becomes its admin member); a task force registers one
// in its county and an admin anywhere — those are verified at once, since
// the task force is who verifies.
func (s *Service) RegisterEmployer(ctx context.Context, in EmployerInput) (*model.Employer, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleEmployer, model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	if a.Role == model.RoleEmployer && a.EmployerID != 0 {
		return nil, apperr.Conflict(ErrAlreadyRegistered, "您的账号已属于一个用人单位，不能再登记")
	}
	if err := s.validateEmployer(&in); err != nil {
		return nil, err
	}
	if a.Role == model.RoleTaskforce && !a.InScope(in.RegionCode) {
		return nil, apperr.Invalid("region_code", "out_of_scope", "只能登记本县的用人单位")
	}
	now := s.now().UTC()
	e := &model.Employer{ID: model.NewID(), CreditCode: in.CreditCode, Name: in.Name, Kind: in.Kind,
		RegionCode: in.RegionCode, CountyCode: model.Ancestor(in.RegionCode, model.LevelCounty), Address: in.Address,
		ContactName: in.ContactName, PhoneMasked: pii.MaskPhone(in.Phone), Status: model.EmployerPending,
		CreatedBy: a.AccountID, Version: 1}
	e.PhoneEnc = s.box.Seal("employers", "phone", e.ID, in.Phone)
	e.PhoneHash = s.box.Index("phone", in.Phone)
	if a.Role != model.RoleEmployer {
		e.Status, e.ReviewedBy, e.ReviewedAt = model.EmployerVerified, &a.AccountID, &now
	}
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&model.Employer{}).Where("credit_code = ?", e.CreditCode).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict(ErrCreditCodeTaken, "该统一社会信用代码已登记过")
		}
		if err := tx.Create(e).Error; err != nil {
			return err
		}
		if a.Role == model.RoleEmployer {
			res := tx.Model(&model.Account{}).Where("id = ? AND employer_id IS NULL", a.AccountID).Update("employer_id", e.ID)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return apperr.Conflict(ErrAlreadyRegistered, "您的账号已属于一个用人单位，不能再登记")
			}
			if err := tx.Create(&model.EmployerMember{AccountID: a.AccountID, EmployerID: e.ID, Admin: true, CreatedBy: a.AccountID}).Error; err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "employer.register", SubjectType: "employer", SubjectID: e.ID,
			After: employerAudit(e)})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, apperr.Conflict(ErrCreditCodeTaken, "该统一社会信用代码已登记过")
	}
	if err != nil {
		return nil, fmt.Errorf("register employer: %w", err)
	}
	return e, nil
}

func employerAudit(e *model.Employer) map[string]any {
	return map[string]any{"credit_code": e.CreditCode, "name": e.Name, "kind": e.Kind, "region_code": e.RegionCode,
		"contact_name": e.ContactName, "phone": e.PhoneMasked, "status": e.Status, "reject_reason": e.RejectReason}
}

// loadEmployer reads an employer the actor may see, else not found.
func (s *Service) loadEmployer(ctx context.Context, tx *gorm.DB, id int64, manage bool) (*model.Employer, error) {
	var e model.Employer
	if err := tx.WithContext(ctx).Where("id = ?", id).Take(&e).Error; err != nil {
		return nil, notFound(err, "用人单位")
	}
	a := actor.From(ctx)
	if (manage && !canManage(a, &e)) || (!manage && !canSeeEmployer(a, &e)) {
		return nil, apperr.NotFound("用人单位")
	}
	return &e, nil
}

// Employer returns an employer in the caller's view.
func (s *Service) Employer(ctx context.Context, id int64) (*model.Employer, error) {
	return s.loadEmployer(ctx, s.db, id, false)
}

// MyEmployer returns the calling employer member's organisation.
func (s *Service) MyEmployer(ctx context.Context) (*model.Employer, error) {
	a := actor.From(ctx)
	if a.Role != model.RoleEmployer || a.EmployerID == 0 {
		return nil, apperr.NotFound("用人单位")
	}
	return s.Employer(ctx, a.EmployerID)
}

// EmployerFilter narrows the employer list.
type EmployerFilter struct {
	Status string
	Region string
	Page
}

// Employers lists employers in the caller's view, newest first.
func (s *Service) Employers(ctx context.Context, f EmployerFilter) ([]model.Employer, int64, error) {
	a := actor.From(ctx)
	q := s.db.WithContext(ctx).Model(&model.Employer{})
	if a.Role == model.RoleEmployer {
		q = q.Where("id = ?", a.EmployerID)
	} else {
		q = regionScope(a, q, "region_code")
	}
	if f.Status != "" {
		if !model.EmployerStates.Valid(f.Status) {
			return nil, 0, apperr.Invalid("status", "invalid_enum", "状态不对")
		}
		q = q.Where("status = ?", f.Status)
	}
	if f.Region != "" {
		if err := s.regions.ValidateCode("region", f.Region, 0); err != nil {
			return nil, 0, err
		}
		q = q.Where("region_code LIKE ?", f.Region+"%")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var list []model.Employer
	err := f.Page.apply(q.Order("created_at DESC, id DESC")).Find(&list).Error
	return list, total, err
}

// ReviewEmployer verifies or rejects a pending employer (the task force of
// its county, or an admin). A rejection needs a reason, shown to the employer.
func (s *Service) ReviewEmployer(ctx context.Context, id int64, verify bool, reason string) (*model.Employer, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	reason = strings.TrimSpace(reason)
	if !verify && (runes(reason) < 2 || runes(reason) > maxReasonRunes) {
		return nil, apperr.Invalid("reason", "required", "请填写不通过的原因（2到200字）")
	}
	if verify {
		reason = ""
	}
	var out *model.Employer
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		e, err := s.loadEmployer(ctx, tx, id, true)
		if err != nil {
			return err
		}
		before := employerAudit(e)
		now := s.now().UTC()
		state := model.EmployerVerified
		if !verify {
			state = model.EmployerRejected
		}
		res := tx.Model(&model.Employer{}).Where("id = ? AND status = ?", id, model.EmployerPending).
			Updates(map[string]any{"status": state, "reject_reason": reason, "reviewed_by": a.AccountID,
				"reviewed_at": now, "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict(ErrNotPending, "该单位已审核过")
		}
		e.Status, e.RejectReason, e.ReviewedBy, e.ReviewedAt, e.Version = state, reason, &a.AccountID, &now, e.Version+1
		out = e
		return audit.Write(ctx, tx, audit.Entry{Action: "employer.review", SubjectType: "employer", SubjectID: id,
			Before: before, After: employerAudit(e)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NewMember is a member account an employer admin or the task force adds.
type NewMember struct {
	Username    string
	Password    string
	DisplayName string
	Admin       bool
}

// Member is a member account with its admin flag.
type Member struct {
	Account model.Account
	Admin   bool
}

// AddMember creates a member account for an employer: by one of its admin
// members, the task force of its county or an admin. The account is created
// by the auth service (role employer, EmployerID set); the admin flag row
// follows. Should that second write fail, the account is an ordinary member.
func (s *Service) AddMember(ctx context.Context, employerID int64, in NewMember) (*Member, error) {
	a := actor.From(ctx)
	e, err := s.loadEmployer(ctx, s.db, employerID, true)
	if err != nil {
		return nil, err
	}
	if a.Role == model.RoleEmployer {
		var m model.EmployerMember
		err := s.db.WithContext(ctx).Where("account_id = ? AND employer_id = ? AND admin = ?", a.AccountID, e.ID, true).Take(&m).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.Forbidden("只有单位管理员可以添加成员")
		}
		if err != nil {
			return nil, err
		}
	}
	acc, err := s.accounts.CreateAccount(ctx, s.regions, auth.NewAccount{Username: in.Username, Password: in.Password,
		Role: model.RoleEmployer, DisplayName: in.DisplayName, EmployerID: &e.ID})
	if err != nil {
		return nil, err
	}
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Create(&model.EmployerMember{AccountID: acc.ID, EmployerID: e.ID, Admin: in.Admin, CreatedBy: a.AccountID}).Error; err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "employer.member_add", SubjectType: "employer", SubjectID: e.ID,
			After: map[string]any{"account_id": fmt.Sprint(acc.ID), "username": in.Username, "admin": in.Admin}})
	})
	if err != nil {
		return nil, fmt.Errorf("add member: %w", err)
	}
	return &Member{Account: *acc, Admin: in.Admin}, nil
}

// Members lists an employer's member accounts.
func (s *Service) Members(ctx context.Context, employerID int64) ([]Member, error) {
	e, err := s.loadEmployer(ctx, s.db, employerID, false)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	var accs []model.Account
	if err := db.Where("employer_id = ? AND role = ?", e.ID, model.RoleEmployer).Order("created_at, id").Find(&accs).Error; err != nil {
		return nil, err
	}
	var admins []int64
	if err := db.Model(&model.EmployerMember{}).Where("employer_id = ? AND admin = ?", e.ID, true).Pluck("account_id", &admins).Error; err != nil {
		return nil, err
	}
	isAdmin := map[int64]bool{}
	for _, id := range admins {
		isAdmin[id] = true
	}
	out := make([]Member, len(accs))
	for i, acc := range accs {
		out[i] = Member{Account: acc, Admin: isAdmin[acc.ID]}
	}
	return out, nil
}
