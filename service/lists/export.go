package lists

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/audit"
)

// Sheet names and layout of an exported list.
const (
	SheetPeople  = "名单"
	SheetSummary = "分地区汇总"
	// HeaderRows is the number of rows above the data on both sheets: title,
	// region, year, data date, source, then the column names.
	HeaderRows = 6
)

// PeopleColumns are the column names of the people sheet.
var PeopleColumns = []string{"序号", "姓名", "身份证号码", "联系电话", "户编号", "所在地区",
	"去年务工月数", "去年务工收入（元）", "今年务工月数", "今年务工收入（元）", "当前务工地点",
	"今年返乡日期", "是否再输出", "是否有外出意愿"}

// SummaryColumns are the column names of the summary sheet.
var SummaryColumns = []string{"行政区划", "地区代码", "人数"}

// FileName is the download name of an exported list.
func FileName(list string, sc *Scope) string {
	return fmt.Sprintf("%s_%s_%d年度_%s.xlsx", Lists.Label(list), sc.RegionName, sc.Year, sc.AsOf.Format("20060102"))
}

// Export writes a list as an .xlsx workbook to w: the people sheet streamed
// row by row as the scan finds them (excelize's StreamWriter keeps little in
// memory), then the counts by child region. Resolve the scope first, so bad
// requests fail before anything is written.
func (s *Service) Export(ctx context.Context, list string, sc *Scope, w io.Writer) error {
	if err := ValidList(list); err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetPeople); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetSummary); err != nil {
		return err
	}
	name := Lists.Label(list)
	header := func(sw *excelize.StreamWriter, cols []string) error {
		lines := []string{
			name + "清单",
			"地区：" + sc.RegionPath,
			fmt.Sprintf("年度：%d年度（%d年10月至%d年9月）", sc.Year, sc.Year-1, sc.Year),
			"数据截止日期：" + sc.AsOf.Format("2006年1月2日"),
			"数据来源：" + DataSource + "；身份证号码和联系电话已脱敏",
		}
		for i, l := range lines {
			if err := sw.SetRow(cell(1, i+1), []any{l}); err != nil {
				return err
			}
		}
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = c
		}
		return sw.SetRow(cell(1, HeaderRows), row)
	}

	sw, err := f.NewStreamWriter(SheetPeople)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 6, 20); err != nil {
		return err
	}
	if err := header(sw, PeopleColumns); err != nil {
		return err
	}
	byChild := map[string]int{}
	n := 0
	villages := map[string]string{}
	err = s.scan(ctx, sc, list == LabourBase, func(p *Person) error {
		if !p.On(list) {
			return nil
		}
		n++
		byChild[p.ChildCode]++
		place, ok := villages[p.VillageCode]
		if !ok {
			place = s.regions.PathName(p.VillageCode)
			villages[p.VillageCode] = place
		}
		ret, re := "", ""
		if p.Return != nil {
			ret = dateOf(p.Return.ReturnDate).Format("2006-01-02")
			re = yesNo(p.ReExported)
		}
		return sw.SetRow(cell(1, HeaderRows+n), []any{n, p.Name, p.IDMasked, p.PhoneMasked, strconv.FormatInt(p.HouseholdID, 10), place,
			round1(p.LastYear.Months()), math.Round(p.LastYear.Income()), round1(p.ThisYear.Months()), math.Round(p.ThisYear.Income()),
			model.PlaceScopes.Label(p.ThisYear.AtWorkScope), ret, re, yesNo(p.Willing)})
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}

	sum, err := f.NewStreamWriter(SheetSummary)
	if err != nil {
		return err
	}
	if err := sum.SetColWidth(1, 2, 24); err != nil {
		return err
	}
	if err := header(sum, SummaryColumns); err != nil {
		return err
	}
	row := HeaderRows
	total := 0
	seen := map[string]bool{}
	if sc.HasChildren() {
		for _, r := range s.regions.Children(sc.Region) {
			if !sc.actor.CoversRegion(r.Code) {
				continue
			}
			seen[r.Code] = true
			row++
			total += byChild[r.Code]
			if err := sum.SetRow(cell(1, row), []any{r.Name, r.Code, byChild[r.Code]}); err != nil {
				return err
			}
		}
	}
	var rest []string
	for code := range byChild {
		if !seen[code] {
			rest = append(rest, code)
		}
	}
	sort.Strings(rest)
	for _, code := range rest {
		name := "（未知地区）"
		if !sc.HasChildren() {
			name = sc.RegionName
		}
		row++
		total += byChild[code]
		if err := sum.SetRow(cell(1, row), []any{name, code, byChild[code]}); err != nil {
			return err
		}
	}
	if err := sum.SetRow(cell(1, row+1), []any{"合计", sc.Region, total}); err != nil {
		return err
	}
	if err := sum.Flush(); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	// A bulk read of names (numbers masked) is recorded like other reads of personal data.
	if err := audit.Write(ctx, s.db, audit.Entry{Action: "lists.export", SubjectType: "list",
		After: map[string]any{"list": list, "region": sc.Region, "year": sc.Year, "data_date": sc.AsOf.Format("2006-01-02"), "rows": n}}); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("lists: write xlsx: %w", err)
	}
	return nil
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
