package report

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/lists"
)

// The columns whose people can be listed (drill-down from a cell to people).
const (
	ColLastYear      = "last_year"       // 去年务工
	ColNotWorking    = "not_working"     // 其中至今尚未务工就业
	ColZero          = "zero"            // 户内务工人员减少为0 的户里去年务工的人
	ColReduced       = "reduced"         // 户内务工人员减少但不为0 的户里去年务工的人
	ColPlanned       = "planned"         // 未务工者中今年计划外出
	ColThisYear      = "this_year"       // 今年已外出 共计
	ColOutProvince   = "out_province"    // 省外
	ColInProvince    = "in_province"     // 省内县外
	ColInCounty      = "in_county"       // 县内
	ColPointToPoint  = "point_to_point"  // 跨省点对点输送
	ColWillingNotOut = "willing_not_out" // 未外出但有意愿
)

// Columns labels the drill-down columns.
var Columns = model.Enum{
	{Code: ColLastYear, Label: "去年务工人数"},
	{Code: ColNotWorking, Label: "至今尚未务工就业人数"},
	{Code: ColZero, Label: "户内务工人员减少为0（人员）"},
	{Code: ColReduced, Label: "户内务工人员减少但不为0（去年人员）"},
	{Code: ColPlanned, Label: "今年计划外出人数"},
	{Code: ColThisYear, Label: "今年已外出务工人数"},
	{Code: ColOutProvince, Label: "省外务工人数"},
	{Code: ColInProvince, Label: "省内县外务工人数"},
	{Code: ColInCounty, Label: "县内务工人数"},
	{Code: ColPointToPoint, Label: "跨省点对点输送人数"},
	{Code: ColWillingNotOut, Label: "未外出但有意愿外出务工人数"},
}

// MaxPageSize caps a page of people.
const MaxPageSize = lists.MaxPageSize

// Person is one labourer behind a cell, numbers masked.
type Person struct {
	ID           int64
	HouseholdID  int64
	Name         string
	IDMasked     string
	PhoneMasked  string
	VillageCode  string
	LastCounted  bool
	ThisCounted  bool
	Willing      bool
	Scope        string
	PointToPoint bool
}

// Page is a page of people.
type Page struct {
	Scope    *lists.Scope
	Column   string
	Items    []Person
	Total    int
	Page     int
	PageSize int
}

// People lists the labourers behind one column of a region's tables, in
// ledger (id) order.
func (s *Service) People(ctx context.Context, p Params, column string, page, size int) (*Page, error) {
	if !Columns.Valid(column) {
		return nil, apperr.Invalid("column", "invalid_column", "没有这一栏")
	}
	sc, err := s.lists.Resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := s.Prepare(ctx, sc.Year); err != nil {
		return nil, err
	}
	page, size = max(page, 1), min(max(size, 1), MaxPageSize)
	db := s.db.WithContext(ctx)
	inRegion := func(q *gorm.DB) *gorm.DB {
		q = q.Where("f.year = ?", sc.Year)
		if sc.Region != "" {
			q = q.Where("f.village_code LIKE ?", sc.Region+"%")
		}
		return actor.From(ctx).ScopeLabourers(q, "f.village_code", "f.labourer_id")
	}
	q := inRegion(db.Table("report_facts AS f"))
	switch column {
	case ColLastYear:
		q = q.Where("f.last_counted = ?", true)
	case ColNotWorking:
		q = q.Where("f.last_counted = ? AND f.this_counted = ?", true, false)
	case ColPlanned:
		q = q.Where("f.last_counted = ? AND f.this_counted = ? AND f.willing = ?", true, false, true)
	case ColZero, ColReduced:
		// Households are compared within a village, as the village sums are.
		again := "SUM(CASE WHEN f.this_counted THEN 1 ELSE 0 END)"
		having := again + " = 0"
		if column == ColReduced {
			having = again + " > 0 AND " + again + " < COUNT(*)"
		}
		hh := inRegion(db.Table("report_facts AS f")).Where("f.last_counted = ?", true).
			Group("f.household_id, f.village_code").Having(having).Select("f.household_id")
		q = q.Where("f.last_counted = ? AND f.household_id IN (?)", true, hh)
	case ColThisYear:
		q = q.Where("f.this_counted = ?", true)
	case ColOutProvince, ColInProvince, ColInCounty:
		q = q.Where("f.this_counted = ? AND f.scope = ?", true, column)
	case ColPointToPoint:
		q = q.Where("f.this_counted = ? AND f.point_to_point = ?", true, true)
	case ColWillingNotOut:
		q = q.Where("f.this_counted = ? AND f.willing = ?", false, true)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, fmt.Errorf("report: people: %w", err)
	}
	var items []Person
	err = q.Joins("JOIN labourers l ON l.id = f.labourer_id").
		Select("f.labourer_id AS id, f.household_id, l.name, l.id_masked, l.phone_masked, f.village_code, " +
			"f.last_counted, f.this_counted, f.willing, f.scope, f.point_to_point").
		Order("f.labourer_id").Offset((page - 1) * size).Limit(size).Scan(&items).Error
	if err != nil {
		return nil, fmt.Errorf("report: people: %w", err)
	}
	if items == nil {
		items = []Person{}
	}
	return &Page{Scope: sc, Column: column, Items: items, Total: int(total), Page: page, PageSize: size}, nil
}
