package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/outbox"
)

// Error codes of the job rules.
const (
	ErrJobNotPending = "job_not_pending"
	ErrJobClosed     = "job_closed"
	ErrJobExpired    = "job_expired"
)

// JobInput is what an employer posts. Pointers tell "missing" from zero.
type JobInput struct {
	Title         string
	Industry      string
	IndustryOther string
	Headcount     *int
	WageMin       *int
	WageMax       *int
	PlaceCode     string
	MinAge        *int
	MaxAge        *int
	Capacities    []string
	MinSkill      string
	Housing       bool
	Meals         bool
	Transport     bool
	Description   string
	ValidUntil    string
}

// JobInfo is a job with its employer's name and kind.
type JobInfo struct {
	model.Job
	EmployerName string `gorm:"column:employer_name"`
	EmployerKind string `gorm:"column:employer_kind"`
}

// EffectiveStatus is the job's status as of today: an open job whose valid
// until has passed is closed (expired) even before the sweep writes it.
func EffectiveStatus(j *model.Job, today time.Time) (status, reason string) {
	if j.Status == model.JobOpen && today.After(j.ValidUntil) {
		return model.JobClosed, model.JobClosedExpired
	}
	return j.Status, j.CloseReason
}

// Today is the service's current date (China), for views.
func (s *Service) Today() time.Time { return s.today() }

func (s *Service) validateJob(in *JobInput, e *model.Employer) error {
	var f apperr.Fields
	in.Title = strings.TrimSpace(in.Title)
	if n := runes(in.Title); n < 2 || n > maxTitleRunes {
		f.Add("title", "required", "请填写岗位名称（2到60字）")
	}
	if !model.Industries.Valid(in.Industry) {
		f.Add("industry", "invalid_enum", "请选择工种")
	} else if in.Industry == "other" {
		in.IndustryOther = strings.TrimSpace(in.IndustryOther)
		if n := runes(in.IndustryOther); n == 0 || n > maxOtherRunes {
			f.Add("industry_other", "required", "请注明其他工种（50字以内）")
		}
	} else {
		in.IndustryOther = ""
	}
	switch {
	case in.Headcount == nil:
		f.Add("headcount", "required", "请填写招聘人数")
	case *in.Headcount < 1:
		f.Add("headcount", "not_positive", "招聘人数至少为1")
	case *in.Headcount > MaxHeadcount:
		f.Add("headcount", "too_large", fmt.Sprintf("招聘人数不能超过%d", MaxHeadcount))
	}
	checkWage(&f, "wage_min", in.WageMin, "请填写最低月工资（元）")
	checkWage(&f, "wage_max", in.WageMax, "请填写最高月工资（元）")
	if !f.Has("wage_min") && !f.Has("wage_max") {
		if *in.WageMin > *in.WageMax {
			f.Add("wage_min", "wage_range", "最低月工资不能高于最高月工资")
		} else if e.Kind == model.EmployerPublicWelfare && *in.WageMin*12 < PublicWelfareMinYearly {
			f.Add("wage_min", "below_public_welfare_minimum",
				fmt.Sprintf("公益性岗位待遇不低于每年%d元", PublicWelfareMinYearly))
		}
	}
	if err := s.regions.ValidateCode("place_code", in.PlaceCode, 0); err != nil {
		copyFields(&f, "place_code", err)
	} else if model.LevelOf(in.PlaceCode) < model.LevelCounty {
		// Coarser places cannot say 县内 / 省内县外 / 省外 for a hire.
		f.Add("place_code", "region_level", "工作地点请选择到县（区）一级或更细")
	}
	if in.MinAge == nil {
		v := MinAge
		in.MinAge = &v
	}
	if in.MaxAge == nil {
		v := DefaultMaxAge
		in.MaxAge = &v
	}
	switch {
	case *in.MinAge < MinAge || *in.MinAge > MaxAge:
		f.Add("min_age", "out_of_range", fmt.Sprintf("年龄要求应在%d到%d岁之间", MinAge, MaxAge))
	case *in.MaxAge < MinAge || *in.MaxAge > MaxAge:
		f.Add("max_age", "out_of_range", fmt.Sprintf("年龄要求应在%d到%d岁之间", MinAge, MaxAge))
	case *in.MinAge > *in.MaxAge:
		f.Add("min_age", "age_range", "最低年龄不能高于最高年龄")
	}
	var caps []string
	for _, c := range in.Capacities {
		if !model.LabourCapacities.Valid(c) {
			f.Add("capacities", "invalid_enum", "请选择劳动能力要求")
			break
		}
		if !slices.Contains(caps, c) {
			caps = append(caps, c)
		}
	}
	in.Capacities = caps
	if in.MinSkill != "" && !model.SkillLevels.Valid(in.MinSkill) {
		f.Add("min_skill", "invalid_enum", "请选择技能等级要求")
	}
	if in.MinSkill == "none" {
		in.MinSkill = ""
	}
	in.Description = strings.TrimSpace(in.Description)
	if runes(in.Description) > maxTextRunes {
		f.Add("description", "too_long", "岗位说明太长（1000字以内）")
	}
	if d, ok := parseDate(&f, "valid_until", in.ValidUntil); ok {
		today := s.today()
		if !d.After(today) {
			f.Add("valid_until", "not_future", "有效期应晚于今天")
		} else if d.After(today.AddDate(0, 0, MaxValidDays)) {
			f.Add("valid_until", "too_far", fmt.Sprintf("有效期最长%d天", MaxValidDays))
		}
	}
	return f.Err()
}

func checkWage(f *apperr.Fields, field string, v *int, missing string) {
	switch {
	case v == nil:
		f.Add(field, "required", missing)
	case *v <= 0:
		f.Add(field, "not_positive", "金额应大于0")
	case *v > MaxWage:
		f.Add(field, "too_large", fmt.Sprintf("月工资不能超过%d元，请核对", MaxWage))
	}
}

// CreateJob posts a job for the caller's employer; it waits for moderation.
// Only members of a verified employer may post.
func (s *Service) CreateJob(ctx context.Context, in JobInput) (*JobInfo, error) {
	a := actor.From(ctx)
	if a.Role != model.RoleEmployer {
		return nil, apperr.Forbidden("")
	}
	if a.EmployerID == 0 {
		return nil, apperr.Conflict(ErrNotVerified, "请先登记用人单位，审核通过后再发布岗位")
	}
	e, err := s.loadEmployer(ctx, s.db, a.EmployerID, true)
	if err != nil {
		return nil, err
	}
	if e.Status != model.EmployerVerified {
		return nil, apperr.Conflict(ErrNotVerified, "用人单位审核通过后才能发布岗位")
	}
	if err := s.validateJob(&in, e); err != nil {
		return nil, err
	}
	until, _ := time.Parse("2006-01-02", in.ValidUntil)
	j := &model.Job{ID: model.NewID(), EmployerID: e.ID, CountyCode: e.CountyCode, Title: in.Title,
		Industry: in.Industry, IndustryOther: in.IndustryOther, Headcount: *in.Headcount, WageMin: *in.WageMin,
		WageMax: *in.WageMax, PlaceCode: in.PlaceCode, MinAge: *in.MinAge, MaxAge: *in.MaxAge,
		Capacities: strings.Join(in.Capacities, ","), MinSkill: in.MinSkill, Housing: in.Housing, Meals: in.Meals,
		Transport: in.Transport, Description: in.Description, ValidUntil: until, Status: model.JobPending,
		CreatedBy: a.AccountID}
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Create(j).Error; err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "job.create", SubjectType: "job", SubjectID: j.ID, After: jobAudit(j)})
	})
	if err != nil {
		return nil, fmt.Errorf("create job: %w", err)
	}
	return &JobInfo{Job: *j, EmployerName: e.Name, EmployerKind: e.Kind}, nil
}

func jobAudit(j *model.Job) map[string]any {
	return map[string]any{"title": j.Title, "industry": j.Industry, "headcount": j.Headcount, "filled": j.Filled,
		"wage_min": j.WageMin, "wage_max": j.WageMax, "place_code": j.PlaceCode, "valid_until": j.ValidUntil.Format("2006-01-02"),
		"status": j.Status, "reject_reason": j.RejectReason, "close_reason": j.CloseReason}
}

func jobQuery(db *gorm.DB) *gorm.DB {
	return db.Table("jobs").Select("jobs.*, employers.name AS employer_name, employers.kind AS employer_kind").
		Joins("JOIN employers ON employers.id = jobs.employer_id")
}

// canManageJob: the employer's members, the task force of the employer's
// county, an admin.
func canManageJob(a *actor.Actor, j *model.Job) bool {
	switch a.Role {
	case model.RoleEmployer:
		return a.EmployerID != 0 && a.EmployerID == j.EmployerID
	case model.RoleTaskforce:
		return a.InScope(j.CountyCode)
	}
	return a.AllRegions()
}

// loadJob reads a job the actor may see (manage: may act on), else not
// found. Everyone sees an open, unexpired job; a worker also sees the jobs
// they applied to; officials read their region's.
func (s *Service) loadJob(ctx context.Context, tx *gorm.DB, id int64, manage bool) (*JobInfo, error) {
	var j JobInfo
	if err := jobQuery(tx.WithContext(ctx)).Where("jobs.id = ?", id).Take(&j).Error; err != nil {
		return nil, notFound(err, "岗位")
	}
	a := actor.From(ctx)
	if canManageJob(a, &j.Job) {
		return &j, nil
	}
	if manage {
		return nil, apperr.NotFound("岗位")
	}
	if a.Role == model.RoleOfficial && a.InScope(j.CountyCode) {
		return &j, nil
	}
	if st, _ := EffectiveStatus(&j.Job, s.today()); st == model.JobOpen {
		return &j, nil
	}
	if a.Role == model.RoleWorker && a.LabourerID != 0 {
		var n int64
		if err := tx.WithContext(ctx).Model(&model.Application{}).Where("job_id = ? AND labourer_id = ?", id, a.LabourerID).
			Count(&n).Error; err != nil {
			return nil, err
		}
		if n > 0 {
			return &j, nil
		}
	}
	return nil, apperr.NotFound("岗位")
}

// Job returns a job in the caller's view.
func (s *Service) Job(ctx context.Context, id int64) (*JobInfo, error) {
	return s.loadJob(ctx, s.db, id, false)
}

// JobFilter narrows job lists.
type JobFilter struct {
	Region   string // place code prefix
	Industry string
	Status   string // managed lists only; effective status
	Page
}

func (s *Service) filterJobs(q *gorm.DB, f JobFilter) (*gorm.DB, error) {
	if f.Region != "" {
		if err := s.regions.ValidateCode("region", f.Region, 0); err != nil {
			return nil, err
		}
		q = q.Where("jobs.place_code LIKE ?", f.Region+"%")
	}
	if f.Industry != "" {
		if !model.Industries.Valid(f.Industry) {
			return nil, apperr.Invalid("industry", "invalid_enum", "工种不对")
		}
		q = q.Where("jobs.industry = ?", f.Industry)
	}
	return q, nil
}

func (s *Service) page(q *gorm.DB, p Page) ([]JobInfo, int64, error) {
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var list []JobInfo
	err := p.apply(q.Order("jobs.id DESC")).Find(&list).Error
	return list, total, err
}

// Board lists the open jobs every logged-in role may browse: approved, not
// expired, not full. Newest first.
func (s *Service) Board(ctx context.Context, f JobFilter) ([]JobInfo, int64, error) {
	q := jobQuery(s.db.WithContext(ctx)).Where("jobs.status = ? AND jobs.valid_until >= ? AND jobs.filled < jobs.headcount",
		model.JobOpen, s.today())
	q, err := s.filterJobs(q, f)
	if err != nil {
		return nil, 0, err
	}
	return s.page(q, f.Page)
}

// Managed lists the jobs the caller manages or oversees, in every state: an
// employer's own, a task force's county, an official's region, all for an
// admin.
func (s *Service) Managed(ctx context.Context, f JobFilter) ([]JobInfo, int64, error) {
	a := actor.From(ctx)
	q := jobQuery(s.db.WithContext(ctx))
	if a.Role == model.RoleEmployer {
		q = q.Where("jobs.employer_id = ? AND 1 = ?", a.EmployerID, boolInt(a.EmployerID != 0))
	} else {
		q = regionScope(a, q, "jobs.county_code")
	}
	today := s.today()
	switch f.Status {
	case "":
	case model.JobOpen:
		q = q.Where("jobs.status = ? AND jobs.valid_until >= ?", model.JobOpen, today)
	case model.JobClosed:
		q = q.Where("(jobs.status = ? OR (jobs.status = ? AND jobs.valid_until < ?))", model.JobClosed, model.JobOpen, today)
	case model.JobPending, model.JobRejected:
		q = q.Where("jobs.status = ?", f.Status)
	default:
		return nil, 0, apperr.Invalid("status", "invalid_enum", "状态不对")
	}
	q, err := s.filterJobs(q, f)
	if err != nil {
		return nil, 0, err
	}
	return s.page(q, f.Page)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ModerateJob approves (publishes) or rejects a pending job: the task force
// of the employer's county, or an admin. Approval writes EventJobApproved in
// the same transaction, so the 72-hour service re-matches open cases.
func (s *Service) ModerateJob(ctx context.Context, id int64, approve bool, reason string) (*JobInfo, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleTaskforce, model.RoleAdmin) {
		return nil, apperr.Forbidden("")
	}
	reason = strings.TrimSpace(reason)
	if !approve && (runes(reason) < 2 || runes(reason) > maxReasonRunes) {
		return nil, apperr.Invalid("reason", "required", "请填写不通过的原因（2到200字）")
	}
	if approve {
		reason = ""
	}
	var out *JobInfo
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		j, err := s.loadJob(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if j.Status != model.JobPending {
			return apperr.Conflict(ErrJobNotPending, "该岗位已审核过")
		}
		state := model.JobRejected
		if approve {
			if s.today().After(j.ValidUntil) {
				return apperr.Conflict(ErrJobExpired, "岗位有效期已过，请单位重新发布")
			}
			var e model.Employer
			if err := tx.Where("id = ?", j.EmployerID).Take(&e).Error; err != nil {
				return err
			}
			if e.Status != model.EmployerVerified {
				return apperr.Conflict(ErrNotVerified, "该用人单位未通过审核，岗位不能发布")
			}
			state = model.JobOpen
		}
		before := jobAudit(&j.Job)
		now := s.now().UTC()
		res := tx.Model(&model.Job{}).Where("id = ? AND status = ?", id, model.JobPending).
			Updates(map[string]any{"status": state, "reject_reason": reason, "reviewed_by": a.AccountID, "reviewed_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict(ErrJobNotPending, "该岗位已审核过")
		}
		j.Status, j.RejectReason, j.ReviewedBy, j.ReviewedAt = state, reason, &a.AccountID, &now
		if approve {
			if _, err := outbox.Add(ctx, tx, model.EventJobApproved, j.ID, map[string]any{
				"job_id": fmt.Sprint(j.ID), "employer_id": fmt.Sprint(j.EmployerID), "place_code": j.PlaceCode,
				"industry": j.Industry, "valid_until": j.ValidUntil.Format("2006-01-02"),
			}); err != nil {
				return err
			}
		}
		out = j
		return audit.Write(ctx, tx, audit.Entry{Action: "job.moderate", SubjectType: "job", SubjectID: id,
			Before: before, After: jobAudit(&j.Job)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CloseJob withdraws a pending or open job (its employer, the task force, an
// admin). Applications stay as they are; hires already confirmed stand.
func (s *Service) CloseJob(ctx context.Context, id int64) (*JobInfo, error) {
	var out *JobInfo
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		j, err := s.loadJob(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if actor.From(ctx).Role == model.RoleOfficial {
			return apperr.Forbidden("")
		}
		before := jobAudit(&j.Job)
		now := s.now().UTC()
		res := tx.Model(&model.Job{}).Where("id = ? AND status IN ?", id, []string{model.JobPending, model.JobOpen}).
			Updates(map[string]any{"status": model.JobClosed, "close_reason": model.JobClosedWithdrawn, "closed_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict(ErrJobClosed, "岗位已结束或未通过审核，不能撤回")
		}
		j.Status, j.CloseReason, j.ClosedAt = model.JobClosed, model.JobClosedWithdrawn, &now
		out = j
		return audit.Write(ctx, tx, audit.Entry{Action: "job.close", SubjectType: "job", SubjectID: id,
			Before: before, After: jobAudit(&j.Job)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ExpireDue closes every open job whose valid until has passed and returns
// how many it closed. Reads already treat such jobs as closed
// (EffectiveStatus); this writes it down, for a periodic task.
func (s *Service) ExpireDue(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Model(&model.Job{}).Where("status = ? AND valid_until < ?", model.JobOpen, s.today()).
		Updates(map[string]any{"status": model.JobClosed, "close_reason": model.JobClosedExpired, "closed_at": s.now().UTC()})
	if res.Error != nil {
		return 0, fmt.Errorf("expire jobs: %w", res.Error)
	}
	return res.RowsAffected, nil
}
