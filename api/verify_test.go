package api

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/verify"
)

// newKey makes a random UUID (v4), as the phone does for each draft.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

var tinyPNG = base64.StdEncoding.EncodeToString(append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...))

// vform is a valid form for the current month: at work out of the province
// since the 1st, or (returnee) back home and wanting to go out again.
func vform(returnee bool) map[string]any {
	now := time.Now().In(verify.China)
	month := now.Format("2006-01")
	first := now.Format("2006-01") + "-01"
	f := map[string]any{
		"verification": "verified",
		"basic": map[string]any{"name": "核实测试", "ethnicity": "汉族", "address": "核实后的地址", "state": "normal",
			"labour_capacity": "ordinary", "skill_level": "none", "two_after": false, "education": "junior_high", "category": "lifted"},
		"work_year": map[string]any{"start_year": verify.WorkYearOf(now), "months": []string{month}, "months_worked": 1, "income": 5000, "flexible_days": 0},
		"return":    map[string]any{"returned": false},
		"services":  map[string]any{"items": map[string]int{"guidance": 1}},
	}
	if !returnee {
		f["working"] = true
		f["employment"] = map[string]any{"place_code": "440306", "form": "employed", "employer_name": "深圳某电子厂",
			"start_date": first, "wage": 5200, "industry": "general_worker", "contract": true, "social_insurance": true,
			"assisted": false, "startup_led": false, "organised": "point_to_point"}
		return f
	}
	f["working"] = false
	f["work_year"] = map[string]any{"start_year": verify.WorkYearOf(now), "months": []string{}, "months_worked": 0, "income": 0}
	f["not_out"] = map[string]any{"type": "lost_job", "lost_job_date": first, "has_plan": true, "dest_code": "4403", "job": "电子厂普工", "expected_wage": 5000}
	f["return"] = map[string]any{"returned": true, "reason": "personal", "prev_place_code": "440306", "return_date": first}
	f["training"] = map[string]any{"wish": false}
	f["services"] = map[string]any{"none": true}
	return f
}

func vproof() map[string]any {
	return map[string]any{"visited_at": time.Now().Add(-time.Minute).Format(time.RFC3339), "method": "visit",
		"location": map[string]any{"lat": 35.58, "lng": 103.43, "accuracy": 15}, "confirm_method": "signature", "signature": tinyPNG}
}

func submission(key string, lab *model.Labourer, version int, form, proof map[string]any) map[string]any {
	return map[string]any{"idempotency_key": key, "labourer_id": idString(lab.ID), "base_version": version, "form": form, "proof": proof}
}

func reload(t *testing.T, id int64) model.Labourer {
	t.Helper()
	var l model.Labourer
	if err := st.db.Take(&l, id).Error; err != nil {
		t.Fatal(err)
	}
	return l
}

func count(t *testing.T, m any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.db.Model(m).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestVerifyPrefillAndIdempotentSubmit(t *testing.T) {
	cadre, _ := st.account(t, model.RoleCadre, villageA)
	lab, _ := st.labourer(t, villageA)

	p := st.do(t, "GET", "/api/v1/labourers/"+idString(lab.ID)+"/form", cadre, nil)
	if p.Code != 200 {
		t.Fatalf("prefill: %d %s", p.Code, p.Raw)
	}
	if p.Body["base_version"] != float64(lab.Version) {
		t.Fatalf("base_version = %v, want %d", p.Body["base_version"], lab.Version)
	}
	basic := p.Body["form"].(map[string]any)["basic"].(map[string]any)
	if basic["name"] != lab.Name || basic["phone_masked"] != lab.PhoneMasked || strings.Contains(p.Raw, "\"phone\":\"1") {
		t.Fatalf("prefilled basic wrong or leaks the phone: %v", basic)
	}

	key := newKey()
	body := submission(key, lab, lab.Version, vform(false), vproof())
	first := st.do(t, "POST", "/api/v1/forms", cadre, body)
	if first.Code != 201 {
		t.Fatalf("submit: %d %s", first.Code, first.Raw)
	}
	if first.Body["state"] != "submitted" || first.Body["counts_as_worker"] != false {
		t.Fatalf("submitted form: %s", first.Raw)
	}
	again := st.do(t, "POST", "/api/v1/forms", cadre, body) // the phone resends the offline draft
	if again.Code != 200 || again.Body["id"] != first.Body["id"] {
		t.Fatalf("resend: %d %s", again.Code, again.Raw)
	}
	if n := count(t, &model.VerifyForm{}, "idempotency_key = ?", key); n != 1 {
		t.Fatalf("forms with the key = %d, want 1", n)
	}
	t.Logf("draft sent twice: forms created = 1, second answer = %d", again.Code)
	// The signature is stored in the database and served back.
	imgs := first.Body["images"].([]any)
	if len(imgs) != 1 {
		t.Fatalf("images: %v", first.Body["images"])
	}
	img := imgs[0].(map[string]any)
	req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/forms/%s/images/%s", first.Body["id"], img["id"]), nil)
	req.Header.Set("Authorization", "Bearer "+cadre)
	w := httptest.NewRecorder()
	st.engine.ServeHTTP(w, req)
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" || !bytes.HasPrefix(w.Body.Bytes(), []byte("\x89PNG")) {
		t.Fatalf("image: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	// A second different form while one waits is refused.
	other := st.do(t, "POST", "/api/v1/forms", cadre, submission(newKey(), lab, lab.Version, vform(false), vproof()))
	if other.Code != 409 || other.errCode() != "form_pending" {
		t.Fatalf("second form: %d %s", other.Code, other.Raw)
	}
	// Nothing reached the ledger yet.
	if l := reload(t, lab.ID); l.Version != lab.Version || l.Working {
		t.Fatalf("ledger changed before confirmation: %+v", l)
	}
}

func TestVerifyLedgerChangedConflict(t *testing.T) {
	cadre, _ := st.account(t, model.RoleCadre, villageA)
	wtok, lab := st.worker(t, villageA)
	base := reload(t, lab.ID).Version
	// The draft is made offline at base; meanwhile the worker reports a new job.
	r := st.do(t, "POST", "/api/v1/me/reports", wtok, map[string]any{"kind": "plan_out", "dest_code": "44", "job": "保安", "expected_wage": 4000})
	if r.Code != 201 {
		t.Fatalf("self report: %d %s", r.Code, r.Raw)
	}
	key := newKey()
	c := st.do(t, "POST", "/api/v1/forms", cadre, submission(key, lab, base, vform(false), vproof()))
	if c.Code != 409 || c.errCode() != "ledger_changed" {
		t.Fatalf("stale draft: %d %s", c.Code, c.Raw)
	}
	data := c.Body["error"].(map[string]any)["data"].(map[string]any)
	if data["draft"] == nil || data["current"] == nil || data["current_version"] != float64(base+1) || data["base_version"] != float64(base) {
		t.Fatalf("conflict data: %v", data)
	}
	if d := data["draft"].(map[string]any); d["employment"].(map[string]any)["employer_name"] != "深圳某电子厂" {
		t.Fatalf("draft not returned whole: %v", d)
	}
	if n := count(t, &model.VerifyForm{}, "labourer_id = ?", lab.ID); n != 0 {
		t.Fatalf("a stale draft was stored: %d", n)
	}
	// Prefill now shows the self-report flagged as pending; resubmitting on the new version works.
	p := st.do(t, "GET", "/api/v1/labourers/"+idString(lab.ID)+"/form", cadre, nil)
	if pr := p.Body["pending_reports"].([]any); len(pr) != 1 || pr[0].(map[string]any)["kind"] != "plan_out" {
		t.Fatalf("pending reports: %s", p.Raw)
	}
	ok := st.do(t, "POST", "/api/v1/forms", cadre, submission(key, lab, base+1, vform(false), vproof()))
	if ok.Code != 201 {
		t.Fatalf("resubmit: %d %s", ok.Code, ok.Raw)
	}
	t.Logf("stale draft: 409 ledger_changed with draft and current (v%d → v%d); resubmitted: 201", base, base+1)
}

func TestVerifyConfirmRejectAndBatch(t *testing.T) {
	cadre, cadreAcc := st.account(t, model.RoleCadre, villageA)
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	lab, _ := st.labourer(t, villageA)

	// Reject: the ledger is unchanged and the cadre reads the reason.
	sub := st.do(t, "POST", "/api/v1/forms", cadre, submission(newKey(), lab, lab.Version, vform(false), vproof()))
	if sub.Code != 201 {
		t.Fatalf("submit: %d %s", sub.Code, sub.Raw)
	}
	fid := sub.Body["id"].(string)
	if r := st.do(t, "POST", "/api/v1/forms/"+fid+"/reject", tf, map[string]any{"reason": ""}); r.Code != 400 {
		t.Fatalf("reject without reason: %d", r.Code)
	}
	rej := st.do(t, "POST", "/api/v1/forms/"+fid+"/reject", tf, map[string]any{"reason": "工资与单位核对不上，请再问一次"})
	if rej.Code != 200 || rej.Body["state"] != "rejected" {
		t.Fatalf("reject: %d %s", rej.Code, rej.Raw)
	}
	if l := reload(t, lab.ID); l.Version != lab.Version || l.Working || count(t, &model.EmploymentSpell{}, "labourer_id = ?", lab.ID) != 0 {
		t.Fatalf("reject changed the ledger: %+v", l)
	}
	back := st.do(t, "GET", "/api/v1/forms/"+fid, cadre, nil)
	if back.Body["reject_reason"] != "工资与单位核对不上，请再问一次" {
		t.Fatalf("cadre does not see the reason: %s", back.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/forms/"+fid+"/confirm", tf, nil); r.Code != 409 {
		t.Fatalf("confirm a rejected form: %d", r.Code)
	}

	// Confirm: one transaction changes the ledger, writes the change and the audit.
	sub = st.do(t, "POST", "/api/v1/forms", cadre, submission(newKey(), lab, lab.Version, vform(false), vproof()))
	fid = sub.Body["id"].(string)
	auditBefore := count(t, &model.AuditLog{}, "subject_id = ? AND action = ?", lab.ID, "form.confirm")
	conf := st.do(t, "POST", "/api/v1/forms/"+fid+"/confirm", tf, nil)
	if conf.Code != 200 || conf.Body["state"] != "confirmed" {
		t.Fatalf("confirm: %d %s", conf.Code, conf.Raw)
	}
	l := reload(t, lab.ID)
	if !l.Working || l.PlaceScope != "out_province" || l.Version != lab.Version+1 || l.Address != "核实后的地址" || l.StatusSource != model.SourceCadre {
		t.Fatalf("ledger after confirm: %+v", l)
	}
	var sp model.EmploymentSpell
	if err := st.db.Where("labourer_id = ? AND end_date IS NULL", lab.ID).Take(&sp).Error; err != nil || !sp.Verified || sp.MonthlyWage != 5200 {
		t.Fatalf("spell: %+v %v", sp, err)
	}
	var ch model.LedgerChange
	if err := st.db.Where("labourer_id = ? AND source = ?", lab.ID, model.ChangeSourceForm).Take(&ch).Error; err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{`"address":{"old":"测试地址","new":"核实后的地址"}`, `"working":{"old":false,"new":true}`, `"employment.wage":{"old":null,"new":5200}`} {
		if !strings.Contains(ch.Fields, f) {
			t.Errorf("ledger change lacks %s: %s", f, ch.Fields)
		}
	}
	if n := count(t, &model.AuditLog{}, "subject_id = ? AND action = ?", lab.ID, "form.confirm"); n != auditBefore+1 {
		t.Fatalf("audit rows = %d", n)
	}
	if r := st.do(t, "POST", "/api/v1/forms/"+fid+"/confirm", tf, nil); r.Code != 409 || r.errCode() != "not_submitted" {
		t.Fatalf("confirm twice: %d %s", r.Code, r.Raw)
	}

	// Batch: a returnee's form and a worker's self-report, both confirmed at once.
	ret, _ := st.labourer(t, villageB)
	cadreB, _ := st.account(t, model.RoleCadre, villageB)
	s2 := st.do(t, "POST", "/api/v1/forms", cadreB, submission(newKey(), ret, ret.Version, vform(true), vproof()))
	if s2.Code != 201 {
		t.Fatalf("returnee form: %d %s", s2.Code, s2.Raw)
	}
	wtok, wlab := st.worker(t, villageA)
	if r := st.do(t, "POST", "/api/v1/me/reports", wtok, map[string]any{"kind": "new_job", "start_date": time.Now().In(verify.China).Format("2006-01-02"),
		"place_code": "440306", "form": "employed", "employer_name": "某厂", "monthly_wage": 6000, "industry": "technician",
		"contract": true, "social_insurance": false}); r.Code != 201 {
		t.Fatalf("self report: %d %s", r.Code, r.Raw)
	}
	var rep model.StatusReport
	st.db.Where("labourer_id = ?", wlab.ID).Take(&rep)
	q := st.do(t, "GET", "/api/v1/reviews?page_size=100", tf, nil)
	if q.Code != 200 {
		t.Fatalf("queue: %d %s", q.Code, q.Raw)
	}
	kinds := map[string]bool{}
	for _, it := range q.Body["items"].([]any) {
		m := it.(map[string]any)
		if m["id"] == s2.Body["id"] || m["id"] == idString(rep.ID) {
			kinds[m["kind"].(string)] = true
		}
	}
	if !kinds["form"] || !kinds["self_report"] {
		t.Fatalf("queue lacks the form or the self-report: %v", kinds)
	}
	outboxBefore := count(t, &model.OutboxEvent{}, "aggregate_id = ? AND kind = ?", ret.ID, model.EventReturnReported)
	b := st.do(t, "POST", "/api/v1/reviews/batch", tf, map[string]any{"decision": "confirm", "items": []map[string]string{
		{"kind": "form", "id": s2.Body["id"].(string)}, {"kind": "self_report", "id": idString(rep.ID)}, {"kind": "form", "id": fid}}})
	if b.Code != 200 || b.Body["done"] != float64(2) || b.Body["failed"] != float64(1) {
		t.Fatalf("batch: %d %s", b.Code, b.Raw)
	}
	rl := reload(t, ret.ID)
	if rl.Working || !rl.WantsWork || rl.Version != ret.Version+1 {
		t.Fatalf("returnee ledger: %+v", rl)
	}
	if n := count(t, &model.ReturnEvent{}, "labourer_id = ? AND verified = ?", ret.ID, true); n != 1 {
		t.Fatalf("verified returns = %d", n)
	}
	if n := count(t, &model.OutboxEvent{}, "aggregate_id = ? AND kind = ?", ret.ID, model.EventReturnReported); n != outboxBefore+1 {
		t.Fatalf("return.reported events = %d", n)
	}
	st.db.Take(&rep, rep.ID)
	if rep.Review != model.ReviewVerified || count(t, &model.EmploymentSpell{}, "report_id = ? AND verified = ?", rep.ID, true) != 1 ||
		count(t, &model.LedgerChange{}, "source = ? AND source_id = ?", model.ChangeSourceSelfReport, rep.ID) != 1 {
		t.Fatalf("self-report not verified: %+v", rep)
	}

	// The county's completion shows the cadre who submitted.
	cp := st.do(t, "GET", "/api/v1/verify/completion", tf, nil)
	if cp.Code != 200 || !strings.Contains(cp.Raw, idString(cadreAcc.ID)) {
		t.Fatalf("completion: %d %s", cp.Code, cp.Raw)
	}
}

func TestVerifySelfReportRejectAndWorkerConfirm(t *testing.T) {
	cadre, _ := st.account(t, model.RoleCadre, villageA)
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	wtok, wlab := st.worker(t, villageA)
	if r := st.do(t, "POST", "/api/v1/me/reports", wtok, map[string]any{"kind": "no_plan", "reason": "family_care"}); r.Code != 201 {
		t.Fatalf("self report: %d %s", r.Code, r.Raw)
	}
	var rep model.StatusReport
	st.db.Where("labourer_id = ?", wlab.ID).Take(&rep)
	if r := st.do(t, "POST", "/api/v1/self-reports/"+idString(rep.ID)+"/reject", tf, map[string]any{"reason": "本人已外出，电话核实"}); r.Code != 200 || r.Body["review"] != "rejected" {
		t.Fatalf("reject report: %d %s", r.Code, r.Raw)
	}
	if n := count(t, &model.OutingPlan{}, "report_id = ? AND verified = ?", rep.ID, true); n != 0 {
		t.Fatalf("rejected report verified its plan")
	}

	// A phone verification confirmed from the worker's own account.
	lab := reload(t, wlab.ID)
	proof := map[string]any{"visited_at": time.Now().Add(-time.Minute).Format(time.RFC3339), "method": "phone", "confirm_method": "worker_account"}
	sub := st.do(t, "POST", "/api/v1/forms", cadre, submission(newKey(), &lab, lab.Version, vform(false), proof))
	if sub.Code != 201 {
		t.Fatalf("submit: %d %s", sub.Code, sub.Raw)
	}
	fid := sub.Body["id"].(string)
	if r := st.do(t, "POST", "/api/v1/forms/"+fid+"/confirm", tf, nil); r.Code != 409 || r.errCode() != "awaiting_worker" {
		t.Fatalf("confirm before the worker: %d %s", r.Code, r.Raw)
	}
	mine := st.do(t, "GET", "/api/v1/me/forms", wtok, nil)
	if mine.Code != 200 || len(mine.Body["items"].([]any)) != 1 {
		t.Fatalf("my forms: %d %s", mine.Code, mine.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/me/forms/"+fid+"/confirm", wtok, nil); r.Code != 200 {
		t.Fatalf("worker confirm: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/forms/"+fid+"/confirm", tf, nil); r.Code != 200 {
		t.Fatalf("confirm after the worker: %d %s", r.Code, r.Raw)
	}
	// Another worker cannot confirm this labourer's visit.
	other, _ := st.worker(t, villageA)
	if r := st.do(t, "POST", "/api/v1/me/forms/"+fid+"/confirm", other, nil); r.Code != 404 {
		t.Fatalf("other worker: %d", r.Code)
	}
}

func TestVerifyUnreachableAndTasks(t *testing.T) {
	village := villageC
	cadre, _ := st.account(t, model.RoleCadre, village)
	due, _ := st.labourer(t, village)
	gone, _ := st.labourer(t, village)
	at := time.Now().Add(-time.Hour).Format(time.RFC3339)
	body := submission(newKey(), gone, gone.Version, map[string]any{"verification": "unreachable"},
		map[string]any{"visited_at": at, "attempts": []map[string]string{{"at": at, "method": "phone", "note": "关机"}, {"at": at, "method": "visit", "note": "家中无人"}}})
	if r := st.do(t, "POST", "/api/v1/forms", cadre, body); r.Code != 201 || len(r.Body["attempts"].([]any)) != 2 {
		t.Fatalf("unreachable: %d %s", r.Code, r.Raw)
	}
	tk := st.do(t, "GET", "/api/v1/verify/tasks", cadre, nil)
	if tk.Code != 200 {
		t.Fatalf("tasks: %d %s", tk.Code, tk.Raw)
	}
	counts := tk.Body["counts"].(map[string]any)
	if counts["unreachable"].(float64) < 1 || counts["due"].(float64) < 1 {
		t.Fatalf("counts: %v", counts)
	}
	overdue := time.Now().In(verify.China).Day() >= verify.DeadlineDay
	states := map[string]string{}
	for _, it := range tk.Body["items"].([]any) {
		m := it.(map[string]any)
		id := m["labourer"].(map[string]any)["id"].(string)
		states[id] = m["state"].(string)
		if id == idString(due.ID) && m["overdue"] != overdue {
			t.Errorf("overdue = %v, want %v (deadline day %d)", m["overdue"], overdue, verify.DeadlineDay)
		}
	}
	if states[idString(due.ID)] != "due" || states[idString(gone.ID)] != "unreachable" {
		t.Fatalf("states: %v", states)
	}
	if r := st.do(t, "GET", "/api/v1/verify/tasks?filter=unreachable", cadre, nil); r.Body["total"] != float64(1) {
		t.Fatalf("unreachable filter: %s", r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/verify/tasks?month=2026-13", cadre, nil); r.Code != 400 {
		t.Fatalf("bad month: %d", r.Code)
	}
}

func TestVerifyAuthorization(t *testing.T) {
	cadreA, _ := st.account(t, model.RoleCadre, villageA)
	cadreB, _ := st.account(t, model.RoleCadre, villageB)
	tfOther, _ := st.account(t, model.RoleTaskforce, "622925")
	official, _ := st.account(t, model.RoleOfficial, "6229")
	wtok, _ := st.worker(t, villageA)
	lab, _ := st.labourer(t, villageA)
	sub := st.do(t, "POST", "/api/v1/forms", cadreA, submission(newKey(), lab, lab.Version, vform(false), vproof()))
	if sub.Code != 201 {
		t.Fatalf("submit: %d %s", sub.Code, sub.Raw)
	}
	fid := sub.Body["id"].(string)
	cases := []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		{"cadre other village prefill", "GET", "/api/v1/labourers/" + idString(lab.ID) + "/form", cadreB, nil, 404},
		{"cadre other village submit", "POST", "/api/v1/forms", cadreB, submission(newKey(), lab, lab.Version, vform(false), vproof()), 404},
		{"cadre other village form", "GET", "/api/v1/forms/" + fid, cadreB, nil, 404},
		{"cadre other village image", "GET", "/api/v1/forms/" + fid + "/images/1", cadreB, nil, 404},
		{"task force other county confirm", "POST", "/api/v1/forms/" + fid + "/confirm", tfOther, nil, 404},
		{"cadre confirms", "POST", "/api/v1/forms/" + fid + "/confirm", cadreA, nil, 403},
		{"cadre queue", "GET", "/api/v1/reviews", cadreA, nil, 403},
		{"worker queue", "GET", "/api/v1/reviews", wtok, nil, 403},
		{"worker batch", "POST", "/api/v1/reviews/batch", wtok, map[string]any{"decision": "confirm"}, 403},
		{"worker confirm", "POST", "/api/v1/forms/" + fid + "/confirm", wtok, nil, 403},
		{"worker reject", "POST", "/api/v1/forms/" + fid + "/reject", wtok, map[string]any{"reason": "不行不行"}, 403},
		{"worker self-report confirm", "POST", "/api/v1/self-reports/1/confirm", wtok, nil, 403},
		{"worker submits", "POST", "/api/v1/forms", wtok, submission(newKey(), lab, lab.Version, vform(false), vproof()), 403},
		{"worker tasks", "GET", "/api/v1/verify/tasks", wtok, nil, 403},
		{"worker completion", "GET", "/api/v1/verify/completion", wtok, nil, 403},
		{"official submits", "POST", "/api/v1/forms", official, submission(newKey(), lab, lab.Version, vform(false), vproof()), 403},
		{"official reads completion", "GET", "/api/v1/verify/completion", official, nil, 200},
		{"cadre completion", "GET", "/api/v1/verify/completion", cadreA, nil, 403},
		{"cadre own form", "GET", "/api/v1/forms/" + fid, cadreA, nil, 200},
		{"no token", "GET", "/api/v1/reviews", "", nil, 401},
	}
	for _, c := range cases {
		if r := st.do(t, c.method, c.path, c.token, c.body); r.Code != c.want {
			t.Errorf("%s: %d, want %d (%s)", c.name, r.Code, c.want, r.Raw)
		}
	}
	// The other cadre's list does not carry the form.
	if r := st.do(t, "GET", "/api/v1/forms", cadreB, nil); strings.Contains(r.Raw, fid) {
		t.Errorf("cadre B lists cadre A's form")
	}
	t.Logf("authorization cases = %d, leaks = 0", len(cases))
}

func TestVerifyBadInput(t *testing.T) {
	cadre, _ := st.account(t, model.RoleCadre, villageA)
	lab, _ := st.labourer(t, villageA)
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"no key", submission("", lab, lab.Version, vform(false), vproof()), "idempotency_key"},
		{"bad key", submission("123", lab, lab.Version, vform(false), vproof()), "idempotency_key"},
		{"bad labourer id", map[string]any{"idempotency_key": newKey(), "labourer_id": "x"}, "labourer_id"},
		{"wage as text", `{"idempotency_key":"` + newKey() + `","labourer_id":"` + idString(lab.ID) + `","form":{"employment":{"wage":"多"}}}`, "form.employment.wage"},
		{"missing employment", submission(newKey(), lab, lab.Version, func() map[string]any { f := vform(false); delete(f, "employment"); return f }(), vproof()), "employment"},
		{"signature not png", submission(newKey(), lab, lab.Version, vform(false), func() map[string]any {
			p := vproof()
			p["signature"] = base64.StdEncoding.EncodeToString([]byte("GIF89a....."))
			return p
		}()), "proof.signature"},
	}
	for _, c := range cases {
		r := st.do(t, "POST", "/api/v1/forms", cadre, c.body)
		if r.Code != 400 || !hasField(r.fields(), c.field) {
			t.Errorf("%s: %d %v, want 400 on %s (%s)", c.name, r.Code, r.fields(), c.field, r.Raw)
		}
	}
}

func hasField(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestOpenAPIVerifySchemas checks the verify part's schemas against the Go
// response and request types, as TestOpenAPISchemasMatchTypes does for the rest.
func TestOpenAPIVerifySchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"VerifyForm":            reflect.TypeFor[verify.Form](),
		"VerifyFormSubmit":      reflect.TypeFor[formSubmitRequest](),
		"VerifyProof":           reflect.TypeFor[verify.Proof](),
		"VerifyFormRecord":      reflect.TypeFor[formView](),
		"VerifyFormPage":        reflect.TypeFor[formPage](),
		"VerifyPrefill":         reflect.TypeFor[prefillView](),
		"VerifyPendingReport":   reflect.TypeFor[pendingReportView](),
		"VerifyConflict":        reflect.TypeFor[verify.Conflict](),
		"VerifyQueuePage":       reflect.TypeFor[queuePage](),
		"VerifyQueueItem":       reflect.TypeFor[queueItemView](),
		"VerifyBatchRequest":    reflect.TypeFor[batchRequest](),
		"VerifyBatchResponse":   reflect.TypeFor[batchResponse](),
		"VerifyBatchResult":     reflect.TypeFor[batchResultView](),
		"VerifySelfReport":      reflect.TypeFor[selfReportView](),
		"VerifyTaskPage":        reflect.TypeFor[taskPage](),
		"VerifyTask":            reflect.TypeFor[taskView](),
		"VerifyCompletion":      reflect.TypeFor[completionView](),
		"VerifyVillageProgress": reflect.TypeFor[villageCompletionView](),
		"VerifyCadreProgress":   reflect.TypeFor[cadreCompletionView](),
		"VerifyMyForm":          reflect.TypeFor[myFormView](),
		"VerifyImage":           reflect.TypeFor[imageView](),
		"VerifyRejectRequest":   reflect.TypeFor[reasonRequest](),
	}
	for name, typ := range types {
		oaCompare(t, doc, name, oaSchema(t, doc, name), typ)
	}
	enums := map[string]model.Enum{"Verification": model.Verifications, "NotOutType": model.NotOutTypes,
		"OrganisedOutput": model.OrganisedOutputs, "TrainingCategory": model.TrainingCategories,
		"EmploymentService": model.EmploymentServices, "ContactMethod": model.ContactMethods,
		"ConfirmMethod": model.ConfirmMethods, "FormState": model.FormStates}
	for name, e := range enums {
		s := oaSchema(t, doc, name)
		codes, _ := s["enum"].([]any)
		labels, _ := s["x-enum-descriptions"].([]any)
		if len(codes) != len(e) || len(labels) != len(e) {
			t.Errorf("%s: %d codes / %d labels, model has %d", name, len(codes), len(labels), len(e))
			continue
		}
		for i, o := range e {
			if fmt.Sprint(codes[i]) != o.Code || fmt.Sprint(labels[i]) != o.Label {
				t.Errorf("%s[%d] = %v=%v, model has %s=%s", name, i, codes[i], labels[i], o.Code, o.Label)
			}
		}
	}
}

// TestVerifyConcurrentResend: the phone fires the same draft several times
// at once (a flaky network); exactly one form exists afterwards.
func TestVerifyConcurrentResend(t *testing.T) {
	cadre, _ := st.account(t, model.RoleCadre, villageA)
	lab, _ := st.labourer(t, villageA)
	body := submission(newKey(), lab, lab.Version, vform(false), vproof())
	const n = 8
	codes := make(chan int, n)
	ids := make(chan any, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := st.do(t, "POST", "/api/v1/forms", cadre, body)
			codes <- r.Code
			ids <- r.Body["id"]
		}()
	}
	wg.Wait()
	close(codes)
	close(ids)
	created, replayed := 0, 0
	for c := range codes {
		switch c {
		case 201:
			created++
		case 200:
			replayed++
		default:
			t.Errorf("answer %d", c)
		}
	}
	seen := map[any]bool{}
	for id := range ids {
		seen[id] = true
	}
	if created != 1 || replayed != n-1 || len(seen) != 1 || count(t, &model.VerifyForm{}, "labourer_id = ?", lab.ID) != 1 {
		t.Fatalf("created = %d, replayed = %d, ids = %d", created, replayed, len(seen))
	}
	t.Logf("concurrent resends = %d: forms = 1, 201 = %d, 200 = %d", n, created, replayed)
}
