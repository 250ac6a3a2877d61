package api

import (
	"fmt"
	"testing"

	"github.com/jiuyebang/jiuyebang/model"
)

// TestPaymentCancelBatch: the task force cancels a batch not yet approved;
// its claims go back to wait for another batch (an advance to 待预付), bad
// input changes nothing, and an approved batch cannot be cancelled.
func TestPaymentCancelBatch(t *testing.T) {
	maker, _ := st.account(t, model.RoleTaskforce, testCounty)
	checker, _ := st.account(t, model.RoleTaskforce, testCounty)
	cadre, _ := st.account(t, model.RoleCadre, villageA)
	official, _ := st.account(t, model.RoleOfficial, testCounty[:4])
	var claims []*model.SubsidyClaim
	for _, state := range []model.ClaimState{model.ClaimNoticePassed, model.ClaimAdvanceDue} {
		lab, _ := st.labourer(t, villageA)
		if r := st.do(t, "PUT", fmt.Sprintf("/api/v1/labourers/%d/bank-account", lab.ID), maker,
			map[string]string{"holder_name": lab.Name, "number": fmt.Sprintf("622848%013d", lab.ID%1e13), "bank_name": "中国农业银行"}); r.Code != 200 {
			t.Fatalf("account: %d %s", r.Code, r.Raw)
		}
		c := approvedClaim(t, lab, 50000)
		mode := model.ModeAuto
		if state == model.ClaimAdvanceDue {
			mode = model.ModePrepaid
		}
		st.db.Model(c).Updates(map[string]any{"state": state, "mode": mode})
		claims = append(claims, c)
	}
	ids := []string{idString(claims[0].ID), idString(claims[1].ID)}
	r := st.do(t, "POST", "/api/v1/batches", maker, map[string]any{"county_code": testCounty, "claim_ids": ids})
	if r.Code != 201 || r.Body["lines"] != float64(2) {
		t.Fatalf("batch: %d %s", r.Code, r.Raw)
	}
	bid := r.Body["id"].(string)
	path := "/api/v1/batches/" + bid + "/cancel"
	for _, bad := range []struct {
		name, token string
		body        any
		code        int
		err         string
	}{
		{"no body", maker, nil, 400, "empty_body"},
		{"no reason", maker, map[string]any{"version": 1}, 400, "validation_failed"},
		{"reason too long", maker, map[string]any{"reason": string(make([]rune, 201))}, 400, "validation_failed"},
		{"reason not a string", maker, map[string]any{"reason": 12}, 400, "validation_failed"},
		{"stale version", maker, map[string]any{"version": 99, "reason": "选错了人"}, 409, "batch_changed"},
		{"cadre", cadre, map[string]any{"reason": "选错了人"}, 403, "forbidden"},
		{"official", official, map[string]any{"reason": "选错了人"}, 403, "forbidden"},
	} {
		r := st.do(t, "POST", path, bad.token, bad.body)
		if r.Code != bad.code || (bad.err != "forbidden" && r.errCode() != bad.err) {
			t.Fatalf("%s: %d %s", bad.name, r.Code, r.Raw)
		}
		if claimState(t, claims[0].ID) != model.ClaimInBatch || claimState(t, claims[1].ID) != model.ClaimInBatch {
			t.Fatalf("%s changed a claim", bad.name)
		}
	}
	if r := st.do(t, "POST", "/api/v1/batches/"+bid+"/prepare", maker, nil); r.Code != 200 {
		t.Fatalf("prepare: %d %s", r.Code, r.Raw)
	}
	r = st.do(t, "POST", path, maker, map[string]any{"reason": "收款账户待核实，本批次重做"})
	if r.Code != 200 || r.Body["state"] != model.BatchCancelled || r.Body["state_label"] != "已撤销" ||
		r.Body["cancel_reason"] != "收款账户待核实，本批次重做" || r.Body["cancelled_at"] == nil {
		t.Fatalf("cancel: %d %s", r.Code, r.Raw)
	}
	if claimState(t, claims[0].ID) != model.ClaimNoticePassed || claimState(t, claims[1].ID) != model.ClaimAdvanceDue {
		t.Fatalf("claims after cancel: %s %s", claimState(t, claims[0].ID), claimState(t, claims[1].ID))
	}
	for _, l := range st.do(t, "GET", "/api/v1/batches/"+bid+"/lines", maker, nil).Body["items"].([]any) {
		if l.(map[string]any)["state"] != model.LineCancelled {
			t.Fatalf("line after cancel: %v", l)
		}
	}
	if r := st.do(t, "POST", path, maker, map[string]any{"reason": "再撤一次"}); r.Code != 409 || r.errCode() != "batch_not_cancellable" {
		t.Fatalf("cancel twice: %d %s", r.Code, r.Raw)
	}
	if l := st.do(t, "GET", "/api/v1/batches?state=cancelled", maker, nil); l.Code != 200 || l.Body["total"].(float64) < 1 {
		t.Fatalf("list cancelled: %d %s", l.Code, l.Raw)
	}

	// The claims go into a new batch; once approved it cannot be cancelled.
	r = st.do(t, "POST", "/api/v1/batches", maker, map[string]any{"county_code": testCounty, "claim_ids": ids})
	if r.Code != 201 {
		t.Fatalf("new batch: %d %s", r.Code, r.Raw)
	}
	bid2 := r.Body["id"].(string)
	st.do(t, "POST", "/api/v1/batches/"+bid2+"/prepare", maker, nil)
	if r := st.do(t, "POST", "/api/v1/batches/"+bid2+"/approve", checker, map[string]any{}); r.Code != 200 {
		t.Fatalf("approve: %d %s", r.Code, r.Raw)
	}
	if r := st.do(t, "POST", "/api/v1/batches/"+bid2+"/cancel", maker, map[string]any{"reason": "名单有误"}); r.Code != 409 || r.errCode() != "batch_not_cancellable" {
		t.Fatalf("cancel an approved batch: %d %s", r.Code, r.Raw)
	}
	var audits int64
	st.db.Model(&model.AuditLog{}).Where("action = ? AND subject_id = ?", "batch.cancelled", payID(bid)).Count(&audits)
	if audits != 1 {
		t.Fatalf("cancel audits = %d", audits)
	}
}
