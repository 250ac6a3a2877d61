package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/auth"
	"github.com/jiuyebang/jiuyebang/service/importer"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/jobs"
	"github.com/jiuyebang/jiuyebang/service/kpi"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/payment"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/push"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/registry"
	"github.com/jiuyebang/jiuyebang/service/report"
	"github.com/jiuyebang/jiuyebang/service/returncase"
	"github.com/jiuyebang/jiuyebang/service/status"
	"github.com/jiuyebang/jiuyebang/service/subsidy"
	"github.com/jiuyebang/jiuyebang/service/testenv"
	"github.com/jiuyebang/jiuyebang/service/verify"
	"github.com/jiuyebang/jiuyebang/service/wechat"
	"github.com/jiuyebang/jiuyebang/service/wechat/wechattest"
)

// Test villages: two towns of 东乡族自治县 and one village elsewhere in the county,
// picked from the region data in TestMain.
var (
	villageA, villageB, villageC string // A and B in one town, C in another town of the county
	otherCounty                  string // a village in another county
)

const (
	testAppID  = "wxtestappid0000001"
	testSecret = "test-app-secret-never-logged"
	testCounty = "622926"
)

// stack is the whole API on the test database and Redis, shared by the
// package's tests; each test makes its own accounts and labourers.
type stack struct {
	cases    *returncase.Service
	db       *gorm.DB
	redis    *infra.Redis
	box      *pii.Box
	regions  *region.Service
	auth     *auth.Service
	registry *registry.Service
	status   *status.Service
	verify   *verify.Service
	wx       *wechattest.Server
	push     *push.Service
	engine   *gin.Engine
	deps     Deps // what engine was built from; a test may build another engine from a copy
	logs     *bytes.Buffer
}

var st *stack

func TestMain(m *testing.M) {
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "api tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runTests(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "jyb-api-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	db, cleanup, err := testenv.NewDB("api", dir)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	r, err := testenv.NewRedis()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	s, err := newStack(db, r, Limits{})
	if err != nil {
		return 0, err
	}
	defer s.wx.Close()
	st = s
	return m.Run(), nil
}

func newStack(db *gorm.DB, r *infra.Redis, lim Limits) (*stack, error) {
	ctx := context.Background()
	s := &stack{db: db, redis: r, logs: &bytes.Buffer{}}
	var err error
	if s.box, err = pii.New(bytes.Repeat([]byte{7}, 32)[:32], []byte(strings.Repeat("i", 32))); err != nil {
		return nil, err
	}
	s.regions = region.New(db)
	if _, err := s.regions.SeedCountry(ctx); err != nil {
		return nil, err
	}
	if _, err := s.regions.SeedGansu(ctx); err != nil {
		return nil, err
	}
	towns := s.regions.Children(testCounty)
	villageA, villageB = s.regions.Children(towns[0].Code)[0].Code, s.regions.Children(towns[0].Code)[1].Code
	villageC = s.regions.Children(towns[1].Code)[0].Code
	other := s.regions.Children("622925") // 和政县
	otherCounty = s.regions.Children(other[0].Code)[0].Code

	s.wx = wechattest.NewServer(testAppID, testSecret)
	log := slogTo(s.logs)
	wc, err := wechat.New(wechat.Config{AppID: testAppID, Secret: testSecret, BaseURL: s.wx.URL, Redis: r.Client, Logger: log, Backoff: time.Millisecond})
	if err != nil {
		return nil, err
	}
	now := time.Now
	s.auth = auth.New(db, s.box, wechat.AuthAdapter{C: wc}, auth.Config{JWTKey: []byte(strings.Repeat("k", 32)),
		AccessTTL: 15 * time.Minute, RefreshTTL: 24 * time.Hour, DevLogin: true, BcryptCost: bcrypt.MinCost, Now: now})
	s.registry = registry.New(db, s.box, s.regions, now)
	s.status = status.New(db, s.regions, now)
	s.verify = verify.New(db, s.box, s.registry, s.regions, now)
	s.push = testPush(db, s.box, wc, log)           // inbox_test.go
	s.cases = testCases(db, s.regions, s.push, log) // cases_test.go
	if lim == (Limits{}) {
		lim = Limits{PerIPPerMin: 1 << 20, LoginPerMin: 1 << 20, PhonePerHour: 1 << 20, BindPerHour: 1 << 20, ReportsPerMin: 1 << 20, RevealsPerHour: 1 << 20}
	}
	s.deps = Deps{Logger: log, DB: db, Redis: r.Client, Metrics: prometheus.NewRegistry(), Auth: s.auth,
		Registry: s.registry, Status: s.status, Verify: s.verify, Lists: lists.New(db, s.regions, now), Push: s.push, Cases: s.cases, KPI: kpi.New(db, s.regions, s.cases), Regions: s.regions, BodyLimit: 64 << 10, Limits: lim,
		Reports:  mustReports(report.New(db, s.regions, lists.New(db, s.regions, now), now, log)),
		Importer: importer.New(db, s.box, s.registry, s.regions, importer.Options{Now: now, Logger: log}), Jobs: jobs.New(db, s.box, s.regions, s.auth, now), Subsidy: subsidy.New(db, s.regions, now), Payments: payment.New(db, s.box, payment.Options{Now: now})}
	s.engine = New(s.deps)
	return s, nil
}

// resp is a decoded answer.
type resp struct {
	Code int
	Body map[string]any
	Raw  string
}

// errCode is the error code of an error answer.
func (r resp) errCode() string {
	if e, ok := r.Body["error"].(map[string]any); ok {
		return fmt.Sprint(e["code"])
	}
	return ""
}

// fields lists the field names of a validation error.
func (r resp) fields() []string {
	var out []string
	if e, ok := r.Body["error"].(map[string]any); ok {
		if fs, ok := e["fields"].([]any); ok {
			for _, f := range fs {
				out = append(out, fmt.Sprint(f.(map[string]any)["field"]))
			}
		}
	}
	return out
}

func (s *stack) do(t testing.TB, method, path, token string, body any) resp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	s.engine.ServeHTTP(w, req)
	out := resp{Code: w.Code, Raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &out.Body)
	return out
}

var seq atomic.Int64

// account creates a back-office account with scopes and returns a token.
func (s *stack) account(t testing.TB, role model.Role, scopes ...string) (string, *model.Account) {
	t.Helper()
	n := seq.Add(1)
	u := fmt.Sprintf("u%d_%d", time.Now().UnixNano()%1e9, n)
	ctx := actor.With(context.Background(), &actor.Actor{Role: "system"})
	acc, err := s.auth.CreateAccount(ctx, s.regions, auth.NewAccount{Username: u, Password: "correct-horse-battery", Role: role,
		DisplayName: string(role) + u, RegionCodes: scopes})
	if err != nil {
		t.Fatalf("create %s: %v", role, err)
	}
	r := s.do(t, "POST", "/api/v1/auth/password/login", "", map[string]string{"username": u, "password": "correct-horse-battery"})
	if r.Code != 200 {
		t.Fatalf("login %s: %d %s", role, r.Code, r.Raw)
	}
	return r.Body["access_token"].(string), acc
}

// idFor makes a valid 身份证 number for a county, birth date and sequence.
func idFor(county, birth string, n int) string {
	first := county + birth + fmt.Sprintf("%03d", n%1000)
	return first + string(pii.IDCheckChar(first))
}

// uniqueID makes a fresh valid 身份证 number in the test county.
func uniqueID() string {
	n := seq.Add(1)
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/1000)*7+int(time.Now().UnixNano()%5000))
	return idFor(testCounty, birth.Format("20060102"), int(n))
}

// labourer creates a labourer in a village through the registry.
func (s *stack) labourer(t testing.TB, village string) (*model.Labourer, string) {
	t.Helper()
	id := uniqueID()
	ctx := actor.With(context.Background(), &actor.Actor{Role: "system"})
	lab, err := s.registry.CreateLabourer(ctx, registry.LabourerInput{Name: "测试" + fmt.Sprint(seq.Add(1)%1000), IDNumber: id,
		Phone: fmt.Sprintf("138%08d", seq.Add(1)%1e8), VillageCode: village, Ethnicity: "汉族", Address: "测试地址",
		LabourCapacity: "ordinary", SkillLevel: "none", Education: "junior_high", Category: "lifted", State: "normal"})
	if err != nil {
		t.Fatalf("labourer: %v", err)
	}
	return lab, id
}

// worker makes a WeChat-logged-in worker bound to a new labourer in village.
func (s *stack) worker(t testing.TB, village string) (string, *model.Labourer) {
	t.Helper()
	lab, id := s.labourer(t, village)
	code := fmt.Sprintf("ok-w%d", seq.Add(1))
	r := s.do(t, "POST", "/api/v1/auth/wechat/login", "", map[string]string{"code": code})
	if r.Code != 200 {
		t.Fatalf("wechat login: %d %s", r.Code, r.Raw)
	}
	tok := r.Body["access_token"].(string)
	phone, _ := s.box.Open("labourers", "phone", lab.ID, lab.PhoneEnc)
	b := s.do(t, "POST", "/api/v1/me/bind", tok, map[string]string{"name": lab.Name, "id_number": id, "phone": phone})
	if b.Code != 200 || b.Body["status"] != "bound" {
		t.Fatalf("bind: %d %s", b.Code, b.Raw)
	}
	return tok, lab
}
