// Package actor carries who is acting through a request's context, and answers
// the region-scope question every query asks (SECURITY.md 6): a worker sees
// only their own record; a cadre their villages; a task force its county; an
// official a region subtree; an admin everything.
package actor

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
)

// Actor is the authenticated caller.
type Actor struct {
	AccountID  int64
	Role       model.Role
	Name       string
	Scopes     []string // region code prefixes
	LabourerID int64    // a worker's own labourer row, 0 if not bound
	EmployerID int64
	RequestID  string
	IP         string
	TOTP       bool // the account has a second factor
}

type ctxKey struct{}

// With returns a context carrying the actor.
func With(ctx context.Context, a *Actor) context.Context { return context.WithValue(ctx, ctxKey{}, a) }

// From returns the actor in ctx, or a system actor for background work.
func From(ctx context.Context) *Actor {
	if a, ok := ctx.Value(ctxKey{}).(*Actor); ok && a != nil {
		return a
	}
	return &Actor{Role: "system"}
}

// Is reports whether the actor has one of the roles.
func (a *Actor) Is(roles ...model.Role) bool {
	for _, r := range roles {
		if a.Role == r {
			return true
		}
	}
	return false
}

// AllRegions reports whether the actor sees every region.
func (a *Actor) AllRegions() bool { return a.Role == model.RoleAdmin || a.Role == "system" }

// InScope reports whether a region code (at any level) lies within the
// actor's scopes. A region coarser than a scope (a county for a cadre) is not
// in scope: seeing it whole would show other villages.
func (a *Actor) InScope(code string) bool {
	if a.AllRegions() {
		return true
	}
	for _, s := range a.Scopes {
		if s != "" && strings.HasPrefix(code, s) {
			return true
		}
	}
	return false
}

// CoversRegion reports whether a region is inside, or contains part of, the
// actor's scope: true for a county when the actor's villages lie in it. It
// decides whether a list may be filtered by that region.
func (a *Actor) CoversRegion(code string) bool {
	if a.InScope(code) {
		return true
	}
	for _, s := range a.Scopes {
		if strings.HasPrefix(s, code) {
			return true
		}
	}
	return false
}

// ScopeLabourers limits a query on a table with a village_code column to the
// actor's scope; a worker sees only their own row (by the given id column).
func (a *Actor) ScopeLabourers(q *gorm.DB, villageCol, selfIDCol string) *gorm.DB {
	switch {
	case a.AllRegions():
		return q
	case a.Role == model.RoleWorker:
		return q.Where(selfIDCol+" = ?", a.LabourerID).Where("1 = ?", boolInt(a.LabourerID != 0))
	case a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial) && len(a.Scopes) > 0:
		cond := make([]string, 0, len(a.Scopes))
		args := make([]any, 0, len(a.Scopes))
		for _, s := range a.Scopes {
			cond = append(cond, villageCol+" LIKE ?")
			args = append(args, s+"%")
		}
		return q.Where("("+strings.Join(cond, " OR ")+")", args...)
	default:
		return q.Where("1 = 0")
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
