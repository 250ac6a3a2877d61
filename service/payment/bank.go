package payment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
)

// Bank account numbers: personal cards (借记卡, 社保卡金融账户, 惠民惠农一卡通)
// are 16–19 digits; corporate accounts of 帮扶车间 run longer.
const (
	minAccountDigits = 12
	maxAccountDigits = 30
)

// bankIndexNS is the blind-index namespace of bank account numbers.
const bankIndexNS = "bank"

// BankInput is a bank account as typed by the task force or the worker.
type BankInput struct {
	HolderName string
	Number     string
	BankName   string
}

// NormalizeAccount strips spaces and dashes people type between groups.
func NormalizeAccount(n string) string {
	return strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(strings.TrimSpace(n))
}

func validateBank(in *BankInput) error {
	var f apperr.Fields
	in.HolderName = strings.TrimSpace(in.HolderName)
	in.BankName = strings.TrimSpace(in.BankName)
	in.Number = NormalizeAccount(in.Number)
	if l := utf8.RuneCountInString(in.HolderName); l < 1 || l > 50 {
		f.Add("holder_name", "required", "请填写开户人姓名")
	}
	if l := utf8.RuneCountInString(in.BankName); l < 2 || l > 50 {
		f.Add("bank_name", "required", "请填写开户行，例如：中国农业银行东乡县支行")
	}
	digits := len(in.Number) >= minAccountDigits && len(in.Number) <= maxAccountDigits
	for _, r := range in.Number {
		if r < '0' || r > '9' {
			digits = false
		}
	}
	if !digits {
		f.Add("number", "invalid_account", fmt.Sprintf("银行账号应为%d到%d位数字", minAccountDigits, maxAccountDigits))
	}
	return f.Err()
}

// SetLabourerAccount records where a labourer's subsidies are paid. The task
// force (county in scope) or the worker themself enters it; the holder must be
// the labourer (subsidies go to the person's own account). Audited, masked.
func (s *Service) SetLabourerAccount(ctx context.Context, labourerID int64, in BankInput) (*model.BankAccount, error) {
	a := actor.From(ctx)
	var lab model.Labourer
	if err := a.ScopeLabourers(s.db.WithContext(ctx).Model(&model.Labourer{}), "village_code", "id").
		Select("id", "name", "county_code").Where("id = ?", labourerID).Take(&lab).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("劳动力")
		}
		return nil, err
	}
	if !(a.Role == model.RoleWorker && a.LabourerID == labourerID) && !canPay(a, lab.CountyCode) {
		return nil, apperr.Forbidden("只有县专班或本人可以登记收款账户")
	}
	if err := validateBank(&in); err != nil {
		return nil, err
	}
	if in.HolderName != lab.Name {
		return nil, apperr.Invalid("holder_name", "holder_mismatch", "补贴只能发到本人账户，开户人姓名应与台账姓名一致")
	}
	return s.setAccount(ctx, model.OwnerLabourer, labourerID, in)
}

// SetEmployerAccount records a 帮扶车间's account for the workshop subsidy;
// the task force of the employer's county enters it.
func (s *Service) SetEmployerAccount(ctx context.Context, employerID int64, in BankInput) (*model.BankAccount, error) {
	a := actor.From(ctx)
	var e model.Employer
	if err := s.db.WithContext(ctx).Select("id", "county_code").Take(&e, employerID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("用人单位")
		}
		return nil, err
	}
	if !a.CoversRegion(e.CountyCode) {
		return nil, apperr.NotFound("用人单位")
	}
	if !canPay(a, e.CountyCode) {
		return nil, errPayer
	}
	if err := validateBank(&in); err != nil {
		return nil, err
	}
	return s.setAccount(ctx, model.OwnerEmployer, employerID, in)
}

func (s *Service) setAccount(ctx context.Context, ownerType string, ownerID int64, in BankInput) (*model.BankAccount, error) {
	a := actor.From(ctx)
	now := s.now()
	var out model.BankAccount
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var cur model.BankAccount
		err := tx.Where("owner_type = ? AND owner_id = ?", ownerType, ownerID).Take(&cur).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			out = model.BankAccount{ID: model.NewID(), OwnerType: ownerType, OwnerID: ownerID, CreatedAt: now}
		case err != nil:
			return err
		default:
			out = cur
		}
		before := bankAudit(&cur)
		out.HolderName, out.BankName = in.HolderName, in.BankName
		out.AccountEnc = s.box.Seal("bank_accounts", "account_enc", out.ID, in.Number)
		out.AccountHash = s.box.Index(bankIndexNS, in.Number)
		out.AccountMasked = MaskAccount(in.Number)
		out.EnteredBy, out.EnteredRole, out.UpdatedAt = a.AccountID, string(a.Role), now
		if cur.ID == 0 {
			out.Version = 1
			if err := tx.Create(&out).Error; err != nil {
				return apperr.Conflict("stale", "收款账户刚被他人登记，请刷新后重试")
			}
			before = nil
		} else {
			res := tx.Model(&model.BankAccount{}).Where("id = ? AND version = ?", cur.ID, cur.Version).Updates(map[string]any{
				"holder_name": out.HolderName, "bank_name": out.BankName, "account_enc": out.AccountEnc, "account_hash": out.AccountHash,
				"account_masked": out.AccountMasked, "entered_by": out.EnteredBy, "entered_role": out.EnteredRole,
				"version": gorm.Expr("version + 1"), "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return errStale
			}
			out.Version = cur.Version + 1
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "bank_account.set", SubjectType: ownerType, SubjectID: ownerID,
			Before: before, After: bankAudit(&out)})
	})
	if err != nil {
		return nil, fmt.Errorf("set bank account: %w", err)
	}
	return &out, nil
}

func bankAudit(b *model.BankAccount) map[string]any {
	if b.ID == 0 {
		return nil
	}
	return map[string]any{"holder_name": MaskName(b.HolderName), "account": b.AccountMasked, "bank_name": b.BankName}
}

// LabourerAccount is a labourer's account, masked, for the worker themself or
// the back office in scope.
func (s *Service) LabourerAccount(ctx context.Context, labourerID int64) (*model.BankAccount, error) {
	a := actor.From(ctx)
	var n int64
	if err := a.ScopeLabourers(s.db.WithContext(ctx).Model(&model.Labourer{}), "village_code", "id").
		Where("id = ?", labourerID).Count(&n).Error; err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, apperr.NotFound("劳动力")
	}
	return s.account(ctx, model.OwnerLabourer, labourerID)
}

func (s *Service) account(ctx context.Context, ownerType string, ownerID int64) (*model.BankAccount, error) {
	var b model.BankAccount
	if err := s.db.WithContext(ctx).Where("owner_type = ? AND owner_id = ?", ownerType, ownerID).Take(&b).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("收款账户")
		}
		return nil, err
	}
	return &b, nil
}
