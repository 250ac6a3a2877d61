package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/auth"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/subsidy"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

const (
	shenzhen = "440305" // 南山区, 省外
	lanzhou  = "620102" // 城关区, 省内县外
)

func today() time.Time {
	n := time.Now().In(subsidy.China)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func ymd(t time.Time) string { return t.Format("2006-01-02") }

// gansuTransport is the default test policy: Gansu's transport subsidy for
// this year, 200 yuan 省内县外 / 500 yuan 省外, for 脱贫人口 with verified
// out-of-county work (docs/openapi-parts/subsidies.yaml shows it as the example).
func gansuTransport(mode string) map[string]any {
	p := map[string]any{"province_code": "62", "year": today().Year(), "kind": "transport", "name": "脱贫劳动力外出务工交通补助",
		"mode": mode, "by_destination": true, "amount_in_province_fen": 20000, "amount_out_province_fen": 50000,
		"categories": []string{"lifted", "monitored"}, "out_of_county": true, "months_required": 0,
		"window_from": ymd(today().AddDate(0, 0, -200)), "window_to": ymd(today().AddDate(0, 0, 30)), "documents": []string{}}
	if mode == model.ModePrepaid {
		p["months_required"] = 1
		p["settle_by"] = ymd(today().AddDate(0, 0, 40)) // not before window_to
	}
	return p
}

func (s *stack) policy(t testing.TB, admin string, body map[string]any) string {
	t.Helper()
	r := s.do(t, "POST", "/api/v1/admin/subsidy-policies", admin, body)
	if r.Code != 201 {
		t.Fatalf("create policy: %d %s", r.Code, r.Raw)
	}
	return r.Body["id"].(string)
}

// verifiedSpell records verified work for a labourer, as a confirmed form would.
func (s *stack) verifiedSpell(t testing.TB, lab *model.Labourer, place string, start time.Time, end *time.Time, mod func(*model.EmploymentSpell)) *model.EmploymentSpell {
	t.Helper()
	sp := &model.EmploymentSpell{ID: model.NewID(), LabourerID: lab.ID, StartDate: start, EndDate: end, PlaceCode: place,
		PlaceScope: s.regions.PlaceScope(lab.VillageCode, place), Form: "employed", MonthlyWage: 5000, Industry: "general_worker",
		Source: model.SourceCadre, Verified: true}
	if mod != nil {
		mod(sp)
	}
	if err := s.db.Create(sp).Error; err != nil {
		t.Fatal(err)
	}
	return sp
}

func claimBody(policy, to string, trip time.Time) map[string]any {
	return map[string]any{"policy_id": policy, "trip_from": testCounty, "trip_to": to, "trip_date": ymd(trip)}
}

func (s *stack) claimRows(t testing.TB, labID int64) int64 {
	t.Helper()
	var n int64
	if err := s.db.Model(&model.SubsidyClaim{}).Where("labourer_id = ?", labID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSubsidyAutoApprovedAndAmountFromPolicy(t *testing.T) {
	admin, _ := st.account(t, model.RoleAdmin)
	pid := st.policy(t, admin, gansuTransport(model.ModeAuto))
	tok, lab := st.worker(t, villageA)
	trip := today().AddDate(0, 0, -30)
	st.verifiedSpell(t, lab, shenzhen, trip.AddDate(0, 0, 2), nil, nil)

	body := claimBody(pid, shenzhen, trip)
	body["amount_fen"] = 99999999 // typed by the worker: ignored
	body["amount"] = 99999999
	body["state"] = "paid"
	r := st.do(t, "POST", "/api/v1/me/claims", tok, body)
	if r.Code != 201 {
		t.Fatalf("claim: %d %s", r.Code, r.Raw)
	}
	if r.Body["state"] != "approved" || r.Body["amount_fen"].(float64) != 50000 || r.Body["dest_scope"] != "out_province" {
		t.Fatalf("免审即享 should approve 500 yuan at once: %s", r.Raw)
	}
	if n := len(r.Body["failed_conditions"].([]any)); n != 0 {
		t.Fatalf("failed conditions: %s", r.Raw)
	}
	m := st.do(t, "GET", "/api/v1/me/claims", tok, nil)
	items := m.Body["items"].([]any)
	if m.Code != 200 || len(items) != 1 || items[0].(map[string]any)["state_label"] != "已通过" {
		t.Fatalf("my claims: %d %s", m.Code, m.Raw)
	}
	var audits int64
	var c model.SubsidyClaim
	st.db.Where("labourer_id = ?", lab.ID).First(&c)
	st.db.Model(&model.AuditLog{}).Where("subject_type = ? AND subject_id = ?", "subsidy_claim", c.ID).Count(&audits)
	if audits != 1 {
		t.Fatalf("audit rows for the claim = %d, want 1", audits)
	}

	// An edit of the policy never changes the decided claim.
	pol := st.do(t, "GET", "/api/v1/admin/subsidy-policies/"+pid, admin, nil)
	edit := gansuTransport(model.ModeAuto)
	edit["amount_out_province_fen"] = 80000
	edit["version"] = int(pol.Body["version"].(float64))
	if e := st.do(t, "PUT", "/api/v1/admin/subsidy-policies/"+pid, admin, edit); e.Code != 200 || e.Body["version"].(float64) != 2 {
		t.Fatalf("edit: %d %s", e.Code, e.Raw)
	}
	if e := st.do(t, "PUT", "/api/v1/admin/subsidy-policies/"+pid, admin, edit); e.Code != 409 || e.errCode() != "policy_changed" {
		t.Fatalf("stale edit: %d %s", e.Code, e.Raw)
	}
	m = st.do(t, "GET", "/api/v1/me/claims", tok, nil)
	got := m.Body["items"].([]any)[0].(map[string]any)
	if got["amount_fen"].(float64) != 50000 || got["policy_version"].(float64) != 1 {
		t.Fatalf("decided claim changed by the edit: %v", got)
	}
}

func TestSubsidyReviewQueue(t *testing.T) {
	admin, _ := st.account(t, model.RoleAdmin)
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	otherTF, _ := st.account(t, model.RoleTaskforce, "622925")
	pid := st.policy(t, admin, gansuTransport(model.ModeAuto))
	tok, _ := st.worker(t, villageB)
	// No verified work yet: the destination rests on the worker's word, so
	// the claim goes to the task force with the failed conditions.
	r := st.do(t, "POST", "/api/v1/me/claims", tok, claimBody(pid, lanzhou, today().AddDate(0, 0, -3)))
	if r.Code != 201 || r.Body["state"] != "submitted" || r.Body["amount_fen"].(float64) != 20000 {
		t.Fatalf("claim: %d %s", r.Code, r.Raw)
	}
	failed := map[string]bool{}
	for _, c := range r.Body["failed_conditions"].([]any) {
		failed[c.(map[string]any)["code"].(string)] = true
	}
	if !failed[subsidy.CondOutOfCounty] || !failed[subsidy.CondDestination] || len(failed) != 2 {
		t.Fatalf("failed conditions: %v", failed)
	}
	id := r.Body["id"].(string)
	q := st.do(t, "GET", "/api/v1/subsidy-claims?state=submitted&policy_id="+pid, tf, nil)
	if q.Code != 200 || q.Body["total"].(float64) != 1 {
		t.Fatalf("queue: %d %s", q.Code, q.Raw)
	}
	if o := st.do(t, "GET", "/api/v1/subsidy-claims/"+id, otherTF, nil); o.Code != 404 {
		t.Fatalf("another county's task force: %d", o.Code)
	}
	if o := st.do(t, "POST", "/api/v1/subsidy-claims/"+id+"/approve", tok, map[string]any{"version": 1}); o.Code != 403 {
		t.Fatalf("worker approving: %d", o.Code)
	}
	if o := st.do(t, "POST", "/api/v1/subsidy-claims/"+id+"/reject", tf, map[string]any{"version": 1}); o.Code != 400 {
		t.Fatalf("reject without reason: %d %s", o.Code, o.Raw)
	}
	if o := st.do(t, "POST", "/api/v1/subsidy-claims/"+id+"/approve", tf, map[string]any{"reason": "已电话核实"}); o.Code != 400 ||
		len(o.fields()) != 1 || o.fields()[0] != "version" {
		t.Fatalf("approve without the version read: %d %s", o.Code, o.Raw)
	}
	a := st.do(t, "POST", "/api/v1/subsidy-claims/"+id+"/approve", tf, map[string]any{"version": 1, "reason": "已电话核实"})
	if a.Code != 200 || a.Body["state"] != "approved" || a.Body["version"].(float64) != 2 {
		t.Fatalf("approve: %d %s", a.Code, a.Raw)
	}
	if a := st.do(t, "POST", "/api/v1/subsidy-claims/"+id+"/approve", tf, map[string]any{"version": 2}); a.Code != 409 {
		t.Fatalf("approve twice: %d %s", a.Code, a.Raw)
	}
}

func TestSubsidyBadInput(t *testing.T) {
	admin, _ := st.account(t, model.RoleAdmin)
	pid := st.policy(t, admin, gansuTransport(model.ModeAuto))
	closed := gansuTransport(model.ModeAuto)
	closed["window_from"], closed["window_to"] = ymd(today().AddDate(0, 0, -100)), ymd(today().AddDate(0, 0, -1))
	closedID := st.policy(t, admin, closed)
	foreign := gansuTransport(model.ModeAuto)
	foreign["province_code"] = "44"
	foreignID := st.policy(t, admin, foreign)
	ws := gansuTransport(model.ModeReviewed)
	ws["kind"], ws["by_destination"], ws["amount_fen"] = "workshop", false, 300000
	delete(ws, "amount_in_province_fen")
	delete(ws, "amount_out_province_fen")
	wsID := st.policy(t, admin, ws)
	tok, lab := st.worker(t, villageC)
	trip := today().AddDate(0, 0, -5)
	with := func(k string, v any) map[string]any {
		b := claimBody(pid, shenzhen, trip)
		b[k] = v
		return b
	}
	cases := []struct {
		name  string
		body  any
		code  int
		err   string
		field string
	}{
		{"trip in the future", with("trip_date", ymd(today().AddDate(0, 0, 1))), 400, "validation_failed", "trip_date"},
		{"trip date malformed", with("trip_date", "2026/01/01"), 400, "validation_failed", "trip_date"},
		{"trip before the window", with("trip_date", ymd(today().AddDate(0, 0, -300))), 400, "validation_failed", "trip_date"},
		{"from = to", with("trip_from", shenzhen), 400, "validation_failed", "trip_to"},
		{"unknown destination", with("trip_to", "999999"), 400, "validation_failed", "trip_to"},
		{"a Gansu province code only", with("trip_to", "62"), 400, "validation_failed", "trip_to"},
		{"ticket not an image", with("ticket_photo", base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 not a photo"))), 400, "validation_failed", "ticket_photo"},
		{"ticket not base64", with("ticket_photo", "***"), 400, "validation_failed", "ticket_photo"},
		{"forged policy id", with("policy_id", "123456789"), 404, "not_found", ""},
		{"policy id not a number", with("policy_id", "abc"), 400, "validation_failed", "policy_id"},
		{"another province's policy", with("policy_id", foreignID), 404, "not_found", ""},
		{"workshop policy", with("policy_id", wsID), 400, "validation_failed", "policy_id"},
		{"outside the claim window", with("policy_id", closedID), 409, "outside_window", ""},
		{"amount as a string", with("policy_id", 12), 400, "validation_failed", "policy_id"},
		{"not JSON", "{", 400, "invalid_json", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := st.do(t, "POST", "/api/v1/me/claims", tok, tc.body)
			if r.Code != tc.code || r.errCode() != tc.err {
				t.Fatalf("%d %s, want %d %s", r.Code, r.Raw, tc.code, tc.err)
			}
			if tc.field != "" && (len(r.fields()) == 0 || r.fields()[0] != tc.field) {
				t.Fatalf("fields %v, want %s", r.fields(), tc.field)
			}
			if msg := r.Body["error"].(map[string]any)["message"].(string); msg == "" {
				t.Fatal("no message")
			}
		})
	}
	if n := st.claimRows(t, lab.ID); n != 0 {
		t.Fatalf("bad input left %d claims", n)
	}
	// Bad policies.
	bad := gansuTransport(model.ModePrepaid)
	delete(bad, "settle_by")
	bad["amount_out_province_fen"] = -1
	bad["categories"] = []string{"rich"}
	r := st.do(t, "POST", "/api/v1/admin/subsidy-policies", admin, bad)
	if r.Code != 400 || len(r.fields()) < 3 {
		t.Fatalf("bad policy: %d %s", r.Code, r.Raw)
	}
	// A settlement deadline before the claim window closes: a claim made
	// after it would lapse at once.
	early := gansuTransport(model.ModePrepaid)
	early["settle_by"] = ymd(today().AddDate(0, 0, 10))
	if r := st.do(t, "POST", "/api/v1/admin/subsidy-policies", admin, early); r.Code != 400 ||
		len(r.fields()) != 1 || r.fields()[0] != "settle_by" || !strings.Contains(r.Raw, "before_window_end") {
		t.Fatalf("settle_by before window_to: %d %s", r.Code, r.Raw)
	}
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	if r := st.do(t, "POST", "/api/v1/admin/subsidy-policies", tf, gansuTransport(model.ModeAuto)); r.Code != 403 {
		t.Fatalf("task force creating a policy: %d", r.Code)
	}
}

// SECURITY.md 12: 100 identical claims at once make one row; the 99 others
// answer 409 already_claimed pointing at it.
func TestSubsidyConcurrentDuplicateClaims(t *testing.T) {
	admin, _ := st.account(t, model.RoleAdmin)
	pid := st.policy(t, admin, gansuTransport(model.ModeAuto))
	tok, lab := st.worker(t, villageA)
	trip := today().AddDate(0, 0, -10)
	st.verifiedSpell(t, lab, shenzhen, trip, nil, nil)
	const n = 100
	var wg sync.WaitGroup
	codes := make([]int, n)
	ids := make([]string, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			r := st.do(t, "POST", "/api/v1/me/claims", tok, claimBody(pid, shenzhen, trip))
			codes[i] = r.Code
			switch r.Code {
			case 201:
				ids[i] = r.Body["id"].(string)
			case 409:
				if d, ok := r.Body["error"].(map[string]any)["data"].(map[string]any); ok && r.errCode() == "already_claimed" {
					ids[i] = d["id"].(string)
				}
			}
		}(i)
	}
	close(start)
	wg.Wait()
	created, dup := 0, 0
	for i := range codes {
		switch codes[i] {
		case 201:
			created++
		case 409:
			dup++
		default:
			t.Fatalf("answer %d: %d", i, codes[i])
		}
		if ids[i] == "" || ids[i] != ids[0] {
			t.Fatalf("answer %d points to %q, want %q", i, ids[i], ids[0])
		}
	}
	rows := st.claimRows(t, lab.ID)
	if created != 1 || dup != n-1 || rows != 1 {
		t.Fatalf("created %d, duplicates %d, rows %d", created, dup, rows)
	}
	t.Logf("real=%v: %d concurrent claims → rows=%d created=%d pointing-to-existing=%d", testenv.Real(), n, rows, created, dup)
}

// SECURITY.md 13: approve and reject (and settle and recovery) at the same
// instant — exactly one wins, the other answers 409, no lost update.
func TestSubsidyApproveRejectRace(t *testing.T) {
	admin, _ := st.account(t, model.RoleAdmin)
	tf1, _ := st.account(t, model.RoleTaskforce, testCounty)
	tf2, _ := st.account(t, model.RoleTaskforce, testCounty)
	pid := st.policy(t, admin, gansuTransport(model.ModeReviewed))
	const rounds = 20
	approved, rejected := 0, 0
	for i := 0; i < rounds; i++ {
		tok, _ := st.worker(t, villageA)
		r := st.do(t, "POST", "/api/v1/me/claims", tok, claimBody(pid, shenzhen, today().AddDate(0, 0, -1)))
		if r.Code != 201 || r.Body["state"] != "submitted" {
			t.Fatalf("claim: %d %s", r.Code, r.Raw)
		}
		id := r.Body["id"].(string)
		var wg sync.WaitGroup
		var a, j resp
		start := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			a = st.do(t, "POST", "/api/v1/subsidy-claims/"+id+"/approve", tf1, map[string]any{"version": 1})
		}()
		go func() {
			defer wg.Done()
			<-start
			j = st.do(t, "POST", "/api/v1/subsidy-claims/"+id+"/reject", tf2, map[string]any{"version": 1, "reason": "材料不全"})
		}()
		close(start)
		wg.Wait()
		if (a.Code == 200) == (j.Code == 200) {
			t.Fatalf("round %d: approve %d, reject %d — exactly one must win (%s | %s)", i, a.Code, j.Code, a.Raw, j.Raw)
		}
		loser := a
		if a.Code == 200 {
			approved++
			loser = j
		} else {
			rejected++
		}
		if loser.Code != 409 || loser.errCode() != "claim_changed" {
			t.Fatalf("loser: %d %s", loser.Code, loser.Raw)
		}
		var c model.SubsidyClaim
		st.db.First(&c, mustID(t, id))
		var audits int64
		st.db.Model(&model.AuditLog{}).Where("subject_type = ? AND subject_id = ?", "subsidy_claim", c.ID).Count(&audits)
		if c.Version != 2 || audits != 2 {
			t.Fatalf("round %d: version %d, audit rows %d (want 2, 2)", i, c.Version, audits)
		}
	}
	t.Logf("real=%v: %d races → approve won %d, reject won %d, lost updates 0", testenv.Real(), rounds, approved, rejected)
}

func mustID(t testing.TB, s string) int64 {
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// advances are two workers' 定额预付 claims under one policy, approved at
// once (待预付): worker 1 went out 70 days ago and has worked since (two
// verified months); worker 2 came back after ten days.
type advances struct {
	toks []string
	labs []*model.Labourer
	ids  []string
}

func (s *stack) twoAdvances(t *testing.T, pid string) advances {
	t.Helper()
	trip := today().AddDate(0, 0, -70)
	end := trip.AddDate(0, 0, 10)
	var a advances
	for i, until := range []*time.Time{nil, &end} {
		tok, lab := s.worker(t, villageA)
		s.verifiedSpell(t, lab, shenzhen, trip.AddDate(0, 0, 1), until, nil)
		r := s.do(t, "POST", "/api/v1/me/claims", tok, claimBody(pid, shenzhen, trip))
		if r.Code != 201 || r.Body["amount_fen"].(float64) != 50000 || r.Body["state"] != "advance_due" || r.Body["state_label"] != "待预付" {
			t.Fatalf("claim %d: %d %s", i+1, r.Code, r.Raw)
		}
		a.toks, a.labs, a.ids = append(a.toks, tok), append(a.labs, lab), append(a.ids, r.Body["id"].(string))
	}
	return a
}

func TestSubsidyPrepaidSettleAndRecovery(t *testing.T) {
	admin, _ := st.account(t, model.RoleAdmin)
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	checker, _ := st.account(t, model.RoleTaskforce, testCounty)
	// A policy whose settlement deadline is ahead; it is moved to yesterday
	// once the advances are paid (TestSubsidyUnpaidAdvanceAfterDeadline has
	// advances that reach their deadline unpaid).
	pid := st.policy(t, admin, gansuTransport(model.ModePrepaid))
	w := st.twoAdvances(t, pid)
	tok1, tok2, ids := w.toks[0], w.toks[1], w.ids
	for i, tok := range w.toks {
		if r := st.do(t, "PUT", "/api/v1/me/bank-account", tok, map[string]string{"holder_name": w.labs[i].Name,
			"number": fmt.Sprintf("62284800%011d", w.labs[i].ID%1e11), "bank_name": "中国农业银行东乡县支行"}); r.Code != 200 {
			t.Fatalf("bank account %d: %d %s", i+1, r.Code, r.Raw)
		}
	}
	// Unpaid advances before their deadline are neither settled on read nor
	// put on the 追回 list.
	if m := st.do(t, "GET", "/api/v1/me/claims", tok1, nil); m.Body["items"].([]any)[0].(map[string]any)["state"] != "advance_due" {
		t.Fatalf("unpaid advance after reading: %s", m.Raw)
	}
	if sc := st.do(t, "POST", "/api/v1/subsidy-claims/settlement-check", tf, nil); sc.Code != 200 || sc.Body["recovery"].(float64) != 0 {
		t.Fatalf("settlement check before payment: %d %s", sc.Code, sc.Raw)
	}
	for _, id := range ids {
		if s := st.do(t, "GET", "/api/v1/subsidy-claims/"+id, tf, nil); s.Body["state"] != "advance_due" {
			t.Fatalf("unpaid advance after the check: %s", s.Raw)
		}
	}
	// Paid through a maker–checker batch, 用途 定额预付.
	r := st.do(t, "POST", "/api/v1/batches", tf, map[string]any{"county_code": testCounty, "claim_ids": ids})
	if r.Code != 201 || r.Body["lines"] != float64(2) {
		t.Fatalf("batch: %d %s", r.Code, r.Raw)
	}
	bid := r.Body["id"].(string)
	if r := st.do(t, "POST", "/api/v1/batches/"+bid+"/prepare", tf, nil); r.Code != 200 {
		t.Fatalf("prepare: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/batches/"+bid+"/approve", checker, map[string]any{}); r.Code != 200 {
		t.Fatalf("approve: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/batches/"+bid+"/export", tf, map[string]string{"format": "csv", "purpose": "报送农业银行代发"}); r.Code != 200 || strings.Count(r.Raw, "定额预付") != 2 {
		t.Fatalf("export: %d %s", r.Code, r.Raw)
	}
	for _, l := range st.do(t, "GET", "/api/v1/batches/"+bid+"/lines", tf, nil).Body["items"].([]any) {
		if m := st.do(t, "POST", "/api/v1/batches/"+bid+"/lines/"+l.(map[string]any)["id"].(string)+"/mark", tf, map[string]string{"result": "paid"}); m.Code != 200 {
			t.Fatalf("mark: %d %s", m.Code, m.Raw)
		}
	}
	if s := st.do(t, "GET", "/api/v1/subsidy-claims/"+ids[1], tf, nil); s.Body["state"] != "prepaid" {
		t.Fatalf("paid advance: %s", s.Raw)
	}
	// The settlement deadline passes.
	if err := st.db.Model(&model.SubsidyClaim{}).Where("id IN ?", []int64{mustID(t, ids[0]), mustID(t, ids[1])}).
		Update("settle_by", today().AddDate(0, 0, -1)).Error; err != nil {
		t.Fatal(err)
	}
	// Worker 1's months are verified: settled on read.
	m := st.do(t, "GET", "/api/v1/me/claims", tok1, nil)
	if s := m.Body["items"].([]any)[0].(map[string]any)["state"]; s != "settled" {
		t.Fatalf("claim 1 after reading: %v", s)
	}
	// Worker 2's advance goes on the recovery list.
	id := ids[1]
	sc := st.do(t, "POST", "/api/v1/subsidy-claims/settlement-check", tf, nil)
	if sc.Code != 200 || sc.Body["recovery"].(float64) < 1 {
		t.Fatalf("settlement check: %d %s", sc.Code, sc.Raw)
	}
	l := st.do(t, "GET", "/api/v1/subsidy-claims?state=recovery&policy_id="+pid, tf, nil)
	if l.Code != 200 || l.Body["total"].(float64) != 1 || l.Body["items"].([]any)[0].(map[string]any)["id"] != id {
		t.Fatalf("recovery list: %d %s", l.Code, l.Raw)
	}
	v := int(l.Body["items"].([]any)[0].(map[string]any)["version"].(float64))
	if s := st.do(t, "POST", "/api/v1/subsidy-claims/"+id+"/settle", tf, map[string]any{"version": v}); s.Code != 409 || s.errCode() != "months_not_reached" {
		t.Fatalf("settle without the months: %d %s", s.Code, s.Raw)
	}
	if s := st.do(t, "POST", "/api/v1/subsidy-claims/"+id+"/recovered", tf, map[string]any{"version": v, "reason": "已退回5月补助"}); s.Code != 200 || s.Body["state"] != "recovered" {
		t.Fatalf("recovered: %d %s", s.Code, s.Raw)
	}
	_ = tok2
}

// TestSubsidyUnpaidAdvanceAfterDeadline: advances never paid when their
// settlement deadline passes. The worker whose months were verified is
// approved to be paid after the fact (事后补助: 公示 and a batch like any
// reviewed claim) — here on reading their own list; the one who came back
// lapses (已失效) when the task force runs the check: nothing was paid, so
// nothing is recovered, and it can be neither settled nor paid.
func TestSubsidyUnpaidAdvanceAfterDeadline(t *testing.T) {
	admin, _ := st.account(t, model.RoleAdmin)
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	pid := st.policy(t, admin, gansuTransport(model.ModePrepaid))
	w := st.twoAdvances(t, pid)
	tok1, ids := w.toks[0], w.ids
	// The settlement deadline passes with neither advance paid.
	if err := st.db.Model(&model.SubsidyClaim{}).Where("id IN ?", []int64{mustID(t, ids[0]), mustID(t, ids[1])}).
		Update("settle_by", today().AddDate(0, 0, -1)).Error; err != nil {
		t.Fatal(err)
	}

	// Worker 1 reads their list: the months are verified, the advance was never paid.
	m := st.do(t, "GET", "/api/v1/me/claims", tok1, nil)
	c1 := m.Body["items"].([]any)[0].(map[string]any)
	if m.Code != 200 || c1["id"] != ids[0] || c1["state"] != "approved" || c1["state_label"] != "已通过" || c1["mode"] != model.ModeReviewed ||
		c1["reason"] != subsidy.ReasonAfterTheFact || len(c1["failed_conditions"].([]any)) != 0 {
		t.Fatalf("worker 1 after reading: %d %s", m.Code, m.Raw)
	}

	sc := st.do(t, "POST", "/api/v1/subsidy-claims/settlement-check", tf, nil)
	if sc.Code != 200 || sc.Body["lapsed"].(float64) < 1 || sc.Body["after_the_fact"] == nil {
		t.Fatalf("settlement check: %d %s", sc.Code, sc.Raw)
	}
	c2 := st.do(t, "GET", "/api/v1/subsidy-claims/"+ids[1], tf, nil)
	if c2.Body["state"] != "lapsed" || c2.Body["state_label"] != "已失效" || c2.Body["reason"] != subsidy.ReasonLapsed || c2.Body["mode"] != model.ModePrepaid {
		t.Fatalf("worker 2 after the check: %s", c2.Raw)
	}
	v := c2.Body["version"].(float64)
	if l := st.do(t, "GET", "/api/v1/subsidy-claims?state=lapsed&policy_id="+pid, tf, nil); l.Code != 200 || l.Body["total"] != float64(1) ||
		l.Body["items"].([]any)[0].(map[string]any)["id"] != ids[1] {
		t.Fatalf("lapsed list: %d %s", l.Code, l.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/subsidy-claims/"+ids[1]+"/settle", tf, map[string]any{"version": v}); r.Code != 409 || r.errCode() != "not_prepaid" {
		t.Fatalf("settle a lapsed claim: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/subsidy-claims/"+ids[1]+"/recovered", tf, map[string]any{"version": v, "reason": "无"}); r.Code != 409 || r.errCode() != "not_in_recovery" {
		t.Fatalf("recover a lapsed claim: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/batches", tf, map[string]any{"county_code": testCounty, "claim_ids": []string{ids[1]}}); r.Code != 409 || r.errCode() != "claim_not_payable" {
		t.Fatalf("pay a lapsed claim: %d %s", r.Code, r.Raw)
	}
	// Running it again changes neither claim.
	if r := st.do(t, "POST", "/api/v1/subsidy-claims/settlement-check", tf, nil); r.Code != 200 {
		t.Fatalf("second check: %d %s", r.Code, r.Raw)
	}
	for i, want := range []struct {
		state   string
		version float64
	}{{"approved", c1["version"].(float64)}, {"lapsed", v}} {
		if r := st.do(t, "GET", "/api/v1/subsidy-claims/"+ids[i], tf, nil); r.Body["state"] != want.state || r.Body["version"] != want.version {
			t.Fatalf("claim %d after the second check: %s", i+1, r.Raw)
		}
	}
	// Worker 1's claim goes on 公示 like any approved claim.
	if r := st.do(t, "POST", "/api/v1/notices", tf, map[string]any{"county_code": testCounty, "claim_ids": []string{ids[0]}}); r.Code != 201 {
		t.Fatalf("publish the approved claim: %d %s", r.Code, r.Raw)
	}
}

// employerAccount makes an employer-member account and returns its token.
func (s *stack) employerAccount(t testing.TB, emp int64) string {
	t.Helper()
	u := fmt.Sprintf("e%d_%d", time.Now().UnixNano()%1e9, seq.Add(1))
	ctx := actor.With(context.Background(), &actor.Actor{Role: "system"})
	if _, err := s.auth.CreateAccount(ctx, s.regions, auth.NewAccount{Username: u, Password: "correct-horse-battery", Role: model.RoleEmployer,
		DisplayName: u, EmployerID: &emp}); err != nil {
		t.Fatal(err)
	}
	r := s.do(t, "POST", "/api/v1/auth/password/login", "", map[string]string{"username": u, "password": "correct-horse-battery"})
	if r.Code != 200 {
		t.Fatalf("login: %d %s", r.Code, r.Raw)
	}
	return r.Body["access_token"].(string)
}

func TestSubsidyWorkshopList(t *testing.T) {
	admin, _ := st.account(t, model.RoleAdmin)
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	year := derive.WorkYearOf(today()) - 1 // the last finished work year (1 Oct – 30 Sep)
	p := map[string]any{"province_code": "62", "year": year, "kind": "workshop", "name": "帮扶车间吸纳脱贫劳动力就业奖补",
		"mode": "reviewed", "amount_fen": 300000, "categories": []string{"lifted"}, "months_required": 6, "native_only": true,
		"window_from": ymd(today().AddDate(0, 0, -10)), "window_to": ymd(today().AddDate(0, 0, 60))}
	pid := st.policy(t, admin, p)
	emp := model.Employer{ID: model.NewID(), CreditCode: fmt.Sprintf("91%016d", time.Now().UnixNano()%1e16), Name: fmt.Sprintf("东乡帮扶车间%d", seq.Add(1)),
		Kind: model.EmployerWorkshop, RegionCode: villageA, CountyCode: testCounty, Status: model.EmployerVerified, Version: 1}
	if err := st.db.Create(&emp).Error; err != nil {
		t.Fatal(err)
	}
	ws := time.Date(year-1, 10, 1, 0, 0, 0, 0, time.UTC)
	atWorkshop := func(sp *model.EmploymentSpell) { sp.EmployerName, sp.Form, sp.MonthlyWage = emp.Name, "workshop", 2500 }
	_, good := st.worker(t, villageA)
	e1 := ws.AddDate(0, 7, -1)
	st.verifiedSpell(t, good, villageA, ws, &e1, atWorkshop)
	_, short := st.worker(t, villageA)
	e2 := ws.AddDate(0, 3, -1)
	st.verifiedSpell(t, short, villageA, ws, &e2, atWorkshop)
	_, outsider := st.worker(t, villageA)
	st.verifiedSpell(t, outsider, villageA, ws, &e1, atWorkshop)
	st.db.Model(&model.Labourer{}).Where("id = ?", outsider.ID).Update("category", "monitored")

	g := st.do(t, "POST", "/api/v1/subsidy-policies/"+pid+"/generate", tf, map[string]any{"employer_id": idString(emp.ID)})
	if g.Code != 200 || g.Body["created"].(float64) != 1 || g.Body["not_eligible"].(float64) != 2 {
		t.Fatalf("generate: %d %s", g.Code, g.Raw)
	}
	again := st.do(t, "POST", "/api/v1/subsidy-policies/"+pid+"/generate", tf, map[string]any{"employer_id": idString(emp.ID)})
	if again.Body["created"].(float64) != 0 || again.Body["existing"].(float64) != 1 {
		t.Fatalf("generate again: %s", again.Raw)
	}
	etok := st.employerAccount(t, emp.ID)
	l := st.do(t, "GET", "/api/v1/me/employer/subsidy-claims", etok, nil)
	if l.Code != 200 || l.Body["total"].(float64) != 1 {
		t.Fatalf("employer's list: %d %s", l.Code, l.Raw)
	}
	c := l.Body["items"].([]any)[0].(map[string]any)
	if c["labourer_id"] != idString(good.ID) || c["amount_fen"].(float64) != 300000 || c["state"] != "submitted" {
		t.Fatalf("workshop claim: %v", c)
	}
	other := st.employerAccount(t, model.NewID())
	if l := st.do(t, "GET", "/api/v1/me/employer/subsidy-claims", other, nil); l.Body["total"].(float64) != 0 {
		t.Fatalf("another employer sees %v", l.Body["total"])
	}
	if g := st.do(t, "GET", "/api/v1/subsidy-claims/"+c["id"].(string), etok, nil); g.Code != 403 {
		t.Fatalf("employer on the back-office route: %d", g.Code)
	}
	if a := st.do(t, "POST", "/api/v1/subsidy-claims/"+c["id"].(string)+"/approve", etok, map[string]any{"version": 1}); a.Code != 403 {
		t.Fatalf("employer approving: %d", a.Code)
	}
	if a := st.do(t, "POST", "/api/v1/subsidy-claims/"+c["id"].(string)+"/approve", tf, map[string]any{"version": 1}); a.Code != 200 || a.Body["state"] != "approved" {
		t.Fatalf("approve: %d %s", a.Code, a.Raw)
	}
}

// Job-seeking (seed 001 四): organised out-of-county work — a hire through a
// job with 点对点 transport — gets the one-time subsidy; plain work does not.
func TestSubsidyJobSeekingList(t *testing.T) {
	admin, _ := st.account(t, model.RoleAdmin)
	tf, _ := st.account(t, model.RoleTaskforce, testCounty)
	year := derive.WorkYearOf(today()) // the current work year
	p := map[string]any{"province_code": "62", "year": year, "kind": "job_seeking", "name": "一次性求职创业补贴",
		"mode": "auto", "amount_fen": 100000, "categories": []string{"lifted"}, "out_of_county": true, "organised": true,
		"window_from": ymd(today().AddDate(0, 0, -30)), "window_to": ymd(today().AddDate(0, 0, 60))}
	pid := st.policy(t, admin, p)
	emp := model.Employer{ID: model.NewID(), CreditCode: fmt.Sprintf("92%016d", time.Now().UnixNano()%1e16), Name: "深圳某电子厂",
		Kind: model.EmployerEnterprise, RegionCode: shenzhen, CountyCode: shenzhen, Status: model.EmployerVerified, Version: 1}
	st.db.Create(&emp)
	job := model.Job{ID: model.NewID(), EmployerID: emp.ID, CountyCode: shenzhen, Title: "普工", Industry: "general_worker", Headcount: 10,
		WageMin: 4000, WageMax: 6000, PlaceCode: shenzhen, MinAge: 18, MaxAge: 55, Transport: true, ValidUntil: today().AddDate(0, 1, 0), Status: model.JobOpen}
	if err := st.db.Create(&job).Error; err != nil {
		t.Fatal(err)
	}
	start := today().AddDate(0, 0, -20)
	_, organised := st.worker(t, villageC)
	st.verifiedSpell(t, organised, shenzhen, start, nil, func(sp *model.EmploymentSpell) { sp.JobID = &job.ID; sp.Source = model.SourceHire })
	_, plain := st.worker(t, villageC)
	st.verifiedSpell(t, plain, lanzhou, start, nil, nil)
	g := st.do(t, "POST", "/api/v1/subsidy-policies/"+pid+"/generate", tf, nil)
	if g.Code != 200 {
		t.Fatalf("generate: %d %s", g.Code, g.Raw)
	}
	byLab := map[string]map[string]any{}
	for _, c := range g.Body["candidates"].([]any) {
		byLab[c.(map[string]any)["labourer_id"].(string)] = c.(map[string]any)
	}
	if byLab[idString(organised.ID)]["outcome"] != "created" || byLab[idString(plain.ID)]["outcome"] != "not_eligible" {
		t.Fatalf("candidates: %s", g.Raw)
	}
	f := byLab[idString(plain.ID)]["failed"].([]any)
	if len(f) != 1 || f[0].(map[string]any)["code"] != subsidy.CondOrganised {
		t.Fatalf("plain work should fail only organised: %v", f)
	}
	var c model.SubsidyClaim
	if err := st.db.Where("labourer_id = ? AND policy_id = ?", organised.ID, mustID(t, pid)).First(&c).Error; err != nil || c.State != model.ClaimSubmitted || c.AmountFen != 100000 {
		t.Fatalf("claim: %+v %v", c, err)
	}
}

func TestOpenAPISubsidySchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"SubsidyPolicy":      reflect.TypeFor[policyView](),
		"SubsidyPolicyList":  reflect.TypeFor[policyList](),
		"SubsidyClaim":       reflect.TypeFor[claimView](),
		"SubsidyClaimList":   reflect.TypeFor[claimList](),
		"SubsidyClaimPage":   reflect.TypeFor[claimPage](),
		"SubsidyCondition":   reflect.TypeFor[subsidy.Condition](),
		"SubsidyGenerated":   reflect.TypeFor[subsidy.Generated](),
		"SubsidyCandidate":   reflect.TypeFor[subsidy.Candidate](),
		"SettlementResult":   reflect.TypeFor[subsidy.SweepResult](),
		"SubsidyPolicyInput": reflect.TypeFor[subsidy.PolicyInput](),
		"SubsidyClaimCreate": reflect.TypeFor[claimRequest](),
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), types[name])
	}
}
