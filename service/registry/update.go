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

// Patch is a partial update of the 基本信息 block; nil fields stay as they
// are. The 身份证 number is not here: it identifies the row and is corrected
// by re-registration, not edited.
type Patch struct {
	Version        int // the version the editor saw; a stale one is refused
	Name           *string
	Phone          *string
	Ethnicity      *string
	Address        *string
	LabourCapacity *string
	SkillLevel     *string
	TwoAfter       *bool
	Education      *string
	GraduationDate *string
	State          *string
	StateReason    *string
	Category       *string
	YuluGraduate   *bool
}

// Update applies a patch within scope, re-validating the whole block so the
// result is always a valid form, and audits the before and after.
func (s *Service) Update(ctx context.Context, id int64, p Patch) (*model.Labourer, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	var out *model.Labourer
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		lab, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.Version != 0 && p.Version != lab.Version {
			return apperr.Conflict("stale_version", "该记录已被他人修改，请刷新后再改")
		}
		idn, err := s.box.Open("labourers", "id_number", lab.ID, lab.IDNumberEnc)
		if err != nil {
			return apperr.Internal(err)
		}
		phone, err := s.box.Open("labourers", "phone", lab.ID, lab.PhoneEnc)
		if err != nil {
			return apperr.Internal(err)
		}
		in := LabourerInput{HouseholdID: lab.HouseholdID, Name: lab.Name, IDNumber: idn, Phone: phone,
			VillageCode: lab.VillageCode, Ethnicity: lab.Ethnicity, Address: lab.Address,
			LabourCapacity: lab.LabourCapacity, SkillLevel: lab.SkillLevel, TwoAfter: lab.TwoAfter,
			Education: lab.Education, State: lab.State, StateReason: lab.StateReason, Category: lab.Category,
			YuluGraduate: lab.YuluGraduate}
		if lab.GraduationDate != nil {
			in.GraduationDate = lab.GraduationDate.Format("2006-01")
		}
		setStr(&in.Name, p.Name)
		setStr(&in.Phone, p.Phone)
		setStr(&in.Ethnicity, p.Ethnicity)
		setStr(&in.Address, p.Address)
		setStr(&in.LabourCapacity, p.LabourCapacity)
		setStr(&in.SkillLevel, p.SkillLevel)
		setStr(&in.Education, p.Education)
		setStr(&in.GraduationDate, p.GraduationDate)
		setStr(&in.State, p.State)
		setStr(&in.StateReason, p.StateReason)
		setStr(&in.Category, p.Category)
		if p.State != nil && *p.State == "normal" && p.StateReason == nil {
			in.StateReason = ""
		}
		if p.TwoAfter != nil {
			in.TwoAfter = *p.TwoAfter
		}
		if p.YuluGraduate != nil {
			in.YuluGraduate = *p.YuluGraduate
		}
		_, grad, err := s.ValidateBasic(&in)
		if err != nil {
			return err
		}
		before := maskedView(lab)
		next := *lab
		next.Name, next.Ethnicity, next.Address = in.Name, in.Ethnicity, in.Address
		next.LabourCapacity, next.SkillLevel, next.TwoAfter = in.LabourCapacity, in.SkillLevel, in.TwoAfter
		next.Education, next.GraduationDate, next.State, next.StateReason = in.Education, grad, in.State, in.StateReason
		next.Category, next.YuluGraduate = in.Category, in.YuluGraduate
		if in.Phone != phone {
			s.sealPhone(&next, in.Phone)
		}
		next.Version = lab.Version + 1
		res := tx.Model(&model.Labourer{}).Where("id = ? AND version = ?", lab.ID, lab.Version).Select(
			"name", "ethnicity", "address", "labour_capacity", "skill_level", "two_after", "education",
			"graduation_date", "state", "state_reason", "category", "yulu_graduate",
			"phone_enc", "phone_hash", "phone_masked", "version", "updated_at").Updates(&next)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("stale_version", "该记录已被他人修改，请刷新后再改")
		}
		out = &next
		return audit.Write(ctx, tx, audit.Entry{Action: "labourer.update", SubjectType: "labourer", SubjectID: lab.ID,
			Before: before, After: maskedView(&next)})
	})
	if err != nil {
		return nil, fmt.Errorf("update labourer: %w", err)
	}
	return out, nil
}

func setStr(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// BindInput is what a worker types to claim their own row.
type BindInput struct {
	Name        string
	IDNumber    string
	Phone       string
	VillageCode string // needed only when the worker is not in the ledger
}

// Bind statuses.
const (
	BindBound   = "bound"
	BindPending = "pending"
)

// Bind ties a worker's account to their labourer row, matched by the 身份证
// blind index and checked against name and phone. Someone not in the ledger
// becomes a pending record in their village for the cadre to confirm; the
// unique blind index means a second attempt finds that record, never a copy.
func (s *Service) Bind(ctx context.Context, accountID int64, verifiedPhone string, in BindInput) (string, *model.Labourer, error) {
	var f apperr.Fields
	now := s.now()
	if strings.TrimSpace(in.Phone) == "" {
		in.Phone = verifiedPhone
	}
	checkIdentity(&f, &in.Name, &in.IDNumber, &in.Phone, now)
	if in.VillageCode != "" {
		if err := s.regions.ValidateCode("village_code", in.VillageCode, model.LevelVillage); err != nil {
			addAll(&f, err, "village_code")
		}
	}
	if err := f.Err(); err != nil {
		return "", nil, err
	}
	var status string
	var lab model.Labourer
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&model.Labourer{}).Where("account_id = ?", accountID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("already_bound", "您已经绑定过身份了")
		}
		err := tx.Where("id_number_hash = ?", s.box.Index("id", in.IDNumber)).Take(&lab).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return s.createPending(ctx, tx, accountID, in, &lab, &status)
		}
		if err != nil {
			return err
		}
		if lab.Name != in.Name {
			return apperr.Invalid("name", "name_mismatch", "姓名与身份证号码对不上，请核对；如有疑问请联系村干部")
		}
		if lab.AccountID != nil && *lab.AccountID != accountID {
			return apperr.Conflict("bound_elsewhere", "该身份已绑定了其他微信，请联系村干部处理")
		}
		upd := map[string]any{"account_id": accountID, "version": gorm.Expr("version + 1")}
		if lab.PhoneHash != "" && lab.PhoneHash != s.box.Index("phone", in.Phone) {
			return apperr.Invalid("phone", "phone_mismatch", "手机号与台账登记的不一致，请联系村干部核对")
		}
		if lab.PhoneHash == "" {
			s.sealPhone(&lab, in.Phone)
			upd["phone_enc"], upd["phone_hash"], upd["phone_masked"] = lab.PhoneEnc, lab.PhoneHash, lab.PhoneMasked
		}
		res := tx.Model(&model.Labourer{}).Where("id = ? AND account_id IS NULL", lab.ID).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("bound_elsewhere", "该身份已绑定了其他微信，请联系村干部处理")
		}
		lab.AccountID = &accountID
		status = BindBound
		if lab.RecordStatus == model.RecordPending {
			status = BindPending
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "labourer.bind", SubjectType: "labourer", SubjectID: lab.ID,
			After: map[string]any{"account_id": accountID, "status": status}})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// Someone bound or registered the same person at the same instant.
		return "", nil, apperr.Conflict("bind_race", "正在处理同一身份的绑定，请稍后再试")
	}
	if err != nil {
		return "", nil, err
	}
	return status, &lab, nil
}

func (s *Service) createPending(ctx context.Context, tx *gorm.DB, accountID int64, in BindInput, lab *model.Labourer, status *string) error {
	if in.VillageCode == "" {
		return apperr.Invalid("village_code", "village_required", "台账中没有找到您，请选择户籍所在的村，提交给村干部确认")
	}
	birth, _ := pii.IDBirthDate(in.IDNumber)
	if ageAt(birth, s.now()) < MinLabourAge {
		return apperr.Invalid("id_number", "under_age", "未满16周岁，不属于劳动力")
	}
	hh := &model.Household{ID: model.NewID(), HeadName: in.Name}
	setCodes(in.VillageCode, &hh.ProvinceCode, &hh.CityCode, &hh.CountyCode, &hh.TownCode, &hh.VillageCode)
	if err := tx.Create(hh).Error; err != nil {
		return err
	}
	*lab = model.Labourer{ID: model.NewID(), HouseholdID: hh.ID, Name: in.Name, Gender: pii.IDGender(in.IDNumber),
		BirthDate: birth, State: "normal", RecordStatus: model.RecordPending, AccountID: &accountID, Version: 1}
	setCodes(in.VillageCode, &lab.ProvinceCode, &lab.CityCode, &lab.CountyCode, &lab.TownCode, &lab.VillageCode)
	s.sealID(lab, in.IDNumber)
	s.sealPhone(lab, in.Phone)
	if err := tx.Create(lab).Error; err != nil {
		return err
	}
	*status = BindPending
	return audit.Write(ctx, tx, audit.Entry{Action: "labourer.self_register", SubjectType: "labourer", SubjectID: lab.ID,
		After: maskedView(lab)})
}
