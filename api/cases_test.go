package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/match"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/push"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/returncase"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// testCases builds the 72-hour service for the test stack.
func testCases(db *gorm.DB, regions *region.Service, p *push.Service, log *slog.Logger) *returncase.Service {
	m := match.New(db, regions.PathName, time.Now, log)
	return returncase.New(db, m, p, returncase.Options{Logger: log})
}

// runEvents runs the pending outbox events of a kind through a handler, as
// the worker would.
func runEvents(t *testing.T, kind string, fn outbox.HandlerFunc) int {
	t.Helper()
	var evs []model.OutboxEvent
	testenv.Must(t, st.db.Where("kind = ? AND done_at IS NULL", kind).Find(&evs).Error)
	h := outbox.Handle(st.db, fn)
	for _, ev := range evs {
		body, _ := json.Marshal(outbox.TaskPayload{EventID: ev.ID, AggregateID: ev.AggregateID, Payload: json.RawMessage(ev.Payload)})
		testenv.Must(t, h(context.Background(), asynq.NewTask(ev.Kind, body)))
	}
	return len(evs)
}

func caseTestJob(t *testing.T, place string) *model.Job {
	t.Helper()
	j := model.Job{ID: model.NewID(), EmployerID: 1, CountyCode: place[:6], Title: "扶贫车间普工", Industry: "general_worker",
		Headcount: 3, WageMin: 3500, WageMax: 5000, PlaceCode: place, MinAge: 16, MaxAge: 60, Housing: true, Meals: true,
		ValidUntil: time.Now().Add(30 * 24 * time.Hour), Status: model.JobOpen}
	testenv.Must(t, st.db.Create(&j).Error)
	_, err := st.cases.Match().RefreshJob(context.Background(), nil, j.ID)
	testenv.Must(t, err)
	return &j
}

func TestCaseLifecycleAPI(t *testing.T) {
	job := caseTestJob(t, villageA[:9])
	wTok, lab := st.worker(t, villageA)
	r := st.do(t, "POST", "/api/v1/me/reports", wTok, map[string]any{"kind": "returned", "wants_work": true})
	if r.Code != 200 && r.Code != 201 {
		t.Fatalf("report: %d %s", r.Code, r.Raw)
	}
	if n := runEvents(t, model.EventReturnReported, st.cases.HandleReturnReported); n == 0 {
		t.Fatal("no return.reported event")
	}

	// The worker: the job in the feed with reasons, and their open case.
	feed := st.do(t, "GET", "/api/v1/me/jobs/recommended", wTok, nil)
	if feed.Code != 200 {
		t.Fatalf("feed: %d %s", feed.Code, feed.Raw)
	}
	items := feed.Body["items"].([]any)
	var found map[string]any
	for _, it := range items {
		if m := it.(map[string]any); m["job_id"] == idString(job.ID) {
			found = m
		}
	}
	if found == nil || found["pushed"] != true || len(found["reasons"].([]any)) == 0 {
		t.Fatalf("feed lacks the job with reasons: %s", feed.Raw)
	}
	t.Logf("feed reasons: %v", found["reasons"])
	mine := st.do(t, "GET", "/api/v1/me/case", wTok, nil)
	if mine.Code != 200 || mine.Body["status"] != "open" || mine.Body["actions"] != nil {
		t.Fatalf("my case: %d %s", mine.Code, mine.Raw)
	}
	caseID := mine.Body["id"].(string)

	// The cadre's board: T0, due time, countdown, next checkpoint, recommendations.
	cTok, _ := st.account(t, model.RoleCadre, villageA)
	board := st.do(t, "GET", "/api/v1/cases", cTok, nil)
	if board.Code != 200 {
		t.Fatalf("board: %d %s", board.Code, board.Raw)
	}
	var item map[string]any
	for _, it := range board.Body["items"].([]any) {
		if m := it.(map[string]any); m["id"] == caseID {
			item = m
		}
	}
	if item == nil {
		t.Fatalf("case not on the board: %s", board.Raw)
	}
	cd := item["countdown_seconds"].(float64)
	if cd < 71*3600 || cd > 72*3600 || item["next_checkpoint"].(float64) != 24 || item["labourer_id"] != idString(lab.ID) ||
		len(item["recommendations"].([]any)) == 0 {
		t.Fatalf("board item %v", item)
	}

	// One-tap actions.
	base := "/api/v1/cases/" + caseID
	if r := st.do(t, "POST", base+"/called", cTok, nil); r.Code != 201 || r.Body["kind"] != "called" {
		t.Fatalf("called: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", base+"/delivered", cTok, map[string]any{"job_ids": []string{idString(job.ID)}}); r.Code != 201 {
		t.Fatalf("delivered: %d %s", r.Code, r.Raw)
	}
	for _, bad := range []struct {
		name string
		path string
		body any
		code int
	}{
		{"foreign job", "/delivered", map[string]any{"job_ids": []string{"123456789"}}, 400},
		{"malformed job id", "/delivered", map[string]any{"job_ids": []string{"abc"}}, 400},
		{"no jobs", "/delivered", nil, 400},
		{"empty note", "/notes", map[string]any{"note": " "}, 400},
		{"bad reason", "/decline", map[string]any{"reason": "bored"}, 400},
		{"no body", "/decline", nil, 400},
	} {
		if r := st.do(t, "POST", base+bad.path, cTok, bad.body); r.Code != bad.code {
			t.Errorf("%s: %d %s", bad.name, r.Code, r.Raw)
		}
	}
	other, _ := st.account(t, model.RoleCadre, villageC)
	if r := st.do(t, "POST", base+"/called", other, nil); r.Code != 404 {
		t.Errorf("another village's cadre: %d", r.Code)
	}
	if r := st.do(t, "GET", base, other, nil); r.Code != 404 {
		t.Errorf("another village's cadre reads: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/cases", wTok, nil); r.Code != 403 {
		t.Errorf("worker on the board: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/me/jobs/recommended", cTok, nil); r.Code != 403 {
		t.Errorf("cadre on the worker feed: %d", r.Code)
	}
	detail := st.do(t, "GET", base, cTok, nil)
	if detail.Code != 200 || len(detail.Body["actions"].([]any)) < 3 || detail.Body["visited_at"] == nil {
		t.Fatalf("detail: %d %s", detail.Code, detail.Raw)
	}

	// Task force: KPIs and the escalated list.
	tfTok, _ := st.account(t, model.RoleTaskforce, testCounty)
	k := st.do(t, "GET", "/api/v1/cases/kpis?region="+testCounty, tfTok, nil)
	if k.Code != 200 || k.Body["opened"].(float64) < 1 || k.Body["willing_open"].(float64) < 1 {
		t.Fatalf("kpis: %d %s", k.Code, k.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/cases/kpis?from=2024-13-01", tfTok, nil); r.Code != 400 {
		t.Errorf("bad date: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/cases/kpis?from=2025-02-01&to=2025-01-01", tfTok, nil); r.Code != 400 {
		t.Errorf("reversed range: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/cases/kpis?region=622925", tfTok, nil); r.Code != 403 {
		t.Errorf("another county's kpis: %d", r.Code)
	}
	if r := st.do(t, "GET", "/api/v1/cases/escalated", tfTok, nil); r.Code != 200 {
		t.Errorf("escalated: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/cases/escalated", cTok, nil); r.Code != 403 {
		t.Errorf("cadre on the escalated list: %d", r.Code)
	}

	// The worker declines; the case closes once.
	if r := st.do(t, "POST", "/api/v1/me/case/decline", wTok, map[string]any{"reason": "family_care"}); r.Code != 200 || r.Body["status"] != "declined" {
		t.Fatalf("decline: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", base+"/decline", cTok, map[string]any{"reason": "farming"}); r.Code != 409 {
		t.Errorf("decline a closed case: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/me/case", wTok, nil); r.Code != 404 {
		t.Errorf("my case after decline: %d", r.Code)
	}
}

func TestOpenAPICaseSchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"Case":               reflect.TypeFor[caseView](),
		"CasePage":           reflect.TypeFor[casePage](),
		"CaseAction":         reflect.TypeFor[caseActionView](),
		"CaseRecommendation": reflect.TypeFor[caseRecView](),
		"CaseKPIs":           reflect.TypeFor[caseKPIView](),
		"CaseActionRequest":  reflect.TypeFor[caseActionRequest](),
		"CaseDeclineRequest": reflect.TypeFor[caseDeclineRequest](),
		"MatchReason":        reflect.TypeFor[match.Reason](),
		"RecommendedJob":     reflect.TypeFor[recommendedJobView](),
		"RecommendedJobs":    reflect.TypeFor[recommendedJobs](),
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), types[name])
	}
	enums := map[string]model.Enum{"CaseState": model.CaseStates, "CaseActionKind": model.CaseActionKinds, "DeclineReason": model.DeclineReasons}
	for _, name := range oaSortedKeys(enums) {
		s := oaSchema(t, doc, name)
		var got, want []string
		codes, _ := s["enum"].([]any)
		labels, _ := s["x-enum-descriptions"].([]any)
		for i, c := range codes {
			l := ""
			if i < len(labels) {
				l = fmt.Sprint(labels[i])
			}
			got = append(got, fmt.Sprint(c)+"="+l)
		}
		for _, o := range enums[name] {
			want = append(want, o.Code+"="+o.Label)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: document %v, model %v", name, got, want)
		}
	}
}
