// Package subsidy is the subsidy capability (issue 5): policies kept as data
// per province and year, claims by workers with an eligibility check against
// the ledger's verified facts (免审即享 approves at once when the data prove
// every condition), 定额预付 paid at departure and settled or put on the
// recovery (追回) list, and the job-seeking and workshop claim lists the task
// force approves. Money is in 分. One claim per labourer, policy and year
// (unique index); every state change is conditional on state and version
// (model.TransitionClaim); every money change is audited.
package subsidy

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/clock"
)

// Limits and rules, named so they can be cited and tested.
const (
	MaxTicketBytes    = 300 << 10  // a ticket photo, JPEG or PNG
	MaxAmountFen      = 10_000_000 // 100,000 yuan: more is a typing mistake
	MaxMonthsRequired = 12
	MaxPageSize       = 100
	MaxReasonRunes    = 200
	// MaxStartAfterTrip: a verified spell starting up to this many days after
	// the trip is the work the trip went to.
	MaxStartAfterTrip = 60
	// MaxTripAge: a trip older than this is not claimable (bad data guard).
	MaxTripAge = 400 * 24 * time.Hour
	dateLayout = "2006-01-02"
	// DocTicket is the document code for a ticket or trip proof (车票或行程凭证).
	DocTicket = "ticket"
)

// PolicyDocuments are the documents a policy may require.
var PolicyDocuments = model.Enum{{Code: DocTicket, Label: "车票或行程凭证"}}

// China is the zone dates are read in.
var China = clock.China

// Regions is what subsidies need from the region service.
type Regions interface {
	ValidateCode(field, code string, level int) error
	ValidateWorkPlace(home, place string) error
	PlaceScope(home, place string) string
}

// Service is the subsidy capability.
type Service struct {
	db      *gorm.DB
	regions Regions
	now     func() time.Time
}

// New builds the subsidy service.
func New(db *gorm.DB, regions Regions, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, regions: regions, now: now}
}

// today is the current date in China as a UTC midnight (dates are stored so).
func (s *Service) today() time.Time {
	n := s.now().In(China)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func parseDate(f *apperr.Fields, field, v string) (time.Time, bool) {
	if strings.TrimSpace(v) == "" {
		f.Add(field, "required", "请填写日期")
		return time.Time{}, false
	}
	d, err := time.Parse(dateLayout, strings.TrimSpace(v))
	if err != nil {
		f.Add(field, "invalid_date", "日期格式应为 YYYY-MM-DD")
		return time.Time{}, false
	}
	return d, true
}

// countyScope limits a query on a table with a county_code column to the
// actor's region scopes (a task force's county, an official's region).
func countyScope(a *actor.Actor, q *gorm.DB, col string) *gorm.DB {
	if a.AllRegions() {
		return q
	}
	if !a.Is(model.RoleTaskforce, model.RoleOfficial) || len(a.Scopes) == 0 {
		return q.Where("1 = 0")
	}
	cond := make([]string, 0, len(a.Scopes))
	args := make([]any, 0, len(a.Scopes))
	for _, sc := range a.Scopes {
		if len(sc) > 6 {
			continue // claims belong to a county; a town or village scope sees none of them
		}
		cond = append(cond, col+" LIKE ?")
		args = append(args, sc+"%")
	}
	if len(cond) == 0 {
		return q.Where("1 = 0")
	}
	return q.Where("("+strings.Join(cond, " OR ")+")", args...)
}

func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFound(what)
	}
	return err
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ClaimConditions decodes a claim's stored conditions.
func ClaimConditions(c *model.SubsidyClaim) []Condition {
	var out []Condition
	_ = json.Unmarshal([]byte(c.Conditions), &out)
	if out == nil {
		out = []Condition{}
	}
	return out
}

// ClaimTerms decodes a claim's policy terms snapshot.
func ClaimTerms(c *model.SubsidyClaim) Terms {
	var t Terms
	_ = json.Unmarshal([]byte(c.Terms), &t)
	return t
}

// moneyView is what the audit trail keeps of a claim's money and state.
func moneyView(c *model.SubsidyClaim) map[string]any {
	return map[string]any{"state": c.State, "amount_fen": c.AmountFen, "version": c.Version,
		"labourer_id": c.LabourerID, "policy_id": c.PolicyID, "year": c.Year, "kind": c.Kind}
}

func checkReason(f *apperr.Fields, reason string, required bool) string {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "" && required:
		f.Add("reason", "required", "请填写理由")
	case len([]rune(reason)) > MaxReasonRunes:
		f.Add("reason", "too_long", "理由200字以内")
	}
	return reason
}
