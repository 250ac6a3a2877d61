package verify

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/registry"
)

// Form is the whole collection form (seed 002 附件1), block by block. Single
// choices (□) travel as the codes of the model's enums; yes/no boxes as
// booleans that must be given (nil = not ticked). The 身份证 number is not
// here: it identifies the labourer and is corrected by re-registration.
type Form struct {
	Verification string      `json:"verification"` // 核实情况: model.Verifications
	Basic        Basic       `json:"basic"`
	Working      *bool       `json:"working"` // 是否务工
	WorkYear     WorkYear    `json:"work_year"`
	Employment   *Employment `json:"employment"` // 已外出务工情况
	NotOut       *NotOut     `json:"not_out"`    // 暂未外出务工情况
	Return       *Return     `json:"return"`     // 返乡回流情况
	Training     *Training   `json:"training"`   // 培训意愿
	Services     *Services   `json:"services"`   // 就业服务政策
}

// Basic is the 基本信息 block, checked by registry.ValidateBasic. Phone empty
// keeps the ledger's number (the prefill only shows it masked).
type Basic struct {
	Name           string `json:"name"`
	Phone          string `json:"phone"`
	PhoneMasked    string `json:"phone_masked"` // read-only, from the ledger
	IDMasked       string `json:"id_masked"`    // read-only, from the ledger
	Ethnicity      string `json:"ethnicity"`
	Address        string `json:"address"`
	State          string `json:"state"`
	StateReason    string `json:"state_reason"`
	LabourCapacity string `json:"labour_capacity"`
	SkillLevel     string `json:"skill_level"`
	TwoAfter       *bool  `json:"two_after"`
	Education      string `json:"education"`
	GraduationDate string `json:"graduation_date"` // YYYY-MM
	Category       string `json:"category"`
}

// WorkYear is 上年度10月至本年度9月: the months worked and the income.
type WorkYear struct {
	StartYear    int      `json:"start_year"`    // 2025 = 2025-10 … 2026-09
	Months       []string `json:"months"`        // 具体务工时间, YYYY-MM ticked
	MonthsWorked *float64 `json:"months_worked"` // 年度累计务工时间, 3.5 allowed
	Income       *int     `json:"income"`        // 年度务工收入, yuan
	FlexibleDays *int     `json:"flexible_days"` // 其中：灵活就业天数
}

// Employment is 已外出务工情况.
type Employment struct {
	PlaceCode       string `json:"place_code"` // 务工地点, down to the town where known
	Form            string `json:"form"`       // 就业形式
	FormOther       string `json:"form_other"`
	EmployerName    string `json:"employer_name"`
	StartDate       string `json:"start_date"` // 就业时间 (指标解释 5)
	Wage            *int   `json:"wage"`       // 月平均工资
	Industry        string `json:"industry"`
	IndustryOther   string `json:"industry_other"`
	Contract        *bool  `json:"contract"`
	SocialInsurance *bool  `json:"social_insurance"` // 城镇职工养老和医疗 (指标解释 6)
	Assisted        *bool  `json:"assisted"`         // 经帮扶实现就业
	AssistedMonth   string `json:"assisted_month"`   // 帮扶时间 YYYY-MM
	StartupLed      *bool  `json:"startup_led"`      // 是否返乡创业带动
	Organised       string `json:"organised"`        // 有组织劳务输出
}

// NotOut is 暂未外出务工情况.
type NotOut struct {
	Type         string `json:"type"`          // 未外出务工类型
	LostJobDate  string `json:"lost_job_date"` // 就业转失业日期
	HasPlan      *bool  `json:"has_plan"`      // 是否有外出计划
	NoPlanReason string `json:"no_plan_reason"`
	NoPlanOther  string `json:"no_plan_other"`
	DestCode     string `json:"dest_code"`     // 外出务工意向地 (省/市)
	PlannedMonth string `json:"planned_month"` // 计划外出时间
	Job          string `json:"job"`           // 意向岗位(工种)
	ExpectedWage *int   `json:"expected_wage"` // 期望月薪
}

// Return is 返乡回流情况 (指标解释 7).
type Return struct {
	Returned      *bool  `json:"returned"`
	Reason        string `json:"reason"`
	PrevPlaceCode string `json:"prev_place_code"` // 返乡前务工地点
	ReturnDate    string `json:"return_date"`
}

// Training is 培训意愿 (填表规则 4: optional; a wish needs all three).
type Training struct {
	Wish     *bool  `json:"wish"`
	Category string `json:"category"`
	Job      string `json:"job"`
	Month    string `json:"month"` // 意愿培训日期 YYYY-MM
}

// Services is 本年度享受就业服务项目 with counts, or 未享受过 (填表规则 5).
type Services struct {
	Items map[string]int `json:"items"`
	None  bool           `json:"none"`
}

// checked holds what validation parsed, for the ledger write.
type checked struct {
	basic          registry.LabourerInput
	grad           *time.Time
	working        bool
	placeScope     string
	spellStart     time.Time
	lostJobDate    *time.Time
	plannedMonth   *time.Time
	returned       bool
	returnDate     time.Time
	countsAsWorker bool
	wantsWork      bool
}

// checker validates one form against one labourer at the visit's time.
type checker struct {
	s     *Service
	lab   *model.Labourer
	visit time.Time // China date of the visit, as UTC midnight
	f     apperr.Fields
	out   checked
}

func bptr(b *bool) bool { return b != nil && *b }

// Validate checks a form for a labourer as of the visit time; basic is the
// 基本信息 as stored (with the clear 身份证 and phone) that the form corrects.
// Every fill rule is checked both ways: what a choice requires and what it
// forbids. Field paths name the block: "employment.wage".
func (s *Service) Validate(lab *model.Labourer, basic registry.LabourerInput, f *Form, visit time.Time) (*checked, error) {
	v := visit.In(China)
	c := &checker{s: s, lab: lab, visit: time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)}
	switch f.Verification {
	case "verified":
	case "unreachable":
		// Nothing was learned: the blocks are not recorded (see Submit).
		return &c.out, nil
	case "unverified":
		return nil, apperr.Invalid("verification", "not_verified", "提交前请选择“已核实”或“联系不上”")
	default:
		return nil, apperr.Invalid("verification", "invalid_enum", "请选择核实情况")
	}
	c.basicBlock(basic, &f.Basic)
	c.workingBlocks(f)
	c.workYear(f)
	c.returnBlock(f)
	c.training(f.Training)
	c.services(f.Services)
	if err := c.f.Err(); err != nil {
		return nil, err
	}
	return &c.out, nil
}

func (c *checker) add(field, code, msg string) { c.f.Add(field, code, msg) }

func (c *checker) basicBlock(in registry.LabourerInput, b *Basic) {
	in.Name, in.Ethnicity, in.Address = b.Name, b.Ethnicity, b.Address
	in.State, in.StateReason = b.State, b.StateReason
	in.LabourCapacity, in.SkillLevel, in.Education = b.LabourCapacity, b.SkillLevel, b.Education
	in.GraduationDate, in.Category = b.GraduationDate, b.Category
	if b.Phone = strings.TrimSpace(b.Phone); b.Phone != "" {
		in.Phone = b.Phone
	}
	if b.TwoAfter == nil {
		c.add("basic.two_after", "required", "请选择是否为两后生")
	} else {
		in.TwoAfter = *b.TwoAfter
	}
	if b.State == "" {
		c.add("basic.state", "invalid_enum", "请选择当前状态")
	}
	_, grad, err := c.s.registry.ValidateBasic(&in)
	if e, ok := apperr.As(err); ok {
		for _, fe := range e.Fields {
			c.add("basic."+fe.Field, fe.Code, fe.Message)
		}
	} else if err != nil {
		c.add("basic", "invalid", "基本信息有误")
	}
	c.out.basic, c.out.grad = in, grad
}

// workingBlocks: 填表规则 2 — 是否务工=是 needs the whole 已外出 block and
// no 暂未外出 block; =否 the reverse.
func (c *checker) workingBlocks(f *Form) {
	if f.Working == nil {
		c.add("working", "required", "请选择是否务工")
		return
	}
	c.out.working = *f.Working
	exited := f.Basic.State == "temp_exit" || f.Basic.State == "perm_exit"
	if *f.Working {
		if exited {
			c.add("working", "exited_not_working", "暂时退出或永久退出的人员，是否务工应选“否”")
		}
		if f.NotOut != nil {
			c.add("not_out", "not_allowed", "正在务工的人员不填“暂未外出务工情况”")
		}
		if f.Employment == nil {
			c.add("employment", "required", "是否务工为“是”，请完整填写已外出务工情况")
			return
		}
		c.employment(f.Employment)
		return
	}
	if f.Employment != nil {
		c.add("employment", "not_allowed", "未务工的人员不填“已外出务工情况”")
	}
	if f.NotOut == nil {
		if f.Basic.State != "perm_exit" { // 永久退出 (死亡等): nothing to plan
			c.add("not_out", "required", "是否务工为“否”，请完整填写暂未外出务工情况")
		}
		return
	}
	c.notOut(f.NotOut)
}

func (c *checker) employment(e *Employment) {
	const p = "employment."
	c.place(p+"place_code", e.PlaceCode, true)
	if e.PlaceCode != "" && !c.f.Has(p+"place_code") {
		c.out.placeScope = c.s.regions.PlaceScope(c.lab.VillageCode, e.PlaceCode)
	}
	c.choiceWithOther(p+"form", e.Form, &e.FormOther, model.EmploymentForms, "请选择就业形式", "请注明其他就业形式")
	e.EmployerName = strings.TrimSpace(e.EmployerName)
	switch {
	case len([]rune(e.EmployerName)) > 100:
		c.add(p+"employer_name", "too_long", "单位名称太长（100字以内）")
	case e.EmployerName == "" && needsEmployer(e.Form):
		c.add(p+"employer_name", "required", "请填写就业单位名称")
	}
	if d, ok := c.date(p+"start_date", e.StartDate, true); ok {
		c.out.spellStart = d
	}
	c.wage(p+"wage", e.Wage, "请填写月平均工资（元）")
	c.choiceWithOther(p+"industry", e.Industry, &e.IndustryOther, model.Industries, "请选择所属产业行业", "请注明其他行业")
	c.yesNo(p+"contract", e.Contract, "请选择是否签订劳动合同")
	c.yesNo(p+"social_insurance", e.SocialInsurance, "请选择是否缴纳社会保险")
	c.yesNo(p+"startup_led", e.StartupLed, "请选择是否返乡创业带动")
	if c.yesNo(p+"assisted", e.Assisted, "请选择是否经帮扶实现就业") {
		if *e.Assisted {
			if m, ok := c.month(p+"assisted_month", e.AssistedMonth, true); ok && m.After(c.visit) {
				c.add(p+"assisted_month", "future_date", "帮扶时间不能晚于本月")
			}
		} else if e.AssistedMonth != "" {
			c.add(p+"assisted_month", "not_allowed", "未经帮扶就业的不填帮扶时间")
		}
	}
	if !model.OrganisedOutputs.Valid(e.Organised) {
		c.add(p+"organised", "invalid_enum", "请选择有组织劳务输出情况（没有请选“否”）")
	}
}

// needsEmployer: forms where the form asks for 就业单位名称 (as service/status).
func needsEmployer(form string) bool {
	switch form {
	case "employed", "workshop", "base", "public_welfare", "cooperative":
		return true
	}
	return false
}

// notOut: 填表规则 3 — 是否有外出计划=否 needs 无外出意愿原因 and no plan;
// =是 needs 意向地 + 意向岗位 + 期望月薪 and no reason.
func (c *checker) notOut(n *NotOut) {
	const p = "not_out."
	switch n.Type {
	case "lost_job":
		if d, ok := c.date(p+"lost_job_date", n.LostJobDate, true); ok {
			c.out.lostJobDate = &d
		}
	case "never_out":
		if n.LostJobDate != "" {
			c.add(p+"lost_job_date", "not_allowed", "从未外出就业过的不填就业转失业日期")
		}
	default:
		c.add(p+"type", "invalid_enum", "请选择未外出务工类型")
	}
	if !c.yesNo(p+"has_plan", n.HasPlan, "请选择是否有外出计划") {
		return
	}
	if !*n.HasPlan {
		c.choiceWithOther(p+"no_plan_reason", n.NoPlanReason, &n.NoPlanOther, model.NoPlanReasons, "请选择无外出意愿原因", "请写明原因")
		for field, v := range map[string]string{"dest_code": n.DestCode, "job": n.Job, "planned_month": n.PlannedMonth} {
			if v != "" {
				c.add(p+field, "not_allowed", "没有外出计划的不填意向地、意向岗位和计划外出时间")
			}
		}
		if n.ExpectedWage != nil {
			c.add(p+"expected_wage", "not_allowed", "没有外出计划的不填期望月薪")
		}
		return
	}
	c.out.wantsWork = true
	if n.NoPlanReason != "" || n.NoPlanOther != "" {
		c.add(p+"no_plan_reason", "not_allowed", "有外出计划的不填无外出意愿原因")
	}
	switch {
	case n.DestCode == "":
		c.add(p+"dest_code", "required", "请选择外出务工意向地")
	case c.s.regions.ValidateCode(p+"dest_code", n.DestCode, 0) != nil:
		c.add(p+"dest_code", "unknown_region", "意向地不存在，请重新选择")
	case model.LevelOf(n.DestCode) > model.LevelCity:
		c.add(p+"dest_code", "region_level", "意向地选到省或市（州）即可")
	}
	n.Job = strings.TrimSpace(n.Job)
	if n.Job == "" || len([]rune(n.Job)) > maxTextRunes {
		c.add(p+"job", "required", "请填写意向岗位（工种，50字以内）")
	}
	c.wage(p+"expected_wage", n.ExpectedWage, "请填写期望月薪（元）")
	if n.PlannedMonth != "" {
		if m, ok := c.month(p+"planned_month", n.PlannedMonth, false); ok {
			switch {
			case m.Before(firstOfMonth(c.visit)):
				c.add(p+"planned_month", "past_date", "计划外出时间不能早于本月")
			case m.After(c.visit.AddDate(2, 0, 0)):
				c.add(p+"planned_month", "too_far", "计划外出时间不能晚于两年后")
			default:
				c.out.plannedMonth = &m
			}
		}
	}
}

// workYear: 年度累计务工时间 and 年度务工收入 (指标解释 3), the ticked months
// of 具体务工时间 and 灵活就业天数 (of which, so at most the days worked).
func (c *checker) workYear(f *Form) {
	const p = "work_year."
	w := &f.WorkYear
	cur := WorkYearOf(c.visit)
	if w.StartYear != cur && w.StartYear != cur-1 {
		c.add(p+"start_year", "invalid_work_year", fmt.Sprintf("年度应为%d年10月至%d年9月，或上一年度", cur, cur+1))
		return
	}
	from, to := WorkYearRange(w.StartYear)
	last := from.AddDate(0, FormMonthColumns, 0)
	inYear := 0
	seen := map[string]bool{}
	for _, s := range w.Months {
		m, err := time.Parse("2006-01", s)
		switch {
		case err != nil:
			c.add(p+"months", "invalid_date", "务工月份格式应为 2026-03")
			return
		case seen[s]:
			c.add(p+"months", "duplicate", "务工月份重复")
			return
		case m.Before(from) || !m.Before(last):
			c.add(p+"months", "out_of_year", "务工月份不在本表的月份范围内")
			return
		case m.After(c.visit):
			c.add(p+"months", "future_date", "务工月份不能晚于本月")
			return
		}
		seen[s] = true
		if m.Before(to) {
			inYear++
		}
	}
	if w.MonthsWorked == nil {
		c.add(p+"months_worked", "required", "请填写年度累计务工时间（月）")
	} else {
		mw := *w.MonthsWorked
		switch {
		case math.IsNaN(mw) || mw < 0 || mw > 12:
			c.add(p+"months_worked", "out_of_range", "年度累计务工时间应在0到12个月之间")
		case math.Abs(mw*10-math.Round(mw*10)) > 1e-6:
			c.add(p+"months_worked", "precision", "累计务工时间保留一位小数即可，如 3.5")
		case mw > float64(inYear):
			c.add(p+"months_worked", "exceeds_months", "累计务工时间不能多于勾选的本年度务工月份数")
		case mw == 0 && inYear > 0:
			c.add(p+"months_worked", "months_ticked", "勾选了务工月份，累计务工时间不能为0")
		}
	}
	if w.Income == nil {
		c.add(p+"income", "required", "请填写年度务工收入（元，没有填0）")
	} else {
		switch {
		case *w.Income < 0 || *w.Income > MaxYearIncome:
			c.add(p+"income", "out_of_range", fmt.Sprintf("年度务工收入应在0到%d元之间，请核对", MaxYearIncome))
		case *w.Income > 0 && w.MonthsWorked != nil && *w.MonthsWorked == 0:
			c.add(p+"income", "income_without_work", "没有务工时间就不应有务工收入")
		}
	}
	if w.FlexibleDays != nil {
		d := *w.FlexibleDays
		switch {
		case d < 0 || d > MaxFlexibleDays:
			c.add(p+"flexible_days", "out_of_range", "灵活就业天数应在0到366天之间")
		case w.MonthsWorked != nil && float64(d) > math.Ceil(*w.MonthsWorked*31):
			c.add(p+"flexible_days", "exceeds_months", "灵活就业天数不能多于累计务工时间")
		}
	}
	if c.out.working && f.Employment != nil && w.MonthsWorked != nil && w.Income != nil {
		c.out.countsAsWorker = CountsAsWorker(c.out.placeScope, f.Employment.Form, *w.MonthsWorked, *w.Income)
	}
}

// returnBlock: 返乡回流 (指标解释 7): from outside the county, or from another
// town of the county to the home town; it needs the reason, the place and
// the date; a returnee not at work lost a job (就业转失业).
func (c *checker) returnBlock(f *Form) {
	const p = "return."
	r := f.Return
	if r == nil || r.Returned == nil {
		c.add(p+"returned", "required", "请选择是否返乡回流")
		return
	}
	if !*r.Returned {
		if r.Reason != "" || r.PrevPlaceCode != "" || r.ReturnDate != "" {
			c.add(p+"returned", "not_allowed", "未返乡回流的不填返乡原因、返乡前务工地点和日期")
		}
		return
	}
	c.out.returned = true
	if !model.ReturnReasons.Valid(r.Reason) {
		c.add(p+"reason", "invalid_enum", "请选择返乡回流原因")
	}
	if c.place(p+"prev_place_code", r.PrevPlaceCode, true) {
		home := c.lab.VillageCode
		if r.PrevPlaceCode[:6] == home[:6] && (model.LevelOf(r.PrevPlaceCode) < model.LevelTown || r.PrevPlaceCode[:9] == home[:9]) {
			c.add(p+"prev_place_code", "not_a_return", "返乡回流指从县外返回，或从县内其他乡镇返回户籍所在乡镇")
		}
	}
	if d, ok := c.date(p+"return_date", r.ReturnDate, true); ok {
		c.out.returnDate = d
		if !c.out.spellStart.IsZero() && c.out.working && d.After(c.out.spellStart) {
			c.add(p+"return_date", "after_current_job", "返乡日期不能晚于现在这份工作的就业时间")
		}
	}
	if !c.out.working && f.NotOut != nil && f.NotOut.Type == "never_out" {
		c.add("not_out.type", "returnee_lost_job", "返乡回流人员的未外出类型应选“就业转失业”")
	}
}

// training: 填表规则 4 — optional; 有 needs 类别 + 工种 + 日期, 无 takes none.
func (c *checker) training(t *Training) {
	const p = "training."
	if t == nil {
		return
	}
	if t.Wish == nil {
		if t.Category != "" || t.Job != "" || t.Month != "" {
			c.add(p+"wish", "required", "填写了培训内容，请选择有培训意愿")
		}
		return
	}
	if !*t.Wish {
		if t.Category != "" || t.Job != "" || t.Month != "" {
			c.add(p+"wish", "not_allowed", "无培训意愿的不填培训类别、工种和日期")
		}
		return
	}
	if !model.TrainingCategories.Valid(t.Category) {
		c.add(p+"category", "invalid_enum", "请选择意愿培训类别")
	}
	t.Job = strings.TrimSpace(t.Job)
	if t.Job == "" || len([]rune(t.Job)) > maxTextRunes {
		c.add(p+"job", "required", "请填写意愿培训工种（50字以内）")
	}
	if m, ok := c.month(p+"month", t.Month, true); ok {
		switch {
		case m.Before(firstOfMonth(c.visit)):
			c.add(p+"month", "past_date", "意愿培训日期不能早于本月")
		case m.After(c.visit.AddDate(2, 0, 0)):
			c.add(p+"month", "too_far", "意愿培训日期不能晚于两年后")
		}
	}
}

// services: 填表规则 5 — the services received with counts, or 未享受过, not both.
func (c *checker) services(s *Services) {
	const p = "services."
	if s == nil || (len(s.Items) == 0 && !s.None) {
		c.add(p+"items", "required", "请填写享受过的就业服务及次数，没有请勾选“未享受过就业服务”")
		return
	}
	if s.None {
		if len(s.Items) > 0 {
			c.add(p+"none", "not_allowed", "已填写享受的就业服务，不能再勾选“未享受过就业服务”")
		}
		return
	}
	keys := make([]string, 0, len(s.Items))
	for k := range s.Items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !model.EmploymentServices.Valid(k) {
			c.add(p+"items", "invalid_enum", "就业服务项目不对")
			continue
		}
		if n := s.Items[k]; n < 1 || n > MaxServiceCount {
			c.add(p+"items."+k, "out_of_range", fmt.Sprintf("次数应在1到%d之间", MaxServiceCount))
		}
	}
}

// place checks a work place: a known region, at least a county inside the
// home province, and down to the town (务工地点 … 镇(乡)) wherever the
// region data has towns for it.
func (c *checker) place(field, code string, required bool) bool {
	if code == "" {
		if required {
			c.add(field, "required", "请选择地点")
		}
		return false
	}
	if err := c.s.regions.ValidateWorkPlace(c.lab.VillageCode, code); err != nil {
		if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
			c.add(field, e.Fields[0].Code, e.Fields[0].Message)
		} else {
			c.add(field, "invalid", "地点有误")
		}
		return false
	}
	l := model.LevelOf(code)
	if l == model.LevelVillage {
		c.add(field, "region_level", "务工地点选到乡镇（街道）一级即可")
		return false
	}
	if l < model.LevelTown && len(c.s.regions.Children(code)) > 0 && l >= model.LevelCounty {
		c.add(field, "region_level", "请选择到乡镇（街道）一级")
		return false
	}
	return true
}

func (c *checker) choiceWithOther(field, v string, other *string, e model.Enum, msg, otherMsg string) {
	*other = strings.TrimSpace(*other)
	if !e.Valid(v) {
		c.add(field, "invalid_enum", msg)
		return
	}
	// employment.form → employment.form_other; not_out.no_plan_reason → not_out.no_plan_other.
	of := strings.TrimSuffix(field, "_reason") + "_other"
	if v == "other" {
		if *other == "" || len([]rune(*other)) > maxNoteRunes {
			c.add(of, "required", otherMsg)
		}
	} else if *other != "" {
		c.add(of, "not_allowed", "没有选“其他”就不填说明")
	}
}

func (c *checker) yesNo(field string, v *bool, msg string) bool {
	if v == nil {
		c.add(field, "required", msg)
		return false
	}
	return true
}

func (c *checker) wage(field string, v *int, missing string) {
	switch {
	case v == nil:
		c.add(field, "required", missing)
	case *v <= 0:
		c.add(field, "not_positive", "金额应大于0")
	case *v > MaxMonthlyWage:
		c.add(field, "too_large", fmt.Sprintf("月工资不能超过%d元，请核对", MaxMonthlyWage))
	}
}

// date reads YYYY-MM-DD, not after the visit and not before the labourer was 16.
func (c *checker) date(field, v string, required bool) (time.Time, bool) {
	if v == "" {
		if required {
			c.add(field, "required", "请选择日期")
		}
		return time.Time{}, false
	}
	d, err := time.Parse("2006-01-02", v)
	switch {
	case err != nil:
		c.add(field, "invalid_date", "日期格式应为 2026-01-31")
	case d.After(c.visit):
		c.add(field, "future_date", "日期不能晚于核实当天")
	case !c.lab.BirthDate.IsZero() && d.Before(c.lab.BirthDate.AddDate(registry.MinLabourAge, 0, 0)):
		c.add(field, "before_work_age", "日期早于年满16周岁的日子")
	default:
		return d, true
	}
	return time.Time{}, false
}

func (c *checker) month(field, v string, required bool) (time.Time, bool) {
	if v == "" {
		if required {
			c.add(field, "required", "请选择月份")
		}
		return time.Time{}, false
	}
	m, err := time.Parse("2006-01", v)
	if err != nil {
		c.add(field, "invalid_date", "月份格式应为 2026-03")
		return time.Time{}, false
	}
	return m, true
}

func firstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
