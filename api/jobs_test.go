package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/jobs"
	"github.com/jiuyebang/jiuyebang/service/pii"
)

// Tests of employers, jobs, applications and hires (issue 4 items 1–3).

var jobsToday = func() time.Time { return time.Now().In(time.FixedZone("CST", 8*3600)) }

func jobsDay(days int) string { return jobsToday().AddDate(0, 0, days).Format("2006-01-02") }

// creditCode makes a fresh valid 统一社会信用代码 in the test county.
func creditCode() string {
	first := fmt.Sprintf("91%s%09d", testCounty, (time.Now().UnixNano()/1000+seq.Add(1))%1e9)
	return first + string(jobs.CreditCheckChar(first))
}

func employerBody(code string) map[string]any {
	return map[string]any{"credit_code": code, "name": "东乡测试帮扶车间" + fmt.Sprint(seq.Add(1)), "kind": model.EmployerWorkshop,
		"region_code": villageA, "address": "锁南镇", "contact_name": "马经理", "phone": fmt.Sprintf("139%08d", seq.Add(1)%1e8)}
}

func jobBody(changes map[string]any) map[string]any {
	b := map[string]any{"title": "食品包装工", "industry": "general_worker", "headcount": 2, "wage_min": 3000, "wage_max": 4500,
		"place_code": testCounty, "min_age": 18, "max_age": 60, "capacities": []string{"ordinary", "skilled"},
		"min_skill": "none", "housing": true, "meals": true, "transport": true, "description": "包吃住，点对点接送",
		"valid_until": jobsDay(30)}
	return merge(b, changes)
}

// jobsEnv is a verified employer with a task force over its county.
type jobsEnv struct {
	tf, emp    string // tokens
	employerID string
	name       string
}

func newJobsEnv(t *testing.T, kind string) *jobsEnv {
	t.Helper()
	e := &jobsEnv{}
	e.tf, _ = st.account(t, model.RoleTaskforce, testCounty)
	e.emp, _ = st.account(t, model.RoleEmployer)
	body := employerBody(creditCode())
	body["kind"] = kind
	r := st.do(t, "POST", "/api/v1/me/employer", e.emp, body)
	if r.Code != 201 || r.Body["status"] != model.EmployerPending {
		t.Fatalf("register: %d %s", r.Code, r.Raw)
	}
	e.employerID, e.name = r.Body["id"].(string), r.Body["name"].(string)
	if r := st.do(t, "POST", "/api/v1/employers/"+e.employerID+"/review", e.tf, map[string]any{"decision": "verify"}); r.Code != 200 {
		t.Fatalf("verify: %d %s", r.Code, r.Raw)
	}
	return e
}

// post posts a job and, if approve, has the task force approve it.
func (e *jobsEnv) post(t *testing.T, changes map[string]any, approve bool) string {
	t.Helper()
	r := st.do(t, "POST", "/api/v1/me/employer/jobs", e.emp, jobBody(changes))
	if r.Code != 201 {
		t.Fatalf("post job: %d %s", r.Code, r.Raw)
	}
	id := r.Body["id"].(string)
	if approve {
		if r := st.do(t, "POST", "/api/v1/jobs/"+id+"/review", e.tf, map[string]any{"decision": "approve"}); r.Code != 200 || r.Body["status"] != model.JobOpen {
			t.Fatalf("approve: %d %s", r.Code, r.Raw)
		}
	}
	return id
}

func TestJobsEmployerRegistration(t *testing.T) {
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	tfOther, _ := st.account(t, model.RoleTaskforce, "622925")
	wTok, _ := st.worker(t, villageA)
	taken := creditCode()
	first, _ := st.account(t, model.RoleEmployer)
	if r := st.do(t, "POST", "/api/v1/me/employer", first, employerBody(taken)); r.Code != 201 {
		t.Fatalf("register: %d %s", r.Code, r.Raw)
	}

	bad := []struct {
		name, field, code string
		changes           map[string]any
		status            int
	}{
		{"check character wrong", "credit_code", "invalid_check_digit", map[string]any{"credit_code": "91350100M000100Y44"}, 400},
		{"credit code short", "credit_code", "invalid_length", map[string]any{"credit_code": "91350100M000100Y4"}, 400},
		{"credit code letter I", "credit_code", "invalid_char", map[string]any{"credit_code": "91350100M000100I43"}, 400},
		{"credit code missing", "credit_code", "required", map[string]any{"credit_code": ""}, 400},
		{"name missing", "name", "required", map[string]any{"name": " "}, 400},
		{"kind unknown", "kind", "invalid_enum", map[string]any{"kind": "factory"}, 400},
		{"region unknown", "region_code", "unknown_region", map[string]any{"region_code": "629999"}, 400},
		{"region a province", "region_code", "region_level", map[string]any{"region_code": "62"}, 400},
		{"phone bad", "phone", "invalid_phone", map[string]any{"phone": "12345"}, 400},
		{"credit code taken", "", "credit_code_taken", map[string]any{"credit_code": taken}, 409},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			tok, _ := st.account(t, model.RoleEmployer)
			before := count(t, &model.Employer{}, "1 = 1")
			r := st.do(t, "POST", "/api/v1/me/employer", tok, merge(employerBody(creditCode()), c.changes))
			if r.Code != c.status {
				t.Fatalf("want %d, got %d %s", c.status, r.Code, r.Raw)
			}
			if c.field != "" && !contains(r.fieldCodes(), c.field+":"+c.code) {
				t.Errorf("want %s:%s, got %v", c.field, c.code, r.fieldCodes())
			} else if c.field == "" && r.errCode() != c.code {
				t.Errorf("want %s, got %s", c.code, r.errCode())
			}
			if !hasCJK(r.Raw) {
				t.Errorf("no Chinese message: %s", r.Raw)
			}
			if after := count(t, &model.Employer{}, "1 = 1"); after != before {
				t.Errorf("employers %d → %d", before, after)
			}
			if r := st.do(t, "GET", "/api/v1/me/employer", tok, nil); r.Code != 404 {
				t.Errorf("account bound after a refusal: %d", r.Code)
			}
		})
	}

	// A valid registration: pending, phone sealed and masked, bound to the account.
	emp, acc := st.account(t, model.RoleEmployer)
	code := creditCode()
	body := employerBody(" " + strings.ToLower(code) + " ")
	r := st.do(t, "POST", "/api/v1/me/employer", emp, body)
	if r.Code != 201 || r.Body["status"] != "pending" || r.Body["phone_masked"] == body["phone"] ||
		!strings.Contains(r.Body["phone_masked"].(string), "****") {
		t.Fatalf("register: %d %s", r.Code, r.Raw)
	}
	id := r.Body["id"].(string)
	var e model.Employer
	st.db.Where("id = ?", id).Take(&e)
	if strings.Contains(e.PhoneEnc, body["phone"].(string)) || e.PhoneHash == "" || e.CountyCode != testCounty || e.CreditCode != code {
		t.Errorf("phone not sealed or county wrong: %+v", e)
	}
	var bound model.Account
	st.db.Where("id = ?", acc.ID).Take(&bound)
	if bound.EmployerID == nil || idString(*bound.EmployerID) != id {
		t.Errorf("account not bound to the employer: %v", bound.EmployerID)
	}
	if r := st.do(t, "POST", "/api/v1/me/employer", emp, employerBody(creditCode())); r.Code != 409 || r.errCode() != "already_registered" {
		t.Errorf("second registration: %d %s", r.Code, r.Raw)
	}
	// A pending employer cannot post.
	if r := st.do(t, "POST", "/api/v1/me/employer/jobs", emp, jobBody(nil)); r.Code != 409 || r.errCode() != "employer_not_verified" {
		t.Errorf("pending employer posts: %d %s", r.Code, r.Raw)
	}

	// Review: role, scope, reason, once.
	review := func(tok string, b map[string]any) resp {
		return st.do(t, "POST", "/api/v1/employers/"+id+"/review", tok, b)
	}
	if r := review(wTok, map[string]any{"decision": "verify"}); r.Code != 403 {
		t.Errorf("worker reviews: %d", r.Code)
	}
	if r := review(emp, map[string]any{"decision": "verify"}); r.Code != 403 {
		t.Errorf("employer reviews itself: %d", r.Code)
	}
	if r := review(tfOther, map[string]any{"decision": "verify"}); r.Code != 404 {
		t.Errorf("other county's task force: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/employers/"+id, tfOther, nil); r.Code != 404 {
		t.Errorf("other county's task force reads: %d", r.Code)
	}
	if r := review(tf, map[string]any{"decision": "reject"}); r.Code != 400 || !contains(r.fieldCodes(), "reason:required") {
		t.Errorf("reject without reason: %d %s", r.Code, r.Raw)
	}
	if r := review(tf, map[string]any{"decision": "maybe"}); r.Code != 400 {
		t.Errorf("bad decision: %d", r.Code)
	}
	if r := review(tf, map[string]any{"decision": "reject", "reason": "营业执照照片不清楚"}); r.Code != 200 ||
		r.Body["status"] != "rejected" || r.Body["reject_reason"] != "营业执照照片不清楚" {
		t.Fatalf("reject: %d %s", r.Code, r.Raw)
	}
	if r := review(tf, map[string]any{"decision": "verify"}); r.Code != 409 {
		t.Errorf("second review: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/me/employer", emp, nil); r.Code != 200 || r.Body["reject_reason"] != "营业执照照片不清楚" {
		t.Errorf("employer sees the reason: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/employers?status=rejected&page_size=100", tf, nil); r.Code != 200 || !strings.Contains(r.Raw, id) {
		t.Errorf("task force list: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/employers?page_size=100", tfOther, nil); r.Code != 200 || strings.Contains(r.Raw, id) {
		t.Errorf("other county's list shows the employer: %d", r.Code)
	}

	// The task force registers one for its county (verified at once), not for another.
	if r := st.do(t, "POST", "/api/v1/employers", tf, employerBody(creditCode())); r.Code != 201 || r.Body["status"] != "verified" {
		t.Errorf("task force registers: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/employers", tfOther, employerBody(creditCode())); r.Code != 400 || !contains(r.fieldCodes(), "region_code:out_of_scope") {
		t.Errorf("task force registers outside its county: %d %s", r.Code, r.Raw)
	}
}

func TestJobsEmployerMembers(t *testing.T) {
	e := newJobsEnv(t, model.EmployerEnterprise)
	other := newJobsEnv(t, model.EmployerEnterprise)
	u := fmt.Sprintf("m%d_%d", time.Now().UnixNano()%1e9, seq.Add(1))
	r := st.do(t, "POST", "/api/v1/me/employer/members", e.emp, map[string]any{"username": u, "password": "correct-horse-battery", "display_name": "招工专员"})
	if r.Code != 201 || r.Body["admin"] != false {
		t.Fatalf("admin adds member: %d %s", r.Code, r.Raw)
	}
	login := st.do(t, "POST", "/api/v1/auth/password/login", "", map[string]string{"username": u, "password": "correct-horse-battery"})
	if login.Code != 200 {
		t.Fatalf("member login: %d", login.Code)
	}
	mTok := login.Body["access_token"].(string)
	if r := st.do(t, "GET", "/api/v1/me/employer", mTok, nil); r.Code != 200 || r.Body["id"] != e.employerID {
		t.Errorf("member sees the employer: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/me/employer/members", mTok, map[string]any{"username": u + "x", "password": "correct-horse-battery", "display_name": "再加一个"}); r.Code != 403 {
		t.Errorf("ordinary member adds a member: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/me/employer/members", e.emp, nil); r.Code != 200 || len(r.Body["items"].([]any)) != 2 {
		t.Errorf("members: %d %s", r.Code, r.Raw)
	}
	// The task force adds one; another county's cannot; the other employer's admin sees only its own.
	if r := st.do(t, "POST", "/api/v1/employers/"+e.employerID+"/members", e.tf, map[string]any{"username": u + "t", "password": "correct-horse-battery", "display_name": "专班添加", "admin": true}); r.Code != 201 || r.Body["admin"] != true {
		t.Errorf("task force adds: %d %s", r.Code, r.Raw)
	}
	tfOther, _ := st.account(t, model.RoleTaskforce, "622925")
	if r := st.do(t, "POST", "/api/v1/employers/"+e.employerID+"/members", tfOther, map[string]any{"username": u + "o", "password": "correct-horse-battery", "display_name": "越权"}); r.Code != 404 {
		t.Errorf("other county adds: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/me/employer/members", other.emp, nil); r.Code != 200 || strings.Contains(r.Raw, u) {
		t.Errorf("other employer sees members: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/me/employer/members", e.emp, map[string]any{"username": "x", "password": "short", "display_name": ""}); r.Code != 400 {
		t.Errorf("bad member: %d", r.Code)
	}
}

func TestJobsBadInput(t *testing.T) {
	e := newJobsEnv(t, model.EmployerPublicWelfare)
	cases := []struct {
		name, field, code string
		changes           map[string]any
	}{
		{"headcount 0", "headcount", "not_positive", map[string]any{"headcount": 0}},
		{"headcount missing", "headcount", "required", map[string]any{"headcount": nil}},
		{"headcount huge", "headcount", "too_large", map[string]any{"headcount": jobs.MaxHeadcount + 1}},
		{"wage min > max", "wage_min", "wage_range", map[string]any{"wage_min": 5000, "wage_max": 4000}},
		{"wage zero", "wage_min", "not_positive", map[string]any{"wage_min": 0}},
		{"wage over cap", "wage_max", "too_large", map[string]any{"wage_max": jobs.MaxWage + 1}},
		{"public welfare below 4000 a year", "wage_min", "below_public_welfare_minimum", map[string]any{"wage_min": 300, "wage_max": 400}},
		{"title missing", "title", "required", map[string]any{"title": ""}},
		{"industry unknown", "industry", "invalid_enum", map[string]any{"industry": "mining"}},
		{"other without note", "industry_other", "required", map[string]any{"industry": "other"}},
		{"place unknown", "place_code", "unknown_region", map[string]any{"place_code": "629999"}},
		{"place a province", "place_code", "region_level", map[string]any{"place_code": "62"}},
		{"place missing", "place_code", "required", map[string]any{"place_code": ""}},
		{"min age 15", "min_age", "out_of_range", map[string]any{"min_age": 15}},
		{"max age 71", "max_age", "out_of_range", map[string]any{"max_age": 71}},
		{"min age > max age", "min_age", "age_range", map[string]any{"min_age": 50, "max_age": 40}},
		{"capacity unknown", "capacities", "invalid_enum", map[string]any{"capacities": []string{"strong"}}},
		{"skill unknown", "min_skill", "invalid_enum", map[string]any{"min_skill": "master"}},
		{"valid until today", "valid_until", "not_future", map[string]any{"valid_until": jobsDay(0)}},
		{"valid until past", "valid_until", "not_future", map[string]any{"valid_until": jobsDay(-3)}},
		{"valid until too far", "valid_until", "too_far", map[string]any{"valid_until": jobsDay(jobs.MaxValidDays + 1)}},
		{"valid until garbage", "valid_until", "invalid_date", map[string]any{"valid_until": "明天"}},
		{"headcount a string", "headcount", "invalid_type", map[string]any{"headcount": "两个"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := count(t, &model.Job{}, "1 = 1")
			body := jobBody(c.changes)
			for k, v := range c.changes {
				if v == nil {
					delete(body, k)
				}
			}
			r := st.do(t, "POST", "/api/v1/me/employer/jobs", e.emp, body)
			if r.Code != 400 || !contains(r.fieldCodes(), c.field+":"+c.code) || !hasCJK(r.Raw) {
				t.Errorf("want 400 %s:%s, got %d %s", c.field, c.code, r.Code, r.Raw)
			}
			if after := count(t, &model.Job{}, "1 = 1"); after != before {
				t.Errorf("jobs %d → %d", before, after)
			}
		})
	}
	// Defaults: no ages → 16–60; "other" with a note; public welfare at 4000 a year passes.
	r := st.do(t, "POST", "/api/v1/me/employer/jobs", e.emp, merge(jobBody(nil), map[string]any{"min_age": nil, "max_age": nil,
		"industry": "other", "industry_other": "护林员", "wage_min": 334, "wage_max": 500, "capacities": []string{"weak"}}))
	if r.Code != 201 || r.Body["min_age"] != 16.0 || r.Body["max_age"] != 60.0 || r.Body["industry_other"] != "护林员" {
		t.Errorf("defaults: %d %s", r.Code, r.Raw)
	}
}

func TestJobsModerationAndBoard(t *testing.T) {
	e := newJobsEnv(t, model.EmployerEnterprise)
	other := newJobsEnv(t, model.EmployerEnterprise)
	tfOther, _ := st.account(t, model.RoleTaskforce, "622925")
	cadre, _ := st.account(t, model.RoleCadre, villageA)
	wTok, _ := st.worker(t, villageA)
	id := e.post(t, map[string]any{"industry": "construction", "place_code": villageC}, false)
	board := func(tok, q string) string {
		path := "/api/v1/me/jobs?page_size=100" + q
		if tok != wTok {
			path = "/api/v1/jobs?page_size=100" + q
		}
		r := st.do(t, "GET", path, tok, nil)
		if r.Code != 200 {
			t.Fatalf("board: %d %s", r.Code, r.Raw)
		}
		return r.Raw
	}
	if strings.Contains(board(wTok, ""), id) {
		t.Error("a pending job is on the board")
	}
	if r := st.do(t, "GET", "/api/v1/me/jobs/"+id, wTok, nil); r.Code != 404 {
		t.Errorf("worker reads a pending job: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/me/employer/jobs/"+id, other.emp, nil); r.Code != 404 {
		t.Errorf("another employer reads a pending job: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/me/employer/jobs?status=pending", e.emp, nil); r.Code != 200 || !strings.Contains(r.Raw, id) {
		t.Errorf("employer's own list: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/me/employer/jobs", other.emp, nil); strings.Contains(r.Raw, id) {
		t.Error("another employer lists the job")
	}
	if r := st.do(t, "GET", "/api/v1/jobs/managed?status=pending&page_size=100", e.tf, nil); r.Code != 200 || !strings.Contains(r.Raw, id) {
		t.Errorf("task force list: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/jobs/managed?page_size=100", tfOther, nil); strings.Contains(r.Raw, id) {
		t.Error("other county's task force lists the job")
	}

	review := func(tok string, b map[string]any) resp { return st.do(t, "POST", "/api/v1/jobs/"+id+"/review", tok, b) }
	for _, c := range []struct {
		name string
		tok  string
		body map[string]any
		want int
	}{
		{"worker", wTok, map[string]any{"decision": "approve"}, 403},
		{"employer", e.emp, map[string]any{"decision": "approve"}, 403},
		{"cadre", cadre, map[string]any{"decision": "approve"}, 403},
		{"other county", tfOther, map[string]any{"decision": "approve"}, 404},
		{"reject without reason", e.tf, map[string]any{"decision": "reject"}, 400},
		{"bad decision", e.tf, map[string]any{"decision": "ok"}, 400},
	} {
		if r := review(c.tok, c.body); r.Code != c.want {
			t.Errorf("%s: want %d, got %d %s", c.name, c.want, r.Code, r.Raw)
		}
	}
	if n := count(t, &model.OutboxEvent{}, "kind = ? AND aggregate_id = ?", model.EventJobApproved, id); n != 0 {
		t.Fatalf("refused reviews wrote %d events", n)
	}
	r := review(e.tf, map[string]any{"decision": "approve"})
	if r.Code != 200 || r.Body["status"] != "open" {
		t.Fatalf("approve: %d %s", r.Code, r.Raw)
	}
	var ev model.OutboxEvent
	if err := st.db.Where("kind = ? AND aggregate_id = ?", model.EventJobApproved, id).Take(&ev).Error; err != nil {
		t.Fatalf("no job.approved event: %v", err)
	}
	var payload map[string]string
	if json.Unmarshal([]byte(ev.Payload), &payload); payload["job_id"] != id {
		t.Errorf("event payload: %s", ev.Payload)
	}
	if r := review(e.tf, map[string]any{"decision": "approve"}); r.Code != 409 {
		t.Errorf("second approval: %d", r.Code)
	}
	if n := count(t, &model.OutboxEvent{}, "kind = ? AND aggregate_id = ?", model.EventJobApproved, id); n != 1 {
		t.Errorf("job.approved events = %d", n)
	}

	// Board: for workers and cadres, filtered by region and industry.
	for _, c := range []struct {
		name, tok, q string
		want         bool
	}{
		{"worker", wTok, "", true},
		{"cadre", cadre, "", true},
		{"county", wTok, "&region=" + testCounty, true},
		{"village's town", wTok, "&region=" + villageC[:9], true},
		{"other county", wTok, "&region=622925", false},
		{"industry", wTok, "&industry=construction", true},
		{"other industry", wTok, "&industry=domestic", false},
	} {
		if got := strings.Contains(board(c.tok, c.q), id); got != c.want {
			t.Errorf("board %s: listed=%v, want %v", c.name, got, c.want)
		}
	}
	if r := st.do(t, "GET", "/api/v1/me/jobs?industry=mining", wTok, nil); r.Code != 400 {
		t.Errorf("bad industry filter: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/me/jobs?page_size=1000", wTok, nil); r.Code != 400 {
		t.Errorf("huge page: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/me/jobs/"+id, wTok, nil); r.Code != 200 || r.Body["employer_name"] != e.name ||
		r.Body["place_name"] == "" || r.Body["remaining"] != 2.0 {
		t.Errorf("worker reads an open job: %d %s", r.Code, r.Raw)
	}

	// Withdrawn by another employer: 404; by its own: closed, off the board.
	if r := st.do(t, "POST", "/api/v1/me/employer/jobs/"+id+"/close", other.emp, nil); r.Code != 404 {
		t.Errorf("another employer closes: %d", r.Code)
	}
	if r := st.do(t, "POST", "/api/v1/me/employer/jobs/"+id+"/close", e.emp, nil); r.Code != 200 || r.Body["close_reason"] != "withdrawn" {
		t.Errorf("close: %d %s", r.Code, r.Raw)
	}
	if strings.Contains(board(wTok, ""), id) {
		t.Error("a withdrawn job is on the board")
	}
	if r := st.do(t, "POST", "/api/v1/me/employer/jobs/"+id+"/close", e.emp, nil); r.Code != 409 {
		t.Errorf("second close: %d", r.Code)
	}
}

// ownReport gives a worker a job of their own first, so a hire must close it.
func ownReport(t *testing.T, tok string) {
	t.Helper()
	r := st.do(t, "POST", "/api/v1/me/reports", tok, map[string]any{"kind": "new_job", "start_date": jobsDay(-60),
		"place_code": "620102", "form": "flexible", "monthly_wage": 2800, "industry": "service", "contract": false, "social_insurance": false})
	if r.Code != 201 {
		t.Fatalf("own report: %d %s", r.Code, r.Raw)
	}
}

func TestJobsApplyHireDepart(t *testing.T) {
	e := newJobsEnv(t, model.EmployerWorkshop)
	other := newJobsEnv(t, model.EmployerEnterprise)
	tfOther, _ := st.account(t, model.RoleTaskforce, "622925")
	id := e.post(t, map[string]any{"headcount": 2, "place_code": villageC}, true)

	aTok, a := st.worker(t, villageA)
	bTok, b := st.worker(t, villageB)
	cTok, c := st.worker(t, villageA)
	fTok, f := st.worker(t, villageB)
	_, d := st.worker(t, villageA) // never applies
	ownReport(t, aTok)

	apply := func(tok, kind string) resp {
		return st.do(t, "POST", "/api/v1/me/jobs/"+id+"/applications", tok, map[string]any{"kind": kind, "note": "想去"})
	}
	r := apply(aTok, "apply")
	if r.Code != 201 || r.Body["status"] != "submitted" || r.Body["job"].(map[string]any)["id"] != id {
		t.Fatalf("apply: %d %s", r.Code, r.Raw)
	}
	appA := r.Body["id"].(string)
	// Twice: 409 with the existing application, nothing new.
	for _, kind := range []string{"apply", "interest"} {
		r2 := apply(aTok, kind)
		data, _ := r2.Body["error"].(map[string]any)["data"].(map[string]any)
		if r2.Code != 409 || r2.errCode() != "already_applied" || data["id"] != appA {
			t.Errorf("apply again (%s): %d %s", kind, r2.Code, r2.Raw)
		}
	}
	if n := count(t, &model.Application{}, "job_id = ? AND labourer_id = ?", id, a.ID); n != 1 {
		t.Errorf("applications = %d", n)
	}
	// Interest, then an upgrade to apply (200, same row).
	r = apply(bTok, "interest")
	if r.Code != 201 || r.Body["kind"] != "interest" {
		t.Fatalf("interest: %d %s", r.Code, r.Raw)
	}
	appB := r.Body["id"].(string)
	if r := apply(bTok, "apply"); r.Code != 200 || r.Body["id"] != appB || r.Body["kind"] != "apply" {
		t.Errorf("upgrade: %d %s", r.Code, r.Raw)
	}
	if r := apply(cTok, "interest"); r.Code != 201 {
		t.Fatalf("interest c: %d", r.Code)
	}
	if r := apply(fTok, "apply"); r.Code != 201 {
		t.Fatalf("apply f: %d", r.Code)
	}
	if r := apply(fTok, "maybe"); r.Code != 400 {
		t.Errorf("bad kind: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/me/applications", aTok, nil); r.Code != 200 || !strings.Contains(r.Raw, appA) || strings.Contains(r.Raw, appB) {
		t.Errorf("my applications: %d %s", r.Code, r.Raw)
	}

	// Candidates: masked, in scope only.
	cands := st.do(t, "GET", "/api/v1/me/employer/jobs/"+id+"/candidates", e.emp, nil)
	if cands.Code != 200 || cands.Body["total"] != 4.0 {
		t.Fatalf("candidates: %d %s", cands.Code, cands.Raw)
	}
	for _, it := range cands.Body["items"].([]any) {
		m := it.(map[string]any)
		if !strings.Contains(m["phone_masked"].(string), "****") || m["age"].(float64) < 16 || m["village_name"] == "" ||
			m["current_status_label"] == "" || m["labour_capacity_label"] == "" {
			t.Errorf("candidate view: %v", m)
		}
	}
	for _, lab := range []*model.Labourer{a, b} {
		phone, _ := st.box.Open("labourers", "phone", lab.ID, lab.PhoneEnc)
		idn, _ := st.box.Open("labourers", "id_number", lab.ID, lab.IDNumberEnc)
		if strings.Contains(cands.Raw, phone) || strings.Contains(cands.Raw, idn) || strings.Contains(cands.Raw, lab.IDMasked) {
			t.Error("candidates show a phone or ID number")
		}
	}
	if r := st.do(t, "GET", "/api/v1/me/employer/jobs/"+id+"/candidates", other.emp, nil); r.Code != 404 {
		t.Errorf("another employer's candidates: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/jobs/"+id+"/candidates", tfOther, nil); r.Code != 404 {
		t.Errorf("other county's task force: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/jobs/"+id+"/candidates", e.tf, nil); r.Code != 200 {
		t.Errorf("own county's task force: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/jobs/"+id+"/candidates", aTok, nil); r.Code != 403 {
		t.Errorf("worker reads candidates: %d", r.Code)
	}

	// Invite A; another employer cannot.
	if r := st.do(t, "POST", "/api/v1/me/employer/applications/"+appA+"/invite", other.emp, map[string]any{}); r.Code != 404 {
		t.Errorf("foreign invite: %d", r.Code)
	}
	if r := st.do(t, "POST", "/api/v1/me/employer/applications/"+appA+"/invite", e.emp, map[string]any{"note": "请明天来面试"}); r.Code != 200 || r.Body["status"] != "invited" {
		t.Errorf("invite: %d %s", r.Code, r.Raw)
	}

	hire := func(tok string, lab *model.Labourer, extra map[string]any) resp {
		path := "/api/v1/me/employer/jobs/" + id + "/hires"
		if tok == tfOther {
			path = "/api/v1/jobs/" + id + "/hires"
		}
		return st.do(t, "POST", path, tok, merge(map[string]any{"labourer_id": idString(lab.ID), "contract": true, "social_insurance": true}, extra))
	}
	snapshot := func(lab *model.Labourer) string { return fmt.Sprint(row(t, "labourers", lab.ID)) }
	aBefore := snapshot(a)
	// Refusals change nothing.
	for _, c := range []struct {
		name, tok string
		lab       *model.Labourer
		extra     map[string]any
		want      int
		code      string
	}{
		{"only interested", e.emp, c, nil, 409, "not_applied"},
		{"never applied", e.emp, d, nil, 409, "not_applied"},
		{"another employer", other.emp, a, nil, 404, "not_found"},
		{"other county", tfOther, a, nil, 404, "not_found"},
		{"future date", e.emp, a, map[string]any{"hired_at": jobsDay(2)}, 400, "validation_failed"},
		{"before the current job", e.emp, a, map[string]any{"hired_at": jobsDay(-90)}, 400, "validation_failed"},
		{"wage 0", e.emp, a, map[string]any{"monthly_wage": 0}, 400, "validation_failed"},
		{"bad labourer id", e.emp, &model.Labourer{ID: -1}, nil, 400, "validation_failed"},
	} {
		r := hire(c.tok, c.lab, c.extra)
		if r.Code != c.want || r.errCode() != c.code {
			t.Errorf("hire %s: want %d %s, got %d %s", c.name, c.want, c.code, r.Code, r.Raw)
		}
	}
	if snapshot(a) != aBefore || count(t, &model.Hire{}, "job_id = ?", id) != 0 {
		t.Fatal("a refused hire changed something")
	}

	// Hire A: the whole transaction.
	r = hire(e.emp, a, map[string]any{"monthly_wage": 3800})
	if r.Code != 201 {
		t.Fatalf("hire: %d %s", r.Code, r.Raw)
	}
	hireA := r.Body["hire"].(map[string]any)["id"].(string)
	sp := r.Body["spell"].(map[string]any)
	if sp["assisted"] != true || sp["verified"] != true || sp["source"] != "hire" || sp["form"] != "workshop" ||
		sp["employer_name"] != e.name || sp["assisted_at"] != jobsDay(0) || sp["job_id"] != id || sp["place_scope"] != "in_county" ||
		sp["monthly_wage"] != 3800.0 {
		t.Errorf("spell: %v", sp)
	}
	var spell model.EmploymentSpell
	st.db.Where("labourer_id = ? AND end_date IS NULL", a.ID).Take(&spell)
	if !spell.Assisted || spell.AssistedAt == nil || spell.JobID == nil || idString(*spell.JobID) != id || !spell.Verified {
		t.Errorf("stored spell: %+v", spell)
	}
	if n := count(t, &model.EmploymentSpell{}, "labourer_id = ? AND end_date IS NULL", a.ID); n != 1 {
		t.Errorf("open spells = %d (the old one must close)", n)
	}
	var old model.EmploymentSpell
	st.db.Where("labourer_id = ? AND source = ?", a.ID, model.SourceSelf).Take(&old)
	if old.EndDate == nil || old.EndDate.Format("2006-01-02") != jobsDay(-1) {
		t.Errorf("old spell end = %v", old.EndDate)
	}
	after := row(t, "labourers", a.ID)
	if after["working"] != "true" && after["working"] != "1" {
		t.Errorf("working = %s", after["working"])
	}
	if after["place_scope"] != "in_county" || (after["wants_work"] != "false" && after["wants_work"] != "0") || after["status_source"] != "hire" {
		t.Errorf("cached status: %v", after)
	}
	var lab model.Labourer
	st.db.Where("id = ?", a.ID).Take(&lab)
	if lab.Version < 2 {
		t.Errorf("version = %d", lab.Version)
	}
	if n := count(t, &model.LedgerChange{}, "labourer_id = ? AND source = ? AND source_id = ?", a.ID, model.ChangeSourceHire, hireA); n != 1 {
		t.Errorf("ledger changes = %d", n)
	}
	if n := count(t, &model.AuditLog{}, "action = ? AND subject_id = ?", "hire.confirm", a.ID); n != 1 {
		t.Errorf("audit rows = %d", n)
	}
	var ev model.OutboxEvent
	if err := st.db.Where("kind = ? AND aggregate_id = ?", model.EventHireConfirmed, a.ID).Take(&ev).Error; err != nil {
		t.Fatalf("hire.confirmed: %v", err)
	}
	var payload map[string]string
	_ = json.Unmarshal([]byte(ev.Payload), &payload)
	if payload["labourer_id"] != idString(a.ID) || payload["job_id"] != id || payload["application_id"] != appA || payload["hired_at"] != jobsDay(0) {
		t.Errorf("payload: %s", ev.Payload)
	}
	// The worker's status card shows the new job.
	card := st.do(t, "GET", "/api/v1/me/status", aTok, nil)
	cur, _ := card.Body["current"].(map[string]any)
	cs, _ := card.Body["spell"].(map[string]any)
	if card.Code != 200 || cur["kind"] != "working" || cs["employer_name"] != e.name || cs["verified"] != true || cs["source"] != "hire" {
		t.Errorf("status card: %d %s", card.Code, card.Raw)
	}
	if r := hire(e.emp, a, nil); r.Code != 409 || r.errCode() != "already_hired" {
		t.Errorf("hire twice: %d %s", r.Code, r.Raw)
	}

	// B fills the job; F is refused (full) and nothing changes for F.
	if r := hire(e.emp, b, nil); r.Code != 201 || r.Body["job"].(map[string]any)["status"] != "closed" ||
		r.Body["job"].(map[string]any)["close_reason"] != "filled" {
		t.Fatalf("hire b: %d %s", r.Code, r.Raw)
	}
	fBefore := snapshot(f)
	if r := hire(e.emp, f, nil); r.Code != 409 || r.errCode() != "job_full" {
		t.Errorf("beyond headcount: %d %s", r.Code, r.Raw)
	}
	if snapshot(f) != fBefore || count(t, &model.Application{}, "labourer_id = ? AND status = ?", f.ID, model.AppSubmitted) != 1 {
		t.Error("a refused hire changed F")
	}
	var job model.Job
	st.db.Where("id = ?", id).Take(&job)
	if job.Filled != 2 || job.Status != model.JobClosed {
		t.Errorf("job filled=%d status=%s", job.Filled, job.Status)
	}
	// A full job is off the board and closed to new applicants.
	newTok, _ := st.worker(t, villageA)
	if r := apply(newTok, "apply"); r.Code != 404 {
		t.Errorf("apply to a full job: %d %s", r.Code, r.Raw)
	}

	// Departure: the spell ends, the worker is no longer working, Filled stays.
	dep := func(tok string, b map[string]any) resp {
		return st.do(t, "POST", "/api/v1/me/employer/hires/"+hireA+"/departure", tok, b)
	}
	if r := dep(other.emp, map[string]any{"left_at": jobsDay(0)}); r.Code != 404 {
		t.Errorf("foreign departure: %d", r.Code)
	}
	if r := dep(e.emp, map[string]any{"left_at": jobsDay(-5)}); r.Code != 400 || !contains(r.fieldCodes(), "left_at:before_hire") {
		t.Errorf("left before hired: %d %s", r.Code, r.Raw)
	}
	if r := dep(e.emp, map[string]any{"left_at": jobsDay(0), "reason": "家中有事"}); r.Code != 200 || r.Body["left_at"] != jobsDay(0) {
		t.Fatalf("departure: %d %s", r.Code, r.Raw)
	}
	st.db.Where("id = ?", spell.ID).Take(&spell)
	st.db.Where("id = ?", id).Take(&job)
	if spell.EndDate == nil || job.Filled != 2 {
		t.Errorf("after departure: spell end %v, filled %d", spell.EndDate, job.Filled)
	}
	if after := row(t, "labourers", a.ID); after["working"] == "true" || after["working"] == "1" {
		t.Error("still working after the departure")
	}
	if r := dep(e.emp, map[string]any{"left_at": jobsDay(0)}); r.Code != 409 {
		t.Errorf("second departure: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/me/applications", aTok, nil); !strings.Contains(r.Raw, `"status":"left"`) {
		t.Errorf("worker's application after departure: %s", r.Raw)
	}
}

func TestJobsExpired(t *testing.T) {
	e := newJobsEnv(t, model.EmployerBase)
	id := e.post(t, nil, true)
	aTok, a := st.worker(t, villageA)
	if r := st.do(t, "POST", "/api/v1/me/jobs/"+id+"/applications", aTok, map[string]any{"kind": "apply"}); r.Code != 201 {
		t.Fatalf("apply: %d %s", r.Code, r.Raw)
	}
	yesterday, _ := time.Parse("2006-01-02", jobsDay(-1))
	st.db.Model(&model.Job{}).Where("id = ?", id).Update("valid_until", yesterday)

	bTok, _ := st.worker(t, villageA)
	if r := st.do(t, "GET", "/api/v1/me/jobs?page_size=100", bTok, nil); strings.Contains(r.Raw, id) {
		t.Error("an expired job is on the board")
	}
	if r := st.do(t, "POST", "/api/v1/me/jobs/"+id+"/applications", bTok, map[string]any{"kind": "apply"}); r.Code != 404 {
		t.Errorf("apply to an expired job: %d %s", r.Code, r.Raw)
	}
	// The worker who applied still sees it, closed.
	if r := st.do(t, "GET", "/api/v1/me/jobs/"+id, aTok, nil); r.Code != 200 || r.Body["status"] != "closed" || r.Body["close_reason"] != "expired" {
		t.Errorf("applicant reads the expired job: %d %s", r.Code, r.Raw)
	}
	before := fmt.Sprint(row(t, "labourers", a.ID))
	r := st.do(t, "POST", "/api/v1/me/employer/jobs/"+id+"/hires", e.emp, map[string]any{"labourer_id": idString(a.ID)})
	if r.Code != 409 || r.errCode() != "job_expired" || fmt.Sprint(row(t, "labourers", a.ID)) != before {
		t.Errorf("hire on an expired job: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/me/employer/jobs?status=closed", e.emp, nil); !strings.Contains(r.Raw, id) {
		t.Error("the expired job is not among the closed ones")
	}
	if r := st.do(t, "GET", "/api/v1/me/employer/jobs?status=open", e.emp, nil); strings.Contains(r.Raw, id) {
		t.Error("the expired job is among the open ones")
	}
	// The sweep writes it down.
	svc := jobs.New(st.db, st.box, st.regions, st.auth, time.Now)
	if n, err := svc.ExpireDue(t.Context()); err != nil || n < 1 {
		t.Errorf("ExpireDue = %d, %v", n, err)
	}
	var job model.Job
	st.db.Where("id = ?", id).Take(&job)
	if job.Status != model.JobClosed || job.CloseReason != model.JobClosedExpired {
		t.Errorf("after sweep: %s %s", job.Status, job.CloseReason)
	}
	// Foreign and malformed ids are 404.
	for _, p := range []string{"/api/v1/me/jobs/12345", "/api/v1/me/jobs/abc", "/api/v1/me/jobs/-1"} {
		if r := st.do(t, "GET", p, aTok, nil); r.Code != 404 {
			t.Errorf("%s: %d", p, r.Code)
		}
	}
	if r := st.do(t, "POST", "/api/v1/me/jobs/12345/applications", aTok, map[string]any{"kind": "apply"}); r.Code != 404 {
		t.Errorf("apply to a missing job: %d", r.Code)
	}
}

func TestJobsEligibility(t *testing.T) {
	e := newJobsEnv(t, model.EmployerEnterprise)
	id := e.post(t, map[string]any{"min_age": 18, "max_age": 25, "capacities": []string{"skilled"}, "min_skill": "senior"}, true)
	tok, lab := st.worker(t, villageA)
	r := st.do(t, "POST", "/api/v1/me/jobs/"+id+"/applications", tok, map[string]any{"kind": "apply"})
	if r.Code != 409 || r.errCode() != "not_eligible" || !strings.Contains(r.Raw, "年龄") || !strings.Contains(r.Raw, "劳动能力") {
		t.Errorf("ineligible: %d %s", r.Code, r.Raw)
	}
	if n := count(t, &model.Application{}, "labourer_id = ?", lab.ID); n != 0 {
		t.Errorf("applications = %d", n)
	}
}

// TestJobsConcurrentHires: five hires at once for the last place — exactly
// one wins (SECURITY.md 13).
func TestJobsConcurrentHires(t *testing.T) {
	e := newJobsEnv(t, model.EmployerEnterprise)
	id := e.post(t, map[string]any{"headcount": 1}, true)
	var labs []*model.Labourer
	for range 5 {
		tok, lab := st.worker(t, villageA)
		if r := st.do(t, "POST", "/api/v1/me/jobs/"+id+"/applications", tok, map[string]any{"kind": "apply"}); r.Code != 201 {
			t.Fatalf("apply: %d %s", r.Code, r.Raw)
		}
		labs = append(labs, lab)
	}
	codes := make([]int, len(labs))
	var wg sync.WaitGroup
	for i, lab := range labs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = st.do(t, "POST", "/api/v1/me/employer/jobs/"+id+"/hires", e.emp, map[string]any{"labourer_id": idString(lab.ID)}).Code
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case 201:
			won++
		case 409:
		default:
			t.Errorf("unexpected status %d", c)
		}
	}
	var job model.Job
	st.db.Where("id = ?", id).Take(&job)
	if won != 1 || job.Filled != 1 || count(t, &model.Hire{}, "job_id = ?", id) != 1 {
		t.Errorf("hires won = %d, filled = %d (codes %v)", won, job.Filled, codes)
	}
	t.Logf("concurrent hires for the last place: tried = %d, won = %d, filled = %d", len(labs), won, job.Filled)
}

func TestOpenAPIJobsSchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]any{
		"Employer":       employerView{},
		"EmployerCreate": employerRequest{},
		"EmployerMember": memberView{},
		"Job":            jobView{},
		"JobCreate":      jobRequest{},
		"JobApplication": myApplicationView{},
		"Candidate":      candidateView{},
		"Hire":           hireView{},
		"HireCreate":     hireRequest{},
		"HireResult":     hireResponse{},
		"HiredSpell":     hiredSpellView{},
		"ReviewDecision": reviewRequest{},
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), reflect.TypeOf(types[name]))
	}
	for name, e := range map[string]model.Enum{"EmployerKind": model.EmployerKinds, "EmployerState": model.EmployerStates,
		"JobState": model.JobStates, "JobCloseReason": model.JobCloseReasons, "ApplicationKind": model.ApplicationKinds,
		"ApplicationState": model.ApplicationStates} {
		s := oaSchema(t, doc, name)
		codes, _ := s["enum"].([]any)
		labels, _ := s["x-enum-descriptions"].([]any)
		var got, want []string
		for i, c := range codes {
			l := ""
			if i < len(labels) {
				l = fmt.Sprint(labels[i])
			}
			got = append(got, fmt.Sprint(c)+"="+l)
		}
		for _, o := range e {
			want = append(want, o.Code+"="+o.Label)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: document %v, model %v", name, got, want)
		}
	}
}

// TestCandidateNamesMasked: an employer sees applicants' names masked (马*军),
// never whole; the whole name stays with the back office that needs it.
func TestCandidateNamesMasked(t *testing.T) {
	if got := pii.MaskName("马小军"); got != "马*军" {
		t.Fatalf("MaskName: %q", got)
	}
	v := (&Server{Deps: Deps{Jobs: jobs.New(st.db, st.box, st.regions, st.auth, time.Now), Regions: st.regions}}).toCandidate(&jobs.Candidate{Labourer: model.Labourer{Name: "马小军"}})
	if v.Name != "马*军" {
		t.Fatalf("candidate name %q shown whole", v.Name)
	}
}
