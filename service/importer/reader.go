package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// File formats.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1} // .xls and encrypted .xlsx
)

// sniff decides the format from the first bytes of a file, never from its name.
func sniff(head []byte) (string, error) {
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return FormatXLSX, nil
	case bytes.HasPrefix(head, oleMagic):
		return "", apperr.Invalid("file", "unsupported_format", "不支持 .xls 旧格式或加密的表格，请在 Excel 中另存为 .xlsx 或 .csv 后再导入")
	case len(head) == 0:
		return "", apperr.Invalid("file", "empty_file", "文件是空的")
	case looksLikeText(head):
		return FormatCSV, nil
	}
	return "", apperr.Invalid("file", "unsupported_format", "只能导入 Excel（.xlsx）或 CSV 文件")
}

// looksLikeText accepts UTF-8 (with or without BOM) or GB18030 text without
// control bytes other than tab, CR and LF.
func looksLikeText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	if validUTF8Prefix(b) {
		return true
	}
	_, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b)
	return err == nil
}

// validUTF8Prefix is utf8.Valid allowing a rune cut at the end of the buffer.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// chunkReader reads a stored file back chunk by chunk, holding one in memory.
type chunkReader struct {
	ctx   context.Context
	db    *gorm.DB
	job   int64
	total int
	seq   int
	buf   []byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.seq >= r.total {
			return 0, io.EOF
		}
		var c model.ImportChunk
		if err := r.db.WithContext(r.ctx).Where("job_id = ? AND seq = ?", r.job, r.seq).Take(&c).Error; err != nil {
			return 0, fmt.Errorf("read chunk %d: %w", r.seq, err)
		}
		r.seq++
		r.buf = c.Data
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// rowSource yields a file's rows with their spreadsheet row numbers.
type rowSource interface {
	Next() bool
	Row() (cells []string, num int)
	Err() error
	Close() error
}

// errBadFile marks a file that cannot be read as a spreadsheet at all.
var errBadFile = errors.New("bad file")

// csvSource streams a CSV file: UTF-8 (BOM stripped) or GB18030, which is
// what Excel on a Chinese Windows writes.
type csvSource struct {
	r     *csv.Reader
	cells []string
	num   int
	err   error
}

func newCSVSource(rd io.Reader) *csvSource {
	br := bufio.NewReaderSize(rd, 64<<10)
	head, _ := br.Peek(64 << 10)
	var in io.Reader = br
	if !validUTF8Prefix(head) {
		in = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	return &csvSource{r: r}
}

func (s *csvSource) Next() bool {
	if s.err != nil {
		return false
	}
	rec, err := s.r.Read()
	if err == io.EOF {
		return false
	}
	if err != nil {
		s.err = fmt.Errorf("%w: %w", errBadFile, err)
		return false
	}
	line, _ := s.r.FieldPos(0)
	if s.num == 0 && len(rec) > 0 {
		rec[0] = trimBOM(rec[0])
	}
	s.cells, s.num = rec, line
	return true
}

func trimBOM(s string) string {
	if len(s) >= 3 && s[:3] == "\ufeff" {
		return s[3:]
	}
	return s
}

func (s *csvSource) Row() ([]string, int) { return s.cells, s.num }
func (s *csvSource) Err() error           { return s.err }
func (s *csvSource) Close() error         { return nil }

// xlsxSource streams the first worksheet with excelize's Rows iterator. The
// stored file is first copied to a temporary file (chunk by chunk) because a
// zip is read from its end; excelize then unzips a large sheet and its shared
// strings to temporary files and reads them as a stream.
type xlsxSource struct {
	path  string
	f     *excelize.File
	rows  *excelize.Rows
	cells []string
	num   int
	err   error
}

func newXLSXSource(rd io.Reader, tmpDir string) (*xlsxSource, error) {
	tmp, err := os.CreateTemp(tmpDir, "jyb-import-*.xlsx")
	if err != nil {
		return nil, err
	}
	s := &xlsxSource{path: tmp.Name()}
	_, err = io.Copy(tmp, rd)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	s.f, err = excelize.OpenFile(s.path, excelize.Options{RawCellValue: true, TmpDir: tmpDir})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("%w: %w", errBadFile, err)
	}
	sheets := s.f.GetSheetList()
	if len(sheets) == 0 {
		s.Close()
		return nil, fmt.Errorf("%w: no sheets", errBadFile)
	}
	if s.rows, err = s.f.Rows(sheets[0]); err != nil {
		s.Close()
		return nil, fmt.Errorf("%w: %w", errBadFile, err)
	}
	return s, nil
}

func (s *xlsxSource) Next() bool {
	if s.err != nil || !s.rows.Next() {
		if s.err == nil && s.rows.Error() != nil {
			s.err = fmt.Errorf("%w: %w", errBadFile, s.rows.Error())
		}
		return false
	}
	s.num++
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		s.err = fmt.Errorf("%w: %w", errBadFile, err)
		return false
	}
	s.cells = cells
	return true
}

func (s *xlsxSource) Row() ([]string, int) { return s.cells, s.num }
func (s *xlsxSource) Err() error           { return s.err }

func (s *xlsxSource) Close() error {
	if s.rows != nil {
		s.rows.Close()
	}
	if s.f != nil {
		s.f.Close()
	}
	return os.Remove(s.path)
}
