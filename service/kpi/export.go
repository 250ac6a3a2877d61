package kpi

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jiuyebang/jiuyebang/service/audit"
)

// Workbook layout, as the seeds print their tables (and service/report its
// own): title, data date, source and unit lines, each merged across the
// table; two header rows whose group headings are merged across their
// columns and whose single headings are merged down; then one block per
// region, one row per month and a 合计 row for the range, the region's name
// merged down its block; the region asked for comes last.
const (
	// HeaderTop is the first header row; data start at HeaderTop+2.
	HeaderTop = 5
	// SheetCases and SheetSubsidies name the sheets.
	SheetCases     = "72小时服务成效"
	SheetSubsidies = "补贴申领发放"
	// Sources written on the 数据来源 lines.
	CaseSource    = "就业帮 返乡回流人员72小时跟踪服务记录（按开始跟踪的月份统计，状态截至数据截止日期）"
	SubsidySource = "就业帮 补贴申领、公示与发放记录（按申领提交的月份统计，状态截至数据截止日期）"
)

// CaseHeaders are the two header rows of the 72-hour table.
func CaseHeaders() ([]string, []string) {
	top := []string{"地区", "月份", "当月开始跟踪的返乡回流人员", "", "", "", "", "", "", "",
		"月末仍在跟踪人数", "上岗用时中位数（小时）", "目前有就业意愿仍未上岗人数（目标：清零）"}
	sub := []string{"", "", "人数", "已上岗", "其中72小时内上岗", "72小时内上岗率", "不需要帮扶", "仍在跟踪", "超过72小时", "已上报县专班",
		"", "", ""}
	return top, sub
}

// CaseMerges are the merged header ranges of the 72-hour table.
var CaseMerges = [][2]string{{"A5", "A6"}, {"B5", "B6"}, {"C5", "J5"}, {"K5", "K6"}, {"L5", "L6"}, {"M5", "M6"}}

// subsidyMetrics are the columns under each kind's heading.
var subsidyMetrics = []string{"申领", "通过", "未通过", "已发放", "通过金额", "发放金额"}

// SubsidyHeaders are the two header rows of the subsidy table.
func SubsidyHeaders() ([]string, []string) {
	top := []string{"地区", "月份"}
	sub := []string{"", ""}
	for _, g := range []string{"外出务工交通补助", "一次性求职创业补贴", "帮扶车间吸纳就业奖补", "合计"} {
		for i, m := range subsidyMetrics {
			if i == 0 {
				top = append(top, g)
			} else {
				top = append(top, "")
			}
			sub = append(sub, m)
		}
	}
	top = append(top, "预付补贴追回（追回）", "", "", "")
	sub = append(sub, "列入追回人次", "应追回金额", "已追回人次", "已追回金额")
	return top, sub
}

// SubsidyMerges are the merged header ranges of the subsidy table.
var SubsidyMerges = [][2]string{{"A5", "A6"}, {"B5", "B6"}, {"C5", "H5"}, {"I5", "N5"}, {"O5", "T5"}, {"U5", "Z5"}, {"AA5", "AD5"}}

// monthLabel writes 2024-03 as 2024年3月.
func monthLabel(m Month) string { return m.Start.Format("2006年1月") }

func rangeLabel(sc *Scope) string {
	a, b := monthLabel(sc.Months[0]), monthLabel(sc.Months[len(sc.Months)-1])
	if a == b {
		return a
	}
	return a + "—" + b
}

// CaseTitle is the 72-hour table's title.
func CaseTitle(sc *Scope) string {
	return fmt.Sprintf("%s返乡回流人员72小时就业服务成效统计表（%s）", sc.Name, rangeLabel(sc))
}

// SubsidyTitle is the subsidy table's title.
func SubsidyTitle(sc *Scope) string {
	return fmt.Sprintf("%s就业补贴申领发放情况统计表（%s）", sc.Name, rangeLabel(sc))
}

// FileName is the download name of a table ("cases" or "subsidies").
func FileName(kind string, sc *Scope) string {
	name := "72小时服务成效"
	if kind == "subsidies" {
		name = "补贴申领发放"
	}
	return fmt.Sprintf("%s_%s_%s至%s_%s.xlsx", name, sc.Name, sc.From, sc.To, sc.AsOf.In(China).Format("20060102"))
}

func dataDateLine(sc *Scope) string {
	return "数据截止日期：" + sc.AsOf.In(China).Format("2006年1月2日")
}

// ExportCases writes the 72-hour table as .xlsx to w.
func (s *Service) ExportCases(ctx context.Context, q Query, w io.Writer) (*Scope, error) {
	t, err := s.Cases(ctx, q)
	if err != nil {
		return nil, err
	}
	sh, err := newSheet(SheetCases, 13)
	if err != nil {
		return nil, err
	}
	defer sh.f.Close()
	if err := sh.widths(map[[2]int]float64{{1, 1}: 22, {2, 2}: 12, {3, 10}: 11, {11, 13}: 14}); err != nil {
		return nil, err
	}
	if err := sh.lines(CaseTitle(t.Scope), dataDateLine(t.Scope), "数据来源："+CaseSource, "单位：人、%、小时"); err != nil {
		return nil, err
	}
	top, sub := CaseHeaders()
	if err := sh.headers(top, sub, CaseMerges); err != nil {
		return nil, err
	}
	block := func(r CaseRow, name string, bold bool) error {
		first := sh.row + 1
		line := func(label string, f CaseFigures, total bool, willing any) error {
			b := bold || total
			vals := []any{sh.text(name, b), sh.text(label, b)}
			for _, v := range []int64{f.Opened, f.Placed, f.PlacedWithin72h} {
				vals = append(vals, sh.num(v, b))
			}
			vals = append(vals, sh.pct(f.PlacedWithin72hRate, b))
			for _, v := range []int64{f.Declined, f.StillOpen, f.Overdue, f.Escalated, f.OpenAtMonthEnd} {
				vals = append(vals, sh.num(v, b))
			}
			vals = append(vals, sh.dec(f.MedianHoursToPlacement, b), willing)
			return sh.add(vals)
		}
		for m, f := range r.Months {
			if err := line(monthLabel(t.Months[m]), f, false, sh.text("", bold)); err != nil {
				return err
			}
		}
		if err := line("合计", r.Total, true, sh.num(r.WillingOpenNow, true)); err != nil {
			return err
		}
		return sh.mergeDown(1, first, sh.row)
	}
	for _, r := range t.Rows {
		if err := block(r, r.Name, false); err != nil {
			return nil, err
		}
	}
	if err := block(t.Region, "合计（"+t.Name+"）", true); err != nil {
		return nil, err
	}
	return t.Scope, sh.finish(ctx, s, "kpi.export_cases", t.Scope, w)
}

// ExportSubsidies writes the subsidy table as .xlsx to w; money in yuan.
func (s *Service) ExportSubsidies(ctx context.Context, q Query, w io.Writer) (*Scope, error) {
	t, err := s.Subsidies(ctx, q)
	if err != nil {
		return nil, err
	}
	sh, err := newSheet(SheetSubsidies, 30)
	if err != nil {
		return nil, err
	}
	defer sh.f.Close()
	if err := sh.widths(map[[2]int]float64{{1, 1}: 22, {2, 2}: 12, {3, 30}: 11}); err != nil {
		return nil, err
	}
	if err := sh.lines(SubsidyTitle(t.Scope), dataDateLine(t.Scope), "数据来源："+SubsidySource, "单位：人次、元"); err != nil {
		return nil, err
	}
	top, sub := SubsidyHeaders()
	if err := sh.headers(top, sub, SubsidyMerges); err != nil {
		return nil, err
	}
	block := func(r SubsidyRow, name string, bold bool) error {
		first := sh.row + 1
		line := func(label string, f SubsidyFigures, total bool) error {
			b := bold || total
			vals := []any{sh.text(name, b), sh.text(label, b)}
			groups := append(f.Kinds[:], f.All)
			for _, c := range groups {
				vals = append(vals, sh.num(c.Submitted, b), sh.num(c.Approved, b), sh.num(c.Rejected, b), sh.num(c.Paid, b),
					sh.yuan(c.ApprovedFen, b), sh.yuan(c.PaidFen, b))
			}
			vals = append(vals, sh.num(f.All.Recovery, b), sh.yuan(f.All.RecoveryFen, b), sh.num(f.All.Recovered, b), sh.yuan(f.All.RecoveredFen, b))
			return sh.add(vals)
		}
		for m, f := range r.Months {
			if err := line(monthLabel(t.Months[m]), f, false); err != nil {
				return err
			}
		}
		if err := line("合计", r.Total, true); err != nil {
			return err
		}
		return sh.mergeDown(1, first, sh.row)
	}
	for _, r := range t.Rows {
		if err := block(r, r.Name, false); err != nil {
			return nil, err
		}
	}
	if err := block(t.Region, "合计（"+t.Name+"）", true); err != nil {
		return nil, err
	}
	return t.Scope, sh.finish(ctx, s, "kpi.export_subsidies", t.Scope, w)
}

// sheet is one streamed worksheet with the table styles.
type sheet struct {
	f      *excelize.File
	sw     *excelize.StreamWriter
	row    int
	lastCo string
	title  int
	head   int
	styles [2]struct{ text, num, pct, dec, yuan int } // [plain, bold]
}

func newSheet(name string, cols int) (*sheet, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		f.Close()
		return nil, err
	}
	s := &sheet{f: f}
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	var err error
	style := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	fmtP, fmtD, fmtY := "0.0%", "0.0", "#,##0.00"
	s.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	s.head = style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: center, Border: border})
	for i, bold := range []bool{false, true} {
		font := &excelize.Font{Bold: bold}
		s.styles[i].text = style(&excelize.Style{Border: border, Font: font, Alignment: &excelize.Alignment{Vertical: "center"}})
		s.styles[i].num = style(&excelize.Style{Border: border, Font: font, NumFmt: 1})
		s.styles[i].pct = style(&excelize.Style{Border: border, Font: font, CustomNumFmt: &fmtP})
		s.styles[i].dec = style(&excelize.Style{Border: border, Font: font, CustomNumFmt: &fmtD})
		s.styles[i].yuan = style(&excelize.Style{Border: border, Font: font, CustomNumFmt: &fmtY})
	}
	if err == nil {
		s.sw, err = f.NewStreamWriter(name)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	s.lastCo, _ = excelize.ColumnNumberToName(cols)
	return s, nil
}

func (s *sheet) st(bold bool) int {
	if bold {
		return 1
	}
	return 0
}

func (s *sheet) text(v string, bold bool) excelize.Cell {
	return excelize.Cell{StyleID: s.styles[s.st(bold)].text, Value: v}
}

func (s *sheet) num(v int64, bold bool) excelize.Cell {
	return excelize.Cell{StyleID: s.styles[s.st(bold)].num, Value: v}
}

// pct writes a rate; none (nothing opened) is a dash.
func (s *sheet) pct(v *float64, bold bool) excelize.Cell {
	if v == nil {
		return s.text("—", bold)
	}
	return excelize.Cell{StyleID: s.styles[s.st(bold)].pct, Value: *v}
}

func (s *sheet) dec(v *float64, bold bool) excelize.Cell {
	if v == nil {
		return s.text("—", bold)
	}
	return excelize.Cell{StyleID: s.styles[s.st(bold)].dec, Value: *v}
}

// yuan writes an amount in 分 as yuan; exact, since sums stay far below 2^53 分.
func (s *sheet) yuan(fen int64, bold bool) excelize.Cell {
	return excelize.Cell{StyleID: s.styles[s.st(bold)].yuan, Value: float64(fen) / 100}
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func (s *sheet) widths(w map[[2]int]float64) error {
	for r, v := range w {
		if err := s.sw.SetColWidth(r[0], r[1], v); err != nil {
			return err
		}
	}
	return nil
}

// lines writes the title and the lines under it, each merged across the table.
func (s *sheet) lines(title string, rest ...string) error {
	if err := s.sw.SetRow("A1", []any{excelize.Cell{StyleID: s.title, Value: title}}, excelize.RowOpts{Height: 28}); err != nil {
		return err
	}
	if err := s.sw.MergeCell("A1", s.lastCo+"1"); err != nil {
		return err
	}
	for i, l := range rest {
		r := i + 2
		if err := s.sw.SetRow(cell(1, r), []any{l}); err != nil {
			return err
		}
		if err := s.sw.MergeCell(cell(1, r), fmt.Sprintf("%s%d", s.lastCo, r)); err != nil {
			return err
		}
	}
	s.row = len(rest) + 1
	return nil
}

func (s *sheet) headers(top, sub []string, merges [][2]string) error {
	row := func(vals []string) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			out[i] = excelize.Cell{StyleID: s.head, Value: v}
		}
		return out
	}
	if err := s.sw.SetRow(cell(1, HeaderTop), row(top), excelize.RowOpts{Height: 36}); err != nil {
		return err
	}
	if err := s.sw.SetRow(cell(1, HeaderTop+1), row(sub), excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	for _, m := range merges {
		if err := s.sw.MergeCell(m[0], m[1]); err != nil {
			return err
		}
	}
	s.row = HeaderTop + 1
	return nil
}

func (s *sheet) add(vals []any) error {
	s.row++
	return s.sw.SetRow(cell(1, s.row), vals)
}

func (s *sheet) mergeDown(col, from, to int) error {
	if to <= from {
		return nil
	}
	return s.sw.MergeCell(cell(col, from), cell(col, to))
}

// finish flushes the sheet, audits the export and writes the workbook.
func (s *sheet) finish(ctx context.Context, svc *Service, action string, sc *Scope, w io.Writer) error {
	if err := s.sw.Flush(); err != nil {
		return err
	}
	if err := audit.Write(ctx, svc.db.WithContext(ctx), audit.Entry{Action: action, SubjectType: "report",
		After: map[string]any{"region": sc.Code, "from": sc.From, "to": sc.To,
			"data_date": sc.AsOf.In(China).Format(time.DateOnly)}}); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	if _, err := s.f.WriteTo(w); err != nil {
		return fmt.Errorf("%s: write xlsx: %w", action, err)
	}
	return nil
}
