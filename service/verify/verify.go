// Package verify is the monthly door-to-door verification (入户核实) with the
// standard collection form (seed 002 附件1 外出务工贫困劳动力信息采集表): the
// typed form and its fill rules (填表规则) and thresholds (指标解释), a form
// prefilled from the ledger, the proof of the visit, offline-safe
// submission with an idempotency key and a version check, the task force's
// review (专班确认) that alone changes the ledger, and the monthly cycle of
// due forms and completion.
package verify

import (
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/registry"
)

// Rules taken from seed 002, named so they can be cited and tested.
const (
	// WorkYearStartMonth: the form's year runs from October to the next
	// September (附件1: 上年度10月至本年度9月; 指标解释 3).
	WorkYearStartMonth = time.October
	// FormMonthColumns: the form's 具体务工时间 row has 15 boxes, October of the
	// work year's start to December after it ends (附件1: 2019年10月 … 2020年12月).
	FormMonthColumns = 15
	// DeadlineDay: forms are confirmed by the task force before the 20th of
	// each month (seed 002 三(一)3: 每月20日前完成; 填表说明 5).
	DeadlineDay = 20
	// In-county and out-of-county thresholds for counting as 务工 (seed 002 二
	// 工作目标: 县内务工的不少于1个月、收入不低于3000元，县外务工的不少于3个月、
	// 不低于9000元; 指标解释 3). The 工作目标 wording (不少于, ≥) is used.
	InCountyMinMonths   = 1.0
	InCountyMinIncome   = 3000
	OutCountyMinMonths  = 3.0
	OutCountyMinIncome  = 9000
	MaxMonthlyWage      = 100000 // yuan; as service/status: above is a typing mistake
	MaxYearIncome       = 12 * MaxMonthlyWage
	MaxFlexibleDays     = 366
	MaxServiceCount     = 99
	maxTextRunes        = 50
	maxNoteRunes        = 100
	maxReasonRunes      = 200
	MaxSignatureBytes   = 200 << 10 // a drawn signature PNG
	MaxPhotoBytes       = 300 << 10 // each photo
	MaxPhotos           = 2         // keeps a whole submission under the 1 MiB body limit
	MaxAttempts         = 10
	MaxDraftAge         = 62 * 24 * time.Hour // an offline draft may wait this long
	clockSkew           = 10 * time.Minute
	MaxLocationAccuracy = 5000.0 // metres
	MaxBatch            = 100
	MaxTaskLabourers    = 20000
	MaxPageSize         = 100
)

// China is the zone dates and months are read in.
var China = clock.China

// Regions is what verification needs from the region service.
type Regions interface {
	ValidateCode(field, code string, level int) error
	ValidateWorkPlace(home, place string) error
	PlaceScope(home, place string) string
	PathName(code string) string
	Children(parent string) []model.Region
}

// Service is the verification capability.
type Service struct {
	db       *gorm.DB
	box      *pii.Box
	registry *registry.Service
	regions  Regions
	now      func() time.Time
}

// New builds the verification service.
func New(db *gorm.DB, box *pii.Box, reg *registry.Service, regions Regions, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, box: box, registry: reg, regions: regions, now: now}
}

// WorkYearOf is the start year of the work year containing t (China time):
// 2025 for any day from 2025-10-01 to 2026-09-30.
func WorkYearOf(t time.Time) int {
	t = t.In(China)
	if t.Month() >= WorkYearStartMonth {
		return t.Year()
	}
	return t.Year() - 1
}

// WorkYearRange is the first day of the work year and the first day after it.
func WorkYearRange(start int) (from, to time.Time) {
	from = time.Date(start, WorkYearStartMonth, 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(1, 0, 0)
}

// Period is the month (YYYY-MM, China time) a visit at t counts for.
func Period(t time.Time) string { return t.In(China).Format("2006-01") }

// Deadline is the last moment of the day before DeadlineDay of a period's
// month — the forms are due 每月20日前 — in China time.
func Deadline(period string) (time.Time, error) {
	m, err := time.ParseInLocation("2006-01", period, China)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(m.Year(), m.Month(), DeadlineDay, 0, 0, 0, 0, China), nil
}

// CountsAsWorker applies seed 002's thresholds (二 工作目标, 指标解释 3, 4): in
// the county ≥ 1 month and ≥ 3,000 yuan, outside it ≥ 3 months and ≥ 9,000
// yuan; 自主创业 is collected but not counted as 务工.
func CountsAsWorker(placeScope, form string, months float64, income int) bool {
	if form == "self_employed" {
		return false
	}
	switch placeScope {
	case "in_county":
		return months >= InCountyMinMonths && income >= InCountyMinIncome
	case "in_province", "out_province":
		return months >= OutCountyMinMonths && income >= OutCountyMinIncome
	}
	return false
}
