package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/push"
	"github.com/jiuyebang/jiuyebang/service/wechat"
)

// Templates of the test stack.
const (
	testTmplJob  = "tmpl-job-match-test"
	testTmplCase = "tmpl-case-update-test"
)

// testSMS is the stack's SMS provider; it keeps what it was given.
var testSMS = &push.FakeProvider{}

// testPush builds the stack's push service on the fake WeChat (st.wx).
func testPush(db *gorm.DB, box *pii.Box, wc *wechat.Client, log *slog.Logger) *push.Service {
	return push.New(db, box, wc, testSMS, push.Config{
		WeChatTemplates: map[string]string{push.KindJobMatch: testTmplJob, push.KindCaseUpdate: testTmplCase},
		SMSTemplates:    map[string]string{push.KindJobMatch: "SMS_1", push.KindCaseUpdate: "SMS_2"},
		Logger:          log,
	})
}

func notifyAPI(t *testing.T, labID int64, key, title string) {
	t.Helper()
	err := st.db.Transaction(func(tx *gorm.DB) error {
		return st.push.Notify(context.Background(), tx, push.Notice{LabourerID: labID, Kind: push.KindJobMatch, Title: title,
			Body: "电焊工，月薪5000元", Link: "pages/jobs/detail?id=7", Data: map[string]string{"thing1": "电焊工"}, DedupeKey: key})
	})
	if err != nil {
		t.Fatalf("notify: %v", err)
	}
}

// deliverPush runs the delivery handler for the open push events of a labourer's messages.
func deliverPush(t *testing.T, labID int64) {
	t.Helper()
	h := outbox.Handle(st.db, st.push.Deliver)
	for range 5 {
		var evs []model.OutboxEvent
		st.db.Where("kind = ? AND done_at IS NULL AND aggregate_id IN (?)", model.EventPushRequested,
			st.db.Model(&model.Message{}).Select("id").Where("labourer_id = ?", labID)).Order("created_at, id").Find(&evs)
		if len(evs) == 0 {
			return
		}
		for _, ev := range evs {
			b, _ := json.Marshal(outbox.TaskPayload{EventID: ev.ID, AggregateID: ev.AggregateID, Payload: json.RawMessage(ev.Payload)})
			if err := h(context.Background(), asynq.NewTask(ev.Kind, b)); err != nil {
				t.Fatalf("deliver: %v", err)
			}
		}
	}
}

func TestInboxRoutes(t *testing.T) {
	tokA, labA := st.worker(t, villageA)
	tokB, labB := st.worker(t, villageA)
	phoneA, _ := st.box.Open("labourers", "phone", labA.ID, labA.PhoneEnc)
	for i := range 3 {
		notifyAPI(t, labA.ID, fmt.Sprintf("inbox-%d-%d", labA.ID, i), fmt.Sprintf("为您推荐岗位 %d", i))
	}
	notifyAPI(t, labB.ID, fmt.Sprintf("inbox-b-%d", labB.ID), "B 的消息")

	r := st.do(t, "GET", "/api/v1/me/inbox", tokA, nil)
	if r.Code != 200 || r.Body["total"] != 3.0 || r.Body["unread"] != 3.0 || len(r.Body["items"].([]any)) != 3 {
		t.Fatalf("inbox: %d %s", r.Code, r.Raw)
	}
	first := r.Body["items"].([]any)[0].(map[string]any)
	if first["title"] != "为您推荐岗位 2" || first["read"] != false || first["kind_label"] != "岗位推荐" || first["link"] != "pages/jobs/detail?id=7" {
		t.Fatalf("newest first with labels: %v", first)
	}
	if p := st.do(t, "GET", "/api/v1/me/inbox?page=2&page_size=2", tokA, nil); p.Code != 200 || len(p.Body["items"].([]any)) != 1 || p.Body["total"] != 3.0 {
		t.Fatalf("page 2: %d %s", p.Code, p.Raw)
	}
	id := first["id"].(string)
	rd := st.do(t, "POST", "/api/v1/me/inbox/"+id+"/read", tokA, nil)
	if rd.Code != 200 || rd.Body["read"] != true || rd.Body["read_at"] == nil {
		t.Fatalf("read: %d %s", rd.Code, rd.Raw)
	}
	if again := st.do(t, "POST", "/api/v1/me/inbox/"+id+"/read", tokA, nil); again.Code != 200 || again.Body["read_at"] != rd.Body["read_at"] {
		t.Fatalf("read twice: %d %s", again.Code, again.Raw)
	}
	if r := st.do(t, "GET", "/api/v1/me/inbox", tokA, nil); r.Body["unread"] != 2.0 {
		t.Fatalf("unread after one read: %s", r.Raw)
	}
	// A worker sees only their own inbox: another's message is 404 and stays unread.
	if x := st.do(t, "POST", "/api/v1/me/inbox/"+id+"/read", tokB, nil); x.Code != 404 {
		t.Fatalf("B reads A's message: %d %s", x.Code, x.Raw)
	}
	rb := st.do(t, "GET", "/api/v1/me/inbox", tokB, nil)
	if rb.Body["total"] != 1.0 || strings.Contains(rb.Raw, "为您推荐岗位") {
		t.Fatalf("B's inbox: %s", rb.Raw)
	}
	bID := rb.Body["items"].([]any)[0].(map[string]any)["id"].(string)
	if x := st.do(t, "POST", "/api/v1/me/inbox/"+bID+"/read", tokA, nil); x.Code != 404 {
		t.Fatalf("A reads B's message: %d", x.Code)
	}
	var unread int64
	st.db.Model(&model.Message{}).Where("labourer_id = ? AND read_at IS NULL", labB.ID).Count(&unread)
	if unread != 1 {
		t.Fatal("A's request marked B's message read")
	}
	for _, bad := range []string{"/api/v1/me/inbox/abc/read", "/api/v1/me/inbox/0/read", "/api/v1/me/inbox/99999999/read"} {
		if x := st.do(t, "POST", bad, tokA, nil); x.Code != 404 {
			t.Errorf("POST %s: %d", bad, x.Code)
		}
	}
	if x := st.do(t, "GET", "/api/v1/me/inbox?page_size=500", tokA, nil); x.Code != 400 {
		t.Errorf("page_size 500: %d", x.Code)
	}
	// Back office and anonymous callers have no inbox here.
	cadre, _ := st.account(t, model.RoleCadre, villageA)
	if x := st.do(t, "GET", "/api/v1/me/inbox", cadre, nil); x.Code != 403 {
		t.Errorf("cadre on /me/inbox: %d", x.Code)
	}
	if x := st.do(t, "GET", "/api/v1/me/inbox", "", nil); x.Code != 401 {
		t.Errorf("anonymous: %d", x.Code)
	}
	if strings.Contains(r.Raw, phoneA) {
		t.Fatal("phone in the inbox answer")
	}
}

func TestSMSConsentRoute(t *testing.T) {
	tok, lab := st.worker(t, villageB)
	phone, _ := st.box.Open("labourers", "phone", lab.ID, lab.PhoneEnc)
	r := st.do(t, "GET", "/api/v1/me/sms-consent", tok, nil)
	if r.Code != 200 || r.Body["consented"] != false || r.Body["has_phone"] != true || r.Body["at"] != nil {
		t.Fatalf("initial consent: %d %s", r.Code, r.Raw)
	}
	if x := st.do(t, "PUT", "/api/v1/me/sms-consent", tok, map[string]any{}); x.Code != 400 || x.fields()[0] != "consented" {
		t.Fatalf("missing consented: %d %s", x.Code, x.Raw)
	}
	if x := st.do(t, "PUT", "/api/v1/me/sms-consent", tok, `{"consented":"yes"}`); x.Code != 400 {
		t.Fatalf("string consented: %d %s", x.Code, x.Raw)
	}
	// A client cannot pick the source; the server records the mini-program.
	p := st.do(t, "PUT", "/api/v1/me/sms-consent", tok, map[string]any{"consented": true, "source": "cadre"})
	if p.Code != 200 || p.Body["consented"] != true || p.Body["source"] != "miniprogram" || p.Body["at"] == nil {
		t.Fatalf("consent: %d %s", p.Code, p.Raw)
	}
	st.do(t, "PUT", "/api/v1/me/sms-consent", tok, map[string]any{"consented": true}) // same answer: nothing new
	if x := st.do(t, "PUT", "/api/v1/me/sms-consent", tok, map[string]any{"consented": false}); x.Code != 200 || x.Body["consented"] != false {
		t.Fatalf("withdraw: %d %s", x.Code, x.Raw)
	}
	var rows []model.AuditLog
	st.db.Where("action = ? AND subject_id = ?", "sms_consent.set", lab.ID).Order("id").Find(&rows)
	if len(rows) != 2 || !strings.Contains(rows[0].After, `"consented":true`) || rows[0].Before != "" ||
		!strings.Contains(rows[1].Before, `"consented":true`) || !strings.Contains(rows[1].After, `"consented":false`) ||
		rows[0].ActorID == 0 || rows[0].ActorRole != string(model.RoleWorker) || rows[0].SubjectType != "labourer" {
		t.Fatalf("audit rows %+v", rows)
	}
	for _, raw := range []string{r.Raw, p.Raw, rows[0].After, rows[1].Before} {
		if strings.Contains(raw, phone) {
			t.Fatal("phone in a consent answer or audit row")
		}
	}
	// A worker who has not bound an identity has no consent to give.
	lr := st.do(t, "POST", "/api/v1/auth/wechat/login", "", map[string]string{"code": fmt.Sprintf("ok-unbound%d", seq.Add(1))})
	unbound := lr.Body["access_token"].(string)
	if x := st.do(t, "PUT", "/api/v1/me/sms-consent", unbound, map[string]any{"consented": true}); x.Code != 403 || x.errCode() != "not_bound" {
		t.Fatalf("unbound consent: %d %s", x.Code, x.Raw)
	}
	if x := st.do(t, "GET", "/api/v1/me/inbox", unbound, nil); x.Code != 200 || x.Body["total"] != 0.0 {
		t.Fatalf("unbound inbox: %d %s", x.Code, x.Raw)
	}
}

func TestSubscriptionsRoute(t *testing.T) {
	tok, _ := st.worker(t, villageA)
	r := st.do(t, "GET", "/api/v1/me/subscriptions", tok, nil)
	if r.Code != 200 || len(r.Body["templates"].([]any)) != 2 {
		t.Fatalf("templates: %d %s", r.Code, r.Raw)
	}
	remaining := func(r resp, tmpl string) float64 {
		for _, x := range r.Body["templates"].([]any) {
			if m := x.(map[string]any); m["template_id"] == tmpl {
				return m["remaining"].(float64)
			}
		}
		return -1
	}
	// wx.requestSubscribeMessage's answer, forwarded as it is.
	body := map[string]any{"results": map[string]string{testTmplJob: "accept", testTmplCase: "reject", "errMsg": "requestSubscribeMessage:ok"}}
	for range 2 {
		r = st.do(t, "POST", "/api/v1/me/subscriptions", tok, body)
	}
	if r.Code != 200 || remaining(r, testTmplJob) != 2 || remaining(r, testTmplCase) != 0 {
		t.Fatalf("after two accepts: %d %s", r.Code, r.Raw)
	}
	for _, bad := range []any{
		map[string]any{"results": map[string]string{"someone-elses-template": "accept"}},
		map[string]any{"results": map[string]string{testTmplJob: "maybe"}},
		map[string]any{"results": map[string]any{testTmplJob: 1}},
		map[string]any{"results": map[string]string{}},
		map[string]any{},
	} {
		if x := st.do(t, "POST", "/api/v1/me/subscriptions", tok, bad); x.Code != 400 {
			t.Errorf("%v: %d %s", bad, x.Code, x.Raw)
		}
	}
	if x := st.do(t, "GET", "/api/v1/me/subscriptions", tok, nil); remaining(x, testTmplJob) != 2 {
		t.Fatalf("bad reports changed the quota: %s", x.Raw)
	}
}

// TestPushThroughFakeWeChat: a subscription reported through the API lets a
// notice go out as a subscribe message on the fake WeChat; when WeChat says
// the user refused (43101), the consented SMS takes over.
func TestPushThroughFakeWeChat(t *testing.T) {
	tok, lab := st.worker(t, villageC)
	var acc model.Account
	st.db.Take(&acc, *reloadLabourer(t, lab.ID).AccountID)
	st.do(t, "POST", "/api/v1/me/subscriptions", tok, map[string]any{"results": map[string]string{testTmplJob: "accept"}})
	st.do(t, "PUT", "/api/v1/me/sms-consent", tok, map[string]any{"consented": true})

	before := len(st.wx.Sent())
	notifyAPI(t, lab.ID, fmt.Sprintf("fake-wx-%d", lab.ID), "为您推荐岗位")
	deliverPush(t, lab.ID)
	sent := st.wx.Sent()[before:]
	if len(sent) != 1 || sent[0].ToUser != *acc.OpenID || sent[0].TemplateID != testTmplJob {
		t.Fatalf("subscribe messages %+v", sent)
	}

	// The grant is spent; a new accept, then WeChat refuses: SMS instead.
	st.do(t, "POST", "/api/v1/me/subscriptions", tok, map[string]any{"results": map[string]string{testTmplJob: "accept"}})
	st.wx.SetSendError(*acc.OpenID, wechat.ErrCodeUserRefused, 1)
	smsBefore := len(testSMS.Sent())
	notifyAPI(t, lab.ID, fmt.Sprintf("fake-wx-refused-%d", lab.ID), "又一个岗位")
	deliverPush(t, lab.ID)
	phone, _ := st.box.Open("labourers", "phone", lab.ID, lab.PhoneEnc)
	got := testSMS.Sent()[smsBefore:]
	if len(got) != 1 || got[0].Phone != phone || len(st.wx.Sent()) != before+1 {
		t.Fatalf("fallback SMS %+v", got)
	}
	if r := st.do(t, "GET", "/api/v1/me/subscriptions", tok, nil); strings.Contains(r.Raw, `"remaining":1`) {
		t.Fatalf("43101 must zero the grants: %s", r.Raw)
	}
	if strings.Contains(st.logs.String(), phone) {
		t.Fatal("phone in the logs")
	}
	r := st.do(t, "GET", "/api/v1/me/inbox", tok, nil)
	if r.Body["total"] != 2.0 || strings.Contains(r.Raw, phone) {
		t.Fatalf("inbox: %s", r.Raw)
	}
}

func reloadLabourer(t *testing.T, id int64) *model.Labourer {
	t.Helper()
	var l model.Labourer
	if err := st.db.Take(&l, id).Error; err != nil {
		t.Fatal(err)
	}
	return &l
}

// TestOpenAPIPushSchemas checks the push part's schemas against the Go types.
func TestOpenAPIPushSchemas(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"InboxMessage":      reflect.TypeFor[messageView](),
		"InboxPage":         reflect.TypeFor[inboxPage](),
		"SMSConsent":        reflect.TypeFor[consentView](),
		"SubscriptionQuota": reflect.TypeFor[quotaView](),
		"Subscriptions":     reflect.TypeFor[subscriptionsView](),
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), types[name])
	}
}
