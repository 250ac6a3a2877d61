package region

import (
	"fmt"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// Place scopes: where work is relative to the labourer's 户籍 (the keys of
// model.PlaceScopes).
const (
	ScopeInCounty    = "in_county"    // 县内
	ScopeInProvince  = "in_province"  // 省内县外
	ScopeOutProvince = "out_province" // 省外
)

// WorkPlaceField is the field ValidateWorkPlace reports on.
const WorkPlaceField = "place_code"

// levelNames name the levels in messages: "请选择到村（社区）一级".
var levelNames = [...]string{
	model.LevelProvince: "省",
	model.LevelCity:     "市（州）",
	model.LevelCounty:   "县（区）",
	model.LevelTown:     "乡镇（街道）",
	model.LevelVillage:  "村（社区）",
}

// ValidateCode checks that code names a known region at the level (0 = any
// level) and returns a validation error on field otherwise: "required",
// "invalid_region_code" (not 2/4/6/9/12 digits), "unknown_region" or
// "region_level".
func (s *Service) ValidateCode(field, code string, level int) error {
	l := model.LevelOf(code)
	switch {
	case code == "":
		return apperr.Invalid(field, "required", "请选择地区")
	case l == 0 || !digits(code):
		return apperr.Invalid(field, "invalid_region_code", "地区编码格式不对")
	case !s.Exists(code):
		return apperr.Invalid(field, "unknown_region", "地区不存在，请重新选择")
	case level < model.LevelProvince || level > model.LevelVillage || l == level:
		return nil
	case l < level:
		return apperr.Invalid(field, "region_level", "请选择到"+levelNames[level]+"一级")
	default:
		return apperr.Invalid(field, "region_level", "只需选择到"+levelNames[level]+"一级")
	}
}

// ValidateWorkPlace checks a work place (务工地点) against the labourer's
// home region (a county, town or village code, normally the 户籍 village).
// The place must be a known region at any level, except that inside the
// home province it must be at least a county: "甘肃省" or "兰州市" alone
// cannot say whether the job is 县内 or 省内县外. Errors are on field
// WorkPlaceField ("place_code"); callers with another field name can rename
// it. A malformed home code is the caller's bug and gives a plain error.
func (s *Service) ValidateWorkPlace(home, place string) error {
	if err := s.ValidateCode(WorkPlaceField, place, 0); err != nil {
		return err
	}
	if model.LevelOf(home) < model.LevelCounty || !digits(home) {
		return fmt.Errorf("validate work place: home %q is not a county, town or village code", home)
	}
	if place[:2] == home[:2] && model.LevelOf(place) < model.LevelCounty {
		return apperr.Invalid(WorkPlaceField, "region_level", "在省内务工请选择到县（区）一级")
	}
	return nil
}

// PlaceScope says where a work place is relative to the home region (a
// county, town or village code): ScopeInCounty when they share the county
// (first 6 digits), ScopeInProvince when they share only the province (first
// 2), else ScopeOutProvince. It works on the codes alone. It returns "" when
// it cannot tell — a malformed code, or a place inside the home province
// coarser than a county (the province, or the home city) — which
// ValidateWorkPlace refuses beforehand; a city of the home province other
// than the home city is ScopeInProvince.
func PlaceScope(home, place string) string {
	hl, pl := model.LevelOf(home), model.LevelOf(place)
	if hl < model.LevelCounty || pl == 0 || !digits(home) || !digits(place) {
		return ""
	}
	switch {
	case place[:2] != home[:2]:
		return ScopeOutProvince
	case pl >= model.LevelCounty && place[:6] == home[:6]:
		return ScopeInCounty
	case pl >= model.LevelCounty:
		return ScopeInProvince
	case pl == model.LevelCity && place != home[:4]:
		return ScopeInProvince
	}
	return ""
}

// PlaceScope is the package function PlaceScope, for callers that hold the
// service.
func (s *Service) PlaceScope(homeVillageCode, workPlaceCode string) string {
	return PlaceScope(homeVillageCode, workPlaceCode)
}
