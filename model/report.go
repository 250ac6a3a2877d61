package model

import "time"

// reportModels lists the entities for provincial reports, targets and pre-aggregated counters (issue 6).
func reportModels() []any {
	return []any{&Target{}, &ReportFact{}, &ReportVillage{}, &ReportMonth{}, &ReportYear{}, &ReportDirty{}}
}

// Target metrics (seed 002 二 "一超过、两不少于": 总量超过13037人, 省外务工不少于6553人).
const (
	MetricTotalOut    = "total_out"    // 今年已外出务工人数（共计）
	MetricOutProvince = "out_province" // 省外务工人数
	MetricInProvince  = "in_province"  // 省内县外务工人数
	MetricInCounty    = "in_county"    // 县内务工人数
)

// TargetMetrics labels the metrics a target can be set on.
var TargetMetrics = Enum{
	{MetricTotalOut, "外出务工总量"},
	{MetricOutProvince, "省外务工人数"},
	{MetricInProvince, "省内县外务工人数"},
	{MetricInCounty, "县内务工人数"},
}

// Target comparators: "超过" (greater than) and "不少于" (at least).
const (
	CompareGT = "gt"
	CompareGE = "ge"
)

// TargetComparators labels the comparators.
var TargetComparators = Enum{{CompareGT, "超过"}, {CompareGE, "不少于"}}

// Target is a goal for a region and work year, such as seed 002's county
// goal 总量超过13037人 (total_out gt 13037) and 省外不少于6553人
// (out_province ge 6553). One target per region, year and metric.
type Target struct {
	ID         int64  `gorm:"primaryKey;autoIncrement:false"`
	RegionCode string `gorm:"size:12;not null;uniqueIndex:idx_target,priority:1"`
	Year       int    `gorm:"not null;uniqueIndex:idx_target,priority:2"`
	Metric     string `gorm:"size:24;not null;uniqueIndex:idx_target,priority:3"`
	Comparator string `gorm:"size:2;not null"`
	Value      int    `gorm:"not null"`
	Note       string `gorm:"size:200"`
	CreatedBy  int64
	UpdatedBy  int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ReportFact is one labourer's derived facts for one report year
// (service/report): what service/lists derives from the verified records,
// kept so that a province's tables are a GROUP BY rather than a recount.
// The row is exact for every data date from AsOf to ValidUntil; a change to
// the labourer's records marks it dirty (ReportDirty) in the same
// transaction, and a report recomputes dirty and expired rows before it reads.
type ReportFact struct {
	LabourerID  int64  `gorm:"primaryKey;autoIncrement:false"`
	Year        int    `gorm:"primaryKey;autoIncrement:false;index:idx_rf_valid,priority:1;index:idx_rf_village,priority:1;index:idx_rf_household,priority:1"`
	VillageCode string `gorm:"size:12;not null;index:idx_rf_village,priority:2"`
	HouseholdID int64  `gorm:"not null;index:idx_rf_household,priority:2"`
	// LastCounted: counted as 务工 in the previous work year.
	LastCounted bool `gorm:"not null"`
	// ThisCounted: counted as 务工 in this work year up to the data date.
	ThisCounted bool `gorm:"not null"`
	// Willing: not at work and the latest answer says they want to go out.
	Willing bool `gorm:"not null"`
	// Scope is where this year's work is (in_county, in_province,
	// out_province) for a counted labourer, "" otherwise.
	Scope string `gorm:"size:16;not null"`
	// PointToPoint: this year's 省外 work came through an organised
	// transport job (Job.Transport, via EmploymentSpell.JobID).
	PointToPoint bool `gorm:"not null"`
	// ThisMonths and LastMonths are the 今年已外出务工 trend of this work year
	// and the previous one: one character per month, October first, saying
	// where the labourer stood at that month's end — '-' not counted, else
	// the place of the work (MonthInCounty, MonthInProvince,
	// MonthOutProvince). They depend on the records alone, not on the data
	// date; a report reads only the months that have ended.
	ThisMonths string    `gorm:"size:12;not null;default:''"`
	LastMonths string    `gorm:"size:12;not null;default:''"`
	AsOf       time.Time `gorm:"type:date;not null"`
	ValidUntil time.Time `gorm:"type:date;not null;index:idx_rf_valid,priority:2"`
}

// ReportVillage is one village's figures for one report year, summed from
// its ReportFact rows; every larger region is a sum of villages.
type ReportVillage struct {
	Year        int    `gorm:"primaryKey;autoIncrement:false"`
	VillageCode string `gorm:"primaryKey;size:12"`
	// seed 000 附件
	LastYear           int `gorm:"not null"` // 去年务工人数
	NotWorking         int `gorm:"not null"` // 其中至今尚未务工就业人数
	ZeroHouseholds     int `gorm:"not null"`
	ZeroPersons        int `gorm:"not null"`
	ReducedHouseholds  int `gorm:"not null"`
	ReducedLastPersons int `gorm:"not null"`
	ReducedThisPersons int `gorm:"not null"`
	Planned            int `gorm:"not null"` // 未务工者中今年计划外出人数
	// seed 001 附件
	ThisYear      int `gorm:"not null"` // 今年已外出 共计
	OutProvince   int `gorm:"not null"`
	InProvince    int `gorm:"not null"`
	InCounty      int `gorm:"not null"`
	PointToPoint  int `gorm:"not null"`
	WillingNotOut int `gorm:"not null"`
}

// Month states in ReportFact.ThisMonths and LastMonths.
const (
	MonthNotCounted  = '-'
	MonthInCounty    = 'c' // 县内
	MonthInProvince  = 'p' // 省内县外
	MonthOutProvince = 'o' // 省外
)

// ReportMonth is one village's 今年已外出务工 count at the end of one month
// of a report year (Month 1 is October, 12 September), this work year's and
// the previous one's, summed from the ReportFact rows' month strings. Only
// months with someone counted have a row.
type ReportMonth struct {
	Year        int    `gorm:"primaryKey;autoIncrement:false"`
	VillageCode string `gorm:"primaryKey;size:12"`
	Month       int    `gorm:"primaryKey;autoIncrement:false"`
	ThisYear    int    `gorm:"not null"` // 今年已外出务工 共计, at the month's end
	OutProvince int    `gorm:"not null"`
	InProvince  int    `gorm:"not null"`
	InCounty    int    `gorm:"not null"`
	LastYear    int    `gorm:"not null"` // the same month's end of the previous work year
	LastOut     int    `gorm:"not null"`
	LastIn      int    `gorm:"not null"`
	LastCounty  int    `gorm:"not null"`
}

// ReportYear marks a report year whose ReportFact, ReportVillage and
// ReportMonth rows cover every labourer; a year without one, or built by an
// older layout (Version), is built on first use. The row with Year 0 is the
// lock refreshes take.
type ReportYear struct {
	Year    int `gorm:"primaryKey;autoIncrement:false"`
	BuiltAt time.Time
	// Version is the layout the year's rows were built with
	// (report.RowsVersion); a year built by an older one is rebuilt.
	Version int `gorm:"not null;default:0"`
	// BuildToken and BuildingAt claim a build in progress: the process
	// building the year beats BuildingAt; a claim not beaten within the
	// lease is taken over. Empty when no build runs.
	BuildToken string `gorm:"size:32;not null;default:''"`
	BuildingAt *time.Time
	// BuildMark is the highest dirty mark when the build was claimed: a
	// "rebuild everything" mark at or below it is covered by the build.
	BuildMark int64 `gorm:"not null;default:0"`
}

// ReportDirty marks a labourer whose records changed since their ReportFact
// rows were computed; written by GORM callbacks in the same transaction as
// the change. LabourerID 0 means "everything": every year is rebuilt.
//
// Applied marks are kept while a year is being built: the refresh has
// applied them to every built year, and the build applies them to its year
// when it finishes, then deletes them.
type ReportDirty struct {
	ID         int64 `gorm:"primaryKey;autoIncrement"`
	LabourerID int64 `gorm:"not null"`
	Applied    bool  `gorm:"not null;default:false;index"`
}
