package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/registry"
)

// --- helpers shared by the security tests (authz, tokens, bad input, pii, rate limits) ---

// call sends one request to an engine with extra headers (a "Remote-Addr"
// entry sets the peer address) and returns the decoded answer and its headers.
// A nil engine means the shared stack's.
func call(t testing.TB, eng *gin.Engine, method, path string, body any, hdr map[string]string) (resp, http.Header) {
	t.Helper()
	if eng == nil {
		eng = st.engine
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader: // sent without a Content-Length, like a chunked upload
		rd = b
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		if k == "Remote-Addr" {
			req.RemoteAddr = v
			continue
		}
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	eng.ServeHTTP(w, req)
	out := resp{Code: w.Code, Raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &out.Body)
	return out, w.Header()
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// hasCJK reports whether s holds at least one Chinese character.
func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// errorShapeProblems lists what is wrong with an error answer's shape: a
// stable code, a Chinese message, and for each field a code and a Chinese message.
func errorShapeProblems(r resp) []string {
	var out []string
	e, ok := r.Body["error"].(map[string]any)
	if !ok {
		return []string{"no error object: " + r.Raw}
	}
	if c, _ := e["code"].(string); c == "" {
		out = append(out, "empty error code")
	}
	if m, _ := e["message"].(string); !hasCJK(m) {
		out = append(out, fmt.Sprintf("message not Chinese: %q", m))
	}
	if fs, ok := e["fields"].([]any); ok {
		for _, f := range fs {
			fm, _ := f.(map[string]any)
			if c, _ := fm["code"].(string); c == "" {
				out = append(out, fmt.Sprintf("field %v without code", fm["field"]))
			}
			if m, _ := fm["message"].(string); !hasCJK(m) {
				out = append(out, fmt.Sprintf("field %v message not Chinese: %q", fm["field"], m))
			}
		}
	}
	return out
}

// fieldCodes lists "field:code" pairs of a validation error.
func (r resp) fieldCodes() []string {
	var out []string
	if e, ok := r.Body["error"].(map[string]any); ok {
		if fs, ok := e["fields"].([]any); ok {
			for _, f := range fs {
				fm, _ := f.(map[string]any)
				out = append(out, fmt.Sprintf("%v:%v", fm["field"], fm["code"]))
			}
		}
	}
	return out
}

var sysCtx = actor.With(context.Background(), &actor.Actor{Role: "system"})

// knownPhone makes a fresh valid mobile number.
func knownPhone() string { return fmt.Sprintf("13%d%08d", 5+rand.IntN(5), rand.IntN(1e8)) }

// knownID makes a fresh valid 身份证 number of someone born in the 1990s,
// distinct from every other one this process makes.
func knownID() string {
	n := int(seq.Add(1))
	birth := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n%3000)
	return idFor(testCounty, birth.Format("20060102"), n/3000)
}

// newLab creates a labourer with a chosen name through the registry.
func newLab(t testing.TB, village, name string) (*model.Labourer, string, string) {
	t.Helper()
	idn, phone := knownID(), knownPhone()
	lab, err := st.registry.CreateLabourer(sysCtx, registry.LabourerInput{Name: name, IDNumber: idn, Phone: phone,
		VillageCode: village, Ethnicity: "东乡族", Address: "测试地址", LabourCapacity: "ordinary", SkillLevel: "none",
		Education: "junior_high", Category: "lifted", State: "normal"})
	if err != nil {
		t.Fatalf("labourer %s: %v", name, err)
	}
	return lab, idn, phone
}

// wxLogin logs a new WeChat user in and returns the access token and account id.
func wxLogin(t testing.TB) (string, string) {
	t.Helper()
	r := st.do(t, "POST", "/api/v1/auth/wechat/login", "", map[string]string{"code": fmt.Sprintf("ok-sec%d", seq.Add(1))})
	if r.Code != 200 {
		t.Fatalf("wechat login: %d %s", r.Code, r.Raw)
	}
	return r.Body["access_token"].(string), r.Body["me"].(map[string]any)["id"].(string)
}

// bindTo logs a new WeChat user in and binds them to an existing labourer.
func bindTo(t testing.TB, lab *model.Labourer, idn, phone string) string {
	t.Helper()
	tok, _ := wxLogin(t)
	b := st.do(t, "POST", "/api/v1/me/bind", tok, map[string]string{"name": lab.Name, "id_number": idn, "phone": phone})
	if b.Code != 200 || b.Body["status"] != "bound" {
		t.Fatalf("bind: %d %s", b.Code, b.Raw)
	}
	return tok
}

// totpAccount creates a back-office account with a second factor and logs it
// in with password and TOTP code.
func totpAccount(t testing.TB, role model.Role, scopes ...string) (string, *model.Account) {
	t.Helper()
	_, acc := st.account(t, role, scopes...)
	u, err := st.auth.EnrolTOTP(sysCtx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	key, err := otp.NewKeyFromURL(u)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(key.Secret(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := st.do(t, "POST", "/api/v1/auth/password/login", "", map[string]string{"username": *acc.Username,
		"password": "correct-horse-battery", "totp_code": code})
	if r.Code != 200 {
		t.Fatalf("totp login: %d %s", r.Code, r.Raw)
	}
	return r.Body["access_token"].(string), acc
}

// row reads one row of a table as column → printed value.
func row(t testing.TB, table string, id int64) map[string]string {
	t.Helper()
	m := map[string]any{}
	if err := st.db.Table(table).Where("id = ?", id).Take(&m).Error; err != nil {
		t.Fatalf("read %s %d: %v", table, id, err)
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case []byte:
			out[k] = string(x)
		case time.Time:
			out[k] = x.UTC().Format(time.RFC3339Nano)
		case *time.Time:
			if x == nil {
				out[k] = "<nil>"
			} else {
				out[k] = x.UTC().Format(time.RFC3339Nano)
			}
		default:
			out[k] = fmt.Sprint(v)
		}
	}
	return out
}

// changedColumns lists the columns that differ, except the allowed ones.
func changedColumns(before, after map[string]string, allowed ...string) []string {
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	var out []string
	for k, v := range before {
		if !ok[k] && after[k] != v {
			out = append(out, fmt.Sprintf("%s: %q → %q", k, v, after[k]))
		}
	}
	for k := range after {
		if _, seen := before[k]; !seen && !ok[k] {
			out = append(out, k+": new column")
		}
	}
	sort.Strings(out)
	return out
}

// --- SECURITY.md 6: object level ---

type mxActor struct {
	name   string
	role   model.Role
	scopes []string
	totp   bool
	tok    string
}

// visible reports whether the actor's scope covers a village (SECURITY.md 6).
func (a *mxActor) visible(village string) bool {
	switch a.role {
	case model.RoleAdmin:
		return true
	case model.RoleCadre, model.RoleTaskforce, model.RoleOfficial:
		for _, s := range a.scopes {
			if strings.HasPrefix(village, s) {
				return true
			}
		}
	}
	return false
}

// covers reports whether a list may be filtered by region r.
func (a *mxActor) covers(r string) bool {
	if a.role == model.RoleAdmin {
		return true
	}
	for _, s := range a.scopes {
		if strings.HasPrefix(r, s) || strings.HasPrefix(s, r) {
			return true
		}
	}
	return false
}

var (
	readRoles  = []model.Role{model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin}
	writeRoles = []model.Role{model.RoleCadre, model.RoleTaskforce, model.RoleAdmin}
	piiRoles   = []model.Role{model.RoleTaskforce, model.RoleAdmin}
)

func roleIn(r model.Role, rs []model.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// expectation: "allow", "403" (refused by role), "404" (out of scope, existence hidden)
// or "400" (a create in a village out of scope).
func (a *mxActor) expect(op, village string) string {
	roles := readRoles
	switch op {
	case "patch", "approve", "create":
		roles = writeRoles
	case "pii":
		roles = piiRoles
	}
	if !roleIn(a.role, roles) || (op == "pii" && !a.totp) {
		return "403"
	}
	if !a.visible(village) {
		if op == "create" {
			return "400"
		}
		return "404"
	}
	return "allow"
}

type mxObject struct {
	village string
	lab     *model.Labourer
	idn     string
	phone   string
}

func TestAuthorizationMatrix(t *testing.T) {
	prefix := fmt.Sprintf("矩阵%d号", seq.Add(1))
	objs := []*mxObject{{village: villageA}, {village: villageB}, {village: villageC}, {village: otherCounty}}
	for i, o := range objs {
		o.lab, o.idn, o.phone = newLab(t, o.village, prefix+string(rune('甲'+i)))
	}
	// Workers: one bound to the villageA labourer (self), one elsewhere (other).
	selfTok := bindTo(t, objs[0].lab, objs[0].idn, objs[0].phone)
	otherTok, otherLab := st.worker(t, villageB)

	actors := []*mxActor{
		{name: "worker(self)", role: model.RoleWorker, tok: selfTok},
		{name: "worker(other)", role: model.RoleWorker, tok: otherTok},
		{name: "cadre(villageA)", role: model.RoleCadre, scopes: []string{villageA}},
		{name: "cadre(villageC)", role: model.RoleCadre, scopes: []string{villageC}},
		{name: "taskforce(622926)", role: model.RoleTaskforce, scopes: []string{testCounty}, totp: true},
		{name: "taskforce(622926, no 2FA)", role: model.RoleTaskforce, scopes: []string{testCounty}},
		{name: "taskforce(622925)", role: model.RoleTaskforce, scopes: []string{"622925"}, totp: true},
		{name: "official(6229)", role: model.RoleOfficial, scopes: []string{"6229"}},
		{name: "official(6201)", role: model.RoleOfficial, scopes: []string{"6201"}},
		{name: "admin", role: model.RoleAdmin, totp: true},
		{name: "employer", role: model.RoleEmployer},
	}
	for _, a := range actors {
		switch {
		case a.tok != "":
		case a.totp:
			a.tok, _ = totpAccount(t, a.role, a.scopes...)
		default:
			a.tok, _ = st.account(t, a.role, a.scopes...)
		}
	}

	cases, leaks, refusedWrongly, wrongCode := 0, 0, 0, 0
	fail := func(kind, format string, args ...any) {
		t.Helper()
		switch kind {
		case "leak":
			leaks++
		case "refused":
			refusedWrongly++
		default:
			wrongCode++
		}
		t.Errorf(kind+": "+format, args...)
	}
	// judge compares an answer with the expectation.
	judge := func(a *mxActor, op string, o *mxObject, r resp, okCode int) bool {
		t.Helper()
		cases++
		exp := a.expect(op, o.village)
		switch {
		case exp == "allow" && r.Code != okCode:
			fail("refused", "%s %s %s: want %d, got %d %s", a.name, op, o.village, okCode, r.Code, r.Raw)
		case exp != "allow" && r.Code < 400:
			fail("leak", "%s %s %s: want %s, got %d %s", a.name, op, o.village, exp, r.Code, r.Raw)
		case exp != "allow" && fmt.Sprint(r.Code) != exp:
			fail("code", "%s %s %s: want %s, got %d %s", a.name, op, o.village, exp, r.Code, r.Raw)
		case exp != "allow" && (strings.Contains(r.Raw, o.lab.Name) || strings.Contains(r.Raw, o.lab.IDMasked)):
			fail("leak", "%s %s %s: refusal names the labourer: %s", a.name, op, o.village, r.Raw)
		}
		return exp == "allow"
	}

	for _, a := range actors {
		for _, o := range objs {
			id := idString(o.lab.ID)
			if r := st.do(t, "GET", "/api/v1/labourers/"+id, a.tok, nil); judge(a, "get", o, r, 200) && r.Body["name"] != o.lab.Name {
				fail("code", "%s get %s: wrong body %s", a.name, o.village, r.Raw)
			}
			if r := st.do(t, "GET", "/api/v1/labourers/"+id+"/status", a.tok, nil); judge(a, "status", o, r, 200) {
				if l, _ := r.Body["labourer"].(map[string]any); l["id"] != id {
					fail("code", "%s status %s: wrong card %s", a.name, o.village, r.Raw)
				}
			}
			if r := st.do(t, "GET", "/api/v1/households/"+idString(o.lab.HouseholdID), a.tok, nil); judge(a, "household", o, r, 200) &&
				r.Body["village_code"] != o.village {
				fail("code", "%s household %s: wrong body %s", a.name, o.village, r.Raw)
			}

			before := row(t, "labourers", o.lab.ID)
			addr := fmt.Sprintf("改地址%d", seq.Add(1))
			r := st.do(t, "PATCH", "/api/v1/labourers/"+id, a.tok, map[string]any{"address": addr})
			after := row(t, "labourers", o.lab.ID)
			if judge(a, "patch", o, r, 200) {
				if after["address"] != addr {
					fail("code", "%s patch %s: not saved", a.name, o.village)
				}
			} else if ch := changedColumns(before, after); len(ch) > 0 {
				fail("leak", "%s patch %s refused but changed %v", a.name, o.village, ch)
			}

			st.db.Model(&model.Labourer{}).Where("id = ?", o.lab.ID).Update("record_status", model.RecordPending)
			r = st.do(t, "POST", "/api/v1/labourers/"+id+"/approve", a.tok, nil)
			status := row(t, "labourers", o.lab.ID)["record_status"]
			if judge(a, "approve", o, r, 200) {
				if status != model.RecordActive {
					fail("code", "%s approve %s: still %s", a.name, o.village, status)
				}
			} else if status != model.RecordPending {
				fail("leak", "%s approve %s refused but the record is %s", a.name, o.village, status)
			}
			st.db.Model(&model.Labourer{}).Where("id = ?", o.lab.ID).Update("record_status", model.RecordActive)

			r = st.do(t, "GET", "/api/v1/labourers/"+id+"/pii?purpose="+url.QueryEscape("核对身份信息"), a.tok, nil)
			if judge(a, "pii", o, r, 200) {
				if r.Body["id_number"] != o.idn || r.Body["phone"] != o.phone {
					fail("code", "%s pii %s: wrong numbers", a.name, o.village)
				}
			} else if strings.Contains(r.Raw, o.idn) || strings.Contains(r.Raw, o.phone) {
				fail("leak", "%s pii %s refused but the body has the numbers", a.name, o.village)
			}

			newID := knownID()
			r = st.do(t, "POST", "/api/v1/labourers", a.tok, map[string]any{"name": "新建" + prefix, "id_number": newID,
				"phone": knownPhone(), "village_code": o.village, "ethnicity": "汉族", "address": "新建地址",
				"labour_capacity": "ordinary", "skill_level": "none", "education": "primary", "category": "lifted"})
			var n int64
			st.db.Model(&model.Labourer{}).Where("id_number_hash = ?", st.box.Index("id", newID)).Count(&n)
			if judge(a, "create", o, r, 201) {
				if n != 1 {
					fail("code", "%s create in %s: %d rows", a.name, o.village, n)
				}
			} else {
				if n != 0 {
					fail("leak", "%s create in %s refused but a row exists", a.name, o.village)
				}
				if a.expect("create", o.village) == "400" && !contains(r.fieldCodes(), "village_code:out_of_scope") {
					fail("code", "%s create in %s: want out_of_scope, got %s", a.name, o.village, r.Raw)
				}
			}
		}

		// Lists: the whole scope, then filtered by each region.
		for _, region := range []string{"", villageA, villageB, villageC, otherCounty, villageA[:9], testCounty, "622925", "6229", "6201", "62"} {
			cases++
			path := "/api/v1/labourers?page_size=100&q=" + url.QueryEscape(prefix)
			if region != "" {
				path += "&region=" + region
			}
			r := st.do(t, "GET", path, a.tok, nil)
			if !roleIn(a.role, readRoles) || (region != "" && !a.covers(region)) {
				switch {
				case r.Code < 400:
					fail("leak", "%s list region=%q: want 403, got %d %s", a.name, region, r.Code, r.Raw)
				case r.Code != 403:
					fail("code", "%s list region=%q: want 403, got %d", a.name, region, r.Code)
				}
				continue
			}
			if r.Code != 200 {
				fail("refused", "%s list region=%q: %d %s", a.name, region, r.Code, r.Raw)
				continue
			}
			want := map[string]bool{}
			for _, o := range objs {
				if a.visible(o.village) && strings.HasPrefix(o.village, region) {
					want[idString(o.lab.ID)] = true
				}
			}
			got := map[string]bool{}
			items, _ := r.Body["items"].([]any)
			for _, it := range items {
				got[it.(map[string]any)["id"].(string)] = true
			}
			for id := range got {
				if !want[id] {
					fail("leak", "%s list region=%q shows %s", a.name, region, id)
				}
			}
			for id := range want {
				if !got[id] {
					fail("refused", "%s list region=%q misses %s", a.name, region, id)
				}
			}
		}
	}

	// A worker's own card is theirs alone.
	cases += 2
	if r := st.do(t, "GET", "/api/v1/me/status", selfTok, nil); r.Code != 200 || r.Body["labourer"].(map[string]any)["id"] != idString(objs[0].lab.ID) {
		fail("refused", "worker(self) /me/status: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/me/status", otherTok, nil); r.Code != 200 || r.Body["labourer"].(map[string]any)["id"] != idString(otherLab.ID) {
		fail("leak", "worker(other) /me/status: %d %s", r.Code, r.Raw)
	}

	// A household in another village is "unknown" to a cadre, exactly like a missing one.
	cases++
	cadreA := actors[2]
	body := func(hh string) map[string]any {
		return map[string]any{"household_id": hh, "name": "户探测", "id_number": knownID(), "phone": knownPhone(),
			"village_code": villageA, "ethnicity": "汉族", "address": "地址", "labour_capacity": "ordinary",
			"skill_level": "none", "education": "primary", "category": "lifted"}
	}
	foreign := st.do(t, "POST", "/api/v1/labourers", cadreA.tok, body(idString(objs[2].lab.HouseholdID)))
	missing := st.do(t, "POST", "/api/v1/labourers", cadreA.tok, body("12345"))
	if foreign.Code != missing.Code || strings.Join(foreign.fieldCodes(), ",") != strings.Join(missing.fieldCodes(), ",") {
		fail("leak", "household oracle: out-of-scope household answers %d %v, a missing one %d %v",
			foreign.Code, foreign.fieldCodes(), missing.Code, missing.fieldCodes())
	}

	t.Logf("object level (SECURITY.md 6): %d actors × %d objects; cases tried = %d, leaks = %d, wrongly refused = %d, wrong refusal codes = %d",
		len(actors), len(objs), cases, leaks, refusedWrongly, wrongCode)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// workerPaths are the routes a worker may call: their own data, login, the
// option lists and the region picker, and the health endpoints.
func workerPath(p string) bool {
	switch {
	case p == "/api/v1/me", strings.HasPrefix(p, "/api/v1/me/"), strings.HasPrefix(p, "/api/v1/auth/"),
		p == "/api/v1/options", p == "/api/v1/regions", strings.HasPrefix(p, "/api/v1/regions/"),
		p == "/healthz", p == "/readyz", p == "/metrics":
		return true
	}
	return false
}

// TestFunctionLevel: a worker or employer token on every back-office route (SECURITY.md 7).
func TestFunctionLevel(t *testing.T) {
	wTok, lab := st.worker(t, villageA)
	eTok, _ := st.account(t, model.RoleEmployer)
	_, victim := st.account(t, model.RoleCadre, villageA)
	bodies := map[string]any{
		"/api/v1/labourers": map[string]any{"name": "越权", "id_number": knownID(), "phone": knownPhone(), "village_code": villageA,
			"ethnicity": "汉族", "address": "地址", "labour_capacity": "ordinary", "skill_level": "none", "education": "primary", "category": "lifted"},
		"/api/v1/labourers/:id":             map[string]any{"address": "越权修改"},
		"/api/v1/admin/accounts":            map[string]any{"username": fmt.Sprintf("evil%d", seq.Add(1)), "password": "correct-horse-battery", "role": "admin", "display_name": "越权"},
		"/api/v1/admin/accounts/:id/scopes": map[string]any{"region_codes": []string{"62"}},
	}
	tried, succeeded, notForbidden, backOffice := 0, 0, 0, 0
	for _, rt := range st.engine.Routes() {
		if workerPath(rt.Path) {
			continue
		}
		backOffice++
		path := rt.Path
		if strings.Contains(path, "/admin/accounts/:id") {
			path = strings.ReplaceAll(path, ":id", idString(victim.ID))
		} else if strings.HasPrefix(path, "/api/v1/households/") {
			path = strings.ReplaceAll(path, ":id", idString(lab.HouseholdID))
		} else {
			path = strings.ReplaceAll(path, ":id", idString(lab.ID))
		}
		if strings.HasSuffix(path, "/pii") {
			path += "?purpose=" + url.QueryEscape("越权查看")
		}
		var body any
		if rt.Method != "GET" && rt.Method != "HEAD" {
			body = bodies[rt.Path]
			if body == nil {
				body = map[string]any{}
			}
		}
		for _, who := range []struct{ name, tok string }{{"worker", wTok}, {"employer", eTok}, {"anonymous", ""}} {
			tried++
			r := st.do(t, rt.Method, path, who.tok, body)
			want := 403
			if who.tok == "" {
				want = 401
			}
			if r.Code < 400 {
				succeeded++
				t.Errorf("%s %s %s succeeded: %d %s", who.name, rt.Method, path, r.Code, r.Raw)
			} else if r.Code != want {
				notForbidden++
				t.Errorf("%s %s %s: want %d, got %d %s", who.name, rt.Method, path, want, r.Code, r.Raw)
			}
		}
	}
	if backOffice < 12 {
		t.Fatalf("only %d back-office routes found; route listing broken?", backOffice)
	}
	// Nothing the refused calls tried took effect.
	if after := row(t, "labourers", lab.ID); after["address"] == "越权修改" {
		t.Error("a refused PATCH changed the labourer")
	}
	var scopes []string
	st.db.Model(&model.AccountScope{}).Where("account_id = ?", victim.ID).Pluck("region_code", &scopes)
	if len(scopes) != 1 || scopes[0] != villageA {
		t.Errorf("a refused scope change took effect: %v", scopes)
	}
	t.Logf("function level (SECURITY.md 7): %d back-office routes × worker/employer/anonymous = %d calls; succeeded = %d, other than 403/401 = %d",
		backOffice, tried, succeeded, notForbidden)
}

// TestPropertyLevel: extra fields in a worker's own writes change nothing
// they should not (SECURITY.md 8).
func TestPropertyLevel(t *testing.T) {
	tok, lab := st.worker(t, villageA)
	_, bystander := st.worker(t, villageB)
	extras := map[string]any{
		"status": "working", "amount": 99999, "village_code": otherCounty, "record_status": model.RecordPending,
		"account_id": row(t, "labourers", bystander.ID)["account_id"], "verified": true, "source": model.SourceCadre,
		"review": model.ReviewVerified, "working": true, "place_scope": "out_province", "name": "篡改姓名",
		"id_number": knownID(), "version": 999, "state": "perm_exit", "category": "monitored",
		"labourer_id": idString(bystander.ID), "id": idString(bystander.ID), "created_by": "1", "status_source": "cadre",
	}
	with := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range extras {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	changed := 0
	report := []string{"working", "place_scope", "wants_work", "status_source", "status_at", "version", "updated_at"}
	bystanderBefore := row(t, "labourers", bystander.ID)
	today := time.Now().In(time.FixedZone("CST", 8*3600))

	check := func(name string, body map[string]any, allowed []string, verify func(after map[string]string) []string) {
		t.Helper()
		before := row(t, "labourers", lab.ID)
		r := st.do(t, "POST", "/api/v1/me/reports", tok, with(body))
		if r.Code != 201 {
			t.Fatalf("%s: %d %s", name, r.Code, r.Raw)
		}
		after := row(t, "labourers", lab.ID)
		diff := changedColumns(before, after, allowed...)
		diff = append(diff, verify(after)...)
		changed += len(diff)
		for _, d := range diff {
			t.Errorf("%s: %s", name, d)
		}
	}
	lastReport := func() model.StatusReport {
		var rep model.StatusReport
		st.db.Where("labourer_id = ?", lab.ID).Order("id DESC").Take(&rep)
		return rep
	}
	check("new_job", map[string]any{"kind": "new_job", "start_date": today.AddDate(0, 0, -10).Format("2006-01-02"),
		"place_code": villageC, "form": "flexible", "monthly_wage": 3000, "industry": "service", "contract": false,
		"social_insurance": false}, report, func(after map[string]string) []string {
		var out []string
		var sp model.EmploymentSpell
		st.db.Where("labourer_id = ?", lab.ID).Order("id DESC").Take(&sp)
		if sp.Verified || sp.Source != model.SourceSelf || sp.PlaceScope != "in_county" {
			out = append(out, fmt.Sprintf("spell verified=%v source=%s scope=%s", sp.Verified, sp.Source, sp.PlaceScope))
		}
		if after["place_scope"] != "in_county" || after["status_source"] != model.SourceSelf {
			out = append(out, "cached status not derived: "+after["place_scope"]+" "+after["status_source"])
		}
		if rep := lastReport(); rep.Source != model.SourceSelf || rep.Review != model.ReviewPending || rep.VillageCode != lab.VillageCode {
			out = append(out, fmt.Sprintf("report source=%s review=%s village=%s", rep.Source, rep.Review, rep.VillageCode))
		}
		return out
	})
	check("returned", map[string]any{"kind": "returned", "wants_work": true}, report, func(map[string]string) []string {
		var ev model.ReturnEvent
		st.db.Where("labourer_id = ?", lab.ID).Order("id DESC").Take(&ev)
		if ev.Verified || ev.Source != model.SourceSelf {
			return []string{fmt.Sprintf("return verified=%v source=%s", ev.Verified, ev.Source)}
		}
		return nil
	})
	check("no_plan", map[string]any{"kind": "no_plan", "reason": "farming"}, report, func(map[string]string) []string {
		var p model.OutingPlan
		st.db.Where("labourer_id = ?", lab.ID).Order("id DESC").Take(&p)
		if p.Verified || p.Source != model.SourceSelf {
			return []string{fmt.Sprintf("plan verified=%v source=%s", p.Verified, p.Source)}
		}
		return nil
	})

	// Binding to a ledger row: only the link (and the version) may change.
	target, idn, phone := newLab(t, villageA, fmt.Sprintf("属性%d", seq.Add(1)))
	wtok, accID := wxLogin(t)
	before := row(t, "labourers", target.ID)
	r := st.do(t, "POST", "/api/v1/me/bind", wtok, with(map[string]any{"name": target.Name, "id_number": idn, "phone": phone}))
	if r.Code != 200 {
		t.Fatalf("bind: %d %s", r.Code, r.Raw)
	}
	after := row(t, "labourers", target.ID)
	diff := changedColumns(before, after, "account_id", "version", "updated_at")
	if after["account_id"] != accID {
		diff = append(diff, "account_id is "+after["account_id"]+", not the caller "+accID)
	}
	// Self-registration: the row is pending whatever the body says.
	ptok, _ := wxLogin(t)
	pid := knownID()
	r = st.do(t, "POST", "/api/v1/me/bind", ptok, with(map[string]any{"name": "自助登记", "id_number": pid, "phone": knownPhone(),
		"village_code": villageC, "record_status": model.RecordActive}))
	if r.Code != 200 || r.Body["status"] != "pending" {
		t.Fatalf("self-register: %d %s", r.Code, r.Raw)
	}
	var pending model.Labourer
	st.db.Where("id_number_hash = ?", st.box.Index("id", pid)).Take(&pending)
	if pending.RecordStatus != model.RecordPending || pending.VillageCode != villageC || pending.State != "normal" || pending.Category != "" {
		diff = append(diff, fmt.Sprintf("self-registered row: status=%s village=%s state=%s category=%s",
			pending.RecordStatus, pending.VillageCode, pending.State, pending.Category))
	}
	diff = append(diff, changedColumns(bystanderBefore, row(t, "labourers", bystander.ID))...)
	for _, d := range diff {
		t.Errorf("bind: %s", d)
	}
	changed += len(diff)
	t.Logf("property level (SECURITY.md 8): %d extra fields × 3 reports + 2 binds; fields changed = %d", len(extras), changed)
}
