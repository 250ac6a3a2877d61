package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/payment"
)

// approvedClaim makes an approved transport claim for a labourer (claims are
// made by service/subsidy; the payment flow starts where they are approved).
func approvedClaim(t *testing.T, lab *model.Labourer, fen int64) *model.SubsidyClaim {
	t.Helper()
	c := &model.SubsidyClaim{ID: model.NewID(), LabourerID: lab.ID, PolicyID: model.NewID(), Year: 2024, Kind: model.SubsidyTransport,
		Mode: model.ModeAuto, CountyCode: lab.CountyCode, AmountFen: fen, State: model.ClaimApproved, PolicyVersion: 1, Version: 1}
	if err := st.db.Create(c).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

func claimState(t *testing.T, id int64) model.ClaimState {
	t.Helper()
	var c model.SubsidyClaim
	if err := st.db.Take(&c, id).Error; err != nil {
		t.Fatal(err)
	}
	return c.State
}

// endNotice moves a notice's end into the past (the test cannot wait five working days).
func endNotice(t *testing.T, id string) {
	t.Helper()
	if err := st.db.Model(&model.Notice{}).Where("id = ?", id).Update("ends_at", time.Now().Add(-time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
}

// TestPaymentFlow: a worker sets their bank account, their approved claim is
// published, a cadre objects for a neighbour, the objection is dismissed, the
// notice passes, one task force account prepares a batch, the same account
// cannot approve it, another does, the bank file holds the whole numbers,
// the result file marks it paid and the worker sees 已发放.
func TestPaymentFlow(t *testing.T) {
	maker, _ := st.account(t, model.RoleTaskforce, testCounty)
	checker, _ := st.account(t, model.RoleTaskforce, testCounty)
	cadre, _ := st.account(t, model.RoleCadre, villageA)
	official, _ := st.account(t, model.RoleOfficial, testCounty[:4])
	wtok, lab := st.worker(t, villageA)
	other, _ := st.worker(t, villageC)
	lab2, _ := st.labourer(t, villageA)
	const number = "6228480012345678901"

	// Bank accounts: the worker's own (masked back), and one by the task force.
	if r := st.do(t, "PUT", "/api/v1/me/bank-account", wtok, map[string]string{"holder_name": "别人", "number": number, "bank_name": "中国农业银行"}); r.Code != 400 {
		t.Fatalf("other holder: %d %s", r.Code, r.Raw)
	}
	r := st.do(t, "PUT", "/api/v1/me/bank-account", wtok, map[string]string{"holder_name": lab.Name, "number": "6228 4800 1234 5678 901", "bank_name": "中国农业银行东乡县支行"})
	if r.Code != 200 || r.Body["account_masked"] != "6228***********8901" || strings.Contains(r.Raw, number) {
		t.Fatalf("set my account: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "PUT", fmt.Sprintf("/api/v1/labourers/%d/bank-account", lab2.ID), maker,
		map[string]string{"holder_name": lab2.Name, "number": "6217000012345670002", "bank_name": "中国建设银行"}); r.Code != 200 {
		t.Fatalf("task force sets account: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "PUT", fmt.Sprintf("/api/v1/labourers/%d/bank-account", lab2.ID), cadre,
		map[string]string{"holder_name": lab2.Name, "number": "6217000012345670002", "bank_name": "中国建设银行"}); r.Code != 403 {
		t.Fatalf("cadre sets account: %d", r.Code)
	}
	c1, c2 := approvedClaim(t, lab, 80000), approvedClaim(t, lab2, 50000)

	// Publish; the worker and the cadre see masked names.
	r = st.do(t, "POST", "/api/v1/notices", maker, map[string]any{"county_code": testCounty, "title": "2024年外出务工交通补助公示",
		"claim_ids": []string{idString(c1.ID), idString(c2.ID)}})
	if r.Code != 201 || r.Body["days"] != float64(model.DefaultNoticeWorkingDays) {
		t.Fatalf("publish: %d %s", r.Code, r.Raw)
	}
	nid := r.Body["id"].(string)
	if r := st.do(t, "POST", "/api/v1/notices", cadre, map[string]any{"county_code": testCounty}); r.Code != 403 {
		t.Fatalf("cadre publishes: %d", r.Code)
	}
	r = st.do(t, "GET", "/api/v1/me/notices/"+nid, wtok, nil)
	list, _ := r.Body["list"].([]any)
	if r.Code != 200 || len(list) != 2 || strings.Contains(r.Raw, lab.Name) || !strings.Contains(r.Raw, payment.MaskName(lab.Name)) {
		t.Fatalf("worker reads notice: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/me/notices/"+nid, other, nil); r.Code != 200 || len(r.Body["list"].([]any)) != 0 {
		t.Fatalf("worker of another village sees %d %s", r.Code, r.Raw)
	}
	var item2 string
	for _, it := range list {
		m := it.(map[string]any)
		if m["claim_id"] == idString(c2.ID) {
			item2 = m["id"].(string)
		}
	}
	r = st.do(t, "POST", "/api/v1/notices/"+nid+"/objections", cadre, map[string]string{"item_id": item2, "text": "村民反映此人今年未外出务工", "on_behalf_of": "马小红"})
	if r.Code != 201 || r.Body["on_behalf_of"] != "马*红" {
		t.Fatalf("objection: %d %s", r.Code, r.Raw)
	}
	oid := r.Body["id"].(string)
	if r := st.do(t, "POST", "/api/v1/me/notices/"+nid+"/objections", other, map[string]string{"item_id": item2, "text": "我对这个人有异议"}); r.Code != 400 {
		t.Fatalf("worker of another village objects: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/notices/"+nid+"/close", maker, nil); r.Code != 409 || r.errCode() != "notice_running" {
		t.Fatalf("early close: %d %s", r.Code, r.Raw)
	}
	endNotice(t, nid)
	if r := st.do(t, "POST", "/api/v1/notices/"+nid+"/close", maker, nil); r.Code != 200 || r.Body["state"] != "open" || r.Body["open_objections"] != float64(1) {
		t.Fatalf("close with open objection: %d %s", r.Code, r.Raw)
	}
	if claimState(t, c1.ID) != model.ClaimNoticePassed || claimState(t, c2.ID) != model.ClaimInNotice {
		t.Fatalf("states %s %s", claimState(t, c1.ID), claimState(t, c2.ID))
	}
	// While the objection is open, claim 2 cannot be paid.
	if r := st.do(t, "POST", "/api/v1/batches", maker, map[string]any{"county_code": testCounty, "claim_ids": []string{idString(c2.ID)}}); r.Code != 409 {
		t.Fatalf("batch with objected claim: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/objections/"+oid+"/resolve", maker, map[string]string{"resolution": "dismissed", "note": "入户核实，已在省外务工"}); r.Code != 200 {
		t.Fatalf("resolve: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/notices/"+nid, official, nil); r.Code != 200 || r.Body["state"] != "closed" {
		t.Fatalf("notice after resolution: %d %s", r.Code, r.Raw)
	}

	// Batch: maker prepares, maker cannot approve, checker approves.
	r = st.do(t, "POST", "/api/v1/batches", maker, map[string]any{"county_code": testCounty, "claim_ids": []string{idString(c1.ID), idString(c2.ID)}})
	if r.Code != 201 || r.Body["lines"] != float64(2) || r.Body["total_fen"] != float64(130000) {
		t.Fatalf("batch: %d %s", r.Code, r.Raw)
	}
	bid := r.Body["id"].(string)
	if r := st.do(t, "POST", "/api/v1/batches/"+bid+"/prepare", maker, nil); r.Code != 200 || r.Body["state"] != "prepared" {
		t.Fatalf("prepare: %d %s", r.Code, r.Raw)
	}
	r = st.do(t, "POST", "/api/v1/batches/"+bid+"/approve", maker, map[string]any{})
	if r.Code != 403 || r.errCode() != "same_account" || !strings.Contains(r.Raw, "同一账号不能既制单又复核") {
		t.Fatalf("maker approves own batch: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/batches/"+bid+"/approve", official, map[string]any{}); r.Code != 403 {
		t.Fatalf("official approves: %d", r.Code)
	}
	if r := st.do(t, "POST", "/api/v1/batches/"+bid+"/approve", checker, map[string]any{}); r.Code != 200 || r.Body["state"] != "approved" {
		t.Fatalf("approve: %d %s", r.Code, r.Raw)
	}
	r = st.do(t, "GET", "/api/v1/batches/"+bid+"/lines", official, nil)
	if r.Code != 200 || strings.Contains(r.Raw, number) || !strings.Contains(r.Raw, "6228***********8901") {
		t.Fatalf("lines: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/batches/"+bid+"/export", maker, map[string]string{"format": "csv"}); r.Code != 400 {
		t.Fatalf("export without purpose: %d", r.Code)
	}
	r = st.do(t, "POST", "/api/v1/batches/"+bid+"/export", maker, map[string]string{"format": "csv", "purpose": "报送农业银行代发"})
	if r.Code != 200 || !strings.Contains(r.Raw, number) || !strings.Contains(r.Raw, "序号,姓名,银行账号,开户行,金额（元）,用途") || !strings.Contains(r.Raw, "800.00") {
		t.Fatalf("export: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/batches/"+bid+"/export", maker, map[string]string{"format": "csv", "purpose": "再导一次"}); r.Code != 409 {
		t.Fatalf("second export: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/batches/"+bid+"/file?format=xlsx&purpose="+"%E9%87%8D%E6%96%B0%E6%8A%A5%E9%80%81", maker, nil); r.Code != 200 || !strings.HasPrefix(r.Raw, "PK") {
		t.Fatalf("download again: %d", r.Code)
	}
	var audits int64
	st.db.Model(&model.AuditLog{}).Where("action = ? AND subject_type = ?", "batch.bank_file", "batch").Where("subject_id = ?", payID(bid)).Count(&audits)
	if audits != 2 {
		t.Fatalf("bank file downloads audited = %d, want 2", audits)
	}

	// The bank's result file: line 1 (claim 1) paid, line 2 failed.
	lines := st.do(t, "GET", "/api/v1/batches/"+bid+"/lines", maker, nil).Body["items"].([]any)
	seqOf := map[string]string{}
	for _, l := range lines {
		m := l.(map[string]any)
		seqOf[m["claim_id"].(string)] = fmt.Sprint(m["seq"])
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"序号", "姓名", "银行账号", "金额（元）", "结果", "失败原因"})
	w.Write([]string{seqOf[idString(c1.ID)], lab.Name, number, "800.00", "成功", ""})
	w.Write([]string{seqOf[idString(c2.ID)], lab2.Name, "6217000012345670002", "500.00", "失败", "账户已销户"})
	w.Flush()
	r = upload(t, "/api/v1/batches/"+bid+"/results", maker, "回盘.csv", buf.Bytes())
	if r.Code != 200 || r.Body["paid"] != float64(1) || r.Body["failed"] != float64(1) {
		t.Fatalf("results: %d %s", r.Code, r.Raw)
	}
	r = st.do(t, "POST", "/api/v1/batches/"+bid+"/reconcile", maker, nil)
	rec, _ := r.Body["reconciliation"].(map[string]any)
	if r.Code != 200 || r.Body["state"] != "reconciled" || rec["balanced"] != true || rec["paid_fen"] != float64(80000) || rec["failed_fen"] != float64(50000) {
		t.Fatalf("reconcile: %d %s", r.Code, r.Raw)
	}
	// The worker sees 已发放 on their claim.
	if claimState(t, c1.ID) != model.ClaimPaid || claimState(t, c2.ID) != model.ClaimPayFailed {
		t.Fatalf("claim states %s %s", claimState(t, c1.ID), claimState(t, c2.ID))
	}
	if r := st.do(t, "GET", "/api/v1/me/claims", wtok, nil); r.Code == 200 && !strings.Contains(r.Raw, `"paid"`) {
		t.Fatalf("worker's claims do not show paid: %s", r.Raw)
	}
	// The whole account number never reached the logs.
	if strings.Contains(st.logs.String(), number) {
		t.Fatal("an account number is in the logs")
	}
}

func payID(s string) int64 {
	var id int64
	fmt.Sscan(s, &id)
	return id
}

func upload(t *testing.T, path, token, name string, data []byte) resp {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	st.engine.ServeHTTP(w, req)
	out := resp{Code: w.Code, Raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &out.Body)
	return out
}

// TestPaymentApproveRace: concurrent approvals by different checkers and a
// mark-paid at the same instant — one approval, no mark before export.
func TestPaymentApproveRace(t *testing.T) {
	maker, _ := st.account(t, model.RoleTaskforce, testCounty)
	lab, _ := st.labourer(t, villageB)
	if r := st.do(t, "PUT", fmt.Sprintf("/api/v1/labourers/%d/bank-account", lab.ID), maker,
		map[string]string{"holder_name": lab.Name, "number": "6228480012345600001", "bank_name": "中国农业银行"}); r.Code != 200 {
		t.Fatalf("account: %d %s", r.Code, r.Raw)
	}
	c := approvedClaim(t, lab, 80000)
	r := st.do(t, "POST", "/api/v1/notices", maker, map[string]any{"county_code": testCounty, "claim_ids": []string{idString(c.ID)}})
	nid := r.Body["id"].(string)
	endNotice(t, nid)
	st.do(t, "POST", "/api/v1/notices/"+nid+"/close", maker, nil)
	r = st.do(t, "POST", "/api/v1/batches", maker, map[string]any{"county_code": testCounty, "claim_ids": []string{idString(c.ID)}})
	if r.Code != 201 {
		t.Fatalf("batch: %d %s", r.Code, r.Raw)
	}
	bid := r.Body["id"].(string)
	st.do(t, "POST", "/api/v1/batches/"+bid+"/prepare", maker, nil)
	line := st.do(t, "GET", "/api/v1/batches/"+bid+"/lines", maker, nil).Body["items"].([]any)[0].(map[string]any)["id"].(string)
	var checkers []string
	for i := 0; i < 3; i++ {
		tok, _ := st.account(t, model.RoleTaskforce, testCounty)
		checkers = append(checkers, tok)
	}
	var wg sync.WaitGroup
	codes := make(chan string, 16)
	for _, tok := range checkers {
		wg.Add(2)
		go func(tok string) {
			defer wg.Done()
			codes <- fmt.Sprint("approve ", st.do(t, "POST", "/api/v1/batches/"+bid+"/approve", tok, map[string]any{}).Code)
		}(tok)
		go func() {
			defer wg.Done()
			codes <- fmt.Sprint("mark ", st.do(t, "POST", "/api/v1/batches/"+bid+"/lines/"+line+"/mark", maker, map[string]string{"result": "paid"}).Code)
		}()
	}
	wg.Wait()
	close(codes)
	n := map[string]int{}
	for c := range codes {
		n[c]++
	}
	if n["approve 200"] != 1 || n["mark 200"] != 0 {
		t.Fatalf("outcomes %v", n)
	}
	var b model.Batch
	st.db.Take(&b, payID(bid))
	if b.State != model.BatchApproved || b.PaidLines != 0 || claimState(t, c.ID) != model.ClaimInBatch {
		t.Fatalf("batch %+v claim %s", b, claimState(t, c.ID))
	}
	t.Logf("approvals won = %d/3, marks before export = %d/3, outcomes %v", n["approve 200"], n["mark 200"], n)
}

// TestPaymentRoutesRefuseWorkers: a worker token on every back-office
// payment route is refused (SECURITY.md 7).
func TestPaymentRoutesRefuseWorkers(t *testing.T) {
	wtok, _ := st.worker(t, villageA)
	for _, rt := range []struct{ m, p string }{
		{"POST", "/api/v1/notices"}, {"GET", "/api/v1/notices"}, {"GET", "/api/v1/notices/1"}, {"POST", "/api/v1/notices/1/objections"}, {"POST", "/api/v1/notices/1/close"}, {"POST", "/api/v1/objections/1/resolve"},
		{"POST", "/api/v1/batches"}, {"GET", "/api/v1/batches"}, {"GET", "/api/v1/batches/1"}, {"GET", "/api/v1/batches/1/lines"},
		{"POST", "/api/v1/batches/1/prepare"}, {"POST", "/api/v1/batches/1/approve"}, {"POST", "/api/v1/batches/1/cancel"}, {"POST", "/api/v1/batches/1/export"},
		{"GET", "/api/v1/batches/1/file"}, {"POST", "/api/v1/batches/1/lines/1/mark"}, {"POST", "/api/v1/batches/1/results"},
		{"POST", "/api/v1/batches/1/reconcile"}, {"GET", "/api/v1/labourers/1/bank-account"}, {"PUT", "/api/v1/labourers/1/bank-account"},
		{"PUT", "/api/v1/employers/1/bank-account"},
	} {
		if r := st.do(t, rt.m, rt.p, wtok, map[string]any{}); r.Code != 403 {
			t.Errorf("%s %s as worker: %d", rt.m, rt.p, r.Code)
		}
	}
}

func TestOpenAPIPaymentSchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"Notice":              reflect.TypeFor[noticeView](),
		"NoticeItem":          reflect.TypeFor[noticeItemView](),
		"NoticeDetail":        reflect.TypeFor[noticeDetail](),
		"NoticePage":          reflect.TypeFor[noticePage](),
		"NoticeCreate":        reflect.TypeFor[noticeRequest](),
		"Objection":           reflect.TypeFor[objectionView](),
		"ObjectionList":       reflect.TypeFor[objectionList](),
		"ObjectionCreate":     reflect.TypeFor[objectionRequest](),
		"ObjectionResolve":    reflect.TypeFor[resolveRequest](),
		"PaymentBatch":        reflect.TypeFor[batchView](),
		"PaymentBatchCreated": reflect.TypeFor[batchCreated](),
		"PaymentBatchDetail":  reflect.TypeFor[batchDetail](),
		"PaymentBatchPage":    reflect.TypeFor[batchPage](),
		"PaymentBatchCreate":  reflect.TypeFor[payBatchRequest](),
		"Reconciliation":      reflect.TypeFor[reconciliationView](),
		"PaymentLine":         reflect.TypeFor[batchLineView](),
		"PaymentLinePage":     reflect.TypeFor[linePage](),
		"BatchStep":           reflect.TypeFor[batchStepRequest](),
		"BatchCancel":         reflect.TypeFor[cancelRequest](),
		"BatchExport":         reflect.TypeFor[exportRequest](),
		"LineMark":            reflect.TypeFor[markRequest](),
		"ResultSummary":       reflect.TypeFor[payment.ResultSummary](),
		"ResultRowError":      reflect.TypeFor[payment.RowError](),
		"BankAccount":         reflect.TypeFor[bankAccountView](),
		"BankAccountSet":      reflect.TypeFor[bankAccountRequest](),
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), types[name])
	}
	enums := map[string]model.Enum{"NoticeState": model.NoticeStates, "NoticeItemState": model.NoticeItemStates,
		"ObjectionState": model.ObjectionStates, "ObjectionResolution": model.ObjectionResolutions,
		"BatchState": model.BatchStates, "BatchLineState": model.BatchLineStates}
	for _, name := range oaSortedKeys(enums) {
		s := oaSchema(t, doc, name)
		codes, _ := s["enum"].([]any)
		labels, _ := s["x-enum-descriptions"].([]any)
		var got, want []string
		for i, c := range codes {
			got = append(got, fmt.Sprint(c, "=", labels[i]))
		}
		for _, o := range enums[name] {
			want = append(want, o.Code+"="+o.Label)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: document %v, model %v", name, got, want)
		}
	}
}
