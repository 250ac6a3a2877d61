// Package jobs is the employers-and-jobs capability (issue 4, items 1–3):
// employers registered with their 统一社会信用代码 and verified by the task
// force of their county, jobs posted by verified employers and moderated
// before publication, workers' 感兴趣 / 报名, and hires confirmed by the
// employer, which write a verified, assisted employment spell (经帮扶实现就业,
// 帮扶时间) in the same transaction as the job's filled count, the worker's
// cached status, the ledger change, the audit rows and the outbox event.
//
// Who sees what (SECURITY.md 6): an employer member sees their own employer,
// its jobs and their candidates; a task force its county's employers and
// jobs; an official a region subtree (read only); an admin everything. Open
// jobs are on the board for every logged-in role. Anything outside the
// caller's view is "not found".
package jobs

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/auth"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/status"
)

// Limits on what a job may say. The seeds give yearly thresholds, not a
// ceiling; the wage cap is the status service's (docs/decisions.md 5).
const (
	MaxWage        = status.MaxMonthlyWage // yuan per month
	MinAge         = 16                    // no work before 16 (SECURITY.md 11)
	MaxAge         = 70                    // older applicants are not matched to posted jobs
	DefaultMaxAge  = 60                    // 普通劳动力 is 16–60 (seed 002 填表说明 1)
	MaxHeadcount   = 1000
	MaxValidDays   = 180 // a posting lives at most half a year, then is posted again
	MaxPageSize    = 100
	maxTitleRunes  = 60
	maxOtherRunes  = 50
	maxTextRunes   = 1000
	maxReasonRunes = 200
	// PublicWelfareMinYearly: 公益性岗位 pay is at least 4,000 yuan a year
	// (seed 002 三(三)3 岗位待遇水平原则上不低于4000元/年).
	PublicWelfareMinYearly = 4000
)

// Regions is what the service needs from the region service.
type Regions interface {
	ValidateCode(field, code string, level int) error
	PathName(code string) string
}

// Accounts creates member accounts; the auth service implements it.
type Accounts interface {
	CreateAccount(ctx context.Context, regions auth.RegionChecker, in auth.NewAccount) (*model.Account, error)
}

// Service is the jobs capability.
type Service struct {
	db       *gorm.DB
	box      *pii.Box
	regions  Regions
	accounts Accounts
	now      func() time.Time
}

// New builds the jobs service.
func New(db *gorm.DB, box *pii.Box, regions Regions, accounts Accounts, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, box: box, regions: regions, accounts: accounts, now: now}
}

// today is the current date in China, as a UTC midnight like stored dates.
func (s *Service) today() time.Time {
	n := s.now().In(status.China)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// Page is a page request.
type Page struct {
	Page, PageSize int
}

func (p Page) apply(q *gorm.DB) *gorm.DB {
	if p.PageSize <= 0 || p.PageSize > MaxPageSize {
		p.PageSize = 20
	}
	if p.Page <= 0 {
		p.Page = 1
	}
	return q.Limit(p.PageSize).Offset((p.Page - 1) * p.PageSize)
}

// regionScope limits a query on a region-code column to the actor's region
// scopes (task force: county; official: subtree; admin: all). Other roles
// see nothing through it.
func regionScope(a *actor.Actor, q *gorm.DB, col string) *gorm.DB {
	switch {
	case a.AllRegions():
		return q
	case a.Is(model.RoleTaskforce, model.RoleOfficial) && len(a.Scopes) > 0:
		cond := make([]string, 0, len(a.Scopes))
		args := make([]any, 0, len(a.Scopes))
		for _, sc := range a.Scopes {
			cond = append(cond, col+" LIKE ?")
			args = append(args, sc+"%")
		}
		return q.Where("("+strings.Join(cond, " OR ")+")", args...)
	}
	return q.Where("1 = 0")
}

// canManage reports whether the actor may act for the employer (an employer
// member of it, a task force of its county, an admin). Officials read only.
func canManage(a *actor.Actor, e *model.Employer) bool {
	switch {
	case a.Role == model.RoleEmployer:
		return a.EmployerID != 0 && a.EmployerID == e.ID
	case a.Role == model.RoleTaskforce:
		return a.InScope(e.RegionCode)
	}
	return a.AllRegions()
}

// canSeeEmployer adds read-only officials of the region to canManage.
func canSeeEmployer(a *actor.Actor, e *model.Employer) bool {
	return canManage(a, e) || (a.Role == model.RoleOfficial && a.InScope(e.RegionCode))
}

func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFound(what)
	}
	return err
}

func runes(s string) int { return len([]rune(s)) }

// copyFields moves a validation error's fields into f (renamed to field).
func copyFields(f *apperr.Fields, field string, err error) {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		for _, fe := range e.Fields {
			f.Add(field, fe.Code, fe.Message)
		}
		return
	}
	f.Add(field, "invalid", "地区有误")
}

// parseDate reads YYYY-MM-DD as a UTC date.
func parseDate(f *apperr.Fields, field, v string) (time.Time, bool) {
	if v == "" {
		f.Add(field, "required", "请选择日期")
		return time.Time{}, false
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		f.Add(field, "invalid_date", "日期格式应为 2026-01-31")
		return time.Time{}, false
	}
	return d, true
}
