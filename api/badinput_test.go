package api

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/status"
)

type badCase struct {
	name   string
	method string
	path   string
	tok    string
	body   any
	hdr    map[string]string
	status int    // wanted HTTP status
	code   string // wanted error.code ("" = any)
	field  string // a "field:code" the answer must list ("" = none required)
}

// merge copies base and applies changes; a nil value deletes the key.
func merge(base map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// workerSnapshot is everything saved about a worker that bad input must not touch.
func workerSnapshot(t testing.TB, tok string, labID int64) string {
	t.Helper()
	card := st.do(t, "GET", "/api/v1/me/status", tok, nil)
	if card.Code != 200 {
		t.Fatalf("card: %d %s", card.Code, card.Raw)
	}
	counts := ""
	for _, table := range []string{"status_reports", "employment_spells", "return_events", "outing_plans", "outbox_events", "audit_logs"} {
		var n int64
		col := "labourer_id"
		switch table {
		case "outbox_events":
			col = "aggregate_id"
		case "audit_logs":
			col = "subject_id"
		}
		st.db.Table(table).Where(col+" = ?", labID).Count(&n)
		counts += fmt.Sprintf(" %s=%d", table, n)
	}
	r := row(t, "labourers", labID)
	var b strings.Builder
	b.WriteString(card.Raw + counts)
	for _, k := range sortedKeys(r) {
		fmt.Fprintf(&b, " %s=%s", k, r[k])
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// TestBadInput: hostile and malformed requests get a 4xx with a stable code
// and Chinese messages, and nothing already saved changes (SECURITY.md 11, 20).
func TestBadInput(t *testing.T) {
	today := time.Now().In(status.China)
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	wTok, wLab := st.worker(t, villageA)
	job := map[string]any{"kind": "new_job", "start_date": day(-30), "place_code": villageC, "form": "flexible",
		"monthly_wage": 3500, "industry": "service", "contract": false, "social_insurance": false}
	if r := st.do(t, "POST", "/api/v1/me/reports", wTok, job); r.Code != 201 {
		t.Fatalf("current job: %d %s", r.Code, r.Raw)
	}
	uTok, _ := wxLogin(t) // logged in, not bound
	tfTok, _ := st.account(t, model.RoleTaskforce, testCounty)
	adminTok, _ := st.account(t, model.RoleAdmin)
	existing, existingID, existingPhone := newLab(t, villageA, fmt.Sprintf("已存%d", seq.Add(1)))
	patchTarget, _, _ := newLab(t, villageB, fmt.Sprintf("待改%d", seq.Add(1)))

	big := `{"kind":"no_plan","reason":"other","reason_other":"` + strings.Repeat("长", 25<<10) + `"}` // ~75 KiB
	deep := `{"kind":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	labourer := map[string]any{"name": "坏输入", "id_number": knownID(), "phone": knownPhone(), "village_code": villageA,
		"ethnicity": "东乡族", "address": "坏输入地址", "labour_capacity": "ordinary", "skill_level": "none",
		"education": "junior_high", "category": "lifted"}
	account := map[string]any{"username": fmt.Sprintf("bad%d", seq.Add(1)), "password": "correct-horse-battery",
		"role": "cadre", "display_name": "坏输入", "region_codes": []string{villageA}}
	badCheck := knownID()
	if badCheck[17] == '1' {
		badCheck = badCheck[:17] + "2"
	} else {
		badCheck = badCheck[:17] + "1"
	}
	under := idFor(testCounty, today.AddDate(-10, 0, 0).Format("20060102"), 7)
	old := idFor(testCounty, "19500101", 8)
	future := idFor(testCounty, "20990101", 9)
	dupUser := fmt.Sprintf("dup%d", seq.Add(1))
	if r := st.do(t, "POST", "/api/v1/admin/accounts", adminTok, merge(account, map[string]any{"username": dupUser})); r.Code != 201 {
		t.Fatalf("account: %d %s", r.Code, r.Raw)
	}

	const rep, bind, labs, accs = "/api/v1/me/reports", "/api/v1/me/bind", "/api/v1/labourers", "/api/v1/admin/accounts"
	patch := "/api/v1/labourers/" + idString(patchTarget.ID)
	cases := []badCase{
		// Status reports: the JSON itself.
		{"empty body", "POST", rep, wTok, "", nil, 400, "empty_body", ""},
		{"malformed JSON", "POST", rep, wTok, `{"kind":`, nil, 400, "invalid_json", ""},
		{"trailing data", "POST", rep, wTok, `{"kind":"no_plan","reason":"farming"} {"kind":"returned"}`, nil, 400, "invalid_json", ""},
		{"array body", "POST", rep, wTok, `[]`, nil, 400, "", ""},
		{"string body", "POST", rep, wTok, `"returned"`, nil, 400, "", ""},
		{"null body", "POST", rep, wTok, `null`, nil, 400, "", "kind:invalid_enum"},
		{"kind of wrong type", "POST", rep, wTok, `{"kind":5}`, nil, 400, "", "kind:invalid_type"},
		{"unknown kind", "POST", rep, wTok, map[string]any{"kind": "fired"}, nil, 400, "", "kind:invalid_enum"},
		{"nested 20,000 deep", "POST", rep, wTok, deep, nil, 400, "", ""},
		{"invalid UTF-8", "POST", rep, wTok, []byte("{\"kind\":\"\xff\xfe\"}"), nil, 400, "", "kind:invalid_enum"},
		{"text/plain", "POST", rep, wTok, `{"kind":"no_plan","reason":"farming"}`, map[string]string{"Content-Type": "text/plain"}, 400, "unsupported_media_type", ""},
		{"oversized (Content-Length)", "POST", rep, wTok, big, nil, 413, "body_too_large", ""},
		{"oversized (chunked)", "POST", rep, wTok, io.MultiReader(strings.NewReader(big)), nil, 413, "body_too_large", ""},
		// new_job
		{"start date in the future", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(3)}), nil, 400, "", "start_date:future_date"},
		{"new job starting before the current one", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-60)}), nil, 400, "", "start_date:before_current_job"},
		{"new job on the current one's start day", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-30)}), nil, 400, "", "start_date:before_current_job"},
		{"no such day", "POST", rep, wTok, merge(job, map[string]any{"start_date": "2025-02-30"}), nil, 400, "", "start_date:invalid_date"},
		{"date in another format", "POST", rep, wTok, merge(job, map[string]any{"start_date": "2025/01/01"}), nil, 400, "", "start_date:invalid_date"},
		{"start 6 years ago", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-6 * 366)}), nil, 400, "", "start_date:too_old"},
		{"negative wage", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "monthly_wage": -100}), nil, 400, "", "monthly_wage:not_positive"},
		{"zero wage", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "monthly_wage": 0}), nil, 400, "", "monthly_wage:not_positive"},
		{"absurd wage", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "monthly_wage": 100001}), nil, 400, "", "monthly_wage:too_large"},
		{"wage 10^12", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "monthly_wage": 1e12}), nil, 400, "", "monthly_wage:too_large"},
		{"wage 10^30", "POST", rep, wTok, `{"kind":"new_job","monthly_wage":1e30}`, nil, 400, "", "monthly_wage:invalid_type"},
		{"wage as a string", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "monthly_wage": "3000"}), nil, 400, "", "monthly_wage:invalid_type"},
		{"wage with decimals", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "monthly_wage": 3000.5}), nil, 400, "", "monthly_wage:invalid_type"},
		{"wage missing", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "monthly_wage": nil}), nil, 400, "", "monthly_wage:required"},
		{"form other without form_other", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "form": "other"}), nil, 400, "", "form_other:required"},
		{"form other with blank form_other", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "form": "other", "form_other": "   "}), nil, 400, "", "form_other:required"},
		{"industry other without text", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "industry": "other"}), nil, 400, "", "industry_other:required"},
		{"unknown form", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "form": "boss"}), nil, 400, "", "form:invalid_enum"},
		{"unknown industry", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "industry": "spying"}), nil, 400, "", "industry:invalid_enum"},
		{"employed without employer", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "form": "employed"}), nil, 400, "", "employer_name:required"},
		{"unknown region code", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "place_code": "629999"}), nil, 400, "", "place_code:unknown_region"},
		{"malformed region code", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "place_code": "62' OR '1'='1"}), nil, 400, "", "place_code:invalid_region_code"},
		{"home province too coarse", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "place_code": "62"}), nil, 400, "", "place_code:region_level"},
		{"contract missing", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "contract": nil}), nil, 400, "", "contract:required"},
		{"contract as a string", "POST", rep, wTok, merge(job, map[string]any{"start_date": day(-1), "contract": "yes"}), nil, 400, "", "contract:invalid_type"},
		// returned
		{"return date in the future", "POST", rep, wTok, map[string]any{"kind": "returned", "wants_work": true, "return_date": day(2)}, nil, 400, "", "return_date:future_date"},
		{"end before start: returned before the job began", "POST", rep, wTok, map[string]any{"kind": "returned", "wants_work": true, "return_date": day(-40)}, nil, 400, "", "return_date:before_current_job"},
		{"returned 2 years ago", "POST", rep, wTok, map[string]any{"kind": "returned", "wants_work": true, "return_date": day(-800)}, nil, 400, "", "return_date:too_old"},
		{"wants_work missing", "POST", rep, wTok, map[string]any{"kind": "returned"}, nil, 400, "", "wants_work:required"},
		{"wants_work as a string", "POST", rep, wTok, map[string]any{"kind": "returned", "wants_work": "yes"}, nil, 400, "", "wants_work:invalid_type"},
		{"unknown return reason", "POST", rep, wTok, map[string]any{"kind": "returned", "wants_work": true, "reason": "aliens"}, nil, 400, "", "reason:invalid_enum"},
		// plan_out
		{"plan without job", "POST", rep, wTok, map[string]any{"kind": "plan_out", "dest_code": "3301", "expected_wage": 5000}, nil, 400, "", "job:required"},
		{"plan without destination", "POST", rep, wTok, map[string]any{"kind": "plan_out", "job": "普工", "expected_wage": 5000}, nil, 400, "", "dest_code:required"},
		{"plan without wage", "POST", rep, wTok, map[string]any{"kind": "plan_out", "dest_code": "3301", "job": "普工"}, nil, 400, "", "expected_wage:required"},
		{"plan to a village", "POST", rep, wTok, map[string]any{"kind": "plan_out", "dest_code": villageC, "job": "普工", "expected_wage": 5000}, nil, 400, "", "dest_code:region_level"},
		{"plan to an unknown region", "POST", rep, wTok, map[string]any{"kind": "plan_out", "dest_code": "9901", "job": "普工", "expected_wage": 5000}, nil, 400, "", "dest_code:unknown_region"},
		{"plan in the past", "POST", rep, wTok, map[string]any{"kind": "plan_out", "dest_code": "3301", "job": "普工", "expected_wage": 5000, "planned_month": "2000-01"}, nil, 400, "", "planned_month:past_date"},
		{"plan with absurd wage", "POST", rep, wTok, map[string]any{"kind": "plan_out", "dest_code": "3301", "job": "普工", "expected_wage": 1000000}, nil, 400, "", "expected_wage:too_large"},
		// no_plan
		{"no plan, reason other, no text", "POST", rep, wTok, map[string]any{"kind": "no_plan", "reason": "other"}, nil, 400, "", "reason_other:required"},
		{"no plan, no reason", "POST", rep, wTok, map[string]any{"kind": "no_plan"}, nil, 400, "", "reason:invalid_enum"},
		{"no plan, unknown reason", "POST", rep, wTok, map[string]any{"kind": "no_plan", "reason": "lazy"}, nil, 400, "", "reason:invalid_enum"},

		// Binding, on the bound worker: validation comes first.
		{"bind: wrong check digit", "POST", bind, wTok, map[string]any{"name": "张三", "id_number": "110105194912310021"}, nil, 400, "", "id_number:invalid_check_digit"},
		{"bind: 17 digits", "POST", bind, wTok, map[string]any{"name": "张三", "id_number": "11010519491231002"}, nil, 400, "", "id_number:invalid_length"},
		{"bind: born in 2099", "POST", bind, wTok, map[string]any{"name": "张三", "id_number": future}, nil, 400, "", "id_number:invalid_birth_date"},
		{"bind: letters", "POST", bind, wTok, map[string]any{"name": "张三", "id_number": "11010519491231ABCD"}, nil, 400, "", "id_number:invalid_chars"},
		{"bind: unknown village", "POST", bind, wTok, map[string]any{"name": "张三", "id_number": "11010519491231002X", "village_code": "622926999999"}, nil, 400, "", "village_code:unknown_region"},
		{"bind: county, not village", "POST", bind, wTok, map[string]any{"name": "张三", "id_number": "11010519491231002X", "village_code": testCounty}, nil, 400, "", "village_code:region_level"},
		{"bind: bad phone", "POST", bind, wTok, map[string]any{"name": "张三", "id_number": "11010519491231002X", "phone": "12345"}, nil, 400, "", "phone:invalid_phone"},
		{"bind: no name", "POST", bind, wTok, map[string]any{"id_number": "11010519491231002X"}, nil, 400, "", "name:required"},
		{"bind: name as a number", "POST", bind, wTok, `{"name":1}`, nil, 400, "", "name:invalid_type"},
		{"bind: malformed", "POST", bind, wTok, `{"name":"张三",`, nil, 400, "invalid_json", ""},
		{"bind: oversized", "POST", bind, wTok, `{"name":"` + strings.Repeat("a", 70<<10) + `"}`, nil, 413, "body_too_large", ""},
		{"bind: already bound", "POST", bind, wTok, map[string]any{"name": wLab.Name, "id_number": "11010519491231002X", "phone": knownPhone()}, nil, 409, "already_bound", ""},
		// Binding, on a worker not yet bound.
		{"bind: under 16", "POST", bind, uTok, map[string]any{"name": "小孩", "id_number": under, "phone": knownPhone(), "village_code": villageA}, nil, 400, "", "id_number:under_age"},
		{"bind: not in the ledger, no village", "POST", bind, uTok, map[string]any{"name": "新人", "id_number": knownID(), "phone": knownPhone()}, nil, 400, "", "village_code:village_required"},
		{"bind: name does not match", "POST", bind, uTok, map[string]any{"name": "别人", "id_number": existingID, "phone": existingPhone}, nil, 400, "", "name:name_mismatch"},
		{"bind: phone does not match", "POST", bind, uTok, map[string]any{"name": existing.Name, "id_number": existingID, "phone": knownPhone()}, nil, 400, "", "phone:phone_mismatch"},

		// Creating labourers.
		{"labourer: wrong check digit", "POST", labs, tfTok, merge(labourer, map[string]any{"id_number": badCheck}), nil, 400, "", "id_number:invalid_check_digit"},
		{"labourer: unknown village", "POST", labs, tfTok, merge(labourer, map[string]any{"village_code": "622926999999"}), nil, 400, "", "village_code:unknown_region"},
		{"labourer: town, not village", "POST", labs, tfTok, merge(labourer, map[string]any{"village_code": villageA[:9]}), nil, 400, "", "village_code:region_level"},
		{"labourer: bad phone", "POST", labs, tfTok, merge(labourer, map[string]any{"phone": "1234"}), nil, 400, "", "phone:invalid_phone"},
		{"labourer: unknown ethnicity", "POST", labs, tfTok, merge(labourer, map[string]any{"ethnicity": "火星族"}), nil, 400, "", "ethnicity:invalid_enum"},
		{"labourer: unknown capacity", "POST", labs, tfTok, merge(labourer, map[string]any{"labour_capacity": "super"}), nil, 400, "", "labour_capacity:invalid_enum"},
		{"labourer: unknown category", "POST", labs, tfTok, merge(labourer, map[string]any{"category": "rich"}), nil, 400, "", "category:invalid_enum"},
		{"labourer: graduation in the future", "POST", labs, tfTok, merge(labourer, map[string]any{"graduation_date": "2099-07"}), nil, 400, "", "graduation_date:future_date"},
		{"labourer: month 13", "POST", labs, tfTok, merge(labourer, map[string]any{"graduation_date": "2020-13"}), nil, 400, "", "graduation_date:invalid_date"},
		{"labourer: 两后生 with a degree", "POST", labs, tfTok, merge(labourer, map[string]any{"two_after": true, "education": "bachelor"}), nil, 400, "", "two_after:two_after_education"},
		{"labourer: skilled without certificate", "POST", labs, tfTok, merge(labourer, map[string]any{"labour_capacity": "skilled"}), nil, 400, "", "skill_level:skill_required"},
		{"labourer: name of 21 characters", "POST", labs, tfTok, merge(labourer, map[string]any{"name": strings.Repeat("名", 21)}), nil, 400, "", "name:required"},
		{"labourer: no address", "POST", labs, tfTok, merge(labourer, map[string]any{"address": " "}), nil, 400, "", "address:required"},
		{"labourer: temp exit without reason", "POST", labs, tfTok, merge(labourer, map[string]any{"state": "temp_exit"}), nil, 400, "", "state_reason:invalid_enum"},
		{"labourer: normal with a reason", "POST", labs, tfTok, merge(labourer, map[string]any{"state_reason": "school"}), nil, 400, "", "state_reason:not_allowed"},
		{"labourer: under 16", "POST", labs, tfTok, merge(labourer, map[string]any{"id_number": under}), nil, 400, "", "id_number:under_age"},
		{"labourer: 76 and ordinary", "POST", labs, tfTok, merge(labourer, map[string]any{"id_number": old}), nil, 400, "", "labour_capacity:over_age"},
		{"labourer: household id not a number", "POST", labs, tfTok, merge(labourer, map[string]any{"household_id": "abc"}), nil, 400, "", "household_id:invalid_id"},
		{"labourer: unknown household", "POST", labs, tfTok, merge(labourer, map[string]any{"household_id": "12345"}), nil, 400, "", "household_id:unknown_household"},
		{"labourer: household id as a number", "POST", labs, tfTok, merge(labourer, map[string]any{"household_id": 12345}), nil, 400, "", "household_id:invalid_type"},
		{"labourer: two_after as a string", "POST", labs, tfTok, merge(labourer, map[string]any{"two_after": "yes"}), nil, 400, "", "two_after:invalid_type"},
		{"labourer: ID already in the ledger", "POST", labs, tfTok, merge(labourer, map[string]any{"id_number": existingID}), nil, 400, "", "id_number:duplicate_id_number"},
		{"labourer: oversized", "POST", labs, tfTok, merge(labourer, map[string]any{"address": strings.Repeat("址", 25<<10)}), nil, 413, "body_too_large", ""},
		// Editing labourers.
		{"patch: unknown state", "PATCH", patch, tfTok, map[string]any{"state": "bogus"}, nil, 400, "", "state:invalid_enum"},
		{"patch: perm exit without reason", "PATCH", patch, tfTok, map[string]any{"state": "perm_exit"}, nil, 400, "", "state_reason:invalid_enum"},
		{"patch: graduation in the future", "PATCH", patch, tfTok, map[string]any{"graduation_date": "2099-01"}, nil, 400, "", "graduation_date:future_date"},
		{"patch: bad phone", "PATCH", patch, tfTok, map[string]any{"phone": "abc"}, nil, 400, "", "phone:invalid_phone"},
		{"patch: empty name", "PATCH", patch, tfTok, map[string]any{"name": ""}, nil, 400, "", "name:required"},
		{"patch: version as a string", "PATCH", patch, tfTok, `{"version":"x"}`, nil, 400, "", "version:invalid_type"},
		{"patch: name as an object", "PATCH", patch, tfTok, `{"name":{"$ne":""}}`, nil, 400, "", "name:invalid_type"},
		{"patch: malformed", "PATCH", patch, tfTok, `{"name":`, nil, 400, "invalid_json", ""},
		{"patch: stale version", "PATCH", patch, tfTok, map[string]any{"version": 99, "address": "过期修改"}, nil, 409, "stale_version", ""},
		{"patch: id not a number", "PATCH", "/api/v1/labourers/abc", tfTok, map[string]any{"address": "x"}, nil, 404, "not_found", ""},
		{"patch: id overflow", "PATCH", "/api/v1/labourers/99999999999999999999999", tfTok, map[string]any{"address": "x"}, nil, 404, "not_found", ""},
		// Accounts.
		{"account: short username", "POST", accs, adminTok, merge(account, map[string]any{"username": "a"}), nil, 400, "", "username:invalid_username"},
		{"account: username with quotes", "POST", accs, adminTok, merge(account, map[string]any{"username": "a' OR 1=1 --"}), nil, 400, "", "username:invalid_username"},
		{"account: weak password", "POST", accs, adminTok, merge(account, map[string]any{"password": "short"}), nil, 400, "", "password:weak_password"},
		{"account: password over 72 bytes", "POST", accs, adminTok, merge(account, map[string]any{"password": strings.Repeat("p", 100)}), nil, 400, "", "password:weak_password"},
		{"account: worker role", "POST", accs, adminTok, merge(account, map[string]any{"role": "worker"}), nil, 400, "", "role:invalid_enum"},
		{"account: unknown role", "POST", accs, adminTok, merge(account, map[string]any{"role": "god"}), nil, 400, "", "role:invalid_enum"},
		{"account: no name", "POST", accs, adminTok, merge(account, map[string]any{"display_name": ""}), nil, 400, "", "display_name:required"},
		{"account: cadre with a county", "POST", accs, adminTok, merge(account, map[string]any{"region_codes": []string{testCounty}}), nil, 400, "", "region_codes[0]:region_level"},
		{"account: task force with a village", "POST", accs, adminTok, merge(account, map[string]any{"role": "taskforce", "region_codes": []string{villageA}}), nil, 400, "", "region_codes[0]:region_level"},
		{"account: official with a village", "POST", accs, adminTok, merge(account, map[string]any{"role": "official", "region_codes": []string{villageA}}), nil, 400, "", "region_codes[0]:region_level"},
		{"account: unknown village", "POST", accs, adminTok, merge(account, map[string]any{"region_codes": []string{"622926999999"}}), nil, 400, "", "region_codes[0]:unknown_region"},
		{"account: injection in a region", "POST", accs, adminTok, merge(account, map[string]any{"region_codes": []string{"62'; DROP TABLE accounts;--"}}), nil, 400, "", "region_codes[0]:invalid_region_code"},
		{"account: cadre without villages", "POST", accs, adminTok, merge(account, map[string]any{"region_codes": nil}), nil, 400, "", "region_codes:required"},
		{"account: employer with regions", "POST", accs, adminTok, merge(account, map[string]any{"role": "employer"}), nil, 400, "", "region_codes:not_allowed"},
		{"account: regions as a string", "POST", accs, adminTok, merge(account, map[string]any{"region_codes": villageA}), nil, 400, "", "region_codes:invalid_type"},
		{"account: username taken", "POST", accs, adminTok, merge(account, map[string]any{"username": dupUser}), nil, 400, "", "username:username_taken"},
		{"account: malformed", "POST", accs, adminTok, `{"username":`, nil, 400, "invalid_json", ""},
		{"account: oversized", "POST", accs, adminTok, merge(account, map[string]any{"display_name": strings.Repeat("名", 25<<10)}), nil, 413, "body_too_large", ""},
	}

	// Everything saved before the onslaught.
	wBefore := workerSnapshot(t, wTok, wLab.ID)
	existingBefore := row(t, "labourers", existing.ID)
	patchBefore := row(t, "labourers", patchTarget.ID)
	var labsBefore, accsBefore, householdsBefore int64
	st.db.Model(&model.Labourer{}).Count(&labsBefore)
	st.db.Model(&model.Account{}).Count(&accsBefore)
	st.db.Model(&model.Household{}).Count(&householdsBefore)

	fives, wrong, shape := 0, 0, 0
	for _, c := range cases {
		r, _ := call(t, nil, c.method, c.path, c.body, merge2(bearer(c.tok), c.hdr))
		switch {
		case r.Code >= 500:
			fives++
			t.Errorf("%s: %d %s", c.name, r.Code, r.Raw)
			continue
		case r.Code != c.status || (c.code != "" && r.errCode() != c.code) || (c.field != "" && !contains(r.fieldCodes(), c.field)):
			wrong++
			t.Errorf("%s: want %d %s %s, got %d %s", c.name, c.status, c.code, c.field, r.Code, r.Raw)
		}
		if p := errorShapeProblems(r); len(p) > 0 {
			shape++
			t.Errorf("%s: %v", c.name, p)
		}
	}

	// Nothing already saved changed.
	lost := 0
	if after := workerSnapshot(t, wTok, wLab.ID); after != wBefore {
		lost++
		t.Errorf("the worker's saved data changed:\nbefore %s\nafter  %s", wBefore, after)
	}
	for name, pair := range map[string][2]map[string]string{
		"existing labourer": {existingBefore, row(t, "labourers", existing.ID)},
		"patched labourer":  {patchBefore, row(t, "labourers", patchTarget.ID)},
	} {
		if ch := changedColumns(pair[0], pair[1]); len(ch) > 0 {
			lost++
			t.Errorf("%s changed: %v", name, ch)
		}
	}
	var labsAfter, accsAfter, householdsAfter int64
	st.db.Model(&model.Labourer{}).Count(&labsAfter)
	st.db.Model(&model.Account{}).Count(&accsAfter)
	st.db.Model(&model.Household{}).Count(&householdsAfter)
	if labsAfter != labsBefore || accsAfter != accsBefore || householdsAfter != householdsBefore {
		lost++
		t.Errorf("rows appeared: labourers %d→%d, accounts %d→%d, households %d→%d", labsBefore, labsAfter, accsBefore, accsAfter, householdsBefore, householdsAfter)
	}
	if m := st.do(t, "GET", "/api/v1/me", uTok, nil); m.Body["binding_status"] != "none" {
		lost++
		t.Errorf("the unbound worker got bound: %s", m.Raw)
	}
	// The worker can still report after all that.
	if r := st.do(t, "POST", rep, wTok, map[string]any{"kind": "still_working"}); r.Code != 201 {
		t.Errorf("a valid report after the bad ones: %d %s", r.Code, r.Raw)
	}
	// Hostile request ids on a valid write: the write works and is audited
	// under an id of our own (the audit column holds 40 characters).
	for _, rid := range []string{strings.Repeat("r", 41), strings.Repeat("r", 64), strings.Repeat("编", 13), "a\"b", "<script>"} {
		r, h := call(t, nil, "POST", rep, map[string]any{"kind": "still_working"}, merge2(bearer(wTok), map[string]string{"X-Request-ID": rid}))
		got := h.Get("X-Request-ID")
		var n int64
		st.db.Model(&model.AuditLog{}).Where("request_id = ?", got).Count(&n)
		if r.Code != 201 || got == rid || len(got) > 40 || n != 1 {
			if r.Code >= 500 {
				fives++
			}
			wrong++
			t.Errorf("X-Request-ID %.12q…: %d, echoed %q, audit rows %d", rid, r.Code, got, n)
		}
	}
	t.Logf("bad input (SECURITY.md 11, 20): inputs tried = %d; 500s = %d, wrong status/code/field = %d, messages not Chinese or without code = %d, saved data changed = %d",
		len(cases)+5, fives, wrong, shape, lost)
}

func merge2(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
