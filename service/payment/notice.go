package payment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
)

// MaxNoticeClaims bounds one notice (a county's list for one round).
const MaxNoticeClaims = 5000

// maxOpenObjectionsPerAccount stops one account from flooding a notice.
const maxOpenObjectionsPerAccount = 20

// NoticeEnd is when a notice of `days` working days published at t ends:
// the start of the day after the last working day, counting the day of
// publication when it is a working day (抚远市 2024: 4月9日 to 4月15日 is five
// working days). Weekends are skipped; statutory holidays and 调休 are not
// modelled, so a notice over a holiday ends early — set more days then.
func NoticeEnd(t time.Time, days int) time.Time {
	d := t.In(China)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, China)
	for n := 0; ; d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
			if n >= days {
				return d.AddDate(0, 0, 1).UTC()
			}
		}
	}
}

// PublishInput is what the task force sends to publish a notice.
type PublishInput struct {
	CountyCode string
	Title      string
	Days       int     // working days; 0 takes DefaultNoticeWorkingDays
	ClaimIDs   []int64 // empty: every approved claim of the county
}

// Publish puts approved claims of a county on public notice: each claim
// moves approved → in_notice, conditionally; the items keep masked names.
func (s *Service) Publish(ctx context.Context, in PublishInput) (*model.Notice, error) {
	a := actor.From(ctx)
	var f apperr.Fields
	in.CountyCode = strings.TrimSpace(in.CountyCode)
	if len(in.CountyCode) != 6 {
		f.Add("county_code", "invalid_county", "请选择县（区）")
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		in.Title = "补贴发放名单公示"
	}
	if utf8.RuneCountInString(in.Title) > 100 {
		f.Add("title", "too_long", "标题不能超过100个字")
	}
	if in.Days == 0 {
		in.Days = model.DefaultNoticeWorkingDays
	}
	if in.Days < 1 || in.Days > model.MaxNoticeWorkingDays {
		f.Add("days", "out_of_range", fmt.Sprintf("公示天数应为1到%d个工作日", model.MaxNoticeWorkingDays))
	}
	if len(in.ClaimIDs) > MaxNoticeClaims {
		f.Add("claim_ids", "too_many", fmt.Sprintf("一次最多公示%d条", MaxNoticeClaims))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if !canPay(a, in.CountyCode) {
		return nil, errPayer
	}
	now := s.now()
	n := &model.Notice{ID: model.NewID(), CountyCode: in.CountyCode, Title: in.Title, PublishedAt: now, Days: in.Days,
		EndsAt: NoticeEnd(now, in.Days), State: model.NoticeOpen, PublishedBy: a.AccountID}
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		n.TotalFen = 0 // the body may run again (a deadlock victim)
		claims, err := s.claimsToList(ctx, tx, in)
		if err != nil {
			return err
		}
		labs, err := labourersOf(ctx, tx, claims)
		if err != nil {
			return err
		}
		items := make([]model.NoticeItem, 0, len(claims))
		for i := range claims {
			c := &claims[i]
			if err := moveClaim(ctx, tx, c, model.ClaimInNotice, "公示 "+n.Title); err != nil {
				return err
			}
			lab := labs[c.LabourerID]
			items = append(items, model.NoticeItem{ID: model.NewID(), NoticeID: n.ID, ClaimID: c.ID, LabourerID: c.LabourerID,
				NameMasked: MaskName(lab.Name), VillageCode: lab.VillageCode, Kind: c.Kind, AmountFen: c.AmountFen,
				State: model.NoticeItemListed, CreatedAt: now, UpdatedAt: now})
			n.TotalFen += c.AmountFen
		}
		n.Items = len(items)
		if err := tx.Create(n).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(items, 200).Error; err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "notice.publish", SubjectType: "notice", SubjectID: n.ID,
			After: map[string]any{"county_code": n.CountyCode, "items": n.Items, "total_fen": n.TotalFen, "days": n.Days, "ends_at": n.EndsAt}})
	})
	if err != nil {
		return nil, fmt.Errorf("publish notice: %w", err)
	}
	return n, nil
}

// claimsToList reads the claims to publish: the given ones, each approved and
// of the county, or every approved claim of the county.
func (s *Service) claimsToList(ctx context.Context, tx *gorm.DB, in PublishInput) ([]model.SubsidyClaim, error) {
	return pickClaims(ctx, tx, claimPick{county: in.CountyCode, ids: in.ClaimIDs, states: []model.ClaimState{model.ClaimApproved},
		limit:       MaxNoticeClaims,
		none:        apperr.Invalid("claim_ids", "nothing_to_publish", "本县没有待公示（已通过审核）的补贴申请"),
		otherCounty: "只能公示本县的补贴申请",
		wrongState: func(c model.SubsidyClaim) error {
			return apperr.Conflict("claim_not_approved", fmt.Sprintf("补贴申请 %d 当前是「%s」，只有已通过审核的申请可以公示", c.ID, c.State.Label()))
		}})
}

type labInfo struct {
	ID          int64
	Name        string
	VillageCode string
}

func labourersOf(ctx context.Context, tx *gorm.DB, claims []model.SubsidyClaim) (map[int64]labInfo, error) {
	ids := make([]int64, 0, len(claims))
	for _, c := range claims {
		ids = append(ids, c.LabourerID)
	}
	out := map[int64]labInfo{}
	for start := 0; start < len(ids); start += 1000 {
		end := min(start+1000, len(ids))
		var rows []labInfo
		if err := tx.WithContext(ctx).Model(&model.Labourer{}).Select("id", "name", "village_code").
			Where("id IN ?", ids[start:end]).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}

func dedupe(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// NoticeFilter narrows the notice list.
type NoticeFilter struct {
	State  string
	Limit  int
	Offset int
}

// Notices lists the notices the actor may see, newest first: the task force
// and officials their region's, a cadre those of the county their villages
// are in, a worker those of their own county.
func (s *Service) Notices(ctx context.Context, f NoticeFilter) ([]model.Notice, int64, error) {
	a := actor.From(ctx)
	q := s.db.WithContext(ctx).Model(&model.Notice{})
	switch {
	case a.AllRegions():
	case a.Role == model.RoleWorker:
		v, err := s.workerVillage(ctx, a)
		if err != nil {
			return nil, 0, err
		}
		q = q.Where("county_code = ?", v[:6])
	case a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial) && len(a.Scopes) > 0:
		cond, args := []string{}, []any{}
		for _, sc := range a.Scopes {
			if len(sc) >= 6 { // a county or below: that county's notices
				cond, args = append(cond, "county_code = ?"), append(args, sc[:6])
			} else {
				cond, args = append(cond, "county_code LIKE ?"), append(args, sc+"%")
			}
		}
		q = q.Where("("+strings.Join(cond, " OR ")+")", args...)
	default:
		return nil, 0, apperr.Forbidden("")
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []model.Notice
	err := q.Order("published_at DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&out).Error
	return out, total, err
}

// workerVillage is a bound worker's village; unbound workers see nothing.
func (s *Service) workerVillage(ctx context.Context, a *actor.Actor) (string, error) {
	var v []string
	if a.LabourerID != 0 {
		if err := s.db.WithContext(ctx).Model(&model.Labourer{}).Where("id = ?", a.LabourerID).Pluck("village_code", &v).Error; err != nil {
			return "", err
		}
	}
	if len(v) != 1 || len(v[0]) < 6 {
		return "", apperr.Forbidden("请先完成身份绑定")
	}
	return v[0], nil
}

// sees returns which items of a notice the actor may see, or a 404 when the
// notice is not theirs at all (so its existence is not confirmed).
func (s *Service) sees(ctx context.Context, a *actor.Actor, n *model.Notice) (func(village string) bool, error) {
	switch {
	case a.Role == model.RoleWorker:
		v, err := s.workerVillage(ctx, a)
		if err != nil {
			return nil, err
		}
		if v[:6] != n.CountyCode {
			return nil, apperr.NotFound("公示")
		}
		return func(village string) bool { return village == v }, nil
	case a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin) && a.CoversRegion(n.CountyCode):
		return a.InScope, nil
	}
	return nil, apperr.NotFound("公示")
}

// NoticeDetail is a notice with the items the actor may see.
type NoticeDetail struct {
	Notice model.Notice
	Items  []model.NoticeItem
}

// Notice reads a notice with the items in the actor's scope. A notice whose
// period has ended is settled first (items without open objections pass).
func (s *Service) Notice(ctx context.Context, id int64) (*NoticeDetail, error) {
	a := actor.From(ctx)
	n, err := s.notice(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	see, err := s.sees(ctx, a, n)
	if err != nil {
		return nil, err
	}
	if n.State == model.NoticeOpen && !s.now().Before(n.EndsAt) {
		if err := s.settle(ctx, n.ID); err != nil {
			return nil, err
		}
		if n, err = s.notice(ctx, s.db, id); err != nil {
			return nil, err
		}
	}
	var items []model.NoticeItem
	if err := s.db.WithContext(ctx).Where("notice_id = ?", id).Order("village_code, id").Find(&items).Error; err != nil {
		return nil, err
	}
	out := &NoticeDetail{Notice: *n, Items: items[:0]}
	for _, it := range items {
		if see(it.VillageCode) {
			out.Items = append(out.Items, it)
		}
	}
	return out, nil
}

func (s *Service) notice(ctx context.Context, db *gorm.DB, id int64) (*model.Notice, error) {
	var n model.Notice
	if err := db.WithContext(ctx).Take(&n, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("公示")
		}
		return nil, err
	}
	return &n, nil
}

// Close ends a notice whose period is over: every item without an open
// objection passes (claim in_notice → notice_passed); the notice closes once
// no item is left on notice. Before the end date it is a 409.
func (s *Service) Close(ctx context.Context, id int64) (*model.Notice, error) {
	a := actor.From(ctx)
	n, err := s.notice(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if !a.CoversRegion(n.CountyCode) {
		return nil, apperr.NotFound("公示")
	}
	if !canPay(a, n.CountyCode) {
		return nil, errPayer
	}
	if s.now().Before(n.EndsAt) {
		return nil, apperr.Conflict("notice_running", "公示期还没有结束，结束后才能办理")
	}
	if err := s.settle(ctx, id); err != nil {
		return nil, err
	}
	return s.notice(ctx, s.db, id)
}

// SettleDue settles every open notice whose period has ended; a periodic
// job may call it, and reads and batch preparation call it for their notices.
func (s *Service) SettleDue(ctx context.Context, county string) error {
	var ids []int64
	q := s.db.WithContext(ctx).Model(&model.Notice{}).Where("state = ? AND ends_at <= ?", model.NoticeOpen, s.now())
	if county != "" {
		q = q.Where("county_code = ?", county)
	}
	if err := q.Order("id").Limit(200).Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.settle(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// settle passes the items of an ended notice that have no open objection,
// each in a transaction of its own, as the system. An objection lodged
// concurrently bumps the item's version, so the item is then left alone.
func (s *Service) settle(ctx context.Context, noticeID int64) error {
	a := actor.From(ctx)
	sys := actor.With(ctx, &actor.Actor{Role: "system", RequestID: a.RequestID, IP: a.IP})
	var items []model.NoticeItem
	if err := s.db.WithContext(ctx).Where("notice_id = ? AND state = ?", noticeID, model.NoticeItemListed).Order("id").Find(&items).Error; err != nil {
		return err
	}
	for _, it := range items {
		err := infra.Tx(s.db.WithContext(sys), func(tx *gorm.DB) error {
			var open int64
			if err := tx.Model(&model.Objection{}).Where("notice_item_id = ? AND state = ?", it.ID, model.ObjectionOpen).Count(&open).Error; err != nil {
				return err
			}
			if open > 0 {
				return errSkip
			}
			return s.passItem(sys, tx, &it)
		})
		if err != nil && !errors.Is(err, errSkip) && !apperr.IsKind(err, apperr.KindConflict) {
			return fmt.Errorf("settle notice %d: %w", noticeID, err)
		}
	}
	return s.maybeClose(sys, noticeID)
}

var errSkip = errors.New("skip")

// passItem moves an item listed → passed and its claim in_notice → notice_passed.
func (s *Service) passItem(ctx context.Context, tx *gorm.DB, it *model.NoticeItem) error {
	res := tx.Model(&model.NoticeItem{}).Where("id = ? AND state = ? AND version = ?", it.ID, model.NoticeItemListed, it.Version).
		Updates(map[string]any{"state": model.NoticeItemPassed, "version": gorm.Expr("version + 1"), "updated_at": s.now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return errSkip
	}
	c, err := claimFor(ctx, tx, it.ClaimID)
	if err != nil {
		return err
	}
	if c.State != model.ClaimInNotice {
		return errSkip // moved by someone else (e.g. withdrawn); leave the item on notice for a person to look at
	}
	return moveClaim(ctx, tx, c, model.ClaimNoticePassed, "公示期满无异议")
}

// maybeClose closes an open, ended notice that has no item left on notice.
func (s *Service) maybeClose(ctx context.Context, noticeID int64) error {
	now := s.now()
	return infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE notices SET state = ?, closed_at = ?, version = version + 1, updated_at = ? "+
			"WHERE id = ? AND state = ? AND ends_at <= ? AND NOT EXISTS (SELECT 1 FROM notice_items WHERE notice_id = ? AND state = ?)",
			model.NoticeClosed, now, now, noticeID, model.NoticeOpen, now, noticeID, model.NoticeItemListed)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return nil
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "notice.close", SubjectType: "notice", SubjectID: noticeID,
			Before: map[string]any{"state": model.NoticeOpen}, After: map[string]any{"state": model.NoticeClosed}})
	})
}

// LodgeInput is an objection.
type LodgeInput struct {
	ItemID     int64
	Text       string
	OnBehalfOf string // a cadre or the task force writing for a villager
}

// Lodge records an objection to one item of an open notice. Cadres and the
// task force lodge for items in their scope (often on a villager's behalf); a
// worker about items of their own village. While it is open the item cannot
// pass, so the claim cannot be paid.
func (s *Service) Lodge(ctx context.Context, noticeID int64, in LodgeInput) (*model.Objection, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleWorker, model.RoleCadre, model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	n, err := s.notice(ctx, s.db, noticeID)
	if err != nil {
		return nil, err
	}
	see, err := s.sees(ctx, a, n)
	if err != nil {
		return nil, err
	}
	var f apperr.Fields
	in.Text = strings.TrimSpace(in.Text)
	if l := utf8.RuneCountInString(in.Text); l < 5 || l > 500 {
		f.Add("text", "length", "请用5到500个字写明异议的内容和理由")
	}
	in.OnBehalfOf = strings.TrimSpace(in.OnBehalfOf)
	if a.Role == model.RoleWorker {
		in.OnBehalfOf = ""
	} else if utf8.RuneCountInString(in.OnBehalfOf) > 20 {
		f.Add("on_behalf_of", "too_long", "代提人姓名不能超过20个字")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var it model.NoticeItem
	if err := s.db.WithContext(ctx).Where("id = ? AND notice_id = ?", in.ItemID, noticeID).Take(&it).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.Invalid("item_id", "not_found", "公示名单里没有这一条")
		}
		return nil, err
	}
	if !see(it.VillageCode) {
		return nil, apperr.Invalid("item_id", "not_found", "公示名单里没有这一条")
	}
	now := s.now()
	if n.State != model.NoticeOpen || !now.Before(n.EndsAt) {
		return nil, apperr.Conflict("notice_ended", "公示期已结束，不能再提出异议")
	}
	var mine int64
	if err := s.db.WithContext(ctx).Model(&model.Objection{}).Where("notice_id = ? AND lodged_by = ? AND state = ?",
		noticeID, a.AccountID, model.ObjectionOpen).Count(&mine).Error; err != nil {
		return nil, err
	}
	if mine >= maxOpenObjectionsPerAccount {
		return nil, apperr.Conflict("too_many_objections", "您在这次公示中提出的异议还没有处理完，请稍后再提")
	}
	o := &model.Objection{ID: model.NewID(), NoticeID: noticeID, NoticeItemID: it.ID, ClaimID: it.ClaimID, LodgedBy: a.AccountID,
		LodgedRole: string(a.Role), OnBehalfOf: in.OnBehalfOf, Text: in.Text, State: model.ObjectionOpen, CreatedAt: now, UpdatedAt: now}
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		// Bumping the item's version makes a concurrent settle of the item fail.
		res := tx.Model(&model.NoticeItem{}).Where("id = ? AND state = ?", it.ID, model.NoticeItemListed).
			Updates(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("item_settled", "这一条的公示已有结果，不能再提出异议")
		}
		res = tx.Model(&model.Notice{}).Where("id = ? AND state = ? AND ends_at > ?", noticeID, model.NoticeOpen, now).
			Updates(map[string]any{"open_objections": gorm.Expr("open_objections + 1"), "version": gorm.Expr("version + 1"), "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("notice_ended", "公示期已结束，不能再提出异议")
		}
		if err := tx.Create(o).Error; err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "objection.lodge", SubjectType: "objection", SubjectID: o.ID,
			After: map[string]any{"notice_id": noticeID, "item_id": it.ID, "claim_id": it.ClaimID, "on_behalf_of": MaskName(o.OnBehalfOf)}})
	})
	if err != nil {
		return nil, fmt.Errorf("lodge objection: %w", err)
	}
	return o, nil
}

// Objections lists a notice's objections on the items the actor may see.
func (s *Service) Objections(ctx context.Context, noticeID int64) ([]model.Objection, error) {
	a := actor.From(ctx)
	n, err := s.notice(ctx, s.db, noticeID)
	if err != nil {
		return nil, err
	}
	see, err := s.sees(ctx, a, n)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		model.Objection
		Village string
	}
	if err := s.db.WithContext(ctx).Table("objections").Select("objections.*, notice_items.village_code AS village").
		Joins("JOIN notice_items ON notice_items.id = objections.notice_item_id").
		Where("objections.notice_id = ?", noticeID).Order("objections.id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := []model.Objection{}
	for _, r := range rows {
		// A worker sees only the objections they lodged themselves.
		if see(r.Village) && (a.Role != model.RoleWorker || r.LodgedBy == a.AccountID) {
			out = append(out, r.Objection)
		}
	}
	return out, nil
}

// ResolveInput is the task force's decision on an objection.
type ResolveInput struct {
	Resolution string // upheld | dismissed
	Note       string
	Version    int // the objection's version as read; 0 takes the current one
}

// Resolve decides an objection. Upheld: the item is objected and its claim
// goes back (in_notice → objected) for the task force to re-examine.
// Dismissed: once the period has ended and no other objection is open on the
// item, it passes.
func (s *Service) Resolve(ctx context.Context, objectionID int64, in ResolveInput) (*model.Objection, error) {
	a := actor.From(ctx)
	var o model.Objection
	if err := s.db.WithContext(ctx).Take(&o, objectionID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("异议")
		}
		return nil, err
	}
	n, err := s.notice(ctx, s.db, o.NoticeID)
	if err != nil {
		return nil, err
	}
	if !a.CoversRegion(n.CountyCode) {
		return nil, apperr.NotFound("异议")
	}
	if !canPay(a, n.CountyCode) {
		return nil, apperr.Forbidden("只有县专班可以处理异议")
	}
	var f apperr.Fields
	if !model.ObjectionResolutions.Valid(in.Resolution) {
		f.Add("resolution", "invalid", "请选择异议成立或不成立")
	}
	in.Note = strings.TrimSpace(in.Note)
	if l := utf8.RuneCountInString(in.Note); l < 2 || l > 500 {
		f.Add("note", "length", "请用2到500个字写明核查情况和处理意见")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.Version == 0 {
		in.Version = o.Version
	}
	now := s.now()
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		res := tx.Model(&model.Objection{}).Where("id = ? AND state = ? AND version = ?", o.ID, model.ObjectionOpen, in.Version).
			Updates(map[string]any{"state": model.ObjectionResolved, "resolution": in.Resolution, "note": in.Note,
				"resolved_by": a.AccountID, "resolved_at": now, "version": gorm.Expr("version + 1"), "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict("objection_changed", "这条异议已被处理或已变化，请刷新后重试")
		}
		if err := tx.Model(&model.Notice{}).Where("id = ? AND open_objections > 0", n.ID).
			Updates(map[string]any{"open_objections": gorm.Expr("open_objections - 1"), "version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
			return err
		}
		if in.Resolution == model.ObjectionUpheld {
			res := tx.Model(&model.NoticeItem{}).Where("id = ? AND state = ?", o.NoticeItemID, model.NoticeItemListed).
				Updates(map[string]any{"state": model.NoticeItemObjected, "version": gorm.Expr("version + 1"), "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				c, err := claimFor(ctx, tx, o.ClaimID)
				if err != nil {
					return err
				}
				if err := moveClaim(ctx, tx, c, model.ClaimObjected, "公示异议成立："+clip(in.Note, 60)); err != nil {
					return err
				}
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "objection.resolve", SubjectType: "objection", SubjectID: o.ID,
			Before: map[string]any{"state": model.ObjectionOpen},
			After:  map[string]any{"state": model.ObjectionResolved, "resolution": in.Resolution, "claim_id": o.ClaimID}})
	})
	if err != nil {
		return nil, fmt.Errorf("resolve objection: %w", err)
	}
	if !now.Before(n.EndsAt) {
		if err := s.settle(ctx, n.ID); err != nil {
			return nil, err
		}
	}
	var out model.Objection
	if err := s.db.WithContext(ctx).Take(&out, o.ID).Error; err != nil {
		return nil, err
	}
	return &out, nil
}
