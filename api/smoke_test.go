package api

import "testing"

func TestWorkerReportsReturn(t *testing.T) {
	tok, _ := st.worker(t, villageA)
	r := st.do(t, "POST", "/api/v1/me/reports", tok, map[string]any{"kind": "returned", "wants_work": true})
	if r.Code != 201 {
		t.Fatalf("report: %d %s", r.Code, r.Raw)
	}
	cur := r.Body["current"].(map[string]any)
	if cur["label"] != "失业返乡，想找工作" || cur["review"] != "pending" {
		t.Fatalf("card: %v", cur)
	}
	var n int64
	st.db.Table("outbox_events").Where("kind = ?", "return.reported").Count(&n)
	if n == 0 {
		t.Fatal("no outbox event for a returnee who wants work")
	}
}
