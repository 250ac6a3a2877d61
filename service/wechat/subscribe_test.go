package wechat

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func msgTo(openid string) SubscribeMessage {
	return SubscribeMessage{
		ToUser:           openid,
		TemplateID:       "tmpl-job-push",
		Page:             "pages/jobs/detail?id=42",
		Data:             map[string]string{"thing1": "电焊工", "amount2": "6500元/月"},
		MiniprogramState: "formal",
		Lang:             "zh_CN",
	}
}

// TestSubscribeClassification: SECURITY.md 17 — which failures are permanent.
func TestSubscribeClassification(t *testing.T) {
	cases := []struct {
		name      string
		setup     func(e *env, openid string)
		msg       func(openid string) SubscribeMessage
		ok        bool
		code      int
		permanent bool
		reason    string
		template  bool
		sends     int // upstream send calls
	}{
		{name: "sent", ok: true, sends: 1},
		{name: "43101 user refused", setup: sendErr(43101), code: 43101, permanent: true, reason: ReasonUserRefused, sends: 1},
		{name: "47003 template params", setup: sendErr(47003), code: 47003, permanent: true, reason: ReasonTemplateParams, template: true, sends: 1},
		{name: "40037 template id", setup: sendErr(40037), code: 40037, permanent: true, reason: ReasonTemplateID, template: true, sends: 1},
		{name: "40003 openid", setup: sendErr(40003), code: 40003, permanent: true, reason: ReasonOpenID, sends: 1},
		{name: "41030 page", setup: sendErr(41030), code: 41030, permanent: true, reason: ReasonPage, template: true, sends: 1},
		{name: "-1 busy", setup: sendErr(-1), code: -1, reason: ReasonBusy, sends: 1},
		{name: "45009 other", setup: sendErr(45009), code: 45009, reason: ReasonOther, sends: 1},
		{name: "empty value rejected by WeChat", msg: func(o string) SubscribeMessage {
			m := msgTo(o)
			m.Data["thing1"] = ""
			return m
		}, code: 47003, permanent: true, reason: ReasonTemplateParams, template: true, sends: 1},
		{name: "no openid", msg: func(string) SubscribeMessage { return msgTo("") }, code: 40003, permanent: true, reason: ReasonOpenID, sends: 1},
		{name: "40001 then sent", setup: func(e *env, _ string) { e.fake.FailAPICalls(40001) }, ok: true, sends: 2},
		{name: "42001 then sent", setup: func(e *env, _ string) { e.fake.ExpireTokens() }, ok: true, sends: 2},
		{name: "40001 twice", setup: func(e *env, _ string) { e.fake.FailAPICalls(40001, 40001) }, code: 40001, reason: ReasonToken, sends: 2},
		{name: "no token at all", setup: func(e *env, _ string) {
			e.fake.RevokeTokens()
			e.fake.FailAPICalls(40001)
			e.fake.FailTokenCalls(40013)
		}, reason: ReasonToken, sends: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			openid := "oUser" + tc.name
			if _, err := e.c.AccessToken(ctx); err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				tc.setup(e, openid)
			}
			mk := msgTo
			if tc.msg != nil {
				mk = tc.msg
			}
			err := e.c.SendSubscribe(ctx, mk(openid))
			if got := e.fake.Calls(PathSubscribeSend); got != tc.sends {
				t.Errorf("send calls = %d, want %d", got, tc.sends)
			}
			if tc.ok {
				if err != nil {
					t.Fatalf("want sent, got %v", err)
				}
				sent := e.fake.Sent()
				want := map[string]map[string]string{"thing1": {"value": "电焊工"}, "amount2": {"value": "6500元/月"}}
				if len(sent) != 1 || sent[0].ToUser != openid || !reflect.DeepEqual(sent[0].Data, want) ||
					sent[0].Page != "pages/jobs/detail?id=42" || sent[0].MiniprogramState != "formal" || sent[0].Lang != "zh_CN" {
					t.Fatalf("sent %+v", sent)
				}
				return
			}
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("want *SendError, got %T %v", err, err)
			}
			if se.Code != tc.code || se.Permanent != tc.permanent || se.Reason != tc.reason || se.TemplateProblem() != tc.template {
				t.Errorf("got code %d permanent %v reason %s template %v; want %d %v %s %v",
					se.Code, se.Permanent, se.Reason, se.TemplateProblem(), tc.code, tc.permanent, tc.reason, tc.template)
			}
			if IsPermanent(err) != tc.permanent {
				t.Errorf("IsPermanent = %v", IsPermanent(err))
			}
		})
	}
}

// A transient failure succeeds when the queue retries.
func TestSubscribeTransientThenRetry(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.fake.SetSendError("oRetry", -1, 1)
	if err := e.c.SendSubscribe(ctx, msgTo("oRetry")); err == nil || IsPermanent(err) {
		t.Fatalf("first send: %v, want transient", err)
	}
	if err := e.c.SendSubscribe(ctx, msgTo("oRetry")); err != nil {
		t.Fatalf("retry: %v", err)
	}
	// Another process that cannot reach WeChat (the token comes from Redis).
	dead := e.client(testSecret, "http://127.0.0.1:1")
	err := dead.SendSubscribe(ctx, msgTo("oX"))
	var se *SendError
	if !errors.As(err, &se) || se.Permanent || se.Reason != ReasonTransport {
		t.Fatalf("unreachable WeChat: %v", err)
	}
}

func sendErr(code int) func(e *env, openid string) {
	return func(e *env, openid string) { e.fake.SetSendError(openid, code, 0) }
}
