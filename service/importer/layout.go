package importer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jiuyebang/jiuyebang/model"
)

// col is one column of the import layout (docs/import-format.md), modelled
// on the national system's export of the 附件1 基本信息 block plus the current
// job of 已外出务工情况.
type col int

const (
	cName col = iota
	cID
	cPhone
	cVillage
	cEthnicity
	cHeadName
	cHouseholdNo
	cAddress
	cCapacity
	cSkill
	cTwoAfter
	cEducation
	cGradDate
	cState
	cStateReason
	cCategory
	cRelocated
	cZeroEmployment
	cYulu
	cPlace
	cForm
	cEmployer
	cStart
	cWage
	cIndustry
	numCols
)

// column describes one column: its header (名称) as the template writes it,
// other spellings found in exports, and whether the header must be present.
type column struct {
	header   string
	aliases  []string
	required bool
}

// Columns is the documented layout in template order.
var columns = [numCols]column{
	cName:           {"姓名", nil, true},
	cID:             {"身份证号码", []string{"身份证号", "公民身份号码", "证件号码"}, true},
	cPhone:          {"联系电话", []string{"手机号码", "电话", "手机号"}, true},
	cVillage:        {"户籍地行政区划代码", []string{"户籍地代码", "行政区划代码", "户籍地区划代码", "村代码"}, true},
	cEthnicity:      {"民族", nil, true},
	cHeadName:       {"户主姓名", []string{"户主"}, false},
	cHouseholdNo:    {"户编号", []string{"户号", "家庭编号"}, false},
	cAddress:        {"家庭地址", []string{"家庭住址", "住址"}, true},
	cCapacity:       {"劳动能力", nil, true},
	cSkill:          {"技能等级", nil, true},
	cTwoAfter:       {"是否两后生", []string{"两后生"}, true},
	cEducation:      {"文化程度", nil, true},
	cGradDate:       {"毕业时间", nil, false},
	cState:          {"当前状态", nil, true},
	cStateReason:    {"退出原因", nil, false},
	cCategory:       {"人员类别", []string{"人口类别"}, true},
	cRelocated:      {"易地搬迁", []string{"是否易地搬迁", "易地扶贫搬迁"}, false},
	cZeroEmployment: {"零就业家庭", []string{"是否零就业家庭"}, false},
	cYulu:           {"雨露计划毕业生", []string{"是否雨露计划毕业生"}, false},
	cPlace:          {"务工地点代码", []string{"务工地点行政区划代码", "务工地代码"}, false},
	cForm:           {"就业形式", nil, false},
	cEmployer:       {"就业单位", []string{"就业单位名称"}, false},
	cStart:          {"就业时间", []string{"上岗时间"}, false},
	cWage:           {"月平均工资", []string{"月平均工资（元）", "月均工资"}, false},
	cIndustry:       {"所属行业", []string{"所属产业行业", "行业"}, false},
}

// Header returns the template's header row.
func Header() []string {
	out := make([]string, numCols)
	for i, c := range columns {
		out[i] = c.header
	}
	return out
}

// normHeader folds the spellings of a header cell: spaces, full-width
// brackets, required-field stars.
func normHeader(s string) string {
	s = strings.NewReplacer(" ", "", "\u3000", "", "\t", "", "\n", "", "*", "", "＊", "", "(", "（", ")", "）").Replace(s)
	return strings.TrimSpace(s)
}

var headerIndex = func() map[string]col {
	m := map[string]col{}
	for i, c := range columns {
		m[normHeader(c.header)] = col(i)
		for _, a := range c.aliases {
			m[normHeader(a)] = col(i)
		}
	}
	return m
}()

// layout maps each column to its position in the file (-1 if absent).
type layout struct {
	pos [numCols]int
	row int // the header's row number
}

// maxHeaderScan is how many rows a title block above the header may take.
const maxHeaderScan = 20

// matchHeader reads a row as the header if at least three cells name known
// columns; it reports missing and repeated columns as a Chinese message.
func matchHeader(cells []string, rowNum int) (*layout, string, bool) {
	l := &layout{row: rowNum}
	for i := range l.pos {
		l.pos[i] = -1
	}
	hits := 0
	var dup []string
	for i, cell := range cells {
		c, ok := headerIndex[normHeader(cell)]
		if !ok {
			continue
		}
		if l.pos[c] >= 0 {
			dup = append(dup, columns[c].header)
			continue
		}
		l.pos[c] = i
		hits++
	}
	if hits < 3 {
		return nil, "", false
	}
	if len(dup) > 0 {
		return nil, "表头中有重复的列：" + strings.Join(dup, "、"), true
	}
	var missing []string
	for i, c := range columns {
		if c.required && l.pos[i] < 0 {
			missing = append(missing, c.header)
		}
	}
	if l.pos[cHeadName] < 0 && l.pos[cHouseholdNo] < 0 {
		missing = append(missing, "户主姓名或户编号")
	}
	if len(missing) > 0 {
		return nil, "缺少必需的列：" + strings.Join(missing, "、") + "（请使用导入模板）", true
	}
	return l, "", true
}

// get returns a cell's trimmed value ("" when the column is absent).
func (l *layout) get(cells []string, c col) string {
	p := l.pos[c]
	if p < 0 || p >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[p])
}

// blank reports whether a row has no value in any known column.
func (l *layout) blank(cells []string) bool {
	for c := col(0); c < numCols; c++ {
		if l.get(cells, c) != "" {
			return false
		}
	}
	return true
}

// Label maps: the Chinese labels of model/enums.go, plus spellings that
// exports use for the same choice.
var (
	capacityLabels  = labels(model.LabourCapacities, map[string]string{"弱劳动力": "weak", "半劳动力": "weak"})
	skillLabels     = labels(model.SkillLevels, map[string]string{"无技能": "none"})
	educationLabels = labels(model.Educations, map[string]string{"文盲": "none", "文盲或半文盲": "none", "中专": "secondary_vocational",
		"中职": "secondary_vocational", "技校": "secondary_vocational", "专科": "junior_college", "本科": "bachelor",
		"大学本科": "bachelor", "研究生": "bachelor", "研究生及以上": "bachelor"})
	stateLabels      = labels(model.LabourerStates, map[string]string{"正常贫困劳动力": "normal", "正常劳动力": "normal"})
	reasonLabels     = labels(append(append(model.Enum{}, model.TempExitReasons...), model.PermExitReasons...), nil)
	categoryLabels   = labels(model.PopulationCategories, map[string]string{"监测对象": "monitored", "建档立卡贫困户": "registered_poor", "脱贫户": "lifted"})
	formLabels       = labels(model.EmploymentForms, map[string]string{"就业扶贫车间": "workshop", "就业扶贫基地": "base", "扶贫公益岗位": "public_welfare"})
	industryLabels   = labels(model.Industries, nil)
	ethnicityLabels  = labels(model.Ethnicities, nil)
	notCollectedCaps = map[string]bool{"丧失劳动力": true, "无劳动力": true}
)

func labels(e model.Enum, extra map[string]string) map[string]string {
	m := make(map[string]string, len(e)+len(extra))
	for _, o := range e {
		m[o.Label] = o.Code
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// yesNo reads 是/否; blank is 否.
func yesNo(v string) (bool, bool) {
	switch strings.ToUpper(v) {
	case "是", "Y", "YES", "1", "TRUE":
		return true, true
	case "否", "", "N", "NO", "0", "FALSE":
		return false, true
	}
	return false, false
}

// splitState reads 当前状态 written alone (暂时退出) or with its reason
// (暂时退出（上学）, 暂时退出-上学).
func splitState(v string) (state, reason string) {
	v = strings.NewReplacer("(", "（", ")", "）").Replace(v)
	if i := strings.Index(v, "（"); i > 0 {
		return v[:i], strings.TrimSuffix(v[i+len("（"):], "）")
	}
	for _, sep := range []string{"-", "—", "：", ":", "/"} {
		if a, b, ok := strings.Cut(v, sep); ok {
			return a, b
		}
	}
	return v, ""
}

// splitOther reads "其他就业形式：建筑零工" into the choice and the note.
func splitOther(v string) (string, string) {
	for _, sep := range []string{"：", ":", "（", "("} {
		if a, b, ok := strings.Cut(v, sep); ok {
			return strings.TrimSpace(a), strings.TrimSpace(strings.TrimRight(b, "）)"))
		}
	}
	return v, ""
}

// parseMonth reads a month or date as exports write it: 2020-07, 2020/7,
// 2020年7月, 202007, 2020-07-15, 2020年7月15日, or an Excel date serial.
// It returns the first of the month unless a day is given and keepDay is set.
func parseMonth(v string, keepDay bool) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 10000 && f < 80000 && math.Trunc(f) == f && !strings.ContainsAny(v, "-/年") {
		t, err := excelize.ExcelDateToTime(f, false)
		if err == nil {
			return day(t, keepDay), true
		}
	}
	r := strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-")
	s := strings.TrimSuffix(r.Replace(v), "-")
	if len(s) == 6 && !strings.Contains(s, "-") {
		s = s[:4] + "-" + s[4:]
	}
	if len(s) == 8 && !strings.Contains(s, "-") {
		s = s[:4] + "-" + s[4:6] + "-" + s[6:]
	}
	parts := strings.Split(s, "-")
	if len(parts) < 2 || len(parts) > 3 {
		return time.Time{}, false
	}
	y, e1 := strconv.Atoi(parts[0])
	m, e2 := strconv.Atoi(parts[1])
	d := 1
	var e3 error
	if len(parts) == 3 {
		d, e3 = strconv.Atoi(strings.Fields(parts[2] + " ")[0])
	}
	if e1 != nil || e2 != nil || e3 != nil || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return day(t, keepDay), true
}

func day(t time.Time, keepDay bool) time.Time {
	t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if !keepDay {
		t = t.AddDate(0, 0, 1-t.Day())
	}
	return t
}

// parseWage reads a monthly wage in yuan ("3500", "3,500", "3500元", "3500.00").
func parseWage(v string) (int, bool) {
	v = strings.TrimSuffix(strings.ReplaceAll(strings.TrimSpace(v), ",", ""), "元")
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return int(math.Round(f)), true
}

// cleanCode reads a region code that a spreadsheet may have stored as a number.
func cleanCode(v string) string {
	v = strings.TrimSpace(v)
	if strings.ContainsAny(v, "eE.") {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f == math.Trunc(f) && f < 1e13 {
			return fmt.Sprintf("%.0f", f)
		}
	}
	return v
}
