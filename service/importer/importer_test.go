package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/registry"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/good_and_bad.csv")

const (
	testCounty  = "622926"       // 东乡族自治县
	village1    = "622926100001" // 锁南镇 城南社区
	village2    = "622926101001" // 达板镇 达板社区
	otherVillag = "622925100101" // 和政县 城关镇 西关社区
	shenzhen    = "440305"       // 深圳市南山区 (省外)
	lanzhou     = "620102"       // 兰州市城关区 (省内县外)
	fixturePath = "testdata/good_and_bad.csv"
)

type env struct {
	db       *gorm.DB
	box      *pii.Box
	regions  *region.Service
	registry *registry.Service
	svc      *Service
}

var te *env

func TestMain(m *testing.M) {
	flag.Parse()
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "importer tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "jyb-importer-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	db, cleanup, err := testenv.NewDB("importer", dir)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	e := &env{db: db}
	if e.box, err = pii.New(bytes.Repeat([]byte{7}, 32), []byte(strings.Repeat("i", 32))); err != nil {
		return 0, err
	}
	e.regions = region.New(db)
	ctx := context.Background()
	if _, err := e.regions.SeedCountry(ctx); err != nil {
		return 0, err
	}
	if _, err := e.regions.SeedGansu(ctx); err != nil {
		return 0, err
	}
	e.registry = registry.New(db, e.box, e.regions, nil)
	e.svc = e.newService(0, 0)
	te = e
	return m.Run(), nil
}

func (e *env) newService(batch, writers int) *Service {
	return New(e.db, e.box, e.registry, e.regions, Options{Batch: batch, Writers: writers, TmpDir: os.TempDir(), Logger: testenv.Logger()})
}

// taskforce is an actor for the test county's task force.
func taskforce() context.Context {
	return actor.With(context.Background(), &actor.Actor{AccountID: 42, Role: model.RoleTaskforce, Scopes: []string{testCounty}})
}

func admin() context.Context {
	return actor.With(context.Background(), &actor.Actor{AccountID: 1, Role: model.RoleAdmin})
}

// idFor makes a valid 身份证 number.
func idFor(area, birth string, n int) string {
	first := area + birth + fmt.Sprintf("%03d", n%1000)
	return first + string(pii.IDCheckChar(first))
}

var idSeq atomic.Int64

// freshID makes a 身份证 number no other test uses (born in 1985–1995).
func freshID() string {
	n := int(idSeq.Add(1))
	birth := time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	return idFor(testCounty, birth.Format("20060102"), n)
}

// rec is one row by header name.
type rec map[string]string

func good(name, id, village string) rec {
	return rec{"姓名": name, "身份证号码": id, "联系电话": "13800001234", "户籍地行政区划代码": village, "民族": "东乡族",
		"户主姓名": name, "家庭地址": "锁南镇城南社区一社", "劳动能力": "普通劳动力", "技能等级": "无", "是否两后生": "否",
		"文化程度": "初中", "当前状态": "正常", "人员类别": "脱贫人口", "易地搬迁": "否", "零就业家庭": "否", "雨露计划毕业生": "否"}
}

func (r rec) with(kv ...string) rec {
	out := rec{}
	for k, v := range r {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func withJob(r rec, place string) rec {
	return r.with("务工地点代码", place, "就业形式", "单位就业", "就业单位", "某电子有限公司", "就业时间", "2024-03",
		"月平均工资", "5200", "所属行业", "普工")
}

func csvBytes(header []string, rows []rec) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(header)
	for _, r := range rows {
		line := make([]string, len(header))
		for i, h := range header {
			line[i] = r[h]
		}
		_ = w.Write(line)
	}
	w.Flush()
	return b.Bytes()
}

func xlsxBytes(t testing.TB, title string, header []string, rows []rec) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	line := 1
	if title != "" {
		testenv.Must(t, f.SetCellValue("Sheet1", "A1", title))
		line = 2
	}
	put := func(vals []string) {
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, line)
		testenv.Must(t, f.SetSheetRow("Sheet1", cell, &row))
		line++
	}
	put(header)
	for _, r := range rows {
		vals := make([]string, len(header))
		for i, h := range header {
			vals[i] = r[h]
		}
		put(vals)
	}
	var b bytes.Buffer
	testenv.Must(t, f.Write(&b))
	return b.Bytes()
}

// fixtureRows is testdata/good_and_bad.csv: good rows, bad rows of every
// kind, a blank row and a row for a labourer already in the ledger.
func fixtureRows() (rows []rec, existingID string) {
	a := idFor(testCounty, "19900101", 1)
	b := idFor(testCounty, "19920202", 2)
	badCheck := idFor(testCounty, "19930303", 3)
	badCheck = badCheck[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", badCheck[17])+1)%11])
	existingID = idFor(testCounty, "19880808", 9)
	return []rec{
		withJob(good("马一", a, village1).with("易地搬迁", "是"), shenzhen),              // 2 good, head, 省外 job
		good("马二", b, village1).with("户主姓名", "马一", "劳动能力", "技能劳动力", "技能等级", "初级"), // 3 good, same household
		good("马三", badCheck, village1),                                                               // 4 bad check digit
		good("王四", idFor("622925", "19940404", 4), otherVillag),                                      // 5 outside the county
		good("李五", idFor(testCounty, "19950505", 5), village1).with("劳动能力", "丧失劳动力"),                 // 6 not collected
		good("赵六", idFor(testCounty, "19960606", 6), village1).with("联系电话", "1381234", "技能等级", "大师"), // 7 two problems
		good("马二", b, village1).with("户主姓名", "马一"),                                                   // 8 duplicate of row 3
		{}, // 9 blank
		good("周七", idFor(testCounty, "19970707", 7), village2).with("当前状态", "暂时退出（上学）", "户编号", "6229261010010007"), // 10 good
		withJob(good("吴八", idFor(testCounty, "19980808", 8), village2), lanzhou).with("月平均工资", ""),                 // 11 job without wage
		good("郑九", existingID, village2).with("家庭地址", "达板镇达板社区三社"),                                                 // 12 existing, address changed
		withJob(good("孙十", idFor(testCounty, "19991009", 10), village2), lanzhou).with("就业形式", "其他就业形式：打零工",
			"所属行业", "其他：搬运", "就业单位", ""), // 13 good, 其他
		good("钱十一", idFor(testCounty, "19500101", 11), village1), // 14 over 60 as 普通劳动力
	}, existingID
}

// wantErrors are the error report's lines for the fixture.
var wantErrors = [][]string{
	{"行号", "列名", "错误说明"},
	{"4", "身份证号码", "身份证号码校验位不对，请仔细核对"},
	{"5", "户籍地行政区划代码", "该村不在您管辖的县（区）内，不能导入"},
	{"6", "劳动能力", "丧失劳动力、无劳动力的人员无须采集（填表说明第1条）"},
	{"7", "技能等级", "技能等级应填：无、初级、中级、高级、技师、高级技师"},
	{"7", "联系电话", "请填写11位手机号"},
	{"8", "身份证号码", "与第3行的身份证号码重复"},
	{"11", "月平均工资", "请填写月平均工资（元）"},
	{"14", "劳动能力", "60岁以上应选“弱劳动力或半劳动力”"},
}

func TestFixtureUpToDate(t *testing.T) {
	rows, _ := fixtureRows()
	want := csvBytes(Header(), rows)
	if *update {
		testenv.Must(t, os.WriteFile(fixturePath, want, 0o644))
	}
	got, err := os.ReadFile(fixturePath)
	testenv.Must(t, err)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; run go test ./service/importer -run TestFixtureUpToDate -update", fixturePath)
	}
}

// importFile uploads and runs a file to the end.
func (e *env) importFile(t *testing.T, ctx context.Context, name string, data []byte) *model.ImportJob {
	t.Helper()
	job, err := e.svc.Upload(ctx, name, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	if err := e.svc.Run(ctx, job.ID); err != nil {
		t.Fatalf("run %s: %v", name, err)
	}
	got, err := e.svc.Get(ctx, job.ID)
	testenv.Must(t, err)
	return got
}

type tally struct{ Status, Total, Processed, Created, Updated, Unchanged, Bad int }

func tallyOf(j *model.ImportJob) string {
	return fmt.Sprintf("%s total=%d processed=%d created=%d updated=%d unchanged=%d bad=%d",
		j.Status, j.TotalRows, j.Processed, j.Created, j.Updated, j.Unchanged, j.Bad)
}

func (e *env) errorRows(t *testing.T, ctx context.Context, id int64) [][]string {
	t.Helper()
	var b bytes.Buffer
	testenv.Must(t, e.svc.ErrorReport(ctx, id, &b))
	f, err := excelize.OpenReader(&b)
	testenv.Must(t, err)
	defer f.Close()
	rows, err := f.GetRows(ErrorSheet)
	testenv.Must(t, err)
	return rows
}

func TestImportGoodAndBadRows(t *testing.T) {
	ctx := taskforce()
	_, existingID := fixtureRows()
	sys := actor.With(context.Background(), &actor.Actor{Role: "system"})
	old, err := te.registry.CreateLabourer(sys, registry.LabourerInput{Name: "郑九", IDNumber: existingID, Phone: "13800001234",
		VillageCode: village2, Ethnicity: "东乡族", Address: "达板镇达板社区一社", LabourCapacity: "ordinary", SkillLevel: "none",
		Education: "junior_high", Category: "lifted", State: "normal"})
	testenv.Must(t, err)
	data, err := os.ReadFile(fixturePath)
	testenv.Must(t, err)

	job := te.importFile(t, ctx, "good_and_bad.csv", data)
	t.Logf("first import: %s", tallyOf(job))
	if got, want := tallyOf(job), "done total=12 processed=12 created=4 updated=1 unchanged=0 bad=7"; got != want {
		t.Fatalf("first import: %s, want %s", got, want)
	}
	if got := te.errorRows(t, ctx, job.ID); !reflect.DeepEqual(got, wantErrors) {
		t.Errorf("error report:\n%v\nwant\n%v", got, wantErrors)
	}
	// What was written: one household for 马一 and 马二, the spell, the change.
	var ma []model.Labourer
	testenv.Must(t, te.db.Where("name IN ?", []string{"马一", "马二"}).Order("name").Find(&ma).Error)
	if len(ma) != 2 || ma[0].HouseholdID != ma[1].HouseholdID {
		t.Fatalf("马一 and 马二 should share one household: %+v", ma)
	}
	if !ma[0].Working || ma[0].PlaceScope != region.ScopeOutProvince || ma[0].IDMasked == "" || strings.Contains(ma[0].IDNumberEnc, "6229") {
		t.Errorf("马一: working=%v scope=%q masked=%q", ma[0].Working, ma[0].PlaceScope, ma[0].IDMasked)
	}
	var hh model.Household
	testenv.Must(t, te.db.Take(&hh, ma[0].HouseholdID).Error)
	if !hh.Relocated || hh.HeadName != "马一" {
		t.Errorf("household: %+v", hh)
	}
	var zheng model.Labourer
	testenv.Must(t, te.db.Take(&zheng, old.ID).Error)
	if zheng.Address != "达板镇达板社区三社" || zheng.Version != old.Version+1 {
		t.Errorf("郑九 not updated: %q v%d", zheng.Address, zheng.Version)
	}
	var changes []model.LedgerChange
	testenv.Must(t, te.db.Where("labourer_id = ?", old.ID).Find(&changes).Error)
	if len(changes) != 1 || changes[0].Source != model.SourceImport || !strings.Contains(changes[0].Fields, "达板镇达板社区三社") {
		t.Errorf("ledger change: %+v", changes)
	}
	var audits int64
	testenv.Must(t, te.db.Model(&model.AuditLog{}).Where("action = ? AND subject_id = ?", "labourer.import_update", old.ID).Count(&audits).Error)
	if audits != 1 {
		t.Errorf("update audits = %d, want 1", audits)
	}
	var sun model.Labourer
	testenv.Must(t, te.db.Where("name = ?", "孙十").Take(&sun).Error)
	var sp model.EmploymentSpell
	testenv.Must(t, te.db.Where("labourer_id = ?", sun.ID).Take(&sp).Error)
	if sp.Form != "other" || sp.FormOther != "打零工" || sp.Industry != "other" || sp.IndustryOther != "搬运" || sp.PlaceScope != region.ScopeInProvince {
		t.Errorf("孙十's spell: %+v", sp)
	}

	// The same file again changes nothing.
	before := counts3(t)
	again := te.importFile(t, ctx, "good_and_bad.csv", data)
	t.Logf("re-import: %s", tallyOf(again))
	if got, want := tallyOf(again), "done total=12 processed=12 created=0 updated=0 unchanged=5 bad=7"; got != want {
		t.Fatalf("re-import: %s, want %s", got, want)
	}
	if after := counts3(t); after != before {
		t.Errorf("re-import wrote rows: before %v after %v", before, after)
	}
	if got := te.errorRows(t, ctx, again.ID); !reflect.DeepEqual(got, wantErrors) {
		t.Errorf("re-import error report:\n%v", got)
	}
}

// counts3 counts labourers, households, spells and ledger changes.
func counts3(t *testing.T) [4]int64 {
	var out [4]int64
	for i, m := range []any{&model.Labourer{}, &model.Household{}, &model.EmploymentSpell{}, &model.LedgerChange{}} {
		testenv.Must(t, te.db.Model(m).Count(&out[i]).Error)
	}
	return out
}

func TestImportXLSXOtherColumnOrder(t *testing.T) {
	ctx := taskforce()
	header := Header()
	for i, j := 0, len(header)-1; i < j; i, j = i+1, j-1 {
		header[i], header[j] = header[j], header[i]
	}
	for i, h := range header {
		if h == "身份证号码" {
			header[i] = " 身份证号 " // an alias, with spaces
		}
	}
	rows := []rec{
		withJob(good("甲", freshID(), village1), shenzhen),
		good("乙", freshID(), village1).with("户主姓名", "甲"),
		good("丙", "123", village1),
	}
	for _, r := range rows {
		r[" 身份证号 "] = r["身份证号码"]
	}
	data := xlsxBytes(t, "东乡族自治县劳动力台账（系统导出）", header, rows)
	job := te.importFile(t, ctx, "台账.xlsx", data)
	if job.Format != FormatXLSX {
		t.Errorf("format = %s", job.Format)
	}
	if got, want := tallyOf(job), "done total=3 processed=3 created=2 updated=0 unchanged=0 bad=1"; got != want {
		t.Fatalf("xlsx import: %s (%s), want %s", got, job.Message, want)
	}
	want := [][]string{ErrorHeader, {"5", "身份证号码", "身份证号码应为18位"}} // title row 1, header row 2
	if got := te.errorRows(t, ctx, job.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("error report: %v, want %v", got, want)
	}
	again := te.importFile(t, ctx, "台账.xlsx", data)
	if got, want := tallyOf(again), "done total=3 processed=3 created=0 updated=0 unchanged=2 bad=1"; got != want {
		t.Fatalf("xlsx re-import: %s, want %s", got, want)
	}
	// A changed job in the file closes the old spell and opens a new one.
	rows[0]["月平均工资"] = "6000"
	job3 := te.importFile(t, ctx, "台账2.xlsx", xlsxBytes(t, "", header, rows))
	if got, want := tallyOf(job3), "done total=3 processed=3 created=0 updated=1 unchanged=1 bad=1"; got != want {
		t.Fatalf("changed wage: %s, want %s", got, want)
	}
}

func TestImportNoDataRowsAndBadFiles(t *testing.T) {
	ctx := taskforce()
	job := te.importFile(t, ctx, "empty.csv", csvBytes(Header(), nil))
	if got, want := tallyOf(job), "done total=0 processed=0 created=0 updated=0 unchanged=0 bad=0"; got != want {
		t.Errorf("header only: %s, want %s", got, want)
	}
	job = te.importFile(t, ctx, "empty.xlsx", xlsxBytes(t, "", Header(), nil))
	if got, want := tallyOf(job), "done total=0 processed=0 created=0 updated=0 unchanged=0 bad=0"; got != want {
		t.Errorf("xlsx header only: %s, want %s", got, want)
	}
	// GB18030 text, as Excel on Chinese Windows saves CSV, with a missing column.
	gbk := []byte("\xd0\xd5\xc3\xfb,\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5\xc2\xeb,\xc3\xf1\xd7\xe5\n") // 姓名,身份证号码,民族
	job = te.importFile(t, ctx, "gbk.csv", gbk)
	if job.Status != model.ImportFailed || !strings.HasPrefix(job.Message, "缺少必需的列：联系电话、户籍地行政区划代码") {
		t.Errorf("missing columns: %s %q", job.Status, job.Message)
	}
	job = te.importFile(t, ctx, "notes.csv", []byte("随便写的一些文字\n没有表头\n"))
	if job.Status != model.ImportFailed || !strings.Contains(job.Message, "没有找到表头") {
		t.Errorf("no header: %s %q", job.Status, job.Message)
	}
	job = te.importFile(t, ctx, "broken.xlsx", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{1}, 100)...))
	if job.Status != model.ImportFailed || !strings.Contains(job.Message, "不是有效的 Excel") {
		t.Errorf("broken zip: %s %q", job.Status, job.Message)
	}
	for name, data := range map[string][]byte{
		"photo.png": {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13},
		"old.xls":   {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0},
		"empty.csv": {},
	} {
		_, err := te.svc.Upload(ctx, name, bytes.NewReader(data))
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindValidation || len(e.Fields) != 1 || e.Fields[0].Field != "file" {
			t.Errorf("%s: %v, want a 400 on file", name, err)
		}
	}
	// Roles: cadres cannot import; a task force cannot see another county's job.
	cadre := actor.With(context.Background(), &actor.Actor{AccountID: 7, Role: model.RoleCadre, Scopes: []string{village1}})
	if _, err := te.svc.Upload(cadre, "x.csv", bytes.NewReader([]byte("a,b\n"))); !apperr.IsKind(err, apperr.KindForbidden) {
		t.Errorf("cadre upload: %v", err)
	}
	other := actor.With(context.Background(), &actor.Actor{AccountID: 8, Role: model.RoleTaskforce, Scopes: []string{"622925"}})
	if _, err := te.svc.Get(other, job.ID); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Errorf("other county get: %v", err)
	}
	if _, err := te.svc.Get(admin(), job.ID); err != nil {
		t.Errorf("admin get: %v", err)
	}
}

func TestImportResumesWithoutDuplicates(t *testing.T) {
	ctx := taskforce()
	var rows []rec
	for i := 0; i < 9; i++ {
		rows = append(rows, good(fmt.Sprintf("续%d", i), freshID(), village2))
	}
	rows[4] = rows[4].with("民族", "火星族")
	job, err := te.svc.Upload(ctx, "resume.csv", bytes.NewReader(csvBytes(Header(), rows)))
	testenv.Must(t, err)

	first := te.newService(2, 1)
	rctx, cancel := context.WithCancel(ctx)
	first.afterBatch = func(end int) {
		if end == 4 {
			cancel() // the runner dies after its second batch
		}
	}
	if err := first.Run(rctx, job.ID); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	mid, _ := te.svc.Get(ctx, job.ID)
	t.Logf("interrupted: %s next_row=%d", tallyOf(mid), mid.NextRow)
	if mid.Status != model.ImportRunning || mid.NextRow != 4 || mid.Created != 4 {
		t.Fatalf("after interruption: %s next=%d", tallyOf(mid), mid.NextRow)
	}
	second := te.newService(2, 1)
	if err := second.Run(ctx, job.ID); !errors.Is(err, ErrLeased) {
		t.Fatalf("second runner while the lease is live: %v", err)
	}
	// The lease runs out; another runner resumes after row 4.
	testenv.Must(t, te.db.Model(&model.ImportJob{}).Where("id = ?", job.ID).Update("lease_until", time.Now().Add(-time.Minute)).Error)
	testenv.Must(t, second.Run(ctx, job.ID))
	done, _ := te.svc.Get(ctx, job.ID)
	if got, want := tallyOf(done), "done total=9 processed=9 created=8 updated=0 unchanged=0 bad=1"; got != want {
		t.Fatalf("resumed: %s, want %s", got, want)
	}
	var n int64
	testenv.Must(t, te.db.Model(&model.Labourer{}).Where("name LIKE ?", "续%").Count(&n).Error)
	if n != 8 {
		t.Errorf("labourers = %d, want 8", n)
	}
	if got := te.errorRows(t, ctx, job.ID); len(got) != 2 || got[1][0] != "6" || got[1][1] != "民族" {
		t.Errorf("errors after resume: %v", got)
	}
	// Finished jobs are not run again.
	if err := second.Run(ctx, job.ID); !errors.Is(err, ErrLeased) {
		t.Errorf("run a finished job: %v", err)
	}
}

// Several writers at once, small batches, households split across batches:
// exact counts, one household per key, and a re-import changes nothing.
func TestImportConcurrentWriters(t *testing.T) {
	ctx := taskforce()
	var rows []rec
	for i := 0; i < 60; i++ {
		head := fmt.Sprintf("并%d", i/4*4)
		rows = append(rows, good(fmt.Sprintf("并%d", i), freshID(), village2).with("户主姓名", head, "户编号", "P"+head))
	}
	data := csvBytes(Header(), rows)
	svc := te.newService(3, 4)
	for round, want := range []string{"done total=60 processed=60 created=60 updated=0 unchanged=0 bad=0",
		"done total=60 processed=60 created=0 updated=0 unchanged=60 bad=0"} {
		job, err := svc.Upload(ctx, "par.csv", bytes.NewReader(data))
		testenv.Must(t, err)
		testenv.Must(t, svc.Run(ctx, job.ID))
		got, _ := svc.Get(ctx, job.ID)
		if tallyOf(got) != want || got.NextRow != 60 {
			t.Fatalf("round %d: %s next=%d, want %s", round, tallyOf(got), got.NextRow, want)
		}
	}
	var households int64
	testenv.Must(t, te.db.Model(&model.Labourer{}).Where("name LIKE ?", "并%").Distinct("household_id").Count(&households).Error)
	if households != 15 {
		t.Errorf("households = %d, want 15", households)
	}
}

func TestOutboxHandlerRunsJobOnce(t *testing.T) {
	ctx := taskforce()
	rows := []rec{good("事件甲", freshID(), village1), good("事件乙", freshID(), village1)}
	job, err := te.svc.Upload(ctx, "event.csv", bytes.NewReader(csvBytes(Header(), rows)))
	testenv.Must(t, err)
	var ev model.OutboxEvent
	testenv.Must(t, te.db.Where("kind = ? AND aggregate_id = ?", model.EventImportQueued, job.ID).Take(&ev).Error)
	svc := te.newService(0, 0)
	defer svc.Shutdown()
	handle := func() error {
		return te.db.Transaction(func(tx *gorm.DB) error { return svc.Handle(context.Background(), tx, ev) })
	}
	if err := handle(); !errors.Is(err, errStillRunning) {
		t.Fatalf("first delivery: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, _ := te.svc.Get(ctx, job.ID)
		if j.Status == model.ImportDone {
			if j.Created != 2 {
				t.Fatalf("created = %d", j.Created)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job did not finish: %s", tallyOf(j))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := handle(); err != nil {
		t.Fatalf("delivery after the job finished: %v", err)
	}
}

func TestChangesExport(t *testing.T) {
	ctx := taskforce()
	lab, err := te.registry.CreateLabourer(actor.With(context.Background(), &actor.Actor{Role: "system"}), registry.LabourerInput{
		Name: "异动甲", IDNumber: freshID(), Phone: "13900001111", VillageCode: village1, Ethnicity: "汉族", Address: "一社",
		LabourCapacity: "ordinary", SkillLevel: "none", Education: "junior_high", Category: "lifted", State: "normal"})
	testenv.Must(t, err)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	testenv.Must(t, te.db.Create([]model.LedgerChange{
		{ID: model.NewID(), LabourerID: lab.ID, CountyCode: testCounty, Source: "form", SourceID: 1, At: at,
			Fields: `{"skill_level":{"old":"none","new":"junior"},"labour_capacity":{"old":"ordinary","new":"skilled"}}`},
		{ID: model.NewID(), LabourerID: lab.ID, CountyCode: testCounty, Source: model.SourceImport, SourceID: 2, At: at,
			Fields: `{"address":{"old":"一社","new":"二社"}}`},
		{ID: model.NewID(), LabourerID: lab.ID, CountyCode: "622925", Source: "form", SourceID: 3, At: at,
			Fields: `{"address":{"old":"x","new":"y"}}`},
	}).Error)
	since := at.Add(-time.Second)
	lines, total, _, err := te.svc.Changes(ctx, ChangeQuery{Since: &since})
	testenv.Must(t, err)
	if total != 1 || len(lines) != 1 || len(lines[0].Fields) != 2 || lines[0].Fields[1].New != "初级" || lines[0].IDMasked == "" {
		t.Fatalf("changes: %d %+v", total, lines)
	}
	var b bytes.Buffer
	run, err := te.svc.ExportChanges(ctx, ChangeQuery{Since: &since}, &b)
	testenv.Must(t, err)
	f, err := excelize.OpenReader(&b)
	testenv.Must(t, err)
	rows, _ := f.GetRows(ChangeSheet)
	f.Close()
	if len(rows) != 3 || !reflect.DeepEqual(rows[0], ChangeHeader) || rows[1][4] != "劳动能力" || rows[1][6] != "技能劳动力" ||
		rows[2][5] != "无" || rows[2][6] != "初级" || rows[1][8] != "入户核实" || rows[1][1] != lab.IDMasked {
		t.Fatalf("export rows: %v", rows)
	}
	if run.Rows != 1 || run.CountyCode != testCounty {
		t.Errorf("run: %+v", run)
	}
	// The next export starts after this one: nothing new.
	b.Reset()
	run2, err := te.svc.ExportChanges(ctx, ChangeQuery{}, &b)
	testenv.Must(t, err)
	if run2.Rows != 0 || !run2.Since.Equal(run.Until) {
		t.Errorf("second export: %+v (first until %v)", run2, run.Until)
	}
	if _, _, _, err := te.svc.Changes(ctx, ChangeQuery{County: "622925"}); !apperr.IsKind(err, apperr.KindForbidden) {
		t.Errorf("other county: %v", err)
	}
}

func TestParseHelpers(t *testing.T) {
	for in, want := range map[string]string{"2020-07": "2020-07-01", "2020/7": "2020-07-01", "2020年7月": "2020-07-01",
		"202007": "2020-07-01", "2020-07-15": "2020-07-01", "44013": "2020-07-01"} {
		got, ok := parseMonth(in, false)
		if !ok || got.Format("2006-01-02") != want {
			t.Errorf("parseMonth(%q) = %v %v, want %s", in, got, ok, want)
		}
	}
	if got, ok := parseMonth("2020年3月15日", true); !ok || got.Format("2006-01-02") != "2020-03-15" {
		t.Errorf("keep day: %v", got)
	}
	for _, bad := range []string{"2020-13", "abc", "2020-02-30"} {
		if _, ok := parseMonth(bad, true); ok {
			t.Errorf("parseMonth(%q) accepted", bad)
		}
	}
	if s, r := splitState("暂时退出（上学）"); s != "暂时退出" || r != "上学" {
		t.Errorf("splitState: %q %q", s, r)
	}
	if w, ok := parseWage("3,500元"); !ok || w != 3500 {
		t.Errorf("parseWage: %d", w)
	}
	if c := cleanCode("6.22926100001E+11"); c != "622926100001" {
		t.Errorf("cleanCode: %s", c)
	}
}
