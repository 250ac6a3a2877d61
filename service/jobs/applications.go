package jobs

import (
	"context"
	"errors"
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
)

// Error codes of the application rules.
const (
	ErrAlreadyApplied = "already_applied"
	ErrNotEligible    = "not_eligible"
	ErrNotBound       = "not_bound"
	ErrAppState       = "application_state"
)

// AppInfo is an application with its job, and its hire once confirmed.
type AppInfo struct {
	model.Application
	Job  JobInfo
	Hire *model.Hire
}

// Apply records a worker's 感兴趣 (interest) or 报名 (apply) for an open job.
// A second one for the same job is a conflict carrying the existing
// application, except that an interest may be upgraded to an application
// (created = false then). Hard limits (age, labour capacity, skill) are
// checked here as the matcher checks them.
func (s *Service) Apply(ctx context.Context, jobID int64, kind, note string) (*AppInfo, bool, error) {
	a := actor.From(ctx)
	if a.Role != model.RoleWorker {
		return nil, false, apperr.Forbidden("")
	}
	if a.LabourerID == 0 {
		return nil, false, apperr.New(apperr.KindForbidden, ErrNotBound, "请先绑定身份")
	}
	if !model.ApplicationKinds.Valid(kind) {
		return nil, false, apperr.Invalid("kind", "invalid_enum", "请选择感兴趣或报名")
	}
	note = strings.TrimSpace(note)
	if runes(note) > maxReasonRunes {
		return nil, false, apperr.Invalid("note", "too_long", "留言太长（200字以内）")
	}
	db := s.db.WithContext(ctx)
	j, err := s.loadJob(ctx, db, jobID, false)
	if err != nil {
		return nil, false, err
	}
	var existing model.Application
	err = db.Where("job_id = ? AND labourer_id = ?", jobID, a.LabourerID).Take(&existing).Error
	switch {
	case err == nil:
		return s.again(ctx, j, &existing, kind)
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, false, err
	}
	if st, reason := EffectiveStatus(&j.Job, s.today()); st != model.JobOpen || j.Filled >= j.Headcount {
		if reason == model.JobClosedExpired {
			return nil, false, apperr.Conflict(ErrJobExpired, "岗位已过期")
		}
		return nil, false, apperr.Conflict(ErrJobClosed, "岗位已停止招聘")
	}
	var lab model.Labourer
	if err := db.Where("id = ?", a.LabourerID).Take(&lab).Error; err != nil {
		return nil, false, notFound(err, "劳动力")
	}
	if why := s.ineligible(&j.Job, &lab); len(why) > 0 {
		return nil, false, apperr.Conflict(ErrNotEligible, "不符合岗位要求："+strings.Join(why, "；"))
	}
	app := &model.Application{ID: model.NewID(), JobID: j.ID, LabourerID: lab.ID, EmployerID: j.EmployerID,
		Kind: kind, Status: model.AppSubmitted, Note: note, CreatedBy: a.AccountID}
	err = infra.Tx(db, func(tx *gorm.DB) error {
		if err := tx.Create(app).Error; err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "application." + kind, SubjectType: "labourer", SubjectID: lab.ID,
			After: map[string]any{"job_id": fmt.Sprint(j.ID), "application_id": fmt.Sprint(app.ID)}})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// Two taps at once: the other one won.
		if err := db.Where("job_id = ? AND labourer_id = ?", jobID, a.LabourerID).Take(&existing).Error; err != nil {
			return nil, false, err
		}
		return nil, false, s.conflict(j, &existing)
	}
	if err != nil {
		return nil, false, fmt.Errorf("apply: %w", err)
	}
	return &AppInfo{Application: *app, Job: *j}, true, nil
}

// again handles a second 感兴趣 / 报名 for the same job.
func (s *Service) again(ctx context.Context, j *JobInfo, existing *model.Application, kind string) (*AppInfo, bool, error) {
	open := existing.Status == model.AppSubmitted || existing.Status == model.AppInvited
	if kind != model.ApplicationApply || existing.Kind != model.ApplicationInterest || !open {
		return nil, false, s.conflict(j, existing)
	}
	if st, _ := EffectiveStatus(&j.Job, s.today()); st != model.JobOpen {
		return nil, false, apperr.Conflict(ErrJobClosed, "岗位已停止招聘")
	}
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		res := tx.Model(&model.Application{}).Where("id = ? AND kind = ?", existing.ID, model.ApplicationInterest).
			Update("kind", model.ApplicationApply)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return s.conflict(j, existing)
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "application.apply", SubjectType: "labourer", SubjectID: existing.LabourerID,
			After: map[string]any{"job_id": fmt.Sprint(j.ID), "application_id": fmt.Sprint(existing.ID), "upgraded": true}})
	})
	if err != nil {
		return nil, false, err
	}
	existing.Kind = model.ApplicationApply
	return &AppInfo{Application: *existing, Job: *j}, false, nil
}

// conflict is the 409 for a second application, carrying the existing one.
func (s *Service) conflict(j *JobInfo, existing *model.Application) error {
	e := apperr.Conflict(ErrAlreadyApplied, "您已经"+model.ApplicationKinds.Label(existing.Kind)+"过这个岗位了")
	e.Data = &AppInfo{Application: *existing, Job: *j}
	return e
}

// skillRank orders the skill levels (none < junior < … < senior technician).
func skillRank(code string) int {
	for i, o := range model.SkillLevels {
		if o.Code == code {
			return i
		}
	}
	return 0
}

// AgeOn is the age in whole years on a date.
func AgeOn(birth, on time.Time) int {
	if birth.IsZero() {
		return 0
	}
	age := on.Year() - birth.Year()
	if on.Month() < birth.Month() || (on.Month() == birth.Month() && on.Day() < birth.Day()) {
		age--
	}
	return age
}

// ineligible lists the job's hard limits the labourer does not meet, in Chinese.
func (s *Service) ineligible(j *model.Job, lab *model.Labourer) []string {
	var why []string
	if lab.State != "normal" {
		why = append(why, "当前状态为"+model.LabourerStates.Label(lab.State))
	}
	if age := AgeOn(lab.BirthDate, s.today()); !lab.BirthDate.IsZero() && (age < j.MinAge || age > j.MaxAge) {
		why = append(why, fmt.Sprintf("年龄要求%d到%d岁", j.MinAge, j.MaxAge))
	}
	if j.Capacities != "" && !slices.Contains(strings.Split(j.Capacities, ","), lab.LabourCapacity) {
		var labels []string
		for _, c := range strings.Split(j.Capacities, ",") {
			labels = append(labels, model.LabourCapacities.Label(c))
		}
		why = append(why, "劳动能力要求"+strings.Join(labels, "或"))
	}
	if j.MinSkill != "" && skillRank(lab.SkillLevel) < skillRank(j.MinSkill) {
		why = append(why, "技能等级要求"+model.SkillLevels.Label(j.MinSkill)+"及以上")
	}
	return why
}

// MyApplications lists the calling worker's applications, newest first.
func (s *Service) MyApplications(ctx context.Context, p Page) ([]AppInfo, int64, error) {
	a := actor.From(ctx)
	if a.Role != model.RoleWorker || a.LabourerID == 0 {
		return []AppInfo{}, 0, nil
	}
	db := s.db.WithContext(ctx)
	q := db.Model(&model.Application{}).Where("labourer_id = ?", a.LabourerID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var apps []model.Application
	if err := p.apply(q.Order("id DESC")).Find(&apps).Error; err != nil {
		return nil, 0, err
	}
	out, err := s.withJobs(ctx, apps)
	return out, total, err
}

func (s *Service) withJobs(ctx context.Context, apps []model.Application) ([]AppInfo, error) {
	db := s.db.WithContext(ctx)
	jobIDs, hireIDs := []int64{}, []int64{}
	for _, ap := range apps {
		jobIDs = append(jobIDs, ap.JobID)
		if ap.HireID != nil {
			hireIDs = append(hireIDs, *ap.HireID)
		}
	}
	var jobs []JobInfo
	if len(jobIDs) > 0 {
		if err := jobQuery(db).Where("jobs.id IN ?", jobIDs).Find(&jobs).Error; err != nil {
			return nil, err
		}
	}
	byJob := map[int64]JobInfo{}
	for _, j := range jobs {
		byJob[j.ID] = j
	}
	hires, err := s.hiresByID(db, hireIDs)
	if err != nil {
		return nil, err
	}
	out := make([]AppInfo, len(apps))
	for i, ap := range apps {
		out[i] = AppInfo{Application: ap, Job: byJob[ap.JobID]}
		if ap.HireID != nil {
			if h, ok := hires[*ap.HireID]; ok {
				out[i].Hire = &h
			}
		}
	}
	return out, nil
}

func (s *Service) hiresByID(db *gorm.DB, ids []int64) (map[int64]model.Hire, error) {
	out := map[int64]model.Hire{}
	if len(ids) == 0 {
		return out, nil
	}
	var hs []model.Hire
	if err := db.Where("id IN ?", ids).Find(&hs).Error; err != nil {
		return nil, err
	}
	for _, h := range hs {
		out[h.ID] = h
	}
	return out, nil
}

// Candidate is an applicant as the employer sees them; the API shows only
// masked personal data from it.
type Candidate struct {
	Application model.Application
	Labourer    model.Labourer
	Hire        *model.Hire
}

// Candidates lists a job's applicants (its employer, the task force of the
// employer's county, an admin), newest first; status filters by
// application state.
func (s *Service) Candidates(ctx context.Context, jobID int64, status string, p Page) ([]Candidate, int64, error) {
	db := s.db.WithContext(ctx)
	if _, err := s.loadJob(ctx, db, jobID, true); err != nil {
		return nil, 0, err
	}
	q := db.Model(&model.Application{}).Where("job_id = ?", jobID)
	if status != "" {
		if !model.ApplicationStates.Valid(status) {
			return nil, 0, apperr.Invalid("status", "invalid_enum", "状态不对")
		}
		q = q.Where("status = ?", status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var apps []model.Application
	if err := p.apply(q.Order("id DESC")).Find(&apps).Error; err != nil {
		return nil, 0, err
	}
	labIDs, hireIDs := []int64{}, []int64{}
	for _, ap := range apps {
		labIDs = append(labIDs, ap.LabourerID)
		if ap.HireID != nil {
			hireIDs = append(hireIDs, *ap.HireID)
		}
	}
	var labs []model.Labourer
	if len(labIDs) > 0 {
		if err := db.Where("id IN ?", labIDs).Find(&labs).Error; err != nil {
			return nil, 0, err
		}
	}
	byID := map[int64]model.Labourer{}
	for _, l := range labs {
		byID[l.ID] = l
	}
	hires, err := s.hiresByID(db, hireIDs)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Candidate, 0, len(apps))
	for _, ap := range apps {
		c := Candidate{Application: ap, Labourer: byID[ap.LabourerID]}
		if ap.HireID != nil {
			if h, ok := hires[*ap.HireID]; ok {
				c.Hire = &h
			}
		}
		out = append(out, c)
	}
	return out, total, nil
}

// loadApplication reads an application whose job the caller manages.
func (s *Service) loadApplication(ctx context.Context, tx *gorm.DB, id int64) (*model.Application, *JobInfo, error) {
	var ap model.Application
	if err := tx.WithContext(ctx).Where("id = ?", id).Take(&ap).Error; err != nil {
		return nil, nil, notFound(err, "报名")
	}
	j, err := s.loadJob(ctx, tx, ap.JobID, true)
	if err != nil {
		return nil, nil, apperr.NotFound("报名")
	}
	return &ap, j, nil
}

// Invite marks an application as invited (邀约: the employer asks the worker
// to come for an interview or to start).
func (s *Service) Invite(ctx context.Context, appID int64, note string) (*model.Application, error) {
	a := actor.From(ctx)
	note = strings.TrimSpace(note)
	if runes(note) > maxReasonRunes {
		return nil, apperr.Invalid("note", "too_long", "留言太长（200字以内）")
	}
	var out *model.Application
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		ap, _, err := s.loadApplication(ctx, tx, appID)
		if err != nil {
			return err
		}
		if a.Role == model.RoleOfficial {
			return apperr.Forbidden("")
		}
		now := s.now().UTC()
		res := tx.Model(&model.Application{}).Where("id = ? AND status = ?", ap.ID, model.AppSubmitted).
			Updates(map[string]any{"status": model.AppInvited, "invited_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.Conflict(ErrAppState, "只能邀约新报名的务工人员（当前："+model.ApplicationStates.Label(ap.Status)+"）")
		}
		ap.Status, ap.InvitedAt = model.AppInvited, &now
		out = ap
		return audit.Write(ctx, tx, audit.Entry{Action: "application.invite", SubjectType: "labourer", SubjectID: ap.LabourerID,
			After: map[string]any{"application_id": fmt.Sprint(ap.ID), "job_id": fmt.Sprint(ap.JobID), "note": note}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
