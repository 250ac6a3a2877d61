// Package xlsx writes the statistic tables' workbooks the way the seed
// documents print them: a title, lines under it (data date, source, unit)
// merged across the table, two header rows with merged group headings, then
// bordered rows — streamed (excelize's stream writer), so a large sheet
// does not sit in memory. service/report and service/kpi write through it.
package xlsx

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Formats are a workbook's number formats.
type Formats struct {
	Pct  string // rates, e.g. "0.0%"
	Dec  string // decimals, e.g. "0.00" (万人)
	Yuan string // amounts in yuan, e.g. "#,##0.00"
}

type styles struct{ text, num, pct, dec, yuan int }

// Sheet is one streamed worksheet with the table styles.
type Sheet struct {
	f         *excelize.File
	sw        *excelize.StreamWriter
	row       int
	lastCol   string
	headerTop int
	title     int
	head      int
	styles    [2]styles // plain, bold
}

// New starts a workbook of one sheet, cols columns wide, whose two header
// rows start at row headerTop.
func New(name string, cols, headerTop int, fm Formats) (*Sheet, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		f.Close()
		return nil, err
	}
	s := &Sheet{f: f, headerTop: headerTop}
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
	custom := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	s.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	s.head = style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: center, Border: border})
	for i, bold := range []bool{false, true} {
		font := &excelize.Font{Bold: bold}
		s.styles[i].text = style(&excelize.Style{Border: border, Font: font, Alignment: &excelize.Alignment{Vertical: "center"}})
		s.styles[i].num = style(&excelize.Style{Border: border, Font: font, NumFmt: 1})
		s.styles[i].pct = style(&excelize.Style{Border: border, Font: font, CustomNumFmt: custom(fm.Pct)})
		s.styles[i].dec = style(&excelize.Style{Border: border, Font: font, CustomNumFmt: custom(fm.Dec)})
		s.styles[i].yuan = style(&excelize.Style{Border: border, Font: font, CustomNumFmt: custom(fm.Yuan)})
	}
	if err == nil {
		s.sw, err = f.NewStreamWriter(name)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	s.lastCol, _ = excelize.ColumnNumberToName(cols)
	return s, nil
}

func (s *Sheet) st(bold bool) *styles {
	if bold {
		return &s.styles[1]
	}
	return &s.styles[0]
}

// Text is a bordered text cell (or a number shown as written, such as 序号).
func (s *Sheet) Text(v any, bold bool) excelize.Cell {
	return excelize.Cell{StyleID: s.st(bold).text, Value: v}
}

// Num is a whole number.
func (s *Sheet) Num(v int64, bold bool) excelize.Cell {
	return excelize.Cell{StyleID: s.st(bold).num, Value: v}
}

// Pct is a rate; none (nothing to divide by) is a dash.
func (s *Sheet) Pct(v *float64, bold bool) excelize.Cell {
	if v == nil {
		return s.Text("—", bold)
	}
	return excelize.Cell{StyleID: s.st(bold).pct, Value: *v}
}

// Dec is a decimal; none is a dash.
func (s *Sheet) Dec(v *float64, bold bool) excelize.Cell {
	if v == nil {
		return s.Text("—", bold)
	}
	return excelize.Cell{StyleID: s.st(bold).dec, Value: *v}
}

// Yuan writes an amount in 分 as yuan; exact, since sums stay far below 2^53 分.
func (s *Sheet) Yuan(fen int64, bold bool) excelize.Cell {
	return excelize.Cell{StyleID: s.st(bold).yuan, Value: float64(fen) / 100}
}

// Cell names a cell ("B7").
func Cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// Widths sets column widths: {first, last} column → width. Call it first.
func (s *Sheet) Widths(w map[[2]int]float64) error {
	for r, v := range w {
		if err := s.sw.SetColWidth(r[0], r[1], v); err != nil {
			return err
		}
	}
	return nil
}

// Lines writes the title and the lines under it, each merged across the table.
func (s *Sheet) Lines(title string, rest ...string) error {
	if err := s.sw.SetRow("A1", []any{excelize.Cell{StyleID: s.title, Value: title}}, excelize.RowOpts{Height: 28}); err != nil {
		return err
	}
	if err := s.sw.MergeCell("A1", s.lastCol+"1"); err != nil {
		return err
	}
	for i, l := range rest {
		r := i + 2
		if err := s.sw.SetRow(Cell(1, r), []any{l}); err != nil {
			return err
		}
		if err := s.sw.MergeCell(Cell(1, r), fmt.Sprintf("%s%d", s.lastCol, r)); err != nil {
			return err
		}
	}
	s.row = len(rest) + 1
	return nil
}

// Headers writes the two header rows (the first topHeight high) and merges
// the given ranges.
func (s *Sheet) Headers(top, sub []string, merges [][2]string, topHeight float64) error {
	row := func(vals []string) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			out[i] = excelize.Cell{StyleID: s.head, Value: v}
		}
		return out
	}
	if err := s.sw.SetRow(Cell(1, s.headerTop), row(top), excelize.RowOpts{Height: topHeight}); err != nil {
		return err
	}
	if err := s.sw.SetRow(Cell(1, s.headerTop+1), row(sub), excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	for _, m := range merges {
		if err := s.sw.MergeCell(m[0], m[1]); err != nil {
			return err
		}
	}
	s.row = s.headerTop + 1
	return nil
}

// Add writes the next row.
func (s *Sheet) Add(vals []any) error {
	s.row++
	return s.sw.SetRow(Cell(1, s.row), vals)
}

// Row is the last row written.
func (s *Sheet) Row() int { return s.row }

// MergeDown merges column col from row from to row to.
func (s *Sheet) MergeDown(col, from, to int) error {
	if to <= from {
		return nil
	}
	return s.sw.MergeCell(Cell(col, from), Cell(col, to))
}

// Close releases the workbook; defer it after New.
func (s *Sheet) Close() error { return s.f.Close() }

// Finish flushes the sheet, runs record (the export's audit row) and
// writes the workbook to w.
func (s *Sheet) Finish(w io.Writer, record func() error) error {
	if err := s.sw.Flush(); err != nil {
		return err
	}
	if err := record(); err != nil {
		return err
	}
	if _, err := s.f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}
