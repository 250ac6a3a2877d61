package registry

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
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/pii"
)

// MaxPageSize caps every list (SECURITY.md 18).
const MaxPageSize = 100

// Filter narrows the labourer list.
type Filter struct {
	Region       string // a region code prefix within the caller's scope
	Query        string // name prefix, or a whole 身份证 or phone number
	RecordStatus string
	Page         int
	PageSize     int
}

// Normalize applies defaults and caps.
func (f *Filter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PageSize < 1 {
		f.PageSize = 20
	}
	if f.PageSize > MaxPageSize {
		f.PageSize = MaxPageSize
	}
}

// Get returns a labourer within the caller's scope. Out of scope is "not
// found", so the answer does not confirm the row exists.
func (s *Service) Get(ctx context.Context, id int64) (*model.Labourer, error) {
	return s.get(ctx, s.db, id)
}

func (s *Service) get(ctx context.Context, db *gorm.DB, id int64) (*model.Labourer, error) {
	a := actor.From(ctx)
	var lab model.Labourer
	q := a.ScopeLabourers(db.WithContext(ctx).Model(&model.Labourer{}), "village_code", "id")
	if err := q.Where("id = ?", id).Take(&lab).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("劳动力")
		}
		return nil, err
	}
	return &lab, nil
}

// List returns a page of labourers in the caller's scope.
func (s *Service) List(ctx context.Context, f Filter) ([]model.Labourer, int64, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin) {
		return nil, 0, apperr.Forbidden("")
	}
	f.Normalize()
	q := a.ScopeLabourers(s.db.WithContext(ctx).Model(&model.Labourer{}), "village_code", "id")
	if f.Region != "" {
		if model.LevelOf(f.Region) == 0 || !isDigits(f.Region) {
			return nil, 0, apperr.Invalid("region", "invalid_region_code", "地区代码不对")
		}
		if !a.CoversRegion(f.Region) {
			return nil, 0, apperr.Forbidden("该地区不在您的管辖范围内")
		}
		q = q.Where("village_code LIKE ?", f.Region+"%")
	}
	switch f.RecordStatus {
	case "":
	case model.RecordActive, model.RecordPending:
		q = q.Where("record_status = ?", f.RecordStatus)
	default:
		return nil, 0, apperr.Invalid("record_status", "invalid_enum", "状态只能是 active 或 pending")
	}
	if qs := strings.TrimSpace(f.Query); qs != "" {
		switch {
		case len(qs) == 18 && pii.CheckID(pii.NormalizeID(qs), s.now()) == pii.IDOK:
			q = q.Where("id_number_hash = ?", s.box.Index("id", pii.NormalizeID(qs)))
		case pii.ValidPhone(qs):
			q = q.Where("phone_hash = ?", s.box.Index("phone", qs))
		default:
			if len([]rune(qs)) > maxNameRunes {
				return nil, 0, apperr.Invalid("q", "too_long", "搜索内容太长")
			}
			q = q.Where("name LIKE ?", escapeLike(qs)+"%")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []model.Labourer
	err := q.Order("village_code, id").Limit(f.PageSize).Offset((f.Page - 1) * f.PageSize).Find(&out).Error
	return out, total, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Household returns a household and its members within scope.
func (s *Service) Household(ctx context.Context, id int64) (*model.Household, []model.Labourer, error) {
	a := actor.From(ctx)
	var hh model.Household
	if err := s.db.WithContext(ctx).Take(&hh, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, apperr.NotFound("户")
		}
		return nil, nil, err
	}
	if a.Role == model.RoleWorker {
		own, err := s.get(ctx, s.db, a.LabourerID)
		if err != nil || own.HouseholdID != hh.ID {
			return nil, nil, apperr.NotFound("户")
		}
	} else if !a.InScope(hh.VillageCode) {
		return nil, nil, apperr.NotFound("户")
	}
	var members []model.Labourer
	err := s.db.WithContext(ctx).Where("household_id = ?", hh.ID).Order("id").Find(&members).Error
	return &hh, members, err
}

// PII is a labourer's personal numbers in clear.
type PII struct {
	IDNumber string
	Phone    string
}

// MinPurposeRunes: an unmasked read must say why (SECURITY.md 10).
const MinPurposeRunes = 2

// Reveal returns a labourer's whole 身份证 and phone to a role that needs
// them, and writes an audit row first: no audit, no answer.
func (s *Service) Reveal(ctx context.Context, id int64, purpose string) (*PII, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("只有县专班和管理员可以查看完整号码")
	}
	// Accounts that can see whole ID numbers need a second factor (SECURITY.md 5).
	if !a.TOTP {
		return nil, apperr.New(apperr.KindForbidden, "second_factor_required", "查看完整号码须先开通动态验证码，请联系管理员")
	}
	purpose = strings.TrimSpace(purpose)
	if len([]rune(purpose)) < MinPurposeRunes || len([]rune(purpose)) > 100 {
		return nil, apperr.Invalid("purpose", "required", "请说明查看完整号码的用途")
	}
	lab, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	idn, err := s.box.Open("labourers", "id_number", lab.ID, lab.IDNumberEnc)
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("open id number of %d: %w", lab.ID, err))
	}
	phone, err := s.box.Open("labourers", "phone", lab.ID, lab.PhoneEnc)
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("open phone of %d: %w", lab.ID, err))
	}
	if err := audit.Write(ctx, s.db, audit.Entry{Action: "pii.reveal", SubjectType: "labourer", SubjectID: lab.ID,
		Purpose: purpose, After: []string{"id_number", "phone"}}); err != nil {
		return nil, err
	}
	return &PII{IDNumber: idn, Phone: phone}, nil
}

// Approve confirms a pending record into the ledger (cadre or task force in scope).
func (s *Service) Approve(ctx context.Context, id int64) (*model.Labourer, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	var lab *model.Labourer
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var err error
		if lab, err = s.get(ctx, tx, id); err != nil {
			return err
		}
		if lab.RecordStatus != model.RecordPending {
			return apperr.Conflict("not_pending", "该记录已在台账中")
		}
		res := tx.Model(&model.Labourer{}).Where("id = ? AND record_status = ?", id, model.RecordPending).
			Updates(map[string]any{"record_status": model.RecordActive, "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("not_pending", "该记录已在台账中")
		}
		lab.RecordStatus = model.RecordActive
		lab.Version++
		return audit.Write(ctx, tx, audit.Entry{Action: "labourer.approve", SubjectType: "labourer", SubjectID: id,
			Before: map[string]string{"record_status": model.RecordPending}, After: map[string]string{"record_status": model.RecordActive}})
	})
	return lab, err
}
