package api

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/service/status"
)

// FuzzStatusReport throws arbitrary JSON bodies at POST /me/reports
// (SECURITY.md 20). Property: never a 5xx, and every refusal carries a stable
// code and a Chinese message. `go test` runs the seeds; `go test -fuzz
// FuzzStatusReport ./api/` explores further. One worker token is reused, so
// valid reports move the worker's state along, which is fine: every state
// must refuse bad input cleanly.
func FuzzStatusReport(f *testing.F) {
	tok, _ := st.worker(f, villageA)
	today := time.Now().In(status.China)
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	seeds := []any{
		// valid
		map[string]any{"kind": "new_job", "start_date": day(-20), "place_code": villageC, "form": "flexible", "monthly_wage": 3200,
			"industry": "service", "contract": true, "social_insurance": false},
		map[string]any{"kind": "still_working"},
		map[string]any{"kind": "new_job", "start_date": day(-5), "place_code": "3301", "form": "employed", "employer_name": "杭州某厂",
			"monthly_wage": 6000, "industry": "general_worker", "contract": true, "social_insurance": true},
		map[string]any{"kind": "returned", "wants_work": true, "reason": "illness"},
		map[string]any{"kind": "returned", "wants_work": false, "return_date": day(-1)},
		map[string]any{"kind": "plan_out", "dest_code": "4403", "job": "电子厂普工", "expected_wage": 5000, "planned_month": today.Format("2006-01")},
		map[string]any{"kind": "no_plan", "reason": "other", "reason_other": "家里有老人要照顾"},
		map[string]any{"kind": "no_plan", "reason": "family_care"},
		// invalid
		map[string]any{"kind": "new_job", "start_date": day(5), "monthly_wage": -1},
		map[string]any{"kind": "new_job", "start_date": "0000-01-01", "place_code": "000000", "form": "other", "industry": "other", "monthly_wage": 2147483648},
		map[string]any{"kind": "returned", "return_date": "9999-12-31", "wants_work": true},
		map[string]any{"kind": "plan_out", "dest_code": "62", "job": strings.Repeat("工", 51), "expected_wage": 0, "planned_month": "2999-01"},
		map[string]any{"kind": "no_plan", "reason": "other", "reason_other": strings.Repeat(" ", 200)},
		map[string]any{"kind": "still_working", "status": "working", "village_code": otherCounty, "verified": true, "amount": 1e9},
		`{"kind":`, `{"kind":null}`, `null`, `[]`, `{}`, `""`, `0`, `{"kind":"returned","wants_work":"true"}`,
		`{"kind":"new_job","monthly_wage":1e400}`, `{"kind":"new_job","contract":{}}`, "{\"kind\":\"\xff\"}",
		`{"kind":"no_plan","reason":"farming","job":"` + strings.Repeat("<", 2000) + `"}`,
		// A field the kind ignores, escaped to 6 bytes a character when the
		// report is stored: 72 KB for a TEXT column on MySQL.
		`{"kind":"no_plan","reason":"farming","job":"` + strings.Repeat("<", 12000) + `"}`,
		`{"kind":"new_job","start_date":"2024-02-29T00:00:00Z"}`, `{"kind":"plan_out","planned_month":"2026-00"}`,
		`{"kind":"returned","wants_work":true}{"kind":"returned"}`, strings.Repeat("[", 5000),
	}
	for _, s := range seeds {
		switch v := s.(type) {
		case string:
			f.Add([]byte(v))
		default:
			b, err := json.Marshal(v)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	var tried, saved, refused, fives atomic.Int64
	f.Cleanup(func() {
		f.Logf("fuzz /me/reports (SECURITY.md 20): inputs tried = %d (saved %d, refused %d); 500s = %d",
			tried.Load(), saved.Load(), refused.Load(), fives.Load())
	})
	f.Fuzz(func(t *testing.T, body []byte) {
		r := st.do(t, "POST", "/api/v1/me/reports", tok, body)
		tried.Add(1)
		switch {
		case r.Code >= 500:
			fives.Add(1)
		case r.Code >= 400:
			refused.Add(1)
		default:
			saved.Add(1)
		}
		if r.Code >= 500 {
			t.Fatalf("5xx for %.120q (%d bytes): %d %s", body, len(body), r.Code, r.Raw)
		}
		if r.Code >= 400 {
			if p := errorShapeProblems(r); len(p) > 0 {
				t.Fatalf("refusal of %.120q: %v", body, p)
			}
		} else if r.Code != 201 {
			t.Fatalf("unexpected %d for %.120q", r.Code, body)
		}
	})
}
