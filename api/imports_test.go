package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"mime/multipart"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/importer"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// importRow is a good row of the import layout for a labourer in village.
func importRow(name, id, village string, kv ...string) map[string]string {
	r := map[string]string{"姓名": name, "身份证号码": id, "联系电话": "13700001234", "户籍地行政区划代码": village,
		"民族": "回族", "户主姓名": name, "家庭地址": "测试地址", "劳动能力": "普通劳动力", "技能等级": "无", "是否两后生": "否",
		"文化程度": "初中", "当前状态": "正常", "人员类别": "脱贫人口"}
	for i := 0; i+1 < len(kv); i += 2 {
		r[kv[i]] = kv[i+1]
	}
	return r
}

func importCSV(header []string, rows []map[string]string) []byte {
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

// upload posts a file as multipart/form-data.
func (s *stack) upload(t testing.TB, token, name string, data []byte) resp {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("note", "ignored")
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/api/v1/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	s.engine.ServeHTTP(w, req)
	out := resp{Code: w.Code, Raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &out.Body)
	return out
}

// runner runs queued jobs the way the outbox handler would, synchronously.
func (s *stack) runImport(t testing.TB, id string) {
	t.Helper()
	imp := importer.New(s.db, s.box, s.registry, s.regions, importer.Options{Logger: testenv.Logger()})
	n, _ := parseID("id", id)
	if err := imp.Run(context.Background(), n); err != nil {
		t.Fatalf("run import %s: %v", id, err)
	}
}

func counters(b map[string]any) string {
	var parts []string
	for _, k := range []string{"status", "total_rows", "processed", "created", "updated", "unchanged", "bad"} {
		parts = append(parts, k+"="+strings.TrimSuffix(strings.TrimSuffix(jsonStr(b[k]), ".0"), "\""))
	}
	return strings.Join(parts, " ")
}

func jsonStr(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

func readXLSX(t testing.TB, raw string, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("not an xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	testenv.Must(t, err)
	return rows
}

func TestImportAPI(t *testing.T) {
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	tfOther, _ := st.account(t, model.RoleTaskforce, "622925")
	adm, _ := st.account(t, model.RoleAdmin)
	cadre, _ := st.account(t, model.RoleCadre, villageA)
	worker, _ := st.worker(t, villageA)

	dup := uniqueID()
	rows := []map[string]string{
		importRow("导一", uniqueID(), villageA),
		importRow("导二", dup, villageB, "户主姓名", "导一", "户籍地行政区划代码", villageA),
		importRow("导三", uniqueID(), otherCounty),
		importRow("导四", dup, villageA),
		importRow("导五", uniqueID(), villageC, "技能等级", "特级"),
		importRow("导六", uniqueID(), villageC, "务工地点代码", "440305", "就业形式", "单位就业", "就业单位", "某厂",
			"就业时间", "2025-03", "月平均工资", "4800", "所属行业", "普工"),
	}
	// Columns in another order than the template.
	header := importer.Header()
	header[0], header[5] = header[5], header[0]
	data := importCSV(header, rows)

	r := st.upload(t, tf, "台账.csv", data)
	if r.Code != 202 || r.Body["status"] != "queued" || r.Body["format"] != "csv" || r.Body["status_label"] != "排队中" {
		t.Fatalf("upload: %d %s", r.Code, r.Raw)
	}
	id := r.Body["id"].(string)
	st.runImport(t, id)
	g := st.do(t, "GET", "/api/v1/imports/"+id, tf, nil)
	if got, want := counters(g.Body), "status=done total_rows=6 processed=6 created=3 updated=0 unchanged=0 bad=3"; g.Code != 200 || got != want {
		t.Fatalf("progress: %d %s, want %s (%s)", g.Code, got, want, g.Raw)
	}
	if g.Body["errors_url"] != "/api/v1/imports/"+id+"/errors" {
		t.Errorf("errors_url = %v", g.Body["errors_url"])
	}
	e := st.do(t, "GET", "/api/v1/imports/"+id+"/errors", tf, nil)
	if e.Code != 200 {
		t.Fatalf("errors: %d %s", e.Code, e.Raw)
	}
	want := [][]string{importer.ErrorHeader,
		{"4", "户籍地行政区划代码", "该村不在您管辖的县（区）内，不能导入"},
		{"5", "身份证号码", "与第3行的身份证号码重复"},
		{"6", "技能等级", "技能等级应填：无、初级、中级、高级、技师、高级技师"}}
	if got := readXLSX(t, e.Raw, importer.ErrorSheet); !reflect.DeepEqual(got, want) {
		t.Errorf("error report:\n%v\nwant\n%v", got, want)
	}

	// The same file again: nothing changes.
	r2 := st.upload(t, tf, "台账.csv", data)
	if r2.Code != 202 {
		t.Fatalf("re-upload: %d %s", r2.Code, r2.Raw)
	}
	st.runImport(t, r2.Body["id"].(string))
	g2 := st.do(t, "GET", "/api/v1/imports/"+r2.Body["id"].(string), tf, nil)
	if got, want := counters(g2.Body), "status=done total_rows=6 processed=6 created=0 updated=0 unchanged=3 bad=3"; got != want {
		t.Fatalf("re-import: %s, want %s", got, want)
	}

	// An .xlsx upload with 0 data rows.
	f := excelize.NewFile()
	hdr := importer.Header()
	vals := make([]any, len(hdr))
	for i, h := range hdr {
		vals[len(hdr)-1-i] = h
	}
	testenv.Must(t, f.SetSheetRow("Sheet1", "A1", &vals))
	var xb bytes.Buffer
	testenv.Must(t, f.Write(&xb))
	f.Close()
	x := st.upload(t, tf, "空表.xlsx", xb.Bytes())
	if x.Code != 202 || x.Body["format"] != "xlsx" {
		t.Fatalf("xlsx upload: %d %s", x.Code, x.Raw)
	}
	st.runImport(t, x.Body["id"].(string))
	gx := st.do(t, "GET", "/api/v1/imports/"+x.Body["id"].(string), tf, nil)
	if got, want := counters(gx.Body), "status=done total_rows=0 processed=0 created=0 updated=0 unchanged=0 bad=0"; got != want {
		t.Errorf("empty xlsx: %s, want %s", got, want)
	}

	// Not a spreadsheet, no file, not multipart: 400 in Chinese.
	png := st.upload(t, tf, "photo.png", []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'})
	if png.Code != 400 || png.errCode() != "validation_failed" || !reflect.DeepEqual(png.fields(), []string{"file"}) ||
		!strings.Contains(png.Raw, "只能导入 Excel（.xlsx）或 CSV 文件") {
		t.Errorf("png: %d %s", png.Code, png.Raw)
	}
	if j := st.do(t, "POST", "/api/v1/imports", tf, map[string]string{"file": "x"}); j.Code != 400 || j.errCode() != "unsupported_media_type" {
		t.Errorf("json body: %d %s", j.Code, j.Raw)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("other", "x")
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/api/v1/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tf)
	w := httptest.NewRecorder()
	st.engine.ServeHTTP(w, req)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "请选择要导入的文件") {
		t.Errorf("no file part: %d %s", w.Code, w.Body.String())
	}

	// Roles and scope.
	for name, tok := range map[string]string{"cadre": cadre, "worker": worker} {
		for _, c := range []struct{ method, path string }{{"GET", "/api/v1/imports"}, {"GET", "/api/v1/imports/" + id},
			{"GET", "/api/v1/imports/template"}, {"GET", "/api/v1/changes"}, {"GET", "/api/v1/changes/export"}} {
			if r := st.do(t, c.method, c.path, tok, nil); r.Code != 403 {
				t.Errorf("%s %s %s: %d", name, c.method, c.path, r.Code)
			}
		}
		if r := st.upload(t, tok, "台账.csv", data); r.Code != 403 {
			t.Errorf("%s upload: %d", name, r.Code)
		}
	}
	if r := st.do(t, "GET", "/api/v1/imports/"+id, tfOther, nil); r.Code != 404 {
		t.Errorf("other county's task force sees the job: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/imports/"+id+"/errors", tfOther, nil); r.Code != 404 {
		t.Errorf("other county's task force reads the errors: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/imports", tfOther, nil); r.Code != 200 || strings.Contains(r.Raw, id) {
		t.Errorf("other county's list: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/imports/"+id, adm, nil); r.Code != 200 {
		t.Errorf("admin: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/imports/abc", tf, nil); r.Code != 404 {
		t.Errorf("bad id: %d", r.Code)
	}
	l := st.do(t, "GET", "/api/v1/imports?page_size=2", tf, nil)
	if l.Code != 200 || len(l.Body["items"].([]any)) != 2 || l.Body["total"].(float64) < 3 {
		t.Errorf("list: %d %s", l.Code, l.Raw)
	}

	// The template is a blank workbook with the header.
	tp := st.do(t, "GET", "/api/v1/imports/template", tf, nil)
	if tp.Code != 200 {
		t.Fatalf("template: %d", tp.Code)
	}
	if got := readXLSX(t, tp.Raw, importer.TemplateSheet); len(got) != 1 || !reflect.DeepEqual(got[0], importer.Header()) {
		t.Errorf("template rows: %v", got)
	}
}

func TestChangesAPI(t *testing.T) {
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	adm, _ := st.account(t, model.RoleAdmin)
	lab, _ := st.labourer(t, villageA)
	at := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
	testenv.Must(t, st.db.Create([]model.LedgerChange{
		{ID: model.NewID(), LabourerID: lab.ID, CountyCode: testCounty, Source: "form", SourceID: 1, At: at,
			Fields: `{"skill_level":{"old":"none","new":"junior"}}`},
		{ID: model.NewID(), LabourerID: lab.ID, CountyCode: testCounty, Source: model.SourceImport, SourceID: 2, At: at,
			Fields: `{"address":{"old":"a","new":"b"}}`},
	}).Error)
	since := at.Add(-time.Second).Format(time.RFC3339Nano)
	r := st.do(t, "GET", "/api/v1/changes?since="+since, tf, nil)
	if r.Code != 200 {
		t.Fatalf("changes: %d %s", r.Code, r.Raw)
	}
	found := false
	for _, it := range r.Body["items"].([]any) {
		m := it.(map[string]any)
		if m["labourer_id"] == idString(lab.ID) {
			found = true
			fs := m["fields"].([]any)
			if m["source"] == model.SourceImport || len(fs) != 1 || fs[0].(map[string]any)["new"] != "初级" || m["id_masked"] != lab.IDMasked {
				t.Errorf("change: %v", m)
			}
		}
	}
	if !found {
		t.Errorf("change not listed: %s", r.Raw)
	}
	if b := st.do(t, "GET", "/api/v1/changes?since=yesterday", tf, nil); b.Code != 400 || !reflect.DeepEqual(b.fields(), []string{"since"}) {
		t.Errorf("bad since: %d %s", b.Code, b.Raw)
	}
	if b := st.do(t, "GET", "/api/v1/changes?county=622925", tf, nil); b.Code != 403 {
		t.Errorf("other county: %d %s", b.Code, b.Raw)
	}
	x := st.do(t, "GET", "/api/v1/changes/export?since="+since, tf, nil)
	if x.Code != 200 {
		t.Fatalf("export: %d %s", x.Code, x.Raw)
	}
	rows := readXLSX(t, x.Raw, importer.ChangeSheet)
	var mine [][]string
	for _, row := range rows[1:] {
		if row[1] == lab.IDMasked {
			mine = append(mine, row)
		}
	}
	if !reflect.DeepEqual(rows[0], importer.ChangeHeader) || len(mine) != 1 || mine[0][4] != "技能等级" || mine[0][5] != "无" || mine[0][6] != "初级" {
		t.Errorf("export: %v", rows)
	}
	// The next export (default: since the last one) no longer has it.
	x2 := st.do(t, "GET", "/api/v1/changes/export", tf, nil)
	if x2.Code != 200 || strings.Contains(strings.Join(flatten(readXLSX(t, x2.Raw, importer.ChangeSheet)), "|"), lab.IDMasked) {
		t.Errorf("second export repeats the change")
	}
	var runs int64
	testenv.Must(t, st.db.Model(&model.ExportRun{}).Where("county_code = ?", testCounty).Count(&runs).Error)
	if runs < 2 {
		t.Errorf("export runs = %d", runs)
	}
	if a := st.do(t, "GET", "/api/v1/changes?county="+testCounty, adm, nil); a.Code != 200 {
		t.Errorf("admin: %d %s", a.Code, a.Raw)
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func TestOpenAPIImportSchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"ImportJob":     reflect.TypeFor[importJobView](),
		"ImportJobPage": reflect.TypeFor[importJobPage](),
		"Change":        reflect.TypeFor[changeView](),
		"ChangeField":   reflect.TypeFor[changeFieldView](),
		"ChangePage":    reflect.TypeFor[changePage](),
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), types[name])
	}
	// The states the document lists are the model's.
	s := oaSchema(t, doc, "ImportState")
	var got []string
	for _, v := range s["enum"].([]any) {
		got = append(got, v.(string))
	}
	var want []string
	for _, o := range model.ImportStates {
		want = append(want, o.Code)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ImportState = %v, want %v", got, want)
	}
}

// TestImportUploadAboveBodyLimit: the general body cap (64 KiB in the test
// stack, 1 MiB by default) does not apply to the upload, which has its own;
// other routes still refuse an oversized body.
func TestImportUploadAboveBodyLimit(t *testing.T) {
	tok, _ := st.account(t, model.RoleTaskforce, testCounty)
	var b bytes.Buffer
	b.WriteString("姓名,身份证号码,联系电话,户籍地行政区划代码\n")
	for b.Len() < 200<<10 {
		b.WriteString("张三,110105194912310021,13800000000,622926100001\n")
	}
	r := st.upload(t, tok, "big.csv", b.Bytes())
	if r.Code != 202 {
		t.Fatalf("upload of %d bytes: %d %s", b.Len(), r.Code, r.Raw)
	}
	big := st.do(t, "POST", "/api/v1/labourers", tok, strings.Repeat(" ", 70<<10)+"{}")
	if big.Code != 413 {
		t.Fatalf("oversized JSON body on another route: %d", big.Code)
	}
}
