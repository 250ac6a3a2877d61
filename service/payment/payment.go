// Package payment runs the money end of subsidies (issue 5, items 5–7):
// public notice (公示) of approved claims with objections, payment batches
// with maker–checker, the bank file, paid/failed marking and reconciliation.
//
// Every state change is conditional (UPDATE … WHERE state = ? AND version = ?
// with exactly one row changed) and audited with before and after in the
// same transaction (SECURITY.md 10, 13). Claims move only through
// moveClaim, which calls model.TransitionClaim. Bank account numbers are
// sealed like 身份证 numbers, shown masked, and whole only in the bank file,
// whose every download is audited with its purpose.
package payment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/pii"
)

// China is the zone notice periods are counted in.
var China = clock.China

// Options tune the service.
type Options struct {
	Now func() time.Time
	// RequireSecondFactor refuses batch approval by an account without TOTP.
	// SECURITY.md 5 wants a second factor on every account that pays money;
	// it is off by default only because the embedded demo accounts have none.
	// Accounts that have TOTP must always give a code.
	RequireSecondFactor bool
}

// Service is the payment capability.
type Service struct {
	db   *gorm.DB
	box  *pii.Box
	opts Options
}

// New builds the payment service.
func New(db *gorm.DB, box *pii.Box, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: db, box: box, opts: opts}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Errors every operation may answer with.
var (
	errStale = apperr.Conflict("stale", "记录已被他人修改，请刷新后重试")
	errPayer = apperr.Forbidden("只有县专班或系统管理员可以办理发放")
)

// canPay reports whether the actor may run notices and batches of a county.
func canPay(a *actor.Actor, county string) bool {
	return a.Is(model.RoleTaskforce, model.RoleAdmin) && a.InScope(county)
}

// moveClaim is the one place this package changes a claim's state: it moves
// the claim from its current state (as read in c) to `to` only if nobody
// changed it meanwhile (model.TransitionClaim: WHERE state AND version, one
// row), and audits the change with before and after. A stale claim is a 409.
func moveClaim(ctx context.Context, tx *gorm.DB, c *model.SubsidyClaim, to model.ClaimState, why string) error {
	from := c.State
	if err := model.TransitionClaim(ctx, tx, c.ID, from, to, c.Version, nil); err != nil {
		if errors.Is(err, model.ErrClaimStale) || errors.Is(err, model.ErrClaimTransition) {
			return apperr.Conflict("claim_changed", "补贴申请 "+fmt.Sprint(c.ID)+" 的状态已变化（当前："+from.Label()+"），请刷新后重试")
		}
		return fmt.Errorf("move claim %d: %w", c.ID, err)
	}
	c.State, c.Version = to, c.Version+1
	return audit.Write(ctx, tx, audit.Entry{Action: "claim." + string(to), SubjectType: "subsidy_claim", SubjectID: c.ID,
		Purpose: why, Before: map[string]any{"state": from, "amount_fen": c.AmountFen},
		After: map[string]any{"state": to, "amount_fen": c.AmountFen}})
}

// claimFor reads a claim inside tx with its current state and version.
func claimFor(ctx context.Context, tx *gorm.DB, id int64) (*model.SubsidyClaim, error) {
	var c model.SubsidyClaim
	if err := tx.WithContext(ctx).Take(&c, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("补贴申请")
		}
		return nil, err
	}
	return &c, nil
}

// checkSecondFactor verifies the approver's TOTP code when the account has a
// second factor (always when RequireSecondFactor is set).
func (s *Service) checkSecondFactor(ctx context.Context, a *actor.Actor, code string) error {
	var acc model.Account
	if err := s.db.WithContext(ctx).Select("id", "totp_secret").Take(&acc, a.AccountID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.Unauthorized("unauthorized", "登录已失效，请重新登录")
		}
		return err
	}
	if acc.TOTPSecret == "" {
		if s.opts.RequireSecondFactor {
			return apperr.Forbidden("复核发放需要动态验证码，请先让管理员为您的账号开通")
		}
		return nil
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return apperr.Invalid("totp_code", "totp_required", "请输入动态验证码")
	}
	secret, err := s.box.Open("accounts", "totp_secret", acc.ID, acc.TOTPSecret)
	if err != nil {
		return apperr.Internal(err)
	}
	if !totp.Validate(code, secret) {
		return apperr.Invalid("totp_code", "totp_invalid", "动态验证码不对或已过期")
	}
	return nil
}

// MaskName is pii.MaskName, kept here for the package's callers.
func MaskName(name string) string { return pii.MaskName(name) }

// MaskAccount shows a bank account's first four and last four digits:
// 6222***********1234.
func MaskAccount(n string) string {
	if len(n) <= 8 {
		return strings.Repeat("*", len(n))
	}
	return n[:4] + strings.Repeat("*", len(n)-8) + n[len(n)-4:]
}

// Yuan formats fen as yuan with two decimals: 80000 → "800.00".
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func ptr[T any](v T) *T { return &v }
