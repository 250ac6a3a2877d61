package subsidy

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/derive"
)

// Terms are the policy terms a claim is decided under. A claim stores them
// (SubsidyClaim.Terms) when it is made, so a later edit of the policy never
// changes a claim.
type Terms struct {
	PolicyID             int64    `json:"policy_id,string"`
	Version              int      `json:"version"`
	ProvinceCode         string   `json:"province_code"`
	Year                 int      `json:"year"`
	Kind                 string   `json:"kind"`
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
	SettleBy             string   `json:"settle_by,omitempty"` // YYYY-MM-DD
	Documents            []string `json:"documents"`
}

// TermsOf copies a policy's terms.
func TermsOf(p *model.SubsidyPolicy) Terms {
	t := Terms{PolicyID: p.ID, Version: p.Version, ProvinceCode: p.ProvinceCode, Year: p.Year, Kind: p.Kind, Mode: p.Mode,
		ByDestination: p.ByDestination, AmountFen: p.AmountFen, AmountInProvinceFen: p.AmountInProvinceFen,
		AmountOutProvinceFen: p.AmountOutProvinceFen, Categories: splitList(p.Categories), OutOfCounty: p.OutOfCounty,
		MonthsRequired: p.MonthsRequired, Organised: p.Organised, NativeOnly: p.NativeOnly, Documents: splitList(p.Documents)}
	if p.SettleBy != nil {
		t.SettleBy = p.SettleBy.Format(dateLayout)
	}
	return t
}

// Condition codes of the eligibility check.
const (
	CondInLedger    = "in_ledger"   // 台账在册、状态正常
	CondCategory    = "category"    // 人口类别
	CondNative      = "native"      // 籍贯(户籍)省份
	CondDestination = "destination" // 县外务工 / 目的地在县外
	CondOutOfCounty = "out_of_county_work"
	CondMonths      = "months"
	CondOrganised   = "organised"
	CondDocuments   = "documents"
)

// Stages of a condition: checked when the claim is decided, or (定额预付's
// months) when the prepaid amount is settled.
const (
	StageDecide = "decide"
	StageSettle = "settle"
)

// Condition is one eligibility condition with its outcome in Chinese. Met
// says whether it holds; Proven whether the ledger's verified data (not the
// worker's own statement) show it. 免审即享 needs every condition met and
// proven.
type Condition struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Met    bool   `json:"met"`
	Proven bool   `json:"proven"`
	Stage  string `json:"stage"`
	Reason string `json:"reason"`
}

// SpellFact is a verified employment spell as the check reads it.
type SpellFact struct {
	ID          int64
	Start       time.Time
	End         *time.Time
	Scope       string // model.PlaceScopes code
	Form        string
	MonthlyWage int
	Organised   bool // the job had 点对点 transport, or the confirmed form ticked 有组织劳务输出
	Place       string
}

// Facts are what the ledger and the claim say about the labourer. Spells
// must be verified ones only.
type Facts struct {
	InLedger     bool   // record_status active
	State        string // model.LabourerStates code
	Category     string
	ProvinceCode string // 户籍 province
	// Trip is set for claims tied to a trip (transport, job-seeking claimed by the worker).
	TripDate  *time.Time
	TripScope string // place scope of the trip's destination ("" when unknown)
	HasTicket bool
	Spells    []SpellFact
	AsOf      time.Time // today
	// Workshop: count only these spells (the employer's), over the policy's work year.
	Workshop bool
}

// Decision is the outcome of a check.
type Decision struct {
	Conditions []Condition
	Scope      string // the place scope the amount was computed from
	AmountFen  int64
	SpellID    *int64
	Months     float64
}

// AllMet reports whether every condition of the stage is met.
func (d Decision) AllMet(stage string) bool {
	for _, c := range d.Conditions {
		if c.Stage == stage && !c.Met {
			return false
		}
	}
	return true
}

// AllProven reports whether every condition of the stage is met and proven by data.
func (d Decision) AllProven(stage string) bool {
	for _, c := range d.Conditions {
		if c.Stage == stage && (!c.Met || !c.Proven) {
			return false
		}
	}
	return true
}

// Failed lists the conditions not met, or met only on the worker's word.
func Failed(cs []Condition) []Condition {
	out := []Condition{}
	for _, c := range cs {
		if !c.Met || !c.Proven {
			out = append(out, c)
		}
	}
	return out
}

// InitialState is the state a new claim takes: 免审即享 approves when every
// condition is met and proven; 定额预付 approves the advance (advance_due: it
// is paid through a payment batch, without 公示) when every condition but the
// months is met and proven (the months are settled later); anything else
// waits for the task force. Generated lists always wait for it.
func InitialState(mode string, d Decision, generated bool) model.ClaimState {
	switch {
	case generated || d.AmountFen <= 0:
		return model.ClaimSubmitted
	case mode == model.ModeAuto && d.AllProven(StageDecide):
		return model.ClaimApproved
	case mode == model.ModePrepaid && d.AllProven(StageDecide):
		return model.ClaimAdvanceDue
	}
	return model.ClaimSubmitted
}

var scopeNames = map[string]string{derive.ScopeInCounty: "县内", derive.ScopeInProvince: "省内县外", derive.ScopeOutProvince: "省外"}

func outOfCounty(scope string) bool {
	return scope == derive.ScopeInProvince || scope == derive.ScopeOutProvince
}

// Evaluate checks every condition of the terms against the facts and
// computes the amount. It is a pure function: the table tests drive it.
func Evaluate(t Terms, f Facts) Decision {
	var d Decision
	add := func(code, label string, met, proven bool, stage, reason string) {
		d.Conditions = append(d.Conditions, Condition{Code: code, Label: label, Met: met, Proven: met && proven, Stage: stage, Reason: reason})
	}

	// 台账在册 and not permanently out.
	switch {
	case !f.InLedger:
		add(CondInLedger, "台账在册", false, true, StageDecide, "尚未录入台账（待村干部核实）")
	case f.State == "perm_exit":
		add(CondInLedger, "台账在册", false, true, StageDecide, "台账状态为永久退出")
	default:
		add(CondInLedger, "台账在册", true, true, StageDecide, "已在台账中")
	}

	if len(t.Categories) > 0 {
		want := make([]string, len(t.Categories))
		for i, c := range t.Categories {
			want[i] = model.PopulationCategories.Label(c)
		}
		have := model.PopulationCategories.Label(f.Category)
		if have == "" {
			have = "未登记"
		}
		if contains(t.Categories, f.Category) {
			add(CondCategory, "人口类别", true, true, StageDecide, "台账人口类别为"+have)
		} else {
			add(CondCategory, "人口类别", false, true, StageDecide, "台账人口类别为"+have+"，政策要求"+strings.Join(want, "或"))
		}
	}

	if t.NativeOnly {
		if f.ProvinceCode == t.ProvinceCode {
			add(CondNative, "本省户籍", true, true, StageDecide, "户籍在本省")
		} else {
			add(CondNative, "本省户籍", false, true, StageDecide, "户籍不在本省")
		}
	}

	// The spells the check reads: for a trip, the counted out-of-county (or
	// any counted) spell around the trip; for a workshop, the employer's.
	var counted []SpellFact
	for _, s := range f.Spells {
		if s.Form != derive.FormSelfEmployed {
			counted = append(counted, s)
		}
	}
	sort.Slice(counted, func(i, j int) bool { return counted[i].Start.Before(counted[j].Start) })
	var from time.Time
	var rel *SpellFact
	if f.Workshop {
		from = derive.WorkYear(t.Year).Start
	} else if f.TripDate != nil {
		from = *f.TripDate
		rel = relevantSpell(counted, *f.TripDate, t.OutOfCounty)
	}

	if t.Kind != model.SubsidyWorkshop {
		// The amount follows the derived place scope: the verified spell's when
		// there is one (the ledger wins over the claim), else the trip's.
		scope, proven := f.TripScope, false
		if rel != nil && outOfCounty(rel.Scope) {
			scope, proven = rel.Scope, true
		}
		d.Scope = scope
		name := scopeNames[scope]
		switch {
		case scope == "":
			add(CondDestination, "县外务工", false, false, StageDecide, "无法确定务工地点")
		case !outOfCounty(scope):
			add(CondDestination, "县外务工", false, true, StageDecide, "务工地点在"+name+"，不属于县外")
		case proven:
			add(CondDestination, "县外务工", true, true, StageDecide, "已核实的务工记录在"+name)
		default:
			add(CondDestination, "县外务工", true, false, StageDecide, "申报的目的地在"+name+"，尚无已核实的务工记录")
		}
	}

	if t.OutOfCounty && t.Kind != model.SubsidyWorkshop {
		if rel != nil && outOfCounty(rel.Scope) {
			add(CondOutOfCounty, "已核实的县外务工", true, true, StageDecide,
				fmt.Sprintf("已核实：%s起在%s务工", rel.Start.Format(dateLayout), scopeNames[rel.Scope]))
		} else {
			add(CondOutOfCounty, "已核实的县外务工", false, true, StageDecide, "台账中没有已核实的县外务工记录")
		}
	}
	if rel != nil {
		id := rel.ID
		d.SpellID = &id
	}

	if t.Organised {
		switch {
		case rel != nil && rel.Organised:
			add(CondOrganised, "有组织劳务输出", true, true, StageDecide, "已核实为有组织劳务输出（点对点输送或专场招聘）")
		case rel != nil:
			add(CondOrganised, "有组织劳务输出", false, true, StageDecide, "已核实的务工记录不是有组织劳务输出")
		default:
			add(CondOrganised, "有组织劳务输出", false, true, StageDecide, "没有已核实的有组织劳务输出记录")
		}
	}

	if t.MonthsRequired > 0 {
		stage := StageDecide
		if t.Mode == model.ModePrepaid {
			stage = StageSettle
		}
		if from.IsZero() {
			add(CondMonths, "务工月数", false, true, stage, "没有可计算的务工起点")
		} else {
			d.Months = monthsSince(counted, from, f.AsOf, t, f.Workshop)
			what := "已核实务工"
			if t.OutOfCounty {
				what = "已核实县外务工"
			}
			msg := fmt.Sprintf("%s%.1f个月，要求不少于%d个月", what, d.Months, t.MonthsRequired)
			add(CondMonths, "务工月数", d.Months+1e-9 >= float64(t.MonthsRequired), true, stage, msg)
		}
	}

	if contains(t.Documents, DocTicket) {
		if f.HasTicket {
			add(CondDocuments, "车票或行程凭证", true, true, StageDecide, "已上传")
		} else {
			add(CondDocuments, "车票或行程凭证", false, true, StageDecide, "未上传车票或行程凭证")
		}
	}

	d.AmountFen = amountFor(t, d.Scope)
	return d
}

// relevantSpell picks the verified spell a trip relies on: one still running
// on the trip date or starting within MaxStartAfterTrip days after it, out
// of the county when the policy asks for that; the earliest such.
func relevantSpell(spells []SpellFact, trip time.Time, needOut bool) *SpellFact {
	latest := trip.AddDate(0, 0, MaxStartAfterTrip)
	for i := range spells {
		s := &spells[i]
		if s.End != nil && s.End.Before(trip) {
			continue
		}
		if s.Start.After(latest) {
			continue
		}
		if needOut && !outOfCounty(s.Scope) {
			continue
		}
		return s
	}
	// Without a requirement, an in-county spell still says where the work is.
	return nil
}

// monthsSince counts verified months (out-of-county ones when the policy asks
// for that) from a date up to asOf with service/derive: for a workshop over
// the policy's work year, for a trip over the work years from the trip on.
func monthsSince(spells []SpellFact, from, asOf time.Time, t Terms, workshop bool) float64 {
	ds := make([]derive.Spell, 0, len(spells))
	for _, s := range spells {
		start := s.Start
		if start.Before(from) {
			start = from
		}
		if s.End != nil && s.End.Before(start) {
			continue
		}
		ds = append(ds, derive.Spell{ID: s.ID, Start: start, End: s.End, Scope: s.Scope, Form: s.Form, MonthlyWage: s.MonthlyWage})
	}
	pick := func(f derive.Facts) float64 {
		if t.OutOfCounty {
			return f.OutCounty.Months
		}
		return f.Months()
	}
	if workshop {
		return pick(derive.Assess(ds, t.Year, asOf))
	}
	var m float64
	for y := derive.WorkYearOf(from); y <= derive.WorkYearOf(asOf) && y <= derive.WorkYearOf(from)+1; y++ {
		m += pick(derive.Assess(ds, y, asOf))
	}
	return m
}

// amountFor is the policy's amount for a destination scope, in 分.
func amountFor(t Terms, scope string) int64 {
	if !t.ByDestination {
		return t.AmountFen
	}
	switch scope {
	case derive.ScopeInProvince:
		return t.AmountInProvinceFen
	case derive.ScopeOutProvince:
		return t.AmountOutProvinceFen
	}
	return 0
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
