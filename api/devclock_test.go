package api

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/payment"
	"github.com/jiuyebang/jiuyebang/service/subsidy"
)

// TestDevClockAbsentWhenOff: without DEV_CLOCK the routes do not exist.
func TestDevClockAbsentWhenOff(t *testing.T) {
	for _, m := range []string{"GET", "PUT"} {
		if r := st.do(t, m, "/api/v1/dev/clock", "", map[string]any{"offset_hours": 240}); r.Code != 404 {
			t.Fatalf("%s /dev/clock without DEV_CLOCK: %d %s", m, r.Code, r.Raw)
		}
	}
}

// TestDevClockPassesNotice: with DEV_CLOCK the clock moves every service that
// reads it, so a notice can be closed once the offset passes its end; bad
// input changes nothing.
func TestDevClockPassesNotice(t *testing.T) {
	clk := clock.New()
	d := st.deps
	d.Clock = clk
	d.Metrics = prometheus.NewRegistry()
	d.Payments = payment.New(st.db, st.box, payment.Options{Now: clk.Now})
	d.Subsidy = subsidy.New(st.db, st.regions, clk.Now)
	dev := *st
	dev.engine = New(d)

	r := dev.do(t, "GET", "/api/v1/dev/clock", "", nil)
	if r.Code != 200 || r.Body["offset_hours"] != float64(0) {
		t.Fatalf("get clock: %d %s", r.Code, r.Raw)
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(r.Body["now"])); err != nil {
		t.Fatalf("now is not RFC 3339: %s", r.Raw)
	}

	maker, _ := st.account(t, model.RoleTaskforce, testCounty)
	lab, _ := st.labourer(t, villageA)
	c := approvedClaim(t, lab, 80000)
	n := dev.do(t, "POST", "/api/v1/notices", maker, map[string]any{"county_code": testCounty, "claim_ids": []string{idString(c.ID)}})
	if n.Code != 201 {
		t.Fatalf("publish: %d %s", n.Code, n.Raw)
	}
	nid := n.Body["id"].(string)
	if r := dev.do(t, "POST", "/api/v1/notices/"+nid+"/close", maker, nil); r.Code != 409 || r.errCode() != "notice_running" {
		t.Fatalf("close before the end: %d %s", r.Code, r.Raw)
	}

	for _, bad := range []struct {
		name  string
		body  any
		code  string
		field string
	}{
		{"negative", map[string]any{"offset_hours": -1}, "validation_failed", "offset_hours"},
		{"over a year", map[string]any{"offset_hours": clock.MaxOffsetHours + 1}, "validation_failed", "offset_hours"},
		{"fractional", map[string]any{"offset_hours": 1.5}, "validation_failed", "offset_hours"},
		{"a string", map[string]any{"offset_hours": "240"}, "validation_failed", "offset_hours"},
		{"missing", map[string]any{}, "validation_failed", "offset_hours"},
		{"not JSON", "{", "invalid_json", ""},
	} {
		r := dev.do(t, "PUT", "/api/v1/dev/clock", "", bad.body)
		if r.Code != 400 || r.errCode() != bad.code || (bad.field != "" && (len(r.fields()) != 1 || r.fields()[0] != bad.field)) {
			t.Fatalf("%s: %d %s", bad.name, r.Code, r.Raw)
		}
		if clk.OffsetHours() != 0 {
			t.Fatalf("%s moved the clock to %d h", bad.name, clk.OffsetHours())
		}
	}

	// Eleven days on (five working days plus two weekends at most).
	const offset = 11 * 24
	r = dev.do(t, "PUT", "/api/v1/dev/clock", "", map[string]any{"offset_hours": offset})
	if r.Code != 200 || r.Body["offset_hours"] != float64(offset) {
		t.Fatalf("set clock: %d %s", r.Code, r.Raw)
	}
	now, _ := time.Parse(time.RFC3339, fmt.Sprint(r.Body["now"]))
	if ahead := time.Until(now); ahead < offset*time.Hour-time.Minute || ahead > offset*time.Hour+time.Minute {
		t.Fatalf("clock reads %v ahead, want %d h", ahead, offset)
	}
	r = dev.do(t, "POST", "/api/v1/notices/"+nid+"/close", maker, nil)
	if r.Code != 200 || r.Body["state"] != model.NoticeClosed {
		t.Fatalf("close after the end: %d %s", r.Code, r.Raw)
	}
	if s := claimState(t, c.ID); s != model.ClaimNoticePassed {
		t.Fatalf("claim after the notice: %s", s)
	}
	if r := dev.do(t, "PUT", "/api/v1/dev/clock", "", map[string]any{"offset_hours": 0}); r.Code != 200 || clk.OffsetHours() != 0 {
		t.Fatalf("reset: %d %s", r.Code, r.Raw)
	}
}

func TestOpenAPIDevClockSchemas(t *testing.T) {
	doc := oaLoad(t)
	oaCompare(t, doc, "DevClock", oaSchema(t, doc, "DevClock"), reflect.TypeFor[clockView]())
	oaCompare(t, doc, "DevClockSet", oaSchema(t, doc, "DevClockSet"), reflect.TypeFor[clockRequest]())
}
