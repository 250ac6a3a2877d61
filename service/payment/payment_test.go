package payment

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

const (
	county  = "622926"
	village = "622926100001"
	other   = "622925100001"
)

type env struct {
	t     *testing.T
	db    *gorm.DB
	box   *pii.Box
	svc   *Service
	clock *fakeClock
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testenv.DB(t)
	box, err := pii.New(bytes.Repeat([]byte{3}, 32), []byte(strings.Repeat("x", 32)))
	if err != nil {
		t.Fatal(err)
	}
	c := &fakeClock{t: time.Date(2024, 4, 9, 2, 0, 0, 0, time.UTC)} // a Tuesday, 10:00 in China
	return &env{t: t, db: db, box: box, clock: c, svc: New(db, box, Options{Now: c.now})}
}

var seq atomic.Int64

// account makes a back-office account and returns its actor context.
func (e *env) account(role model.Role, scope string) context.Context {
	e.t.Helper()
	id := model.NewID()
	u := fmt.Sprintf("p%d", id)
	if err := e.db.Create(&model.Account{ID: id, Role: role, Username: &u, DisplayName: u}).Error; err != nil {
		e.t.Fatal(err)
	}
	return actor.With(context.Background(), &actor.Actor{AccountID: id, Role: role, Scopes: []string{scope}})
}

// claim makes a labourer in village with a bank account and an approved claim.
func (e *env) claim(village string, amount int64, withAccount bool) *model.SubsidyClaim {
	e.t.Helper()
	n := seq.Add(1)
	lab := model.Labourer{ID: model.NewID(), HouseholdID: 1, Name: fmt.Sprintf("马%d军", n), IDNumberEnc: "x",
		IDNumberHash: fmt.Sprintf("h%d-%d", n, time.Now().UnixNano()), IDMasked: "x", ProvinceCode: village[:2], CityCode: village[:4],
		CountyCode: village[:6], TownCode: village[:9], VillageCode: village, Category: "lifted"}
	if err := e.db.Create(&lab).Error; err != nil {
		e.t.Fatal(err)
	}
	if withAccount {
		sys := actor.With(context.Background(), &actor.Actor{Role: "system"})
		if _, err := e.svc.setAccount(sys, model.OwnerLabourer, lab.ID, BankInput{HolderName: lab.Name,
			Number: fmt.Sprintf("62284800%011d", n), BankName: "中国农业银行东乡县支行"}); err != nil {
			e.t.Fatal(err)
		}
	}
	c := model.SubsidyClaim{ID: model.NewID(), LabourerID: lab.ID, PolicyID: 1, Year: 2024, Kind: model.SubsidyTransport,
		Mode: model.ModeReviewed, CountyCode: village[:6], AmountFen: amount, State: model.ClaimApproved, PolicyVersion: 1, Version: 1}
	if err := e.db.Create(&c).Error; err != nil {
		e.t.Fatal(err)
	}
	return &c
}

func (e *env) state(id int64) model.ClaimState {
	var c model.SubsidyClaim
	if err := e.db.Take(&c, id).Error; err != nil {
		e.t.Fatal(err)
	}
	return c.State
}

func kind(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// passed publishes claims and lets the notice run out.
func (e *env) passed(tf context.Context, claims ...*model.SubsidyClaim) *model.Notice {
	e.t.Helper()
	var ids []int64
	for _, c := range claims {
		ids = append(ids, c.ID)
	}
	n, err := e.svc.Publish(tf, PublishInput{CountyCode: county, Title: "2024年交通补助公示", ClaimIDs: ids})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.add(8 * 24 * time.Hour)
	if _, err := e.svc.Close(tf, n.ID); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestNoticeEnd(t *testing.T) {
	tue := time.Date(2024, 4, 9, 10, 0, 0, 0, China)
	if got := NoticeEnd(tue, 5).In(China); !got.Equal(time.Date(2024, 4, 16, 0, 0, 0, 0, China)) {
		t.Errorf("5 working days from Tue 9 Apr end %v, want the start of Tue 16 Apr (9–15 Apr)", got)
	}
	sat := time.Date(2024, 4, 13, 10, 0, 0, 0, China)
	if got := NoticeEnd(sat, 1).In(China); !got.Equal(time.Date(2024, 4, 16, 0, 0, 0, 0, China)) {
		t.Errorf("1 working day from a Saturday ends %v, want the end of Monday", got)
	}
	for name, want := range map[string]string{"马建军": "马*军", "马军": "马*", "欧阳娜娜": "欧**娜", "": ""} {
		if got := MaskName(name); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", name, got, want)
		}
	}
	if got := MaskAccount("6228480012345678901"); got != "6228***********8901" {
		t.Errorf("MaskAccount = %q", got)
	}
	for in, want := range map[string]int64{"800": 80000, "800.5": 80050, "800.05": 80005, "1,000.00": 100000} {
		if got, ok := parseYuan(in); !ok || got != want {
			t.Errorf("parseYuan(%q) = %d %v", in, got, ok)
		}
	}
}

func TestNoticeObjectionBlocksPayment(t *testing.T) {
	e := newEnv(t)
	tf := e.account(model.RoleTaskforce, county)
	cadre := e.account(model.RoleCadre, village)
	a, b, c := e.claim(village, 80000, true), e.claim(village, 80000, true), e.claim(village, 50000, true)
	n, err := e.svc.Publish(tf, PublishInput{CountyCode: county, ClaimIDs: []int64{a.ID, b.ID, c.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if n.Days != model.DefaultNoticeWorkingDays || n.Items != 3 || n.TotalFen != 210000 || e.state(a.ID) != model.ClaimInNotice {
		t.Fatalf("notice %+v, claim %s", n, e.state(a.ID))
	}
	// Publishing the same claims again is refused: they are no longer approved.
	if _, err := e.svc.Publish(tf, PublishInput{CountyCode: county, ClaimIDs: []int64{a.ID}}); kind(err) != "claim_not_approved" {
		t.Fatalf("republish: %v", err)
	}
	d, err := e.svc.Notice(cadre, n.ID)
	if err != nil || len(d.Items) != 3 || !strings.Contains(d.Items[0].NameMasked, "*") {
		t.Fatalf("cadre sees %+v %v", d, err)
	}
	var itemB, itemC model.NoticeItem
	for _, it := range d.Items {
		switch it.ClaimID {
		case b.ID:
			itemB = it
		case c.ID:
			itemC = it
		}
	}
	ob, err := e.svc.Lodge(cadre, n.ID, LodgeInput{ItemID: itemB.ID, Text: "此人今年一直在村里务农，没有外出务工", OnBehalfOf: "马某"})
	if err != nil {
		t.Fatal(err)
	}
	oc, err := e.svc.Lodge(cadre, n.ID, LodgeInput{ItemID: itemC.ID, Text: "补助金额好像不对，请核实"})
	if err != nil {
		t.Fatal(err)
	}
	// A cadre of another county cannot see or object.
	far := e.account(model.RoleCadre, other)
	if _, err := e.svc.Lodge(far, n.ID, LodgeInput{ItemID: itemB.ID, Text: "我也有异议要提出"}); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Fatalf("other county objection: %v", err)
	}
	// Before the end date the notice cannot be closed.
	if _, err := e.svc.Close(tf, n.ID); kind(err) != "notice_running" {
		t.Fatalf("early close: %v", err)
	}
	e.clock.add(8 * 24 * time.Hour)
	if _, err := e.svc.Lodge(cadre, n.ID, LodgeInput{ItemID: itemB.ID, Text: "公示期过了再提异议"}); kind(err) != "notice_ended" {
		t.Fatalf("late objection: %v", err)
	}
	got, err := e.svc.Close(tf, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != model.NoticeOpen || got.OpenObjections != 2 {
		t.Fatalf("notice with open objections closed: %+v", got)
	}
	if e.state(a.ID) != model.ClaimNoticePassed || e.state(b.ID) != model.ClaimInNotice || e.state(c.ID) != model.ClaimInNotice {
		t.Fatalf("states %s %s %s", e.state(a.ID), e.state(b.ID), e.state(c.ID))
	}
	// The objected claims cannot be paid while their objections are open.
	if _, _, err := e.svc.CreateBatch(tf, BatchInput{CountyCode: county, ClaimIDs: []int64{b.ID}}); kind(err) != "claim_not_payable" {
		t.Fatalf("batch with an objected claim: %v", err)
	}
	// A cadre cannot resolve; the task force can.
	if _, err := e.svc.Resolve(cadre, ob.ID, ResolveInput{Resolution: model.ObjectionUpheld, Note: "核实属实"}); !apperr.IsKind(err, apperr.KindForbidden) {
		t.Fatalf("cadre resolves: %v", err)
	}
	if _, err := e.svc.Resolve(tf, ob.ID, ResolveInput{Resolution: model.ObjectionUpheld, Note: "入户核实，今年未外出务工"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Resolve(tf, ob.ID, ResolveInput{Resolution: model.ObjectionDismissed, Note: "重复处理"}); kind(err) != "objection_changed" {
		t.Fatalf("resolve twice: %v", err)
	}
	if _, err := e.svc.Resolve(tf, oc.ID, ResolveInput{Resolution: model.ObjectionDismissed, Note: "金额按政策计算无误"}); err != nil {
		t.Fatal(err)
	}
	if e.state(b.ID) != model.ClaimObjected || e.state(c.ID) != model.ClaimNoticePassed {
		t.Fatalf("after resolution: b %s c %s", e.state(b.ID), e.state(c.ID))
	}
	final, _ := e.svc.notice(context.Background(), e.db, n.ID)
	if final.State != model.NoticeClosed || final.OpenObjections != 0 {
		t.Fatalf("notice after resolutions: %+v", final)
	}
	bt, skipped, err := e.svc.CreateBatch(tf, BatchInput{CountyCode: county})
	if err != nil || bt.Lines != 2 || len(skipped) != 0 || bt.TotalFen != 130000 {
		t.Fatalf("batch %+v %v %v", bt, skipped, err)
	}
	t.Logf("objections lodged = 2, upheld claim state = %s, payable while open = 0, batch lines = %d", e.state(b.ID), bt.Lines)
}

func TestMakerChecker(t *testing.T) {
	e := newEnv(t)
	maker := e.account(model.RoleTaskforce, county)
	checker := e.account(model.RoleTaskforce, county)
	c := e.claim(village, 80000, true)
	e.passed(maker, c)
	b, _, err := e.svc.CreateBatch(maker, BatchInput{CountyCode: county})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Prepare(maker, b.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(maker, b.ID, 0, ""); kind(err) != "same_account" || !apperr.IsKind(err, apperr.KindForbidden) {
		t.Fatalf("maker approves own batch: %v", err)
	}
	// The database refuses it too, whatever the code above does.
	makerID := actor.From(maker).AccountID
	err = e.db.Model(&model.Batch{}).Where("id = ?", b.ID).Updates(map[string]any{"approved_by": makerID, "state": model.BatchApproved}).Error
	if err == nil {
		t.Fatal("CHECK constraint let the maker approve")
	}
	// A checker with TOTP must give a valid code.
	key, _ := totp.Generate(totp.GenerateOpts{Issuer: "t", AccountName: "c"})
	chk := actor.From(checker)
	if err := e.db.Model(&model.Account{}).Where("id = ?", chk.AccountID).
		Update("totp_secret", e.box.Seal("accounts", "totp_secret", chk.AccountID, key.Secret())).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(checker, b.ID, 0, ""); kind(err) != "validation_failed" {
		t.Fatalf("approve without code: %v", err)
	}
	if _, err := e.svc.Approve(checker, b.ID, 0, "000000"); kind(err) != "validation_failed" {
		t.Fatalf("approve with a wrong code: %v", err)
	}
	code, _ := totp.GenerateCode(key.Secret(), time.Now())
	got, err := e.svc.Approve(checker, b.ID, 0, code)
	if err != nil || got.State != model.BatchApproved || *got.ApprovedBy != chk.AccountID {
		t.Fatalf("approve: %+v %v", got, err)
	}
	t.Logf("same-account approvals accepted = 0 (code and CHECK), second factor required = yes")
}

// TestRacesOneWins: concurrent approvals, exports and marks — exactly one of
// each wins, and counters lose no update.
func TestRacesOneWins(t *testing.T) {
	e := newEnv(t)
	maker := e.account(model.RoleTaskforce, county)
	var claims []*model.SubsidyClaim
	for i := 0; i < 12; i++ {
		claims = append(claims, e.claim(village, int64(10000+i), true))
	}
	e.passed(maker, claims...)
	// Two makers building batches of the same claims at once: one gets them.
	var wg sync.WaitGroup
	var made atomic.Int64
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := e.svc.CreateBatch(maker, BatchInput{CountyCode: county, ClaimIDs: []int64{claims[0].ID, claims[1].ID}}); err == nil {
				made.Add(1)
			}
		}()
	}
	wg.Wait()
	if made.Load() != 1 {
		t.Fatalf("batches holding the same claims = %d, want 1", made.Load())
	}
	b, _, err := e.svc.CreateBatch(maker, BatchInput{CountyCode: county})
	if err != nil || b.Lines != 10 {
		t.Fatalf("batch: %+v %v", b, err)
	}
	if _, err := e.svc.Prepare(maker, b.ID, 0); err != nil {
		t.Fatal(err)
	}
	// Approve racing a mark-paid: the mark must fail (not exported), the approval win.
	var lines []model.BatchLine
	e.db.Where("batch_id = ?", b.ID).Order("seq").Find(&lines)
	checkers := make([]context.Context, 4)
	for i := range checkers {
		checkers[i] = e.account(model.RoleTaskforce, county)
	}
	var approved, marked atomic.Int64
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func(ctx context.Context) {
			defer wg.Done()
			if _, err := e.svc.Approve(ctx, b.ID, 0, ""); err == nil {
				approved.Add(1)
			}
		}(checkers[i])
		go func() {
			defer wg.Done()
			if _, err := e.svc.MarkLine(maker, b.ID, lines[0].ID, MarkInput{Result: model.LinePaid}); err == nil {
				marked.Add(1)
			}
		}()
	}
	wg.Wait()
	if approved.Load() != 1 || marked.Load() != 0 {
		t.Fatalf("approvals = %d (want 1), marks before export = %d (want 0)", approved.Load(), marked.Load())
	}
	// Double export: one file, one transition.
	var exported atomic.Int64
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.svc.Export(maker, b.ID, 0, FormatCSV, "报送农业银行代发"); err == nil {
				exported.Add(1)
			}
		}()
	}
	wg.Wait()
	if exported.Load() != 1 {
		t.Fatalf("exports = %d, want 1", exported.Load())
	}
	// Every line marked concurrently, each twice (paid and failed racing):
	// one result per line, and the batch counters add up.
	var wins atomic.Int64
	for _, l := range lines {
		for _, res := range []string{model.LinePaid, model.LineFailed} {
			wg.Add(1)
			go func(l model.BatchLine, res string) {
				defer wg.Done()
				if _, err := e.svc.MarkLine(maker, b.ID, l.ID, MarkInput{Result: res, Reason: "户名不符"}); err == nil {
					wins.Add(1)
				}
			}(l, res)
		}
	}
	wg.Wait()
	if wins.Load() != int64(len(lines)) {
		t.Fatalf("marks won = %d, want %d", wins.Load(), len(lines))
	}
	got, r, err := e.svc.Reconcile(maker, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Balanced() || got.PaidLines+got.FailedLines != 10 || got.PaidFen+got.FailedFen != got.TotalFen {
		t.Fatalf("reconciliation %+v batch %+v", r, got)
	}
	var paidClaims, failedClaims int64
	e.db.Model(&model.SubsidyClaim{}).Where("state = ?", model.ClaimPaid).Count(&paidClaims)
	e.db.Model(&model.SubsidyClaim{}).Where("state = ?", model.ClaimPayFailed).Count(&failedClaims)
	if int(paidClaims) != r.PaidLines || int(failedClaims) != r.FailedLines {
		t.Fatalf("claims paid %d failed %d, lines paid %d failed %d", paidClaims, failedClaims, r.PaidLines, r.FailedLines)
	}
	// Failed claims go into a later batch (the first racing batch still holds claims 0 and 1).
	if r.FailedLines > 0 {
		b2, _, err := e.svc.CreateBatch(maker, BatchInput{CountyCode: county})
		if err != nil || b2.Lines != r.FailedLines {
			t.Fatalf("retry batch: %+v %v", b2, err)
		}
	}
	t.Logf("approvals won = 1/4, marks before export = 0/4, exports won = 1/4, line marks won = %d/%d, lost updates = 0, paid = %d, failed = %d",
		wins.Load(), 2*len(lines), r.PaidLines, r.FailedLines)
}

// TestBankFileAndResults: the file has the whole account numbers and the
// bank's columns; the DB, the audit trail and the lines hold no plaintext;
// the result file marks lines and refuses a row with the wrong account.
func TestBankFileAndResults(t *testing.T) {
	e := newEnv(t)
	maker := e.account(model.RoleTaskforce, county)
	checker := e.account(model.RoleTaskforce, county)
	c1, c2, c3 := e.claim(village, 80000, true), e.claim(village, 60000, true), e.claim(village, 60000, false)
	e.passed(maker, c1, c2, c3)
	b, skipped, err := e.svc.CreateBatch(maker, BatchInput{CountyCode: county})
	if err != nil || b.Lines != 2 || len(skipped) != 1 || skipped[0] != c3.ID {
		t.Fatalf("batch %+v skipped %v %v", b, skipped, err)
	}
	if e.state(c3.ID) != model.ClaimNoticePassed {
		t.Fatalf("claim without account moved to %s", e.state(c3.ID))
	}
	e.svc.Prepare(maker, b.ID, 0)
	if _, err := e.svc.Approve(checker, b.ID, 0, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Export(maker, b.ID, 0, FormatCSV, ""); kind(err) != "validation_failed" {
		t.Fatalf("export without purpose: %v", err)
	}
	f, err := e.svc.Export(maker, b.ID, 0, FormatXLSX, "报送农业银行代发")
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("代发明细")
	if strings.Join(rows[0], ",") != strings.Join(BankColumns, ",") || len(rows) != 3 {
		t.Fatalf("xlsx rows %v", rows)
	}
	var lines []model.BatchLine
	e.db.Where("batch_id = ?", b.ID).Order("seq").Find(&lines)
	numbers := map[int]string{}
	for _, r := range rows[1:] {
		if len(r[2]) != 19 || strings.Contains(r[2], "*") || r[4] == "" {
			t.Fatalf("row %v", r)
		}
		var seq int
		fmt.Sscan(r[0], &seq)
		numbers[seq] = r[2]
	}
	if rows[1][4] != "800.00" {
		t.Errorf("amount %q, want 800.00", rows[1][4])
	}
	// No plaintext account number anywhere in the database.
	hits := plaintextHits(t, e.db, numbers)
	if hits != 0 {
		t.Fatalf("plaintext account numbers in the database = %d", hits)
	}
	var audits int64
	e.db.Model(&model.AuditLog{}).Where("action = ? AND subject_id = ? AND purpose = ?", "batch.bank_file", b.ID, "报送农业银行代发").Count(&audits)
	if audits != 1 {
		t.Fatalf("bank file audits = %d", audits)
	}
	// Re-download: audited again.
	if _, err := e.svc.File(maker, b.ID, FormatCSV, "银行要求重新提供"); err != nil {
		t.Fatal(err)
	}
	// The bank's result file: line 1 paid, line 2 failed; a forged row with
	// another account is refused.
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"序号", "姓名", "银行账号", "金额（元）", "结果", "失败原因"})
	w.Write([]string{"1", "x", numbers[1], "800.00", "成功", ""})
	w.Write([]string{"2", "x", "6228480099999999999", "600.00", "成功", ""})
	w.Write([]string{"2", "x", numbers[2], "600.00", "失败", "户名不符"})
	w.Write([]string{"9", "x", numbers[2], "600.00", "成功", ""})
	w.Flush()
	sum, err := e.svc.ImportResults(maker, b.ID, "result.csv", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Paid != 1 || sum.Failed != 1 || len(sum.Errors) != 2 {
		t.Fatalf("summary %+v", sum)
	}
	again, err := e.svc.ImportResults(maker, b.ID, "result.csv", buf.Bytes())
	if err != nil || again.Paid != 0 || again.Unchanged != 2 {
		t.Fatalf("second upload %+v %v", again, err)
	}
	if e.state(c1.ID) != model.ClaimPaid || e.state(c2.ID) != model.ClaimPayFailed {
		t.Fatalf("claims %s %s", e.state(c1.ID), e.state(c2.ID))
	}
	got, r, err := e.svc.Reconcile(maker, b.ID)
	if err != nil || got.State != model.BatchReconciled || r.PaidFen != 80000 || r.FailedFen != 60000 {
		t.Fatalf("reconcile %+v %+v %v", got, r, err)
	}
	t.Logf("bank file rows = %d, whole numbers in file = %d, plaintext in DB = %d, forged result rows accepted = 0", len(rows)-1, len(numbers), hits)
}

// plaintextHits scans every text column of the payment, audit and claim
// tables for the numbers.
func plaintextHits(t *testing.T, db *gorm.DB, numbers map[int]string) int {
	t.Helper()
	hits := 0
	for _, table := range []string{"bank_accounts", "batch_lines", "batches", "audit_logs", "subsidy_claims", "notice_items"} {
		rows, err := db.Table(table).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for _, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				for _, n := range numbers {
					if strings.Contains(s, n) {
						hits++
					}
				}
			}
		}
		rows.Close()
	}
	return hits
}

func TestBankAccountRules(t *testing.T) {
	e := newEnv(t)
	tf := e.account(model.RoleTaskforce, county)
	c := e.claim(village, 80000, false)
	var lab model.Labourer
	e.db.Take(&lab, c.LabourerID)
	if _, err := e.svc.SetLabourerAccount(tf, lab.ID, BankInput{HolderName: "别人", Number: "6228480012345678901", BankName: "农行"}); kind(err) != "validation_failed" {
		t.Fatalf("other holder: %v", err)
	}
	if _, err := e.svc.SetLabourerAccount(tf, lab.ID, BankInput{HolderName: lab.Name, Number: "6228 48ab", BankName: "农行"}); kind(err) != "validation_failed" {
		t.Fatalf("bad number: %v", err)
	}
	acc, err := e.svc.SetLabourerAccount(tf, lab.ID, BankInput{HolderName: lab.Name, Number: "6228 4800 1234 5678 901", BankName: "中国农业银行"})
	if err != nil || acc.AccountMasked != "6228***********8901" || strings.Contains(acc.AccountEnc, "12345678") {
		t.Fatalf("set: %+v %v", acc, err)
	}
	worker := actor.With(context.Background(), &actor.Actor{AccountID: model.NewID(), Role: model.RoleWorker, LabourerID: lab.ID})
	if _, err := e.svc.SetLabourerAccount(worker, lab.ID, BankInput{HolderName: lab.Name, Number: "6228480012345670000", BankName: "中国邮政储蓄银行"}); err != nil {
		t.Fatalf("worker sets own: %v", err)
	}
	stranger := actor.With(context.Background(), &actor.Actor{AccountID: model.NewID(), Role: model.RoleWorker, LabourerID: 1})
	if _, err := e.svc.SetLabourerAccount(stranger, lab.ID, BankInput{HolderName: lab.Name, Number: "6228480012345670000", BankName: "x银行"}); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Fatalf("stranger: %v", err)
	}
	var n int64
	e.db.Model(&model.AuditLog{}).Where("action = ? AND subject_id = ?", "bank_account.set", lab.ID).Count(&n)
	if n != 2 {
		t.Fatalf("bank account audits = %d, want 2", n)
	}
	if hits := plaintextHits(t, e.db, map[int]string{1: "6228480012345678901", 2: "6228480012345670000"}); hits != 0 {
		t.Fatalf("plaintext hits = %d", hits)
	}
}
