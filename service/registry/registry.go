// Package registry keeps the ledger of labourers (劳动力) and households with
// the collection form's 基本信息 block (seed 002 附件1), binds a worker's
// WeChat account to their own row, and turns someone not yet in the ledger
// into a pending record for their village's cadre — never a duplicate.
package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/pii"
)

// Regions is what the registry needs from the region service.
type Regions interface {
	ValidateCode(field, code string, level int) error
	PathName(code string) string
}

// Service is the registry capability.
type Service struct {
	db      *gorm.DB
	box     *pii.Box
	regions Regions
	now     func() time.Time
}

// New builds the registry service.
func New(db *gorm.DB, box *pii.Box, regions Regions, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, box: box, regions: regions, now: now}
}

// Age limits from seed 002 填表说明 1: labourers are 16 and over; over 60 a
// healthy person counts as 弱劳动力或半劳动力.
const (
	MinLabourAge    = 16
	OrdinaryMaxAge  = 60
	TwoAfterYears   = 5 // 两后生: within 5 years of leaving junior/senior high (指标解释 2)
	maxNameRunes    = 20
	maxAddressRunes = 100
)

// LabourerInput is the 基本信息 block as a cadre, task force or import fills it.
type LabourerInput struct {
	HouseholdID    int64
	Name           string
	IDNumber       string
	Phone          string
	VillageCode    string
	Ethnicity      string
	Address        string
	LabourCapacity string
	SkillLevel     string
	TwoAfter       bool
	Education      string
	GraduationDate string // YYYY-MM, optional
	State          string
	StateReason    string
	Category       string
	Relocated      bool
	ZeroEmployment bool
	YuluGraduate   bool
}

// ValidateBasic checks the 基本信息 block (seed 002 填表规则 1: every item
// filled, single choice) and returns the parsed birth and graduation dates.
func (s *Service) ValidateBasic(in *LabourerInput) (birth time.Time, grad *time.Time, err error) {
	var f apperr.Fields
	now := s.now()
	birth = checkIdentity(&f, &in.Name, &in.IDNumber, &in.Phone, now)
	if err := s.regions.ValidateCode("village_code", in.VillageCode, model.LevelVillage); err != nil {
		addAll(&f, err, "village_code")
	}
	if !model.Ethnicities.Valid(in.Ethnicity) {
		f.Add("ethnicity", "invalid_enum", "请选择民族")
	}
	in.Address = strings.TrimSpace(in.Address)
	if in.Address == "" || len([]rune(in.Address)) > maxAddressRunes {
		f.Add("address", "required", "请填写家庭地址（100字以内）")
	}
	checkEnum(&f, "labour_capacity", in.LabourCapacity, model.LabourCapacities, "请选择劳动能力")
	checkEnum(&f, "skill_level", in.SkillLevel, model.SkillLevels, "请选择技能等级")
	checkEnum(&f, "education", in.Education, model.Educations, "请选择文化程度")
	checkEnum(&f, "category", in.Category, model.PopulationCategories, "请选择人员类别")
	if in.State == "" {
		in.State = "normal"
	}
	checkEnum(&f, "state", in.State, model.LabourerStates, "请选择当前状态")
	switch in.State {
	case "normal":
		if in.StateReason != "" {
			f.Add("state_reason", "not_allowed", "状态正常时不填退出原因")
		}
	case "temp_exit":
		checkEnum(&f, "state_reason", in.StateReason, model.TempExitReasons, "请选择暂时退出的原因")
	case "perm_exit":
		checkEnum(&f, "state_reason", in.StateReason, model.PermExitReasons, "请选择永久退出的原因")
	}
	if in.GraduationDate != "" {
		g, perr := time.Parse("2006-01", in.GraduationDate)
		switch {
		case perr != nil:
			f.Add("graduation_date", "invalid_date", "毕业时间格式应为 2020-07")
		case g.After(now):
			f.Add("graduation_date", "future_date", "毕业时间不能晚于今天")
		case !birth.IsZero() && g.Before(birth.AddDate(10, 0, 0)):
			f.Add("graduation_date", "before_birth", "毕业时间与出生日期不符")
		default:
			grad = &g
		}
	}
	// Labour capacity against age and certificate (seed 002 填表说明 1).
	if !birth.IsZero() && !f.Has("labour_capacity") {
		age := ageAt(birth, now)
		switch {
		case age < MinLabourAge:
			f.Add("id_number", "under_age", "未满16周岁，不属于劳动力，无须采集")
		case age > OrdinaryMaxAge && in.LabourCapacity == "ordinary":
			f.Add("labour_capacity", "over_age", "60岁以上应选“弱劳动力或半劳动力”")
		}
	}
	if !f.Has("labour_capacity") && !f.Has("skill_level") {
		if in.LabourCapacity == "skilled" && in.SkillLevel == "none" {
			f.Add("skill_level", "skill_required", "技能劳动力须有职业资格证书，请选择技能等级")
		}
		if in.LabourCapacity == "ordinary" && in.SkillLevel != "none" {
			f.Add("labour_capacity", "has_certificate", "有职业资格证书的应选“技能劳动力”")
		}
	}
	// 两后生 (seed 002 指标解释 2): finished junior or senior high within 5 years.
	if in.TwoAfter {
		switch {
		case in.Education != "junior_high" && in.Education != "senior_high":
			f.Add("two_after", "two_after_education", "两后生应为初中或高中毕业")
		case grad == nil && !f.Has("graduation_date"):
			f.Add("graduation_date", "required", "两后生须填写毕业时间")
		case grad != nil && grad.AddDate(TwoAfterYears, 0, 0).Before(now):
			f.Add("two_after", "two_after_expired", "毕业已超过5年，不属于两后生")
		}
	}
	return birth, grad, f.Err()
}

// checkIdentity normalises and checks name, 身份证 and phone, the three
// things that identify a labourer, and returns the birth date the 身份证 gives.
func checkIdentity(f *apperr.Fields, name, id, phone *string, now time.Time) (birth time.Time) {
	*name = strings.TrimSpace(*name)
	if *name == "" || len([]rune(*name)) > maxNameRunes {
		f.Add("name", "required", "请填写姓名（20字以内）")
	}
	*id = pii.NormalizeID(*id)
	if p := pii.CheckID(*id, now); p != pii.IDOK {
		f.Add("id_number", string(p), p.Message())
	} else {
		birth, _ = pii.IDBirthDate(*id)
	}
	*phone = strings.TrimSpace(*phone)
	if !pii.ValidPhone(*phone) {
		f.Add("phone", "invalid_phone", "请填写11位手机号")
	}
	return birth
}

func ageAt(birth, now time.Time) int {
	age := now.Year() - birth.Year()
	if now.YearDay() < birth.YearDay() {
		age--
	}
	return age
}

func checkEnum(f *apperr.Fields, field, v string, e model.Enum, msg string) {
	if !e.Valid(v) {
		f.Add(field, "invalid_enum", msg)
	}
}

// addAll copies an error's field errors into f (renaming them to field).
func addAll(f *apperr.Fields, err error, field string) {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		for _, fe := range e.Fields {
			f.Add(field, fe.Code, fe.Message)
		}
		return
	}
	f.Add(field, "invalid", "填写有误")
}

// CreateLabourer adds a labourer to the ledger (cadre, task force or admin,
// within their scope). A household is created when none is given.
func (s *Service) CreateLabourer(ctx context.Context, in LabourerInput) (*model.Labourer, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin) && a.Role != "system" {
		return nil, apperr.Forbidden("")
	}
	birth, grad, err := s.ValidateBasic(&in)
	if err != nil {
		return nil, err
	}
	if !a.InScope(in.VillageCode) {
		return nil, apperr.Invalid("village_code", "out_of_scope", "该村不在您的管辖范围内")
	}
	var lab *model.Labourer
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		hh, err := s.household(ctx, tx, in)
		if err != nil {
			return err
		}
		lab = s.newLabourer(in, birth, grad, hh.ID)
		if err := tx.Create(lab).Error; err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "labourer.create", SubjectType: "labourer", SubjectID: lab.ID, After: maskedView(lab)})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, apperr.Invalid("id_number", "duplicate_id_number", "该身份证号码已在台账中")
	}
	if err != nil {
		return nil, fmt.Errorf("create labourer: %w", err)
	}
	return lab, nil
}

func (s *Service) household(ctx context.Context, tx *gorm.DB, in LabourerInput) (*model.Household, error) {
	if in.HouseholdID != 0 {
		var hh model.Household
		if err := tx.Take(&hh, in.HouseholdID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, apperr.Invalid("household_id", "unknown_household", "户不存在")
			}
			return nil, err
		}
		if !actor.From(ctx).InScope(hh.VillageCode) {
			// Out of scope reads as missing, so ids cannot be probed (SECURITY.md 6).
			return nil, apperr.Invalid("household_id", "unknown_household", "户不存在")
		}
		if hh.VillageCode != in.VillageCode {
			return nil, apperr.Invalid("household_id", "household_village", "户与户籍村不一致")
		}
		return &hh, nil
	}
	hh := &model.Household{ID: model.NewID(), HeadName: in.Name, Address: in.Address,
		Relocated: in.Relocated, ZeroEmployment: in.ZeroEmployment}
	setCodes(in.VillageCode, &hh.ProvinceCode, &hh.CityCode, &hh.CountyCode, &hh.TownCode, &hh.VillageCode)
	if err := tx.Create(hh).Error; err != nil {
		return nil, err
	}
	return hh, audit.Write(ctx, tx, audit.Entry{Action: "household.create", SubjectType: "household", SubjectID: hh.ID,
		After: map[string]any{"village_code": hh.VillageCode, "head_name": hh.HeadName}})
}

func setCodes(village string, p, c, co, t, v *string) {
	*p = model.Ancestor(village, model.LevelProvince)
	*c = model.Ancestor(village, model.LevelCity)
	*co = model.Ancestor(village, model.LevelCounty)
	*t = model.Ancestor(village, model.LevelTown)
	*v = village
}

func (s *Service) newLabourer(in LabourerInput, birth time.Time, grad *time.Time, householdID int64) *model.Labourer {
	lab := &model.Labourer{ID: model.NewID(), HouseholdID: householdID, Name: in.Name,
		Gender: pii.IDGender(in.IDNumber), BirthDate: birth, Ethnicity: in.Ethnicity, Address: in.Address,
		LabourCapacity: in.LabourCapacity, SkillLevel: in.SkillLevel, TwoAfter: in.TwoAfter, Education: in.Education,
		GraduationDate: grad, State: in.State, StateReason: in.StateReason, Category: in.Category,
		YuluGraduate: in.YuluGraduate, RecordStatus: model.RecordActive, Version: 1}
	setCodes(in.VillageCode, &lab.ProvinceCode, &lab.CityCode, &lab.CountyCode, &lab.TownCode, &lab.VillageCode)
	s.sealID(lab, in.IDNumber)
	s.sealPhone(lab, in.Phone)
	return lab
}

func (s *Service) sealID(lab *model.Labourer, id string) {
	lab.IDNumberEnc = s.box.Seal("labourers", "id_number", lab.ID, id)
	lab.IDNumberHash = s.box.Index("id", id)
	lab.IDMasked = pii.MaskID(id)
}

func (s *Service) sealPhone(lab *model.Labourer, phone string) {
	lab.PhoneEnc = s.box.Seal("labourers", "phone", lab.ID, phone)
	lab.PhoneHash = s.box.Index("phone", phone)
	lab.PhoneMasked = pii.MaskPhone(phone)
}

// maskedView is what the audit trail keeps of a labourer: no clear personal values.
func maskedView(l *model.Labourer) map[string]any {
	return map[string]any{
		"name": l.Name, "id": l.IDMasked, "phone": l.PhoneMasked, "village_code": l.VillageCode,
		"ethnicity": l.Ethnicity, "address": l.Address, "labour_capacity": l.LabourCapacity,
		"skill_level": l.SkillLevel, "two_after": l.TwoAfter, "education": l.Education,
		"state": l.State, "state_reason": l.StateReason, "category": l.Category,
		"yulu_graduate": l.YuluGraduate, "record_status": l.RecordStatus,
	}
}
