package importer

import (
	"context"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/jiuyebang/jiuyebang/model"
)

// Sheet names of the files we write.
const (
	TemplateSheet = "劳动力台账"
	ErrorSheet    = "错误明细"
	ChangeSheet   = "异动清单"
)

// ErrorHeader is the error report's header row.
var ErrorHeader = []string{"行号", "列名", "错误说明"}

// Template writes a blank .xlsx with the import header, text-formatted so
// that 身份证号码 and codes are not turned into numbers.
func Template(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", TemplateSheet); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(int(numCols))
	if err := f.SetColStyle(TemplateSheet, "A:"+last, text); err != nil {
		return err
	}
	if err := f.SetColWidth(TemplateSheet, "A", last, 16); err != nil {
		return err
	}
	if err := f.SetSheetRow(TemplateSheet, "A1", &[]any{}); err != nil {
		return err
	}
	row := make([]any, numCols)
	for i, h := range Header() {
		row[i] = h
	}
	if err := f.SetSheetRow(TemplateSheet, "A1", &row); err != nil {
		return err
	}
	if err := f.SetRowStyle(TemplateSheet, 1, 1, bold); err != nil {
		return err
	}
	if err := f.SetPanes(TemplateSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return f.Write(w)
}

// ErrorReport writes a job's bad rows as .xlsx (行号, 列名, 错误说明), with a
// stream writer so a large report is never held whole.
func (s *Service) ErrorReport(ctx context.Context, id int64, w io.Writer) error {
	job, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", ErrorSheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(ErrorSheet)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 8); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 2, 20); err != nil {
		return err
	}
	if err := sw.SetColWidth(3, 3, 60); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{ErrorHeader[0], ErrorHeader[1], ErrorHeader[2]}); err != nil {
		return err
	}
	n := 2
	var lastID int64
	for {
		var page []model.ImportRowError
		if err := s.db.WithContext(ctx).Where("job_id = ? AND id > ?", job.ID, lastID).Order("id").Limit(5000).Find(&page).Error; err != nil {
			return fmt.Errorf("error report: %w", err)
		}
		for _, e := range page {
			cell, _ := excelize.CoordinatesToCellName(1, n)
			if err := sw.SetRow(cell, []any{e.Row, e.Column, e.Message}); err != nil {
				return err
			}
			n++
			lastID = e.ID
		}
		if len(page) < 5000 {
			break
		}
	}
	if n-2 >= MaxErrorsKept {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(cell, []any{"", "", fmt.Sprintf("错误太多，只列出前 %d 条；请修改后重新导入", MaxErrorsKept)}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
