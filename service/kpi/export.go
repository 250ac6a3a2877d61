package kpi

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/xlsx"
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
	sh, err := xlsx.New(SheetCases, 13, HeaderTop, formats)
	if err != nil {
		return nil, err
	}
	defer sh.Close()
	if err := sh.Widths(map[[2]int]float64{{1, 1}: 22, {2, 2}: 12, {3, 10}: 11, {11, 13}: 14}); err != nil {
		return nil, err
	}
	if err := sh.Lines(CaseTitle(t.Scope), dataDateLine(t.Scope), "数据来源："+CaseSource, "单位：人、%、小时"); err != nil {
		return nil, err
	}
	top, sub := CaseHeaders()
	if err := sh.Headers(top, sub, CaseMerges, 36); err != nil {
		return nil, err
	}
	block := func(r CaseRow, name string, bold bool) error {
		first := sh.Row() + 1
		line := func(label string, f CaseFigures, total bool, willing any) error {
			b := bold || total
			vals := []any{sh.Text(name, b), sh.Text(label, b)}
			for _, v := range []int64{f.Opened, f.Placed, f.PlacedWithin72h} {
				vals = append(vals, sh.Num(v, b))
			}
			vals = append(vals, sh.Pct(f.PlacedWithin72hRate, b))
			for _, v := range []int64{f.Declined, f.StillOpen, f.Overdue, f.Escalated, f.OpenAtMonthEnd} {
				vals = append(vals, sh.Num(v, b))
			}
			vals = append(vals, sh.Dec(f.MedianHoursToPlacement, b), willing)
			return sh.Add(vals)
		}
		for m, f := range r.Months {
			if err := line(monthLabel(t.Months[m]), f, false, sh.Text("", bold)); err != nil {
				return err
			}
		}
		if err := line("合计", r.Total, true, sh.Num(r.WillingOpenNow, true)); err != nil {
			return err
		}
		return sh.MergeDown(1, first, sh.Row())
	}
	for _, r := range t.Rows {
		if err := block(r, r.Name, false); err != nil {
			return nil, err
		}
	}
	if err := block(t.Region, "合计（"+t.Name+"）", true); err != nil {
		return nil, err
	}
	return t.Scope, s.writeBook(ctx, sh, "kpi.export_cases", t.Scope, w)
}

// ExportSubsidies writes the subsidy table as .xlsx to w; money in yuan.
func (s *Service) ExportSubsidies(ctx context.Context, q Query, w io.Writer) (*Scope, error) {
	t, err := s.Subsidies(ctx, q)
	if err != nil {
		return nil, err
	}
	sh, err := xlsx.New(SheetSubsidies, 30, HeaderTop, formats)
	if err != nil {
		return nil, err
	}
	defer sh.Close()
	if err := sh.Widths(map[[2]int]float64{{1, 1}: 22, {2, 2}: 12, {3, 30}: 11}); err != nil {
		return nil, err
	}
	if err := sh.Lines(SubsidyTitle(t.Scope), dataDateLine(t.Scope), "数据来源："+SubsidySource, "单位：人次、元"); err != nil {
		return nil, err
	}
	top, sub := SubsidyHeaders()
	if err := sh.Headers(top, sub, SubsidyMerges, 36); err != nil {
		return nil, err
	}
	block := func(r SubsidyRow, name string, bold bool) error {
		first := sh.Row() + 1
		line := func(label string, f SubsidyFigures, total bool) error {
			b := bold || total
			vals := []any{sh.Text(name, b), sh.Text(label, b)}
			groups := append(f.Kinds[:], f.All)
			for _, c := range groups {
				vals = append(vals, sh.Num(c.Submitted, b), sh.Num(c.Approved, b), sh.Num(c.Rejected, b), sh.Num(c.Paid, b),
					sh.Yuan(c.ApprovedFen, b), sh.Yuan(c.PaidFen, b))
			}
			vals = append(vals, sh.Num(f.All.Recovery, b), sh.Yuan(f.All.RecoveryFen, b), sh.Num(f.All.Recovered, b), sh.Yuan(f.All.RecoveredFen, b))
			return sh.Add(vals)
		}
		for m, f := range r.Months {
			if err := line(monthLabel(t.Months[m]), f, false); err != nil {
				return err
			}
		}
		if err := line("合计", r.Total, true); err != nil {
			return err
		}
		return sh.MergeDown(1, first, sh.Row())
	}
	for _, r := range t.Rows {
		if err := block(r, r.Name, false); err != nil {
			return nil, err
		}
	}
	if err := block(t.Region, "合计（"+t.Name+"）", true); err != nil {
		return nil, err
	}
	return t.Scope, s.writeBook(ctx, sh, "kpi.export_subsidies", t.Scope, w)
}

// formats are the kpi workbooks' number formats.
var formats = xlsx.Formats{Pct: "0.0%", Dec: "0.0", Yuan: "#,##0.00"}

// writeBook writes the workbook with the export's audit row.
func (s *Service) writeBook(ctx context.Context, sh *xlsx.Sheet, action string, sc *Scope, w io.Writer) error {
	err := sh.Finish(w, func() error {
		return audit.Write(ctx, s.db.WithContext(ctx), audit.Entry{Action: action, SubjectType: "report",
			After: map[string]any{"region": sc.Code, "from": sc.From, "to": sc.To,
				"data_date": sc.AsOf.In(China).Format(time.DateOnly)}})
	})
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return nil
}
