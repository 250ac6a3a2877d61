package report

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/xlsx"
)

// Workbook layout: the seeds' tables are printed with a title, the data date,
// the source and the unit above two header rows whose group headings are
// merged across their columns and whose single headings are merged down.
const (
	// HeaderTop is the first header row; data start at HeaderTop+2.
	HeaderTop = 5
	// SheetRegion and SheetProvince name the sheets.
	SheetRegion   = "分地区未务工情况"
	SheetProvince = "外出务工情况"
)

// Units of the province table: persons, or 万人 with two decimals as seed 001 prints.
const (
	UnitPerson = "person"
	UnitWan    = "wan"
)

// RegionTitle is the title of the region table (seed 000 附件: "全省2019年外出
// 务工贫困劳动力2020年未务工就业情况统计表").
func RegionTitle(sc *lists.Scope) string {
	return fmt.Sprintf("%s%d年外出务工贫困劳动力%d年未务工就业情况统计表", sc.RegionName, sc.Year-1, sc.Year)
}

// RegionHeaders are the two header rows of the region table, as seed 000 prints them.
func RegionHeaders(year int) ([]string, []string) {
	top := []string{"行政区划", fmt.Sprintf("%d年务工人数", year-1),
		fmt.Sprintf("%d年务工就业人员中至今尚未务工就业人数", year-1),
		"户内务工人员减少为0", "", "户内务工人员减少但不为0", "", "",
		fmt.Sprintf("%d年务工就业人员中%d年计划外出人数", year-1, year)}
	sub := []string{"", "", "", "户数", "人数", "户数", "去年人数", "今年人数", ""}
	return top, sub
}

// RegionMerges are the merged header ranges of the region table.
var RegionMerges = [][2]string{{"A5", "A6"}, {"B5", "B6"}, {"C5", "C6"}, {"D5", "E5"}, {"F5", "H5"}, {"I5", "I6"}}

// ProvinceHeaders are the two header rows of the province table, as seed 001 prints them.
func ProvinceHeaders(year int, provinces bool) ([]string, []string) {
	place := "行政区划"
	if provinces {
		place = "省区市"
	}
	top := []string{"序号", place, fmt.Sprintf("%d年外出务工人数", year-1), fmt.Sprintf("%d年已外出务工人数", year),
		"", "", "", "", "", fmt.Sprintf("%d年未外出但有意愿外出务工人数", year)}
	sub := []string{"", "", "", "共计", fmt.Sprintf("占%d年外出务工数比例", year-1), "省外务工人数", "省内县外务工人数",
		"县内务工人数", "跨省点对点输送人数", ""}
	return top, sub
}

// ProvinceMerges are the merged header ranges of the province table.
var ProvinceMerges = [][2]string{{"A5", "A6"}, {"B5", "B6"}, {"C5", "C6"}, {"D5", "I5"}, {"J5", "J6"}}

// FileName is the download name of a table.
func FileName(kind string, sc *lists.Scope) string {
	name := "未务工就业情况统计表"
	if kind == "province" {
		name = "外出务工情况"
	}
	return fmt.Sprintf("%s_%s_%d年度_%s.xlsx", name, sc.RegionName, sc.Year, sc.AsOf.Format("20060102"))
}

// formats are the report workbooks' number formats: 占比 with two decimals,
// and 万人 with two decimals as seed 001 prints them.
var formats = xlsx.Formats{Pct: "0.00%", Dec: "0.00"}

// headerHeight is the first header row's height (the seeds' long headings wrap).
const headerHeight = 48

// writeBook writes the workbook with the export's audit row.
func (s *Service) writeBook(ctx context.Context, sh *xlsx.Sheet, action string, sc *lists.Scope, w io.Writer) error {
	err := sh.Finish(w, func() error {
		return audit.Write(ctx, s.db.WithContext(ctx), audit.Entry{Action: action, SubjectType: "report",
			After: map[string]any{"region": sc.Region, "year": sc.Year, "data_date": sc.AsOf.Format("2006-01-02")}})
	})
	if err != nil {
		return fmt.Errorf("report: %s: %w", action, err)
	}
	return nil
}

// ExportRegion writes the region table (seed 000 附件) as .xlsx: the title,
// 数据截止日期, 数据来源 and 单位：人 lines, the merged two-row header, then
// each child region followed by its own children (as the seed prints each
// city followed by its counties), and a 合计 row for the region itself.
func (s *Service) ExportRegion(ctx context.Context, sc *lists.Scope, w io.Writer) error {
	t, err := s.TableScope(ctx, sc, 2)
	if err != nil {
		return err
	}
	sh, err := xlsx.New(SheetRegion, 9, HeaderTop, formats)
	if err != nil {
		return err
	}
	defer sh.Close()
	if err := sh.Widths(map[[2]int]float64{{1, 1}: 22, {2, 9}: 14}); err != nil {
		return err
	}
	if err := sh.Lines(RegionTitle(sc), "数据截止日期："+sc.AsOf.Format("2006年1月2日"), "数据来源："+DataSource, "单位：人"); err != nil {
		return err
	}
	top, sub := RegionHeaders(sc.Year)
	if err := sh.Headers(top, sub, RegionMerges, headerHeight); err != nil {
		return err
	}
	line := func(name string, f Figures, bold bool) error {
		vals := []any{sh.Text(name, bold)}
		for _, v := range []int{f.LastYear, f.NotWorking, f.ZeroHouseholds, f.ZeroPersons, f.ReducedHouseholds,
			f.ReducedLastPersons, f.ReducedThisPersons, f.Planned} {
			vals = append(vals, sh.Num(int64(v), bold))
		}
		return sh.Add(vals)
	}
	for _, r := range t.Rows {
		if err := line(r.Name, r.Figures, len(r.Rows) > 0); err != nil {
			return err
		}
		for _, c := range r.Rows {
			if err := line(c.Name, c.Figures, false); err != nil {
				return err
			}
		}
	}
	if err := line("合计（"+sc.RegionName+"）", t.Total, true); err != nil {
		return err
	}
	return s.writeBook(ctx, sh, "report.export_region", sc, w)
}

// ExportProvince writes the province table (seed 001 附件) as .xlsx, in
// persons or in 万人 with two decimals: 序号, the region, last year's
// out-workers, this year's (共计, 占比, 省外, 省内县外, 县内, 跨省点对点输送),
// the not-out-but-willing, and a 合计 row.
func (s *Service) ExportProvince(ctx context.Context, sc *lists.Scope, unit string, w io.Writer) error {
	t, err := s.TableScope(ctx, sc, 1)
	if err != nil {
		return err
	}
	sh, err := xlsx.New(SheetProvince, 10, HeaderTop, formats)
	if err != nil {
		return err
	}
	defer sh.Close()
	if err := sh.Widths(map[[2]int]float64{{1, 1}: 6, {2, 2}: 18, {3, 10}: 13}); err != nil {
		return err
	}
	unitLine := "单位：人"
	if unit == UnitWan {
		unitLine = "单位：万人"
	}
	if err := sh.Lines(sc.RegionName+"贫困劳动力外出务工情况", "(截止"+sc.AsOf.Format("2006年1月2日")+")",
		"数据来源："+DataSource, unitLine); err != nil {
		return err
	}
	top, sub := ProvinceHeaders(sc.Year, sc.Region == "")
	if err := sh.Headers(top, sub, ProvinceMerges, headerHeight); err != nil {
		return err
	}
	line := func(seq any, name string, f Figures, bold bool) error {
		val := func(v int) any {
			if unit == UnitWan {
				wan := math.Round(float64(v)/100) / 100
				return sh.Dec(&wan, bold)
			}
			return sh.Num(int64(v), bold)
		}
		ratio := math.Round(f.Ratio()*10000) / 10000
		return sh.Add([]any{sh.Text(seq, bold), sh.Text(name, bold),
			val(f.LastYear), val(f.ThisYear), sh.Pct(&ratio, bold),
			val(f.OutProvince), val(f.InProvince), val(f.InCounty), val(f.PointToPoint), val(f.WillingNotOut)})
	}
	for i, r := range t.Rows {
		if err := line(i+1, r.Name, r.Figures, false); err != nil {
			return err
		}
	}
	if err := line("", "合计", t.Total, true); err != nil {
		return err
	}
	return s.writeBook(ctx, sh, "report.export_province", sc, w)
}
