package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/jiuyebang/jiuyebang/service/apperr"
)

func TestPhoneNumber(t *testing.T) {
	cases := []struct {
		name    string
		code    string
		setup   func(e *env)
		want    Phone
		errcode int
		kind    apperr.Kind
		appCode string
		calls   int
	}{
		{name: "default phone", code: "ok-1", want: Phone{"13800138000", "13800138000", "86"}, calls: 1},
		{name: "phone named by code", code: "ok-13912345678", want: Phone{"13912345678", "13912345678", "86"}, calls: 1},
		{name: "configured phone", code: "ok-2", setup: func(e *env) { e.fake.SetPhone("+85261234567", "61234567", "852") },
			want: Phone{"+85261234567", "61234567", "852"}, calls: 1},
		{name: "busy then ok", code: "busy-2", want: Phone{"13800138000", "13800138000", "86"}, calls: 3},
		{name: "invalid", code: "invalid", errcode: 40029, kind: apperr.KindValidation, appCode: CodePhoneInvalid, calls: 1},
		{name: "ratelimit", code: "ratelimit", errcode: 45011, kind: apperr.KindTooMany, appCode: CodeRateLimited, calls: 1},
		{name: "busy gives up", code: "busy-9", errcode: -1, kind: apperr.KindUnavailable, appCode: CodeBusy, calls: 3},
		{name: "other errcode", code: "err-40013", errcode: 40013, kind: apperr.KindUnavailable, appCode: CodeUnavailable, calls: 1},
		{name: "watermark of another app", code: "ok-3", setup: func(e *env) { e.fake.SetWatermarkAppID("wx0000000000000bad") },
			kind: apperr.KindForbidden, appCode: CodeAppIDMismatch, calls: 1},
		{name: "empty watermark", code: "ok-4", setup: func(e *env) { e.fake.SetWatermarkAppID("") },
			kind: apperr.KindForbidden, appCode: CodeAppIDMismatch, calls: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(e)
			}
			p, err := e.c.PhoneNumber(context.Background(), tc.code)
			if got := e.fake.Calls(PathPhoneNumber); got != tc.calls {
				t.Errorf("upstream calls = %d, want %d", got, tc.calls)
			}
			if tc.appCode == "" {
				if err != nil || p != tc.want {
					t.Fatalf("got %+v %v, want %+v", p, err, tc.want)
				}
				return
			}
			wantAppErr(t, err, tc.kind, tc.appCode)
			if got := errcodeOf(err); got != tc.errcode {
				t.Errorf("cause errcode %d, want %d", got, tc.errcode)
			}
			if p != (Phone{}) {
				t.Errorf("phone on error: %+v", p)
			}
		})
	}
}

func TestPhoneCodeWorksOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.c.PhoneNumber(ctx, "ok-13912345678"); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.PhoneNumber(ctx, "ok-13912345678")
	wantAppErr(t, err, apperr.KindValidation, CodePhoneInvalid)
	// The adapter service/auth uses returns the bare number.
	n, err := AuthAdapter{e.c}.PhoneNumber(ctx, "ok-13700001111")
	if err != nil || n != "13700001111" {
		t.Fatalf("adapter: %q %v", n, err)
	}
	o, u, err := AuthAdapter{e.c}.Code2Session(ctx, "ok-carol")
	if err != nil || o == "" || u == "" {
		t.Fatalf("adapter login: %q %q %v", o, u, err)
	}
}

func TestCountryCodeStringOrNumber(t *testing.T) {
	for in, want := range map[string]string{`{"countryCode":"86"}`: "86", `{"countryCode":86}`: "86", `{"countryCode":null}`: "", `{}`: ""} {
		var v struct {
			CountryCode flexString `json:"countryCode"`
		}
		if err := json.Unmarshal([]byte(in), &v); err != nil || string(v.CountryCode) != want {
			t.Errorf("%s → %q %v, want %q", in, v.CountryCode, err, want)
		}
	}
}

func TestPhoneLogsMasked(t *testing.T) {
	var b bytes.Buffer
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "phone", Phone{"13912345678", "13912345678", "86"})
	if strings.Contains(b.String(), "13912345678") || !strings.Contains(b.String(), "139****5678") {
		t.Errorf("phone log: %s", b.String())
	}
}
