package subsidy

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
)

// PolicyInput is an admin's policy as sent; amounts in 分, dates YYYY-MM-DD.
type PolicyInput struct {
	ProvinceCode         string   `json:"province_code"`
	Year                 int      `json:"year"`
	Kind                 string   `json:"kind"`
	Name                 string   `json:"name"`
	Mode                 string   `json:"mode"`
	ByDestination        bool     `json:"by_destination"`
	AmountFen            int64    `json:"amount_fen"`
	AmountInProvinceFen  int64    `json:"amount_in_province_fen"`
	AmountOutProvinceFen int64    `json:"amount_out_province_fen"`
	Categories           []string `json:"categories"`
	OutOfCounty          bool     `json:"out_of_county"`
	MonthsRequired       int      `json:"months_required"`
	Organised            bool     `json:"organised"`
	NativeOnly           bool     `json:"native_only"`
	WindowFrom           string   `json:"window_from"`
	WindowTo             string   `json:"window_to"`
	SettleBy             string   `json:"settle_by"`
	Documents            []string `json:"documents"`
	Active               *bool    `json:"active"`
}

// apply validates the input and writes it onto p.
func (s *Service) apply(in PolicyInput, p *model.SubsidyPolicy) error {
	var f apperr.Fields
	if err := s.regions.ValidateCode("province_code", in.ProvinceCode, model.LevelProvince); err != nil {
		copyFields(&f, err)
	}
	if in.Year < 2000 || in.Year > 2100 {
		f.Add("year", "out_of_range", "年度不对")
	}
	if !model.SubsidyKinds.Valid(in.Kind) {
		f.Add("kind", "invalid_enum", "请选择补贴类型")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || len([]rune(name)) > 100 {
		f.Add("name", "required", "请填写政策名称（100字以内）")
	}
	if !model.PolicyModes.Valid(in.Mode) {
		f.Add("mode", "invalid_enum", "请选择发放方式")
	}
	if in.Mode == model.ModePrepaid && in.Kind != model.SubsidyTransport {
		f.Add("mode", "prepaid_transport_only", "定额预付只用于交通补助")
	}
	if in.Kind == model.SubsidyWorkshop && in.Mode != model.ModeReviewed {
		f.Add("mode", "workshop_reviewed", "帮扶车间奖补由专班审核发放")
	}
	amount := func(field string, v int64) {
		if v <= 0 || v > MaxAmountFen {
			f.Add(field, "out_of_range", "金额应大于0且不超过10万元（单位：分）")
		}
	}
	if in.ByDestination {
		if in.Kind == model.SubsidyWorkshop {
			f.Add("by_destination", "not_allowed", "帮扶车间奖补不按目的地分档")
		}
		amount("amount_in_province_fen", in.AmountInProvinceFen)
		amount("amount_out_province_fen", in.AmountOutProvinceFen)
		if in.AmountFen != 0 {
			f.Add("amount_fen", "not_allowed", "按目的地分档时不填固定金额")
		}
	} else {
		amount("amount_fen", in.AmountFen)
		if in.AmountInProvinceFen != 0 || in.AmountOutProvinceFen != 0 {
			f.Add("amount_in_province_fen", "not_allowed", "固定金额时不填分档金额")
		}
	}
	for i, c := range in.Categories {
		if !model.PopulationCategories.Valid(c) {
			f.Add(fmt.Sprintf("categories.%d", i), "invalid_enum", "人口类别不对")
		}
	}
	for i, d := range in.Documents {
		if !PolicyDocuments.Valid(d) {
			f.Add(fmt.Sprintf("documents.%d", i), "invalid_enum", "所需材料不对")
		}
	}
	if in.MonthsRequired < 0 || in.MonthsRequired > MaxMonthsRequired {
		f.Add("months_required", "out_of_range", "务工月数应在0到12之间")
	}
	if in.Mode == model.ModePrepaid && in.MonthsRequired < 1 {
		f.Add("months_required", "required", "定额预付须规定结算所需的务工月数")
	}
	from, okFrom := parseDate(&f, "window_from", in.WindowFrom)
	to, okTo := parseDate(&f, "window_to", in.WindowTo)
	if okFrom && okTo && to.Before(from) {
		f.Add("window_to", "before_start", "申领截止日不能早于开始日")
	}
	p.SettleBy = nil
	switch {
	case in.Mode == model.ModePrepaid:
		if d, ok := parseDate(&f, "settle_by", in.SettleBy); ok {
			switch {
			case okFrom && d.Before(from):
				f.Add("settle_by", "before_start", "结算截止日不能早于申领开始日")
			case okTo && d.Before(to):
				// A claim made after the deadline would lapse at once (decisions.md 29).
				f.Add("settle_by", "before_window_end", "结算截止日不能早于申领截止日")
			}
			p.SettleBy = &d
		}
	case in.SettleBy != "":
		f.Add("settle_by", "not_allowed", "只有定额预付有结算截止日")
	}
	if err := f.Err(); err != nil {
		return err
	}
	p.ProvinceCode, p.Year, p.Kind, p.Name, p.Mode = in.ProvinceCode, in.Year, in.Kind, name, in.Mode
	p.ByDestination, p.AmountFen = in.ByDestination, in.AmountFen
	p.AmountInProvinceFen, p.AmountOutProvinceFen = in.AmountInProvinceFen, in.AmountOutProvinceFen
	p.Categories, p.Documents = strings.Join(in.Categories, ","), strings.Join(in.Documents, ",")
	p.OutOfCounty, p.MonthsRequired, p.Organised, p.NativeOnly = in.OutOfCounty, in.MonthsRequired, in.Organised, in.NativeOnly
	p.WindowFrom, p.WindowTo = from, to
	if in.Active != nil {
		p.Active = *in.Active
	}
	return nil
}

func copyFields(f *apperr.Fields, err error) {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		for _, fe := range e.Fields {
			f.Add(fe.Field, fe.Code, fe.Message)
		}
		return
	}
	f.Add("province_code", "invalid", "地区不对")
}

// CreatePolicy stores a new policy (admin).
func (s *Service) CreatePolicy(ctx context.Context, in PolicyInput) (*model.SubsidyPolicy, error) {
	a := actor.From(ctx)
	p := &model.SubsidyPolicy{ID: model.NewID(), Active: true, CreatedBy: a.AccountID, UpdatedBy: a.AccountID, Version: 1}
	if err := s.apply(in, p); err != nil {
		return nil, err
	}
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Create(p).Error; err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "subsidy.policy.create", SubjectType: "subsidy_policy", SubjectID: p.ID, After: TermsOf(p)})
	})
	if err != nil {
		return nil, fmt.Errorf("create policy: %w", err)
	}
	return p, nil
}

// UpdatePolicy edits a policy if it is still at version; claims already made
// keep the terms they copied.
func (s *Service) UpdatePolicy(ctx context.Context, id int64, version int, in PolicyInput) (*model.SubsidyPolicy, error) {
	a := actor.From(ctx)
	var out *model.SubsidyPolicy
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var p model.SubsidyPolicy
		if err := tx.First(&p, id).Error; err != nil {
			return notFound(err, "补贴政策")
		}
		if p.Version != version {
			return apperr.Conflict("policy_changed", "政策已被他人修改，请刷新后再改")
		}
		before := TermsOf(&p)
		next := p
		if err := s.apply(in, &next); err != nil {
			return err
		}
		res := tx.Model(&model.SubsidyPolicy{}).Where("id = ? AND version = ?", id, version).
			Select("province_code", "year", "kind", "name", "mode", "by_destination", "amount_fen", "amount_in_province_fen",
				"amount_out_province_fen", "categories", "out_of_county", "months_required", "organised", "native_only",
				"window_from", "window_to", "settle_by", "documents", "active", "updated_by", "version", "updated_at").
			Updates(map[string]any{"province_code": next.ProvinceCode, "year": next.Year, "kind": next.Kind, "name": next.Name,
				"mode": next.Mode, "by_destination": next.ByDestination, "amount_fen": next.AmountFen,
				"amount_in_province_fen": next.AmountInProvinceFen, "amount_out_province_fen": next.AmountOutProvinceFen,
				"categories": next.Categories, "out_of_county": next.OutOfCounty, "months_required": next.MonthsRequired,
				"organised": next.Organised, "native_only": next.NativeOnly, "window_from": next.WindowFrom,
				"window_to": next.WindowTo, "settle_by": next.SettleBy, "documents": next.Documents, "active": next.Active,
				"updated_by": a.AccountID, "version": version + 1, "updated_at": s.now().UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("policy_changed", "政策已被他人修改，请刷新后再改")
		}
		if err := tx.First(&p, id).Error; err != nil {
			return err
		}
		out = &p
		return audit.Write(ctx, tx, audit.Entry{Action: "subsidy.policy.update", SubjectType: "subsidy_policy", SubjectID: id,
			Before: before, After: TermsOf(&p)})
	})
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("update policy: %w", err)
	}
	return out, nil
}

// PolicyFilter narrows the policy list.
type PolicyFilter struct {
	ProvinceCode string
	Year         int
	Kind         string
	ActiveOnly   bool
}

// Policies lists policies, newest year first. A worker sees only the active
// policies of their own 户籍 province.
func (s *Service) Policies(ctx context.Context, f PolicyFilter) ([]model.SubsidyPolicy, error) {
	a := actor.From(ctx)
	q := s.db.WithContext(ctx).Model(&model.SubsidyPolicy{})
	if a.Role == model.RoleWorker {
		lab, err := s.ownLabourer(ctx)
		if err != nil {
			return nil, err
		}
		f.ProvinceCode, f.ActiveOnly = lab.ProvinceCode, true
	}
	if f.ProvinceCode != "" {
		q = q.Where("province_code = ?", f.ProvinceCode)
	}
	if f.Year != 0 {
		q = q.Where("year = ?", f.Year)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.ActiveOnly {
		q = q.Where("active = ?", true)
	}
	var out []model.SubsidyPolicy
	return out, q.Order("year DESC").Order("id DESC").Limit(500).Find(&out).Error
}

// Policy returns one policy (admin and back office).
func (s *Service) Policy(ctx context.Context, id int64) (*model.SubsidyPolicy, error) {
	var p model.SubsidyPolicy
	if err := s.db.WithContext(ctx).First(&p, id).Error; err != nil {
		return nil, notFound(err, "补贴政策")
	}
	return &p, nil
}

func (s *Service) ownLabourer(ctx context.Context) (*model.Labourer, error) {
	a := actor.From(ctx)
	if a.LabourerID == 0 {
		return nil, apperr.Conflict("not_bound", "请先绑定身份信息")
	}
	var lab model.Labourer
	if err := s.db.WithContext(ctx).First(&lab, a.LabourerID).Error; err != nil {
		return nil, notFound(err, "劳动力")
	}
	return &lab, nil
}
