package push_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/push"
	"github.com/jiuyebang/jiuyebang/service/push/smstest"
	"github.com/jiuyebang/jiuyebang/service/testenv"
	"github.com/jiuyebang/jiuyebang/service/wechat"
	"github.com/jiuyebang/jiuyebang/service/wechat/wechattest"
)

const (
	appID      = "wxpushtest00000001"
	appSecret  = "push-test-app-secret"
	akID       = "LTAI-test-key-id"
	akSecret   = "test-access-key-secret"
	tmplJob    = "TMPL-job-match-0001"
	tmplCase   = "TMPL-case-update-01"
	smsJob     = "SMS_100000001"
	smsCase    = "SMS_100000002"
	signName   = "就业帮"
	kindNoTmpl = "other_kind"
)

// syncBuf is a goroutine-safe log sink.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) Set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }
func newClock(t time.Time) *clock    { c := &clock{}; c.Set(t); return c }
func ctxBG() context.Context         { return context.Background() }
func must(t testing.TB, err error)   { t.Helper(); testenv.Must(t, err) }
func noticeFor(labID int64, key string) push.Notice {
	return push.Notice{LabourerID: labID, Kind: push.KindJobMatch, Title: "为您推荐岗位", Body: "电焊工 月薪5000元 兰州新区",
		Link: "pages/jobs/detail?id=42", Data: map[string]string{"thing1": "电焊工", "amount2": "5000元/月"}, DedupeKey: key}
}

type env struct {
	db    *gorm.DB
	box   *pii.Box
	wx    *wechattest.Server
	sms   *smstest.Server
	svc   *push.Service
	clock *clock
	logs  *syncBuf
	cfg   push.Config
	wc    *wechat.Client
	prov  push.Provider
}

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{db: testenv.DB(t), logs: &syncBuf{}}
	r := testenv.Redis(t)
	var err error
	e.box, err = pii.New(bytes.Repeat([]byte{3}, 32), bytes.Repeat([]byte{5}, 32))
	must(t, err)
	e.wx = wechattest.NewServer(appID, appSecret)
	t.Cleanup(e.wx.Close)
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.wc, err = wechat.New(wechat.Config{AppID: appID, Secret: appSecret, BaseURL: e.wx.URL, Redis: r.Client, Logger: log, Backoff: time.Millisecond})
	must(t, err)
	e.sms = smstest.New(t, akID, akSecret)
	e.prov, err = push.NewAliyun(push.AliyunConfig{AccessKeyID: akID, AccessKeySecret: akSecret, SignName: signName, BaseURL: e.sms.URL, Logger: log})
	must(t, err)
	// 10:00 in China on an ordinary day.
	e.clock = newClock(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	e.cfg = push.Config{
		WeChatTemplates: map[string]string{push.KindJobMatch: tmplJob, push.KindCaseUpdate: tmplCase},
		SMSTemplates:    map[string]string{push.KindJobMatch: smsJob, push.KindCaseUpdate: smsCase},
		Now:             e.clock.Now, Logger: log,
	}
	e.svc = push.New(e.db, e.box, e.wc, e.prov, e.cfg)
	return e
}

// person is a labourer with the things channel selection looks at.
type person struct {
	lab    model.Labourer
	acc    *model.Account
	openid string
	phone  string
}

var seq atomic.Int64

// person makes a labourer; with an account (and openid), a phone, SMS
// consent and WeChat grants as asked.
func (e *env) person(t *testing.T, account, openid, phone, consent bool, grants int) person {
	t.Helper()
	n := seq.Add(1)
	p := person{}
	p.lab = model.Labourer{ID: model.NewID(), HouseholdID: 1, Name: fmt.Sprintf("测试%d", n), IDNumberEnc: "x",
		IDNumberHash: fmt.Sprintf("hash-%d-%d", n, time.Now().UnixNano()), IDMasked: "6201**********0000",
		ProvinceCode: "62", CityCode: "6229", CountyCode: "622926", TownCode: "622926100", VillageCode: "622926100201",
		Category: "lifted"}
	if phone {
		p.phone = fmt.Sprintf("139%08d", n)
		p.lab.PhoneEnc = e.box.Seal("labourers", "phone", p.lab.ID, p.phone)
		p.lab.PhoneMasked = pii.MaskPhone(p.phone)
	}
	if account {
		p.acc = &model.Account{ID: model.NewID(), Role: model.RoleWorker, DisplayName: "w"}
		if openid {
			p.openid = wechattest.OpenID(appID, fmt.Sprintf("p%d", n))
			p.acc.OpenID = &p.openid
		}
		must(t, e.db.Create(p.acc).Error)
		p.lab.AccountID = &p.acc.ID
		if grants > 0 {
			must(t, e.db.Create(&model.SubscriptionQuota{AccountID: p.acc.ID, TemplateID: tmplJob, Remaining: grants}).Error)
		}
	}
	must(t, e.db.Create(&p.lab).Error)
	if consent {
		must(t, e.db.Create(&model.SMSConsent{LabourerID: p.lab.ID, Consented: true, At: e.clock.Now(), Source: push.SourceMiniprogram}).Error)
	}
	return p
}

func (e *env) notify(t *testing.T, n push.Notice) {
	t.Helper()
	must(t, e.db.Transaction(func(tx *gorm.DB) error { return e.svc.Notify(ctxBG(), tx, n) }))
}

func (e *env) message(t *testing.T, key string) model.Message {
	t.Helper()
	var m model.Message
	must(t, e.db.Where("dedupe_key = ?", key).Take(&m).Error)
	return m
}

// states maps channel → "state/reason" for a message.
func (e *env) states(t *testing.T, msgID int64) map[string]string {
	t.Helper()
	ds, err := e.svc.Deliveries(ctxBG(), msgID)
	must(t, err)
	out := map[string]string{}
	for _, d := range ds {
		s := d.State
		if d.Reason != "" {
			s += "/" + d.Reason
		}
		out[d.Channel] = s
	}
	return out
}

func (e *env) delivery(t *testing.T, msgID int64, channel string) model.Delivery {
	t.Helper()
	var d model.Delivery
	must(t, e.db.Where("message_id = ? AND channel = ?", msgID, channel).Take(&d).Error)
	return d
}

func (e *env) quota(t *testing.T, accID int64) int {
	t.Helper()
	var q model.SubscriptionQuota
	if err := e.db.Where("account_id = ? AND template_id = ?", accID, tmplJob).Take(&q).Error; err != nil {
		return -1
	}
	return q.Remaining
}

func (e *env) events(t *testing.T, where string, args ...any) []model.OutboxEvent {
	t.Helper()
	var evs []model.OutboxEvent
	must(t, e.db.Where("kind = ?", model.EventPushRequested).Where(where, args...).Order("created_at, id").Find(&evs).Error)
	return evs
}

func task(ev model.OutboxEvent) *asynq.Task {
	b, _ := json.Marshal(outbox.TaskPayload{EventID: ev.ID, AggregateID: ev.AggregateID, Payload: json.RawMessage(ev.Payload)})
	return asynq.NewTask(ev.Kind, b)
}

// drain runs the delivery handler (wrapped as the worker wraps it) for every
// open push event, follow-ups included, and returns the runs.
func (e *env) drain(t *testing.T) int {
	t.Helper()
	h := outbox.Handle(e.db, e.svc.Deliver)
	runs := 0
	for range 10 {
		evs := e.events(t, "done_at IS NULL")
		if len(evs) == 0 {
			return runs
		}
		for _, ev := range evs {
			runs++
			if err := h(ctxBG(), task(ev)); err != nil {
				t.Fatalf("deliver event %d: %v", ev.ID, err)
			}
		}
	}
	t.Fatal("push events keep coming")
	return runs
}

func TestNotifyDedupe(t *testing.T) {
	e := setup(t)
	p := e.person(t, true, true, true, true, 5)
	n := noticeFor(p.lab.ID, "case:1:match:1")
	e.notify(t, n)
	e.notify(t, n) // a retrying caller
	// Twice inside one transaction as well.
	must(t, e.db.Transaction(func(tx *gorm.DB) error {
		if err := e.svc.Notify(ctxBG(), tx, n); err != nil {
			return err
		}
		return e.svc.Notify(ctxBG(), tx, n)
	}))
	var msgs, dels int64
	must(t, e.db.Model(&model.Message{}).Where("labourer_id = ?", p.lab.ID).Count(&msgs).Error)
	must(t, e.db.Model(&model.Delivery{}).Where("labourer_id = ?", p.lab.ID).Count(&dels).Error)
	if msgs != 1 || dels != 3 || len(e.events(t, "1 = 1")) != 1 {
		t.Fatalf("after 4 Notify calls with one key: messages %d deliveries %d events %d, want 1, 3, 1", msgs, dels, len(e.events(t, "1 = 1")))
	}
	// The caller's rollback takes the message, deliveries and event with it.
	tx := e.db.Begin()
	must(t, e.svc.Notify(ctxBG(), tx, noticeFor(p.lab.ID, "case:1:match:2")))
	must(t, tx.Rollback().Error)
	var n2 int64
	must(t, e.db.Model(&model.Message{}).Where("dedupe_key = ?", "case:1:match:2").Count(&n2).Error)
	if n2 != 0 || len(e.events(t, "1 = 1")) != 1 {
		t.Fatalf("rolled-back Notify left %d messages, %d events", n2, len(e.events(t, "1 = 1")))
	}
	// Bad notices are refused.
	for _, bad := range []push.Notice{{}, {LabourerID: p.lab.ID, Kind: push.KindJobMatch, Title: "x"}, {LabourerID: p.lab.ID, Title: "x", DedupeKey: "k"}} {
		if err := e.db.Transaction(func(tx *gorm.DB) error { return e.svc.Notify(ctxBG(), tx, bad) }); err == nil {
			t.Errorf("notice %+v accepted", bad)
		}
	}
	if err := e.db.Transaction(func(tx *gorm.DB) error { return e.svc.Notify(ctxBG(), tx, noticeFor(12345, "nobody")) }); err == nil {
		t.Error("notice for a labourer that does not exist accepted")
	}
}

// TestNotifyConcurrentDedupe: callers racing with one key write one message.
func TestNotifyConcurrentDedupe(t *testing.T) {
	e := setup(t)
	p := e.person(t, true, true, true, true, 5)
	var wg sync.WaitGroup
	var fails atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.db.Transaction(func(tx *gorm.DB) error { return e.svc.Notify(ctxBG(), tx, noticeFor(p.lab.ID, "race")) }); err != nil {
				fails.Add(1)
				t.Logf("concurrent Notify: %v", err)
			}
		}()
	}
	wg.Wait()
	var msgs int64
	must(t, e.db.Model(&model.Message{}).Where("dedupe_key = ?", "race").Count(&msgs).Error)
	if msgs != 1 || len(e.events(t, "1 = 1")) != 1 {
		t.Fatalf("8 racing Notify: messages %d, events %d (failed calls %d)", msgs, len(e.events(t, "1 = 1")), fails.Load())
	}
}

func TestChannelSelection(t *testing.T) {
	e := setup(t)
	cases := []struct {
		name                            string
		account, openid, phone, consent bool
		grants                          int
		kind                            string
		withdraw                        bool
		wantWeChat, wantSMS             string
		wantPushed                      bool
	}{
		{"wechat with sms standby", true, true, true, true, 2, push.KindJobMatch, false, "pending", "standby", true},
		{"wechat only, no consent", true, true, true, false, 1, push.KindJobMatch, false, "pending", "skipped/no_consent", true},
		{"no quota → sms", true, true, true, true, 0, push.KindJobMatch, false, "skipped/no_quota", "pending", true},
		{"no openid → sms", true, false, true, true, 0, push.KindJobMatch, false, "skipped/no_openid", "pending", true},
		{"no account, no consent → inbox only", false, false, true, false, 0, push.KindJobMatch, false, "skipped/no_account", "skipped/no_consent", false},
		{"consent but no phone", true, true, false, true, 0, push.KindJobMatch, false, "skipped/no_quota", "skipped/no_phone", false},
		{"consent withdrawn", true, true, true, true, 0, push.KindJobMatch, true, "skipped/no_quota", "skipped/no_consent", false},
		{"quota is per template", true, true, true, false, 3, push.KindCaseUpdate, false, "skipped/no_quota", "skipped/no_consent", false},
		{"kind without templates", true, true, true, true, 3, kindNoTmpl, false, "skipped/not_configured", "skipped/not_configured", false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := e.person(t, c.account, c.openid, c.phone, c.consent, c.grants)
			if c.withdraw {
				must(t, e.db.Model(&model.SMSConsent{}).Where("labourer_id = ?", p.lab.ID).Update("consented", false).Error)
			}
			n := noticeFor(p.lab.ID, fmt.Sprintf("sel-%d", i))
			n.Kind = c.kind
			before := len(e.events(t, "1 = 1"))
			e.notify(t, n)
			m := e.message(t, n.DedupeKey)
			got := e.states(t, m.ID)
			if got["inbox"] != "sent" || got["wechat"] != c.wantWeChat || got["sms"] != c.wantSMS || m.Pushed != c.wantPushed {
				t.Fatalf("states %v pushed %v; want inbox sent, wechat %s, sms %s, pushed %v", got, m.Pushed, c.wantWeChat, c.wantSMS, c.wantPushed)
			}
			events := len(e.events(t, "1 = 1")) - before
			if (events == 1) != c.wantPushed || events > 1 {
				t.Fatalf("%d outbox events for pushed=%v", events, c.wantPushed)
			}
		})
	}
	// Without a WeChat client or an SMS provider the channels say so.
	bare := push.New(e.db, e.box, nil, nil, e.cfg)
	p := e.person(t, true, true, true, true, 3)
	must(t, e.db.Transaction(func(tx *gorm.DB) error { return bare.Notify(ctxBG(), tx, noticeFor(p.lab.ID, "bare")) }))
	if got := e.states(t, e.message(t, "bare").ID); got["wechat"] != "skipped/not_configured" || got["sms"] != "skipped/not_configured" {
		t.Fatalf("unconfigured service: %v", got)
	}
}

func TestDailyLimit(t *testing.T) {
	e := setup(t)
	p := e.person(t, true, false, true, true, 0) // SMS only
	limit := push.DefaultMaxPushesPerDay
	for i := range limit + 2 {
		e.notify(t, noticeFor(p.lab.ID, fmt.Sprintf("limit-%d", i)))
		e.clock.Add(time.Minute)
	}
	for i := range limit + 2 {
		got := e.states(t, e.message(t, fmt.Sprintf("limit-%d", i)).ID)
		want := "pending"
		if i >= limit {
			want = "skipped/daily_limit"
		}
		if got["sms"] != want || got["inbox"] != "sent" {
			t.Fatalf("notice %d: %v, want sms %s and the inbox always", i, got, want)
		}
	}
	// Another worker is not affected.
	q := e.person(t, true, false, true, true, 0)
	e.notify(t, noticeFor(q.lab.ID, "limit-other"))
	if got := e.states(t, e.message(t, "limit-other").ID); got["sms"] != "pending" {
		t.Fatalf("another worker limited: %v", got)
	}
	// The day ends at midnight China time (16:00 UTC).
	e.clock.Set(time.Date(2026, 3, 10, 15, 59, 0, 0, time.UTC))
	e.notify(t, noticeFor(p.lab.ID, "limit-late"))
	e.clock.Set(time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC))
	e.notify(t, noticeFor(p.lab.ID, "limit-next-day"))
	if got := e.states(t, e.message(t, "limit-late").ID); got["sms"] != "skipped/daily_limit" {
		t.Fatalf("23:59 CST: %v", got)
	}
	if got := e.states(t, e.message(t, "limit-next-day").ID); got["sms"] != "pending" {
		t.Fatalf("00:00 CST next day: %v", got)
	}
	var inbox int64
	must(t, e.db.Model(&model.Message{}).Where("labourer_id = ?", p.lab.ID).Count(&inbox).Error)
	t.Logf("limit %d/day: %d notices, %d in the inbox", limit, limit+4, inbox)
	if inbox != int64(limit+4) {
		t.Fatalf("inbox has %d messages, want %d", inbox, limit+4)
	}
}

func TestWeChatDelivery(t *testing.T) {
	e := setup(t)
	p := e.person(t, true, true, true, true, 1)
	e.notify(t, noticeFor(p.lab.ID, "wx-ok"))
	m := e.message(t, "wx-ok")
	if runs := e.drain(t); runs != 1 {
		t.Fatalf("%d handler runs, want 1", runs)
	}
	sent := e.wx.Sent()
	if len(sent) != 1 || sent[0].ToUser != p.openid || sent[0].TemplateID != tmplJob || sent[0].Page != "pages/jobs/detail?id=42" ||
		sent[0].Data["thing1"]["value"] != "电焊工" {
		t.Fatalf("wechat sent %+v", sent)
	}
	got := e.states(t, m.ID)
	if got["wechat"] != "sent" || got["sms"] != "skipped/wechat_sent" {
		t.Fatalf("states %v", got)
	}
	d := e.delivery(t, m.ID, "wechat")
	if d.SentAt == nil || d.Attempts != 1 {
		t.Fatalf("wechat delivery %+v", d)
	}
	if q := e.quota(t, p.acc.ID); q != 0 {
		t.Fatalf("quota %d after one send, want 0", q)
	}
	if e.sms.Requests() != 0 {
		t.Fatal("SMS sent although WeChat delivered")
	}
	// The grant is used up: the next notice goes by SMS (consented).
	e.notify(t, noticeFor(p.lab.ID, "wx-ok-2"))
	if got := e.states(t, e.message(t, "wx-ok-2").ID); got["wechat"] != "skipped/no_quota" || got["sms"] != "pending" {
		t.Fatalf("second notice: %v", got)
	}
}

// TestWeChatPermanentErrors: SECURITY.md 17 — 43101, 47003, 40037, 40003 and
// 41030 are not retried; the SMS takes over where the worker consented;
// template problems raise an alert; 43101 zeroes the grants.
func TestWeChatPermanentErrors(t *testing.T) {
	e := setup(t)
	for _, c := range []struct {
		code      int
		alert     bool
		quotaLeft int
	}{
		{wechat.ErrCodeUserRefused, false, 0},
		{wechat.ErrCodeTemplateParams, true, 2},
		{wechat.ErrCodeTemplateID, true, 2},
		{wechat.ErrCodeInvalidOpenID, false, 2},
		{wechat.ErrCodeInvalidPage, true, 2},
	} {
		for _, consent := range []bool{true, false} {
			t.Run(fmt.Sprintf("%d/consent=%v", c.code, consent), func(t *testing.T) {
				p := e.person(t, true, true, true, consent, 2)
				e.wx.SetSendError(p.openid, c.code, 0) // always
				key := fmt.Sprintf("perm-%d-%v", c.code, consent)
				logStart := len(e.logs.String())
				e.notify(t, noticeFor(p.lab.ID, key))
				m := e.message(t, key)
				smsBefore := len(e.sms.Sent())
				runs := e.drain(t)
				wd := e.delivery(t, m.ID, "wechat")
				if wd.State != "failed" || wd.ErrorCode != strconv.Itoa(c.code) || wd.Attempts != 1 {
					t.Fatalf("wechat delivery %+v", wd)
				}
				if q := e.quota(t, p.acc.ID); q != c.quotaLeft {
					t.Fatalf("quota %d, want %d", q, c.quotaLeft)
				}
				sd := e.delivery(t, m.ID, "sms")
				newSMS := e.sms.Sent()[smsBefore:]
				if consent {
					if sd.State != "sent" || runs != 2 || len(newSMS) != 1 || newSMS[0].Phone != p.phone ||
						newSMS[0].TemplateCode != smsJob || newSMS[0].OutID != strconv.FormatInt(sd.ID, 10) || newSMS[0].SignName != signName {
						t.Fatalf("fallback: sms %+v, runs %d, provider got %+v", sd, runs, newSMS)
					}
				} else if sd.State != "skipped" || sd.Reason != "no_consent" || runs != 1 || len(newSMS) != 0 {
					t.Fatalf("no consent: sms %+v, runs %d, provider got %d", sd, runs, len(newSMS))
				}
				logs := e.logs.String()[logStart:]
				if got := strings.Contains(logs, "ALERT push wechat template problem"); got != c.alert {
					t.Fatalf("alert logged = %v, want %v", got, c.alert)
				}
				if strings.Contains(logs, p.phone) {
					t.Fatal("phone number in the logs")
				}
				// Nothing is retried: the events are done and a redelivery sends nothing.
				calls := e.wx.Calls(wechat.PathSubscribeSend)
				for _, ev := range e.events(t, "aggregate_id = ?", m.ID) {
					must(t, outbox.Handle(e.db, e.svc.Deliver)(ctxBG(), task(ev)))
				}
				if e.wx.Calls(wechat.PathSubscribeSend) != calls || len(e.sms.Sent()) != smsBefore+len(newSMS) {
					t.Fatal("a redelivery sent again")
				}
			})
		}
	}
}

// TestWeChatTransientRetries: -1 returns an error so asynq retries with
// backoff; nothing is recorded and the grant is kept until the send succeeds.
func TestWeChatTransientRetries(t *testing.T) {
	e := setup(t)
	p := e.person(t, true, true, true, true, 1)
	e.wx.SetSendError(p.openid, wechat.ErrCodeBusy, 2)
	e.notify(t, noticeFor(p.lab.ID, "busy"))
	m := e.message(t, "busy")
	ev := e.events(t, "aggregate_id = ?", m.ID)[0]
	h := outbox.Handle(e.db, e.svc.Deliver)
	for i := range 2 {
		err := h(ctxBG(), task(ev))
		if err == nil || errors.Is(err, asynq.SkipRetry) || !strings.Contains(err.Error(), "busy") {
			t.Fatalf("attempt %d: err %v, want a retryable busy error", i+1, err)
		}
		if got := e.states(t, m.ID); got["wechat"] != "pending" || got["sms"] != "standby" {
			t.Fatalf("after transient failure: %v", got)
		}
		if q := e.quota(t, p.acc.ID); q != 1 {
			t.Fatalf("grant spent on a failed send: %d", q)
		}
		var open model.OutboxEvent
		must(t, e.db.Take(&open, ev.ID).Error)
		if open.DoneAt != nil {
			t.Fatal("event done after a transient failure")
		}
	}
	// The third attempt succeeds.
	must(t, h(ctxBG(), task(ev)))
	if got := e.states(t, m.ID); got["wechat"] != "sent" || got["sms"] != "skipped/wechat_sent" {
		t.Fatalf("after retry: %v", got)
	}
	if len(e.wx.Sent()) != 1 || e.quota(t, p.acc.ID) != 0 || e.sms.Requests() != 0 {
		t.Fatalf("sent %d, quota %d, sms requests %d", len(e.wx.Sent()), e.quota(t, p.acc.ID), e.sms.Requests())
	}
}

// TestRedeliverySendsNothingTwice: the same task delivered again, and eight
// deliveries at once, send one message.
func TestRedeliverySendsNothingTwice(t *testing.T) {
	e := setup(t)
	h := outbox.Handle(e.db, e.svc.Deliver)
	a := e.person(t, true, true, true, true, 1)
	b := e.person(t, true, false, true, true, 0) // SMS
	e.notify(t, noticeFor(a.lab.ID, "again-wx"))
	e.notify(t, noticeFor(b.lab.ID, "again-sms"))
	for _, ev := range e.events(t, "1 = 1") {
		must(t, h(ctxBG(), task(ev)))
		must(t, h(ctxBG(), task(ev)))
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := h(ctxBG(), task(ev)); err != nil {
					t.Errorf("concurrent redelivery: %v", err)
				}
			}()
		}
		wg.Wait()
	}
	// Even with the done marker lost (say a sweeper re-ran an old event),
	// 'sent' is final: the handler finds nothing pending.
	must(t, e.db.Model(&model.OutboxEvent{}).Where("kind = ?", model.EventPushRequested).Update("done_at", nil).Error)
	for _, ev := range e.events(t, "1 = 1") {
		must(t, h(ctxBG(), task(ev)))
	}
	if n := len(e.wx.Sent()); n != 1 {
		t.Fatalf("wechat sent %d, want 1", n)
	}
	if n := len(e.sms.Sent()); n != 1 || e.sms.Sent()[0].Phone != b.phone {
		t.Fatalf("sms sent %d, want 1", n)
	}
	t.Logf("deliveries per task = 11, sends = %d", len(e.wx.Sent())+len(e.sms.Sent()))
}

// TestSMSSigning: the fake recomputes the signature with its own code; a
// wrong secret is refused as SignatureDoesNotMatch (permanent, alert), and
// parameters that need careful encoding go through.
func TestSMSSigning(t *testing.T) {
	e := setup(t)
	ctx := ctxBG()
	// Characters the canonicalization must get right: CJK, space, *, ~, +, /, =, &, quotes.
	tricky := map[string]string{"title": "岗位 推荐*~+/=&\"'", "content": "月薪 5000+ 元 (包吃住) 100%"}
	must(t, e.prov.Send(ctx, push.SMS{Phone: "13912345678", TemplateCode: smsJob, Params: tricky, OutID: "out 1*~"}))
	got := e.sms.Sent()
	if len(got) != 1 || got[0].Params["title"] != tricky["title"] || got[0].OutID != "out 1*~" || got[0].SignName != signName {
		t.Fatalf("fake got %+v", got)
	}
	// A different sign name per message is signed too.
	must(t, e.prov.Send(ctx, push.SMS{Phone: "13912345679", SignName: "甘肃就业帮扶", TemplateCode: smsJob}))

	bad, err := push.NewAliyun(push.AliyunConfig{AccessKeyID: akID, AccessKeySecret: "wrong-secret", SignName: signName, BaseURL: e.sms.URL})
	must(t, err)
	err = bad.Send(ctx, push.SMS{Phone: "13912345678", TemplateCode: smsJob, Params: tricky})
	var se *push.SMSError
	if !errors.As(err, &se) || se.Code != "SignatureDoesNotMatch" || !se.Permanent || !se.Config {
		t.Fatalf("wrong secret: %v", err)
	}
	if e.sms.Rejected("SignatureDoesNotMatch") != 1 {
		t.Fatal("the fake did not check the signature")
	}
	// An unknown key id and a stale clock are refused as well.
	other, _ := push.NewAliyun(push.AliyunConfig{AccessKeyID: "nobody", AccessKeySecret: akSecret, SignName: signName, BaseURL: e.sms.URL})
	if err := other.Send(ctx, push.SMS{Phone: "13912345678", TemplateCode: smsJob}); !errors.As(err, &se) || se.Code != "InvalidAccessKeyId.NotFound" || !se.Permanent {
		t.Fatalf("unknown key: %v", err)
	}
	old, _ := push.NewAliyun(push.AliyunConfig{AccessKeyID: akID, AccessKeySecret: akSecret, SignName: signName, BaseURL: e.sms.URL,
		Now: func() time.Time { return time.Now().Add(-time.Hour) }})
	if err := old.Send(ctx, push.SMS{Phone: "13912345678", TemplateCode: smsJob}); !errors.As(err, &se) || se.Code != "InvalidTimeStamp.Expired" {
		t.Fatalf("stale timestamp: %v", err)
	}
	// The client's signer and the fake's agree on arbitrary parameters.
	for i := range 50 {
		p := map[string]string{"A": fmt.Sprint(i), "b~*": strings.Repeat("值 +", i%5), "Z": "é&=?/%"}
		if a, b := push.AliyunSignature("POST", p, "s"), smstest.Sign("POST", p, "s"); a != b {
			t.Fatalf("signatures differ for %v: %s vs %s", p, a, b)
		}
	}
	if len(e.sms.Sent()) != 2 {
		t.Fatalf("fake accepted %d, want 2", len(e.sms.Sent()))
	}
}

// TestSMSErrors: the provider's permanent codes fail the delivery, the
// transient ones are retried.
func TestSMSErrors(t *testing.T) {
	e := setup(t)
	h := outbox.Handle(e.db, e.svc.Deliver)
	cases := []struct {
		code      string
		transient bool
	}{
		{"isv.MOBILE_NUMBER_ILLEGAL", false},
		{"isv.AMOUNT_NOT_ENOUGH", false},
		{"isv.BUSINESS_LIMIT_CONTROL", true},
		{"isp.SYSTEM_ERROR", true},
		{"ServiceUnavailable", true},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			p := e.person(t, true, false, true, true, 0)
			e.sms.SetError(p.phone, c.code, 1)
			e.notify(t, noticeFor(p.lab.ID, "smserr-"+c.code))
			m := e.message(t, "smserr-"+c.code)
			ev := e.events(t, "aggregate_id = ?", m.ID)[0]
			err := h(ctxBG(), task(ev))
			d := e.delivery(t, m.ID, "sms")
			if c.transient {
				if err == nil || d.State != "pending" {
					t.Fatalf("transient %s: err %v, delivery %+v", c.code, err, d)
				}
				must(t, h(ctxBG(), task(ev)))
				if d = e.delivery(t, m.ID, "sms"); d.State != "sent" {
					t.Fatalf("after retry: %+v", d)
				}
				return
			}
			if err != nil || d.State != "failed" || d.ErrorCode != c.code {
				t.Fatalf("permanent %s: err %v, delivery %+v", c.code, err, d)
			}
		})
	}
	if strings.Contains(e.logs.String(), "1390") || strings.Contains(e.logs.String(), akSecret) {
		t.Fatal("a phone or the access key secret is in the logs")
	}
	// A consent withdrawn after the notice stops the SMS at send time.
	p := e.person(t, true, false, true, true, 0)
	e.notify(t, noticeFor(p.lab.ID, "withdrawn"))
	must(t, e.db.Model(&model.SMSConsent{}).Where("labourer_id = ?", p.lab.ID).Update("consented", false).Error)
	before := e.sms.Requests()
	e.drain(t)
	if got := e.states(t, e.message(t, "withdrawn").ID); got["sms"] != "skipped/no_consent" || e.sms.Requests() != before {
		t.Fatalf("withdrawn consent: %v", got)
	}
}

// TestWorkerEndToEnd runs the real outbox relay and asynq worker (on the real
// Redis when TEST_REDIS_URL is set): every notice is pushed exactly once.
func TestWorkerEndToEnd(t *testing.T) {
	e := setup(t)
	rds := testenv.Redis(t)
	const n = 30
	people := make([]person, n)
	for i := range people {
		people[i] = e.person(t, true, i%3 != 0, true, true, 1) // a third without openid → SMS
		e.notify(t, noticeFor(people[i].lab.ID, fmt.Sprintf("e2e-%d", i)))
		e.notify(t, noticeFor(people[i].lab.ID, fmt.Sprintf("e2e-%d", i))) // retried caller
	}
	w := outbox.NewWorker(e.db, rds.Asynq, 8, testenv.Logger())
	w.Register(model.EventPushRequested, e.svc.Deliver)
	must(t, w.Start())
	t.Cleanup(w.Shutdown)
	client := asynq.NewClient(rds.Asynq)
	t.Cleanup(func() { client.Close() })
	relay := outbox.NewRelay(e.db, client, testenv.Logger(), outbox.RelayOptions{PollInterval: 20 * time.Millisecond, SweepAfter: time.Second})
	ctx, cancel := context.WithCancel(ctxBG())
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx) }()
	start := time.Now()
	for {
		if len(e.events(t, "done_at IS NULL")) == 0 {
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("%d push events still open", len(e.events(t, "done_at IS NULL")))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Let the sweeper look again: nothing may be sent twice.
	time.Sleep(1500 * time.Millisecond)
	cancel()
	<-done
	perOpenID := map[string]int{}
	for _, s := range e.wx.Sent() {
		perOpenID[s.ToUser]++
	}
	perPhone := map[string]int{}
	for _, s := range e.sms.Sent() {
		perPhone[s.Phone]++
	}
	lost, twice := 0, 0
	for _, p := range people {
		got := perOpenID[p.openid]
		if p.openid == "" {
			got = perPhone[p.phone]
		}
		switch {
		case got == 0:
			lost++
		case got > 1:
			twice++
		}
	}
	t.Logf("notices %d: lost %d, pushed twice %d, wechat %d, sms %d, in %v", n, lost, twice, len(e.wx.Sent()), len(e.sms.Sent()), time.Since(start).Round(time.Millisecond))
	if lost != 0 || twice != 0 || len(e.wx.Sent())+len(e.sms.Sent()) != n {
		t.Fatal("every notice must be pushed exactly once")
	}
}
