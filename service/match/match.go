// Package match scores jobs for workers and workers for jobs (DESIGN.md
// "Matching is explainable"). A job either passes every hard limit — age in
// the job's range, labour capacity accepted, skill at least the minimum,
// headcount left, still valid, open — or is never shown. Among the jobs that
// pass, soft factors add points, and each factor that adds points is a
// reason in Chinese the worker and the cadre read: 同县/同市/同省/协作地区 or
// 意向地, 工种相符, 工资≥期望, 劳动能力适合, 重点群体优先.
//
// Scoring is a pure function of a Profile and a Job. An Index keeps the open
// jobs in memory, packed for a linear scan with a bounded heap, so matching
// one worker against 100,000 jobs takes a few milliseconds (BenchmarkMatch100k).
package match

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
)

// Points of each soft factor. Place factors do not add up: the best one counts.
const (
	PointsPlanDest     = 30 // the job is where the worker plans to go (意向地)
	PointsSameCounty   = 30
	PointsSameCity     = 22
	PointsSameProvince = 15
	PointsPartner      = 12 // 东西部协作 partner province
	PointsIndustry     = 25 // 工种相符
	PointsWageOK       = 20 // the lowest wage meets the expectation
	PointsWageMaybe    = 10 // only the highest wage meets it
	PointsFitSpecific  = 10 // the job asks for exactly this capacity or skill
	PointsFitGeneral   = 5  // accepted, nothing more
	PointsPriority     = 10 // 重点群体 (零就业家庭, 易地搬迁, 监测对象)
	PointsHousing      = 3  // 包吃住 / 包住 / 包吃
	PointsTransport    = 3  // 点对点输送
)

// Partners maps a province to its 东西部协作 partner provinces (the 2021
// pairing: 天津 and 山东 assist 甘肃). It is data, not logic: add a row for
// another province.
var Partners = map[string][]string{
	"62": {"12", "37"},
}

// Reason codes.
const (
	ReasonPlanDest     = "plan_destination"
	ReasonSameCounty   = "same_county"
	ReasonSameCity     = "same_city"
	ReasonSameProvince = "same_province"
	ReasonPartner      = "partner_area"
	ReasonIndustry     = "industry_match"
	ReasonWageOK       = "wage_ok"
	ReasonWageMaybe    = "wage_maybe"
	ReasonSkillFit     = "skill_fit"
	ReasonCapacityFit  = "capacity_fit"
	ReasonPriority     = "priority_group"
	ReasonHousing      = "housing_meals"
	ReasonTransport    = "transport"
)

// Reason is one factor that added points, with its Chinese label.
type Reason struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Points int    `json:"points"`
}

// Job is what matching reads of a job.
type Job struct {
	ID         int64
	Title      string
	Industry   string // model.Industries code
	PlaceCode  string // region code at any level
	WageMin    int
	WageMax    int
	MinAge     int // 0: no lower limit
	MaxAge     int // 0: no upper limit
	Capacities []string
	MinSkill   string // model.SkillLevels code; "" or "none": any
	Headcount  int
	Filled     int
	ValidUntil time.Time
	Open       bool
	Housing    bool
	Meals      bool
	Transport  bool
}

// JobFrom converts a stored job.
func JobFrom(j *model.Job) Job {
	var caps []string
	for _, c := range strings.Split(j.Capacities, ",") {
		if c = strings.TrimSpace(c); c != "" {
			caps = append(caps, c)
		}
	}
	return Job{ID: j.ID, Title: j.Title, Industry: j.Industry, PlaceCode: j.PlaceCode, WageMin: j.WageMin, WageMax: j.WageMax,
		MinAge: j.MinAge, MaxAge: j.MaxAge, Capacities: caps, MinSkill: j.MinSkill, Headcount: j.Headcount, Filled: j.Filled,
		ValidUntil: j.ValidUntil, Open: j.Status == model.JobOpen, Housing: j.Housing, Meals: j.Meals, Transport: j.Transport}
}

// Profile is what matching reads of a worker.
type Profile struct {
	LabourerID   int64
	BirthDate    time.Time
	Capacity     string // model.LabourCapacities code
	Skill        string // model.SkillLevels code
	HomeCode     string // 户籍 village (or county) code
	DestCode     string // 意向地 of the outing plan, "" if none
	PlanJob      string // 意向岗位 (free text)
	LastIndustry string // industry of the last employment spell
	ExpectedWage int    // 期望月薪 from the plan, else the last wage; 0 unknown
	// 重点群体.
	ZeroEmployment bool // 零就业家庭
	Relocated      bool // 易地扶贫搬迁
	Monitored      bool // 防止返贫监测对象
}

// Priority reports whether the worker belongs to a 重点群体.
func (p Profile) Priority() bool { return p.ZeroEmployment || p.Relocated || p.Monitored }

// Match is a job that passed the hard limits, with its score and reasons.
type Match struct {
	JobID   int64
	Score   int
	Reasons []Reason
}

// Options narrow or widen a search.
type Options struct {
	// N is how many matches to return (default 10).
	N int
	// Wide searches every place; otherwise only the worker's own province,
	// the plan destination's province and the partner provinces (the first
	// round; the 24-hour checkpoint widens).
	Wide bool
	// MinScore drops matches scoring lower.
	MinScore int
	// Exclude skips these job ids (already recommended).
	Exclude map[int64]bool
}

// Namer names region codes in reasons; nil leaves names out.
type Namer func(code string) string

// AgeAt is the age in whole years at t.
func AgeAt(birth, t time.Time) int {
	if birth.IsZero() {
		return -1
	}
	y := t.Year() - birth.Year()
	if t.Month() < birth.Month() || (t.Month() == birth.Month() && t.Day() < birth.Day()) {
		y--
	}
	return y
}

// Rejection names a hard limit a job failed for a worker.
type Rejection struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Check applies the hard limits and returns every one the job fails (none:
// eligible).
func Check(p Profile, j Job, now time.Time) []Rejection {
	var out []Rejection
	add := func(code, label string) { out = append(out, Rejection{code, label}) }
	if !j.Open {
		add("job_not_open", "岗位未在招聘")
	}
	if j.ValidUntil.Before(now) {
		add("job_expired", "岗位已过有效期")
	}
	if j.Filled >= j.Headcount {
		add("job_full", "岗位已招满")
	}
	age := AgeAt(p.BirthDate, now)
	if (j.MinAge > 0 && age < j.MinAge) || (j.MaxAge > 0 && age > j.MaxAge) {
		add("age", fmt.Sprintf("年龄不在%d–%d岁之间", j.MinAge, j.MaxAge))
	}
	if len(j.Capacities) > 0 && !contains(j.Capacities, p.Capacity) {
		add("capacity", "劳动能力不符合岗位要求")
	}
	if skillRank(p.Skill) < skillRank(j.MinSkill) {
		add("skill", "技能等级低于岗位要求（"+model.SkillLevels.Label(j.MinSkill)+"）")
	}
	return out
}

// Score returns the match of one job for one worker, false when a hard limit
// fails. It gives the same score and reasons as an Index search.
func Score(p Profile, j Job, now time.Time, name Namer) (Match, bool) {
	w := prepare(p, now)
	e := pack(j)
	pts, bits, ok := w.score(&e, now.Unix())
	if !ok {
		return Match{}, false
	}
	return Match{JobID: j.ID, Score: pts, Reasons: explain(p, j, bits, name)}, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// skillRank orders skill levels: none 0 … 高级技师 5; unknown or empty is 0.
func skillRank(code string) int {
	for i, o := range model.SkillLevels {
		if o.Code == code {
			return i
		}
	}
	return 0
}

func capacityBit(code string) uint8 {
	for i, o := range model.LabourCapacities {
		if o.Code == code {
			return 1 << i
		}
	}
	return 0
}

func industryIndex(code string) uint8 {
	for i, o := range model.Industries {
		if o.Code == code {
			return uint8(i + 1)
		}
	}
	return 0
}

// planKeywords map words of a free-text 意向岗位 to an industry. The first
// entry whose word the text contains wins.
var planKeywords = []struct{ word, industry string }{
	{"电焊", "technician"}, {"焊工", "technician"}, {"电工", "technician"}, {"钳工", "technician"}, {"车工", "technician"},
	{"机修", "technician"}, {"维修", "technician"}, {"技工", "technician"}, {"司机", "technician"}, {"驾驶", "technician"},
	{"厨师", "service"}, {"服务员", "service"}, {"收银", "service"}, {"导购", "service"}, {"餐饮", "service"}, {"酒店", "service"}, {"快递", "service"}, {"外卖", "service"},
	{"家政", "domestic"}, {"保姆", "domestic"}, {"月嫂", "domestic"}, {"育婴", "domestic"}, {"护工", "domestic"}, {"养老", "domestic"},
	{"保安", "sanitation"}, {"保洁", "sanitation"}, {"环卫", "sanitation"}, {"绿化", "sanitation"},
	{"建筑", "construction"}, {"装修", "construction"}, {"木工", "construction"}, {"瓦工", "construction"}, {"钢筋", "construction"}, {"工地", "construction"}, {"油漆", "construction"},
	{"种植", "planting"}, {"大棚", "planting"}, {"采摘", "planting"}, {"果园", "planting"},
	{"养殖", "breeding"}, {"放牧", "breeding"}, {"养牛", "breeding"}, {"养羊", "breeding"},
	{"文员", "administration"}, {"行政", "administration"}, {"管理", "administration"}, {"会计", "administration"},
	{"普工", "general_worker"}, {"工厂", "general_worker"}, {"流水线", "general_worker"}, {"操作工", "general_worker"}, {"包装", "general_worker"}, {"车间", "general_worker"},
}

// PlanIndustry guesses the industry of a free-text 意向岗位 ("" if unknown).
func PlanIndustry(text string) string {
	if model.Industries.Valid(text) {
		return text
	}
	for _, k := range planKeywords {
		if strings.Contains(text, k.word) {
			return k.industry
		}
	}
	for _, o := range model.Industries {
		if o.Code != "other" && text != "" && strings.Contains(o.Label, text) {
			return o.Code
		}
	}
	return ""
}

// codeNum reads a region code prefix of length n as a number (0 if absent).
func codeNum(code string, n int) uint64 {
	if len(code) < n {
		return 0
	}
	v, err := strconv.ParseUint(code[:n], 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// entry is a job packed for the scan.
type entry struct {
	id         int64
	validUntil int64
	wageMin    int32
	wageMax    int32
	left       int32
	prov       uint16
	city       uint32
	county     uint32
	placeLen   uint8
	industry   uint8
	capMask    uint8
	minSkill   uint8
	minAge     uint8
	maxAge     uint8
	perks      uint8 // 1 housing, 2 meals, 4 transport
	open       bool
	place      string // full place code, for the plan-destination prefix test
}

func pack(j Job) entry {
	e := entry{id: j.ID, validUntil: j.ValidUntil.Unix(), wageMin: int32(j.WageMin), wageMax: int32(j.WageMax),
		left: int32(j.Headcount - j.Filled), prov: uint16(codeNum(j.PlaceCode, 2)), city: uint32(codeNum(j.PlaceCode, 4)),
		county: uint32(codeNum(j.PlaceCode, 6)), placeLen: uint8(len(j.PlaceCode)), industry: industryIndex(j.Industry),
		minSkill: uint8(skillRank(j.MinSkill)), minAge: clampAge(j.MinAge), maxAge: clampAge(j.MaxAge), open: j.Open, place: j.PlaceCode}
	for _, c := range j.Capacities {
		e.capMask |= capacityBit(c)
	}
	if j.Housing {
		e.perks |= 1
	}
	if j.Meals {
		e.perks |= 2
	}
	if j.Transport {
		e.perks |= 4
	}
	return e
}

func clampAge(a int) uint8 { return uint8(min(max(a, 0), 255)) }

// worker is a Profile prepared for the scan.
type worker struct {
	age         int
	capBit      uint8
	skill       uint8
	prov        uint16
	city        uint32
	county      uint32
	dest        string
	destProv    uint16
	destCity    uint32
	destCounty  uint32
	partners    []uint16
	industries  [2]uint8 // plan and last industry (0 = none)
	wage        int32
	priority    bool
	hasIndustry bool
}

func prepare(p Profile, now time.Time) *worker {
	w := &worker{age: AgeAt(p.BirthDate, now), capBit: capacityBit(p.Capacity), skill: uint8(skillRank(p.Skill)),
		prov: uint16(codeNum(p.HomeCode, 2)), city: uint32(codeNum(p.HomeCode, 4)), county: uint32(codeNum(p.HomeCode, 6)),
		dest: p.DestCode, destProv: uint16(codeNum(p.DestCode, 2)), destCity: uint32(codeNum(p.DestCode, 4)),
		destCounty: uint32(codeNum(p.DestCode, 6)), wage: int32(p.ExpectedWage), priority: p.Priority()}
	for _, pc := range Partners[p.HomeCode[:min(2, len(p.HomeCode))]] {
		w.partners = append(w.partners, uint16(codeNum(pc, 2)))
	}
	w.industries[0] = industryIndex(PlanIndustry(p.PlanJob))
	w.industries[1] = industryIndex(p.LastIndustry)
	w.hasIndustry = w.industries[0] != 0 || w.industries[1] != 0
	return w
}

// inDest reports whether the job's place lies in the plan destination,
// comparing the packed prefixes (a string compare only below the county).
func (w *worker) inDest(e *entry) bool {
	switch len(w.dest) {
	case 2:
		return true // the province matched already
	case 4:
		return e.placeLen >= 4 && e.city == w.destCity
	case 6:
		return e.placeLen >= 6 && e.county == w.destCounty
	}
	return strings.HasPrefix(e.place, w.dest)
}

// Reason bits returned by score; explain turns them into labels.
const (
	bitPlanDest = 1 << iota
	bitCounty
	bitCity
	bitProvince
	bitPartner
	bitIndustry
	bitWageOK
	bitWageMaybe
	bitSkill
	bitCapSpecific
	bitCapGeneral
	bitPriority
	bitHousing
	bitTransport
)

// score applies the hard limits and adds the soft factors. It is the one
// place scores are computed.
func (w *worker) score(e *entry, now int64) (pts int, bits uint32, ok bool) {
	if !e.open || e.validUntil < now || e.left <= 0 {
		return 0, 0, false
	}
	if e.capMask != 0 && e.capMask&w.capBit == 0 {
		return 0, 0, false
	}
	if w.skill < e.minSkill {
		return 0, 0, false
	}
	if e.minAge > 0 || e.maxAge > 0 {
		age := w.age
		if (e.minAge > 0 && age < int(e.minAge)) || (e.maxAge > 0 && age > int(e.maxAge)) {
			return 0, 0, false
		}
	}
	// Place: the best of plan destination, county, city, province, partner.
	place, pbit := 0, uint32(0)
	switch {
	case e.placeLen >= 6 && e.county == w.county:
		place, pbit = PointsSameCounty, bitCounty
	case e.placeLen >= 4 && e.city == w.city:
		place, pbit = PointsSameCity, bitCity
	case e.prov == w.prov:
		place, pbit = PointsSameProvince, bitProvince
	default:
		for _, p := range w.partners {
			if e.prov == p {
				place, pbit = PointsPartner, bitPartner
				break
			}
		}
	}
	if w.dest != "" && e.prov == w.destProv && PointsPlanDest >= place && w.inDest(e) {
		place, pbit = PointsPlanDest, bitPlanDest
	}
	pts += place
	bits |= pbit
	if w.hasIndustry && e.industry != 0 && (e.industry == w.industries[0] || e.industry == w.industries[1]) {
		pts += PointsIndustry
		bits |= bitIndustry
	}
	if w.wage > 0 {
		if e.wageMin >= w.wage {
			pts += PointsWageOK
			bits |= bitWageOK
		} else if e.wageMax >= w.wage {
			pts += PointsWageMaybe
			bits |= bitWageMaybe
		}
	}
	switch {
	case e.minSkill > 0:
		pts += PointsFitSpecific
		bits |= bitSkill
	case e.capMask != 0 && e.capMask != 0b111:
		pts += PointsFitSpecific
		bits |= bitCapSpecific
	default:
		pts += PointsFitGeneral
		bits |= bitCapGeneral
	}
	if w.priority {
		pts += PointsPriority
		bits |= bitPriority
	}
	if e.perks&3 != 0 {
		pts += PointsHousing
		bits |= bitHousing
	}
	if e.perks&4 != 0 {
		pts += PointsTransport
		bits |= bitTransport
	}
	return pts, bits, true
}

// explain turns reason bits into labelled reasons, in the order they weigh.
func explain(p Profile, j Job, bits uint32, name Namer) []Reason {
	named := func(label, code string) string {
		if name != nil {
			if n := name(code); n != "" {
				return label + "（" + n + "）"
			}
		}
		return label
	}
	var out []Reason
	add := func(bit uint32, code, label string, pts int) {
		if bits&bit != 0 {
			out = append(out, Reason{Code: code, Label: label, Points: pts})
		}
	}
	add(bitPlanDest, ReasonPlanDest, named("在意向务工地", p.DestCode), PointsPlanDest)
	add(bitCounty, ReasonSameCounty, named("同县", model.Ancestor(j.PlaceCode, model.LevelCounty)), PointsSameCounty)
	add(bitCity, ReasonSameCity, named("同市", model.Ancestor(j.PlaceCode, model.LevelCity)), PointsSameCity)
	add(bitProvince, ReasonSameProvince, named("同省", model.Ancestor(j.PlaceCode, model.LevelProvince)), PointsSameProvince)
	add(bitPartner, ReasonPartner, named("东西部协作地区", model.Ancestor(j.PlaceCode, model.LevelProvince)), PointsPartner)
	add(bitIndustry, ReasonIndustry, "工种相符（"+model.Industries.Label(j.Industry)+"）", PointsIndustry)
	add(bitWageOK, ReasonWageOK, fmt.Sprintf("工资≥期望（%d–%d元/月，期望%d元）", j.WageMin, j.WageMax, p.ExpectedWage), PointsWageOK)
	add(bitWageMaybe, ReasonWageMaybe, fmt.Sprintf("工资可达期望（最高%d元/月，期望%d元）", j.WageMax, p.ExpectedWage), PointsWageMaybe)
	add(bitSkill, ReasonSkillFit, "技能等级符合（要求"+model.SkillLevels.Label(j.MinSkill)+"）", PointsFitSpecific)
	add(bitCapSpecific, ReasonCapacityFit, "劳动能力适合（"+model.LabourCapacities.Label(p.Capacity)+"）", PointsFitSpecific)
	add(bitCapGeneral, ReasonCapacityFit, "劳动能力适合", PointsFitGeneral)
	if bits&bitPriority != 0 {
		var groups []string
		if p.ZeroEmployment {
			groups = append(groups, "零就业家庭")
		}
		if p.Relocated {
			groups = append(groups, "易地搬迁")
		}
		if p.Monitored {
			groups = append(groups, "监测对象")
		}
		out = append(out, Reason{Code: ReasonPriority, Label: "重点群体优先（" + strings.Join(groups, "、") + "）", Points: PointsPriority})
	}
	housing := ""
	switch {
	case j.Housing && j.Meals:
		housing = "包吃住"
	case j.Housing:
		housing = "包住"
	case j.Meals:
		housing = "包吃"
	}
	add(bitHousing, ReasonHousing, housing, PointsHousing)
	add(bitTransport, ReasonTransport, "点对点输送", PointsTransport)
	return out
}
