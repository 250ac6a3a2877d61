package payment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
)

// MaxBatchLines bounds one batch (one bank file).
const MaxBatchLines = 2000

// errSameAccount refuses a checker who is also the maker.
var errSameAccount = apperr.New(apperr.KindForbidden, "same_account", "同一账号不能既制单又复核，请由另一位同事复核这一批次")

// BatchInput is what the maker sends to start a batch.
type BatchInput struct {
	CountyCode string
	Title      string
	ClaimIDs   []int64 // empty: every payable claim of the county (payableStates)
}

// payableStates are the states a claim can enter a batch from: the notice
// passed, a 定额预付 advance approved (advances are paid without 公示:
// docs/decisions.md 24), or a payment that failed in an earlier batch.
var payableStates = []model.ClaimState{model.ClaimNoticePassed, model.ClaimAdvanceDue, model.ClaimPayFailed}

// CreateBatch starts a draft batch of a county from payable claims (the
// notice passed, a 定额预付 advance approved, or failed in an earlier batch):
// each claim moves to in_batch conditionally, so two batches can never hold
// the same claim; each line copies the payee's bank account, sealed for the
// line, and says what the money is for (定额预付 for advances).
func (s *Service) CreateBatch(ctx context.Context, in BatchInput) (*model.Batch, []int64, error) {
	a := actor.From(ctx)
	var f apperr.Fields
	in.CountyCode = strings.TrimSpace(in.CountyCode)
	if len(in.CountyCode) != 6 {
		f.Add("county_code", "invalid_county", "请选择县（区）")
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		in.Title = "补贴发放批次"
	}
	if utf8.RuneCountInString(in.Title) > 100 {
		f.Add("title", "too_long", "标题不能超过100个字")
	}
	if len(in.ClaimIDs) > MaxBatchLines {
		f.Add("claim_ids", "too_many", fmt.Sprintf("一个批次最多%d笔", MaxBatchLines))
	}
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	if !canPay(a, in.CountyCode) {
		return nil, nil, errPayer
	}
	// Notices that ended since anyone last looked pass their items first.
	if err := s.SettleDue(ctx, in.CountyCode); err != nil {
		return nil, nil, err
	}
	now := s.now()
	b := &model.Batch{ID: model.NewID(), CountyCode: in.CountyCode, Title: in.Title, State: model.BatchDraft, CreatedBy: a.AccountID,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	var skipped []int64
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		skipped, b.TotalFen = nil, 0 // the body may run again (a deadlock victim)
		claims, err := s.claimsToPay(ctx, tx, in)
		if err != nil {
			return err
		}
		accounts, err := s.payees(ctx, tx, claims)
		if err != nil {
			return err
		}
		lines := make([]model.BatchLine, 0, len(claims))
		for i := range claims {
			c := &claims[i]
			acct, ok := accounts[payeeKey(c)]
			if !ok {
				skipped = append(skipped, c.ID)
				continue
			}
			number, err := s.box.Open("bank_accounts", "account_enc", acct.ID, acct.AccountEnc)
			if err != nil {
				return fmt.Errorf("open bank account %d: %w", acct.ID, err)
			}
			if err := moveClaim(ctx, tx, c, model.ClaimInBatch, "列入发放批次 "+b.Title); err != nil {
				return err
			}
			l := model.BatchLine{ID: model.NewID(), BatchID: b.ID, Seq: len(lines) + 1, ClaimID: c.ID, LabourerID: c.LabourerID,
				PayeeName: acct.HolderName, AccountHash: acct.AccountHash, AccountMasked: acct.AccountMasked, BankName: acct.BankName,
				AmountFen: c.AmountFen, Purpose: purposeOf(c), State: model.LinePending, Version: 1, CreatedAt: now, UpdatedAt: now}
			l.AccountEnc = s.box.Seal("batch_lines", "account_enc", l.ID, number)
			lines = append(lines, l)
			b.TotalFen += c.AmountFen
		}
		if len(lines) == 0 {
			e := apperr.New(apperr.KindValidation, "no_payee_account", "所选的补贴申请都还没有登记收款账户，请先登记")
			e.Data = map[string]any{"missing_account_claim_ids": idStrings(skipped)}
			return e
		}
		b.Lines = len(lines)
		if err := tx.Create(b).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(lines, 200).Error; err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "batch.create", SubjectType: "batch", SubjectID: b.ID,
			After: map[string]any{"state": b.State, "county_code": b.CountyCode, "lines": b.Lines, "total_fen": b.TotalFen,
				"missing_account_claims": len(skipped)}})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create batch: %w", err)
	}
	return b, skipped, nil
}

// PurposeAdvance ends the bank file's 用途 of a 定额预付 advance.
const PurposeAdvance = "定额预付"

// purposeOf is a line's 用途 in the bank file: "2026年外出务工交通补助", or
// "2026年外出务工交通补助定额预付" for an advance.
func purposeOf(c *model.SubsidyClaim) string {
	p := fmt.Sprintf("%d年%s", c.Year, model.SubsidyKinds.Label(c.Kind))
	if c.Mode == model.ModePrepaid {
		p += PurposeAdvance
	}
	return clip(p, 50)
}

type payee struct {
	kind string
	id   int64
}

// payeeKey is who receives a claim's money: the 帮扶车间 for the workshop
// subsidy, the labourer otherwise.
func payeeKey(c *model.SubsidyClaim) payee {
	if c.Kind == model.SubsidyWorkshop && c.EmployerID != nil {
		return payee{model.OwnerEmployer, *c.EmployerID}
	}
	return payee{model.OwnerLabourer, c.LabourerID}
}

func (s *Service) payees(ctx context.Context, tx *gorm.DB, claims []model.SubsidyClaim) (map[payee]model.BankAccount, error) {
	byKind := map[string][]int64{}
	for i := range claims {
		k := payeeKey(&claims[i])
		byKind[k.kind] = append(byKind[k.kind], k.id)
	}
	out := map[payee]model.BankAccount{}
	for kind, ids := range byKind {
		ids = dedupe(ids)
		for start := 0; start < len(ids); start += 1000 {
			var rows []model.BankAccount
			if err := tx.WithContext(ctx).Where("owner_type = ? AND owner_id IN ?", kind, ids[start:min(start+1000, len(ids))]).
				Find(&rows).Error; err != nil {
				return nil, err
			}
			for _, r := range rows {
				out[payee{kind, r.OwnerID}] = r
			}
		}
	}
	return out, nil
}

func (s *Service) claimsToPay(ctx context.Context, tx *gorm.DB, in BatchInput) ([]model.SubsidyClaim, error) {
	return pickClaims(ctx, tx, claimPick{county: in.CountyCode, ids: in.ClaimIDs, states: payableStates, limit: MaxBatchLines,
		none:        apperr.Invalid("claim_ids", "nothing_to_pay", "本县没有公示期满或待预付、可以发放的补贴申请"),
		otherCounty: "只能发放本县的补贴申请",
		wrongState: func(c model.SubsidyClaim) error {
			return apperr.Conflict("claim_not_payable", fmt.Sprintf("补贴申请 %d 当前是「%s」，公示期满且无异议（定额预付：审核通过）后才能发放", c.ID, c.State.Label()))
		}})
}

// claimPick says which claims a notice or a batch takes in: the given ids,
// each of the county and in one of states, or (no ids) up to limit claims
// of the county in those states.
type claimPick struct {
	county      string
	ids         []int64
	states      []model.ClaimState
	limit       int
	none        error                          // no ids given and nothing to take
	otherCounty string                         // a given claim of another county
	wrongState  func(model.SubsidyClaim) error // a given claim in another state
}

func pickClaims(ctx context.Context, tx *gorm.DB, p claimPick) ([]model.SubsidyClaim, error) {
	var claims []model.SubsidyClaim
	q := tx.WithContext(ctx).Order("id")
	if len(p.ids) == 0 {
		if err := q.Where("county_code = ? AND state IN ?", p.county, p.states).Limit(p.limit).Find(&claims).Error; err != nil {
			return nil, err
		}
		if len(claims) == 0 {
			return nil, p.none
		}
		return claims, nil
	}
	ids := dedupe(p.ids)
	if err := q.Where("id IN ?", ids).Find(&claims).Error; err != nil {
		return nil, err
	}
	if len(claims) != len(ids) {
		return nil, apperr.Invalid("claim_ids", "not_found", "有的补贴申请不存在")
	}
	for _, c := range claims {
		if c.CountyCode != p.county {
			return nil, apperr.Invalid("claim_ids", "other_county", p.otherCounty)
		}
		if !slices.Contains(p.states, c.State) {
			return nil, p.wrongState(c)
		}
	}
	return claims, nil
}

// batch reads a batch the actor may see (task force, officials, admins of its
// county); others get a 404.
func (s *Service) batch(ctx context.Context, id int64) (*model.Batch, error) {
	a := actor.From(ctx)
	var b model.Batch
	if err := s.db.WithContext(ctx).Take(&b, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("发放批次")
		}
		return nil, err
	}
	if !a.Is(model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin) || !a.InScope(b.CountyCode) {
		return nil, apperr.NotFound("发放批次")
	}
	return &b, nil
}

// payableBatch is a batch the caller may prepare, approve, export, mark or
// cancel: seen in scope and a payer of its county (errPayer otherwise).
func (s *Service) payableBatch(ctx context.Context, id int64) (*model.Batch, error) {
	b, err := s.batch(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canPay(actor.From(ctx), b.CountyCode) {
		return nil, errPayer
	}
	return b, nil
}

// Batch reads one batch.
func (s *Service) Batch(ctx context.Context, id int64) (*model.Batch, error) { return s.batch(ctx, id) }

// BatchFilter narrows the batch list.
type BatchFilter struct {
	State  string
	Limit  int
	Offset int
}

// Batches lists the batches in the actor's scope, newest first.
func (s *Service) Batches(ctx context.Context, f BatchFilter) ([]model.Batch, int64, error) {
	a := actor.From(ctx)
	q := s.db.WithContext(ctx).Model(&model.Batch{})
	if !a.AllRegions() {
		if len(a.Scopes) == 0 || !a.Is(model.RoleTaskforce, model.RoleOfficial) {
			return nil, 0, apperr.Forbidden("")
		}
		cond, args := []string{}, []any{}
		for _, sc := range a.Scopes {
			cond, args = append(cond, "county_code LIKE ?"), append(args, sc+"%")
		}
		q = q.Where("("+strings.Join(cond, " OR ")+")", args...)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []model.Batch
	return out, total, q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&out).Error
}

// Lines lists a batch's lines in file order, optionally in one state.
func (s *Service) Lines(ctx context.Context, batchID int64, state string, limit, offset int) ([]model.BatchLine, int64, error) {
	if _, err := s.batch(ctx, batchID); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&model.BatchLine{}).Where("batch_id = ?", batchID)
	if state != "" {
		q = q.Where("state = ?", state)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []model.BatchLine
	return out, total, q.Order("seq").Limit(limit).Offset(offset).Find(&out).Error
}

// step moves a batch from one state to another if it is still there at the
// version read (or at any version when version is 0), setting more columns,
// and audits it. It answers 409 when someone else moved it first.
func (s *Service) step(ctx context.Context, tx *gorm.DB, b *model.Batch, from, to string, version int, set map[string]any, extra string, purpose string) error {
	now := s.now()
	if set == nil {
		set = map[string]any{}
	}
	set["state"], set["version"], set["updated_at"] = to, gorm.Expr("version + 1"), now
	q := tx.Model(&model.Batch{}).Where("id = ? AND state = ?", b.ID, from)
	if version != 0 {
		q = q.Where("version = ?", version)
	}
	if extra != "" {
		q = q.Where(extra, actor.From(ctx).AccountID, actor.From(ctx).AccountID)
	}
	res := q.Updates(set)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return apperr.Conflict("batch_changed", "批次已被他人处理或已变化（当前："+model.BatchStates.Label(b.State)+"），请刷新后重试")
	}
	return audit.Write(ctx, tx, audit.Entry{Action: "batch." + to, SubjectType: "batch", SubjectID: b.ID, Purpose: purpose,
		Before: map[string]any{"state": from, "lines": b.Lines, "total_fen": b.TotalFen},
		After:  map[string]any{"state": to, "lines": b.Lines, "total_fen": b.TotalFen}})
}

// Prepare submits a draft for approval; the caller becomes its maker.
func (s *Service) Prepare(ctx context.Context, id int64, version int) (*model.Batch, error) {
	a := actor.From(ctx)
	b, err := s.payableBatch(ctx, id)
	if err != nil {
		return nil, err
	}
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		return s.step(ctx, tx, b, model.BatchDraft, model.BatchPrepared, version,
			map[string]any{"prepared_by": a.AccountID, "prepared_at": s.now()}, "", "")
	})
	if err != nil {
		return nil, fmt.Errorf("prepare batch: %w", err)
	}
	return s.batch(ctx, id)
}

// Approve is the checker's approval: a different account from the one that
// created and prepared the batch (refused in code, in the UPDATE's WHERE and
// by the table's CHECK), with a TOTP code when the account has one.
func (s *Service) Approve(ctx context.Context, id int64, version int, totpCode string) (*model.Batch, error) {
	a := actor.From(ctx)
	b, err := s.payableBatch(ctx, id)
	if err != nil {
		return nil, err
	}
	if (b.PreparedBy != nil && *b.PreparedBy == a.AccountID) || b.CreatedBy == a.AccountID {
		return nil, errSameAccount
	}
	if err := s.checkSecondFactor(ctx, a, totpCode); err != nil {
		return nil, err
	}
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		return s.step(ctx, tx, b, model.BatchPrepared, model.BatchApproved, version,
			map[string]any{"approved_by": a.AccountID, "approved_at": s.now()}, "prepared_by <> ? AND created_by <> ?", "")
	})
	if err != nil {
		return nil, fmt.Errorf("approve batch: %w", err)
	}
	return s.batch(ctx, id)
}

// CancelInput is the task force's withdrawal of a batch.
type CancelInput struct {
	Version int    // the batch's version as read; 0 takes the current one
	Reason  string // why (选错了人, 账户待核实, …), kept on the batch and in the audit trail
}

// Cancel withdraws a batch nobody has approved yet (draft or prepared): the
// batch becomes cancelled, its lines cancelled, and each claim goes back to
// wait for another batch — notice_passed, or advance_due for a 定额预付
// advance (model.ReadyToPay) — all conditionally in one transaction, every
// change audited. A line that already has a bank result cannot be cancelled
// (lines are marked only after export, so this is a second guard). Once
// approved, a batch goes to the bank and its results are marked line by line.
func (s *Service) Cancel(ctx context.Context, id int64, in CancelInput) (*model.Batch, error) {
	a := actor.From(ctx)
	var f apperr.Fields
	in.Reason = strings.TrimSpace(in.Reason)
	if l := utf8.RuneCountInString(in.Reason); l < 2 || l > 200 {
		f.Add("reason", "required", "请用2到200个字写明撤销原因")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	b, err := s.payableBatch(ctx, id)
	if err != nil {
		return nil, err
	}
	if b.State != model.BatchDraft && b.State != model.BatchPrepared {
		return nil, apperr.Conflict("batch_not_cancellable", "只有草稿或待复核的批次可以撤销（当前："+model.BatchStates.Label(b.State)+
			"）；已复核的批次请导出报送银行，按银行结果逐笔登记")
	}
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		now := s.now()
		if err := s.step(ctx, tx, b, b.State, model.BatchCancelled, in.Version,
			map[string]any{"cancelled_by": a.AccountID, "cancelled_at": now, "cancel_reason": in.Reason}, "", in.Reason); err != nil {
			return err
		}
		res := tx.Model(&model.BatchLine{}).Where("batch_id = ? AND state = ?", b.ID, model.LinePending).
			Updates(map[string]any{"state": model.LineCancelled, "version": gorm.Expr("version + 1"), "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != int64(b.Lines) {
			return apperr.Conflict("line_marked", "这一批次已有明细登记了发放结果，不能撤销")
		}
		var lines []model.BatchLine
		if err := tx.Where("batch_id = ?", b.ID).Order("seq").Find(&lines).Error; err != nil {
			return err
		}
		why := "撤销发放批次「" + b.Title + "」：" + clip(in.Reason, 60)
		for _, l := range lines {
			c, err := claimFor(ctx, tx, l.ClaimID)
			if err != nil {
				return err
			}
			if c.State != model.ClaimInBatch {
				return apperr.Conflict("claim_changed", fmt.Sprintf("补贴申请 %d 当前是「%s」，不在发放中，不能随批次撤销", c.ID, c.State.Label()))
			}
			if err := moveClaim(ctx, tx, c, model.ReadyToPay(c.Mode), why); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cancel batch: %w", err)
	}
	return s.batch(ctx, id)
}

// MarkInput is one line's result from the bank.
type MarkInput struct {
	Result  string // paid | failed
	Reason  string // why it failed (户名不符, 账户已销户, …)
	Version int    // the line's version as read; 0 takes the current one
}

// MarkLine records a line paid or failed: the line (pending → paid|failed),
// its claim (in_batch → paid, or prepaid for a 定额预付 advance | pay_failed)
// and the batch's counters change in one transaction, each conditionally,
// with an audit row.
func (s *Service) MarkLine(ctx context.Context, batchID, lineID int64, in MarkInput) (*model.BatchLine, error) {
	b, err := s.payableBatch(ctx, batchID)
	if err != nil {
		return nil, err
	}
	var f apperr.Fields
	if in.Result != model.LinePaid && in.Result != model.LineFailed {
		f.Add("result", "invalid", "请选择发放成功或失败")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Result == model.LineFailed {
		if l := utf8.RuneCountInString(in.Reason); l < 2 || l > 200 {
			f.Add("reason", "required", "请填写失败原因（如户名不符、账户已销户）")
		}
	} else {
		in.Reason = ""
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var line model.BatchLine
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		return s.markLine(ctx, tx, b, lineID, in, &line)
	})
	if err != nil {
		return nil, fmt.Errorf("mark line: %w", err)
	}
	return &line, nil
}

func (s *Service) markLine(ctx context.Context, tx *gorm.DB, b *model.Batch, lineID int64, in MarkInput, out *model.BatchLine) error {
	a := actor.From(ctx)
	if b.State != model.BatchExported {
		return apperr.Conflict("batch_not_exported", "批次导出报送银行后才能登记发放结果")
	}
	var l model.BatchLine
	if err := tx.Where("id = ? AND batch_id = ?", lineID, b.ID).Take(&l).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.NotFound("发放明细")
		}
		return err
	}
	if in.Version == 0 {
		in.Version = l.Version
	}
	now := s.now()
	res := tx.Model(&model.BatchLine{}).Where("id = ? AND state = ? AND version = ?", l.ID, model.LinePending, in.Version).
		Updates(map[string]any{"state": in.Result, "failure_reason": in.Reason, "marked_by": a.AccountID, "marked_at": now,
			"version": gorm.Expr("version + 1"), "updated_at": now})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return apperr.Conflict("line_changed", fmt.Sprintf("第%d笔已登记过结果（%s），请刷新后重试", l.Seq, model.BatchLineStates.Label(l.State)))
	}
	c, err := claimFor(ctx, tx, l.ClaimID)
	if err != nil {
		return err
	}
	to, counter := model.PaidState(c.Mode), "paid"
	if in.Result == model.LineFailed {
		to, counter = model.ClaimPayFailed, "failed"
	}
	if err := moveClaim(ctx, tx, c, to, "银行发放结果："+model.BatchLineStates.Label(in.Result)); err != nil {
		return err
	}
	res = tx.Model(&model.Batch{}).Where("id = ? AND state = ?", b.ID, model.BatchExported).Updates(map[string]any{
		counter + "_lines": gorm.Expr(counter + "_lines + 1"), counter + "_fen": gorm.Expr(counter+"_fen + ?", l.AmountFen),
		"version": gorm.Expr("version + 1"), "updated_at": now})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return apperr.Conflict("batch_changed", "批次已对账或已变化，请刷新后重试")
	}
	if err := audit.Write(ctx, tx, audit.Entry{Action: "batch_line." + in.Result, SubjectType: "batch_line", SubjectID: l.ID,
		Before: map[string]any{"state": l.State, "amount_fen": l.AmountFen, "account": l.AccountMasked},
		After:  map[string]any{"state": in.Result, "amount_fen": l.AmountFen, "reason": in.Reason, "claim_id": l.ClaimID}}); err != nil {
		return err
	}
	l.State, l.FailureReason, l.MarkedBy, l.MarkedAt, l.Version = in.Result, in.Reason, ptr(a.AccountID), &now, l.Version+1
	*out = l
	return nil
}

// Reconciliation is a batch's totals counted from its lines.
type Reconciliation struct {
	Lines        int
	TotalFen     int64
	PendingLines int
	PaidLines    int
	PaidFen      int64
	FailedLines  int
	FailedFen    int64
}

// Balanced reports whether every line has a result and paid + failed = total.
func (r Reconciliation) Balanced() bool {
	return r.PendingLines == 0 && r.PaidLines+r.FailedLines == r.Lines && r.PaidFen+r.FailedFen == r.TotalFen
}

func (s *Service) count(ctx context.Context, db *gorm.DB, batchID int64) (Reconciliation, error) {
	var rows []struct {
		State string
		N     int
		Fen   int64
	}
	if err := db.WithContext(ctx).Model(&model.BatchLine{}).Select("state, COUNT(*) AS n, COALESCE(SUM(amount_fen), 0) AS fen").
		Where("batch_id = ?", batchID).Group("state").Find(&rows).Error; err != nil {
		return Reconciliation{}, err
	}
	var r Reconciliation
	for _, x := range rows {
		r.Lines += x.N
		r.TotalFen += x.Fen
		switch x.State {
		case model.LinePending:
			r.PendingLines = x.N
		case model.LinePaid:
			r.PaidLines, r.PaidFen = x.N, x.Fen
		case model.LineFailed:
			r.FailedLines, r.FailedFen = x.N, x.Fen
		}
	}
	return r, nil
}

// Reconcile closes an exported batch once every line has a result: the
// totals are counted again from the lines and stored; failed lines' claims
// (pay_failed) can go into a later batch.
func (s *Service) Reconcile(ctx context.Context, id int64) (*model.Batch, Reconciliation, error) {
	a := actor.From(ctx)
	b, err := s.payableBatch(ctx, id)
	if err != nil {
		return nil, Reconciliation{}, err
	}
	var r Reconciliation
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		now := s.now()
		res := tx.Exec("UPDATE batches SET state = ?, reconciled_by = ?, reconciled_at = ?, version = version + 1, updated_at = ? "+
			"WHERE id = ? AND state = ? AND NOT EXISTS (SELECT 1 FROM batch_lines WHERE batch_id = ? AND state = ?)",
			model.BatchReconciled, a.AccountID, now, now, b.ID, model.BatchExported, b.ID, model.LinePending)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			var pending int64
			if err := tx.Model(&model.BatchLine{}).Where("batch_id = ? AND state = ?", b.ID, model.LinePending).Count(&pending).Error; err != nil {
				return err
			}
			if pending > 0 && b.State == model.BatchExported {
				return apperr.Conflict("lines_pending", fmt.Sprintf("还有%d笔没有登记发放结果，全部登记后才能对账", pending))
			}
			return apperr.Conflict("batch_changed", "批次导出报送银行、登记完结果后才能对账（当前："+model.BatchStates.Label(b.State)+"）")
		}
		var err error
		if r, err = s.count(ctx, tx, b.ID); err != nil {
			return err
		}
		counters := Reconciliation{Lines: b.Lines, TotalFen: b.TotalFen}
		var cur model.Batch
		if err := tx.Take(&cur, b.ID).Error; err != nil {
			return err
		}
		counters.PaidLines, counters.PaidFen, counters.FailedLines, counters.FailedFen = cur.PaidLines, cur.PaidFen, cur.FailedLines, cur.FailedFen
		if err := tx.Model(&model.Batch{}).Where("id = ?", b.ID).Updates(map[string]any{"paid_lines": r.PaidLines, "paid_fen": r.PaidFen,
			"failed_lines": r.FailedLines, "failed_fen": r.FailedFen}).Error; err != nil {
			return err
		}
		if !r.Balanced() || r.Lines != b.Lines || r.TotalFen != b.TotalFen {
			return apperr.Conflict("unbalanced", "批次明细与合计对不上，请联系管理员核查")
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "batch.reconciled", SubjectType: "batch", SubjectID: b.ID,
			Before: map[string]any{"state": model.BatchExported, "counters": counters},
			After:  map[string]any{"state": model.BatchReconciled, "counted": r, "counters_agreed": counters == r}})
	})
	if err != nil {
		return nil, Reconciliation{}, fmt.Errorf("reconcile batch: %w", err)
	}
	b, err = s.batch(ctx, id)
	return b, r, err
}

// Count is the reconciliation of a batch counted now from its lines.
func (s *Service) Count(ctx context.Context, id int64) (Reconciliation, error) {
	if _, err := s.batch(ctx, id); err != nil {
		return Reconciliation{}, err
	}
	return s.count(ctx, s.db, id)
}

func idStrings(ids []int64) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, fmt.Sprint(id))
	}
	return out
}
