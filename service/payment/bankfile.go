package payment

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
)

// BankColumns are the bank file's columns, in the order of the common 代发
// (batch credit) templates of the banks that pay subsidies.
var BankColumns = []string{"序号", "姓名", "银行账号", "开户行", "金额（元）", "用途"}

// Bank file formats.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// File is a produced bank file.
type File struct {
	Name string
	Mime string
	Data []byte
}

func checkExport(format, purpose string) (string, error) {
	var f apperr.Fields
	if format != FormatXLSX && format != FormatCSV {
		f.Add("format", "invalid", "文件格式应为 xlsx 或 csv")
	}
	purpose = strings.TrimSpace(purpose)
	if l := utf8.RuneCountInString(purpose); l < 2 || l > 100 {
		f.Add("purpose", "required", "请写明导出用途，例如：报送农业银行代发")
	}
	return purpose, f.Err()
}

// Export is the step approved → exported: it produces the bank file with the
// whole account numbers and audits the download with its purpose. Only one
// of two concurrent exports wins; later downloads go through File.
func (s *Service) Export(ctx context.Context, id int64, version int, format, purpose string) (*File, error) {
	a := actor.From(ctx)
	purpose, err := checkExport(format, purpose)
	if err != nil {
		return nil, err
	}
	b, err := s.payableBatch(ctx, id)
	if err != nil {
		return nil, err
	}
	var out *File
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := s.step(ctx, tx, b, model.BatchApproved, model.BatchExported, version,
			map[string]any{"exported_by": a.AccountID, "exported_at": s.now()}, "", purpose); err != nil {
			return err
		}
		var err error
		out, err = s.bankFile(ctx, tx, b, format, purpose)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("export batch: %w", err)
	}
	return out, nil
}

// File downloads the bank file of an exported batch again (the bank asked
// for it once more, the first copy was lost); every download is audited.
func (s *Service) File(ctx context.Context, id int64, format, purpose string) (*File, error) {
	purpose, err := checkExport(format, purpose)
	if err != nil {
		return nil, err
	}
	b, err := s.payableBatch(ctx, id)
	if err != nil {
		return nil, err
	}
	if b.State != model.BatchExported && b.State != model.BatchReconciled {
		return nil, apperr.Conflict("batch_not_exported", "批次复核通过并导出后才有银行文件")
	}
	var out *File
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var err error
		out, err = s.bankFile(ctx, tx, b, format, purpose)
		return err
	})
	return out, err
}

// bankFile builds the file and writes the audit row of the unmasked read.
func (s *Service) bankFile(ctx context.Context, tx *gorm.DB, b *model.Batch, format, purpose string) (*File, error) {
	var lines []model.BatchLine
	if err := tx.Where("batch_id = ?", b.ID).Order("seq").Find(&lines).Error; err != nil {
		return nil, err
	}
	rows := make([][]string, 0, len(lines))
	for _, l := range lines {
		number, err := s.box.Open("batch_lines", "account_enc", l.ID, l.AccountEnc)
		if err != nil {
			return nil, fmt.Errorf("open line %d: %w", l.ID, err)
		}
		rows = append(rows, []string{strconv.Itoa(l.Seq), l.PayeeName, number, l.BankName, Yuan(l.AmountFen), l.Purpose})
	}
	var f File
	var err error
	base := fmt.Sprintf("发放批次_%d_%s", b.ID, s.now().In(China).Format("20060102"))
	switch format {
	case FormatCSV:
		f.Name, f.Mime = base+".csv", "text/csv; charset=utf-8"
		f.Data, err = writeCSV(rows)
	default:
		f.Name, f.Mime = base+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		f.Data, err = writeXLSX(rows, b)
	}
	if err != nil {
		return nil, err
	}
	if err := audit.Write(ctx, tx, audit.Entry{Action: "batch.bank_file", SubjectType: "batch", SubjectID: b.ID, Purpose: purpose,
		After: map[string]any{"format": format, "lines": len(lines), "total_fen": b.TotalFen, "unmasked": "bank_account"}}); err != nil {
		return nil, err
	}
	return &f, nil
}

// cellSafe keeps a spreadsheet from reading a cell as a formula (CSV
// injection): a leading = + - @ gets an apostrophe.
func cellSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func writeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // Excel opens UTF-8 CSV as UTF-8 only with a BOM
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(BankColumns); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out := make([]string, len(r))
		for i, v := range r {
			out[i] = cellSafe(v)
		}
		if err := w.Write(out); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func writeXLSX(rows [][]string, b *model.Batch) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "代发明细"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	_ = sw.SetColWidth(2, 2, 12)
	_ = sw.SetColWidth(3, 3, 24)
	_ = sw.SetColWidth(4, 4, 28)
	_ = sw.SetColWidth(6, 6, 26)
	head := make([]any, len(BankColumns))
	for i, c := range BankColumns {
		head[i] = c
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, err
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		seq, _ := strconv.Atoi(r[0])
		// Every value is text except 序号: an account number typed as a
		// number would lose its last digits in Excel, and the amount stays
		// exactly as computed in fen.
		if err := sw.SetRow(cell, []any{seq, cellSafe(r[1]), r[2], cellSafe(r[3]), r[4], cellSafe(r[5])}); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MaxResultRows bounds an uploaded result file.
const MaxResultRows = MaxBatchLines + 100

// RowError is a problem with one row of an uploaded result file.
type RowError struct {
	Row     int    `json:"row"`
	Message string `json:"message"`
}

// ResultSummary is what an uploaded result file did.
type ResultSummary struct {
	Rows      int        `json:"rows"`
	Paid      int        `json:"paid"`
	Failed    int        `json:"failed"`
	Unchanged int        `json:"unchanged"`
	Errors    []RowError `json:"errors"`
}

// ImportResults marks lines from the bank's result file (.xlsx or .csv): the
// columns 序号 and 结果 (成功/失败) are required; 失败原因, 银行账号 and 金额（元）
// are checked when present, so a row cannot mark the wrong line. Each row is
// marked in a transaction of its own; a row already marked the same way is
// unchanged, so the same file can be uploaded twice.
func (s *Service) ImportResults(ctx context.Context, batchID int64, name string, data []byte) (*ResultSummary, error) {
	b, err := s.payableBatch(ctx, batchID)
	if err != nil {
		return nil, err
	}
	if b.State != model.BatchExported {
		return nil, apperr.Conflict("batch_not_exported", "批次导出报送银行后才能登记发放结果")
	}
	rows, err := readTable(name, data)
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, apperr.Invalid("file", "empty", "文件里没有数据")
	}
	if len(rows) > MaxResultRows+1 {
		return nil, apperr.Invalid("file", "too_many_rows", fmt.Sprintf("文件行数太多（最多%d行）", MaxResultRows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		switch h {
		case "序号":
			col["seq"] = i
		case "结果", "处理结果", "发放结果", "状态", "交易状态":
			col["result"] = i
		case "失败原因", "备注", "原因":
			col["reason"] = i
		case "银行账号", "账号", "收款账号":
			col["account"] = i
		case "金额（元）", "金额(元)", "金额":
			col["amount"] = i
		}
	}
	if _, ok := col["seq"]; !ok {
		return nil, apperr.Invalid("file", "missing_column", "文件缺少「序号」列")
	}
	if _, ok := col["result"]; !ok {
		return nil, apperr.Invalid("file", "missing_column", "文件缺少「结果」列（成功/失败）")
	}
	var lines []model.BatchLine
	if err := s.db.WithContext(ctx).Where("batch_id = ?", b.ID).Find(&lines).Error; err != nil {
		return nil, err
	}
	bySeq := map[int]*model.BatchLine{}
	for i := range lines {
		bySeq[lines[i].Seq] = &lines[i]
	}
	sum := &ResultSummary{Errors: []RowError{}}
	get := func(r []string, k string) string {
		if i, ok := col[k]; ok && i < len(r) {
			return strings.TrimSpace(r[i])
		}
		return ""
	}
	for i, r := range rows[1:] {
		rowNo := i + 2
		if strings.TrimSpace(strings.Join(r, "")) == "" {
			continue
		}
		sum.Rows++
		bad := func(msg string) { sum.Errors = append(sum.Errors, RowError{Row: rowNo, Message: msg}) }
		seq, err := strconv.Atoi(get(r, "seq"))
		l := bySeq[seq]
		if err != nil || l == nil {
			bad("序号不在这个批次里")
			continue
		}
		result := resultOf(get(r, "result"))
		if result == "" {
			bad("结果应为「成功」或「失败」")
			continue
		}
		if acc := NormalizeAccount(strings.TrimPrefix(get(r, "account"), "'")); acc != "" && s.box.Index(bankIndexNS, acc) != l.AccountHash {
			bad(fmt.Sprintf("银行账号与第%d笔不符", seq))
			continue
		}
		if amt := get(r, "amount"); amt != "" {
			if fen, ok := parseYuan(amt); !ok || fen != l.AmountFen {
				bad(fmt.Sprintf("金额与第%d笔（%s元）不符", seq, Yuan(l.AmountFen)))
				continue
			}
		}
		if l.State == result {
			sum.Unchanged++
			continue
		}
		if l.State != model.LinePending {
			bad(fmt.Sprintf("第%d笔已登记为「%s」", seq, model.BatchLineStates.Label(l.State)))
			continue
		}
		reason := get(r, "reason")
		if result == model.LineFailed && utf8.RuneCountInString(reason) < 2 {
			reason = "银行退回（未注明原因）"
		}
		var marked model.BatchLine
		err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
			return s.markLine(ctx, tx, b, l.ID, MarkInput{Result: result, Reason: clip(reason, 200)}, &marked)
		})
		if err != nil {
			if e, ok := apperr.As(err); ok && e.Kind != apperr.KindInternal {
				bad(e.Message)
				continue
			}
			return nil, fmt.Errorf("import results: %w", err)
		}
		*l = marked
		if result == model.LinePaid {
			sum.Paid++
		} else {
			sum.Failed++
		}
	}
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		return audit.Write(ctx, tx, audit.Entry{Action: "batch.results_upload", SubjectType: "batch", SubjectID: b.ID,
			After: map[string]any{"rows": sum.Rows, "paid": sum.Paid, "failed": sum.Failed, "unchanged": sum.Unchanged, "errors": len(sum.Errors)}})
	})
	return sum, err
}

func resultOf(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "成功", "已发放", "发放成功", "支付成功", "交易成功", "paid", "success":
		return model.LinePaid
	case "失败", "发放失败", "支付失败", "交易失败", "退回", "已退回", "failed", "fail":
		return model.LineFailed
	}
	return ""
}

// parseYuan reads "800", "800.0" or "800.00" as fen, without floats.
func parseYuan(v string) (int64, bool) {
	v = strings.ReplaceAll(strings.TrimSpace(v), ",", "")
	whole, frac, _ := strings.Cut(v, ".")
	if whole == "" || len(frac) > 2 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	y, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || y < 0 || f < 0 {
		return 0, false
	}
	return y*100 + f, true
}

// readTable reads the first sheet of an .xlsx, or a UTF-8 (or GBK-free) CSV.
func readTable(name string, data []byte) ([][]string, error) {
	bad := apperr.Invalid("file", "unreadable", "文件读不出来，请上传银行返回的 .xlsx 或 .csv 文件")
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, bad
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, bad
		}
		rows, err := f.GetRows(sheets[0])
		if err != nil {
			return nil, bad
		}
		return rows, nil
	}
	if !utf8.Valid(data) {
		return nil, apperr.Invalid("file", "encoding", "CSV 文件应为 UTF-8 编码，请在 Excel 里另存为“CSV UTF-8”")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bad
		}
		rows = append(rows, rec)
		if len(rows) > MaxResultRows+1 {
			break
		}
	}
	return rows, nil
}
