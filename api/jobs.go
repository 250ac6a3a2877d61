package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/jobs"
	"github.com/jiuyebang/jiuyebang/service/pii"
)

// mountJobs registers the employers, jobs, applications and hires routes on the authenticated group (issue 4).
//
// A worker's and an employer member's own routes live under /me (the
// worker's job board and applications; the employer's organisation, jobs,
// candidates and hires); the back-office routes serve the task force, the
// officials and admins, and cadres browsing open jobs. The handlers are
// shared: the service scopes every query by the caller (SECURITY.md 6).
func (s *Server) mountJobs(in *gin.RouterGroup) {
	const (
		wk = model.RoleWorker
		cd = model.RoleCadre
		tf = model.RoleTaskforce
		of = model.RoleOfficial
		em = model.RoleEmployer
		ad = model.RoleAdmin
	)
	w := in.Group("/me", roles(wk))
	w.GET("/jobs", s.jobBoard)
	w.GET("/jobs/:id", s.getJob)
	w.POST("/jobs/:id/applications", s.apply)
	w.GET("/applications", s.myApplications)

	e := in.Group("/me/employer", roles(em))
	e.POST("", s.registerEmployer)
	e.GET("", s.myEmployer)
	e.GET("/members", s.myMembers)
	e.POST("/members", s.addMyMember)
	e.GET("/jobs", s.managedJobs)
	e.POST("/jobs", s.createJob)
	e.GET("/jobs/:id", s.getJob)
	e.POST("/jobs/:id/close", s.closeJob)
	e.GET("/jobs/:id/candidates", s.candidates)
	e.POST("/jobs/:id/hires", s.confirmHire)
	e.POST("/applications/:id/invite", s.invite)
	e.POST("/hires/:id/departure", s.departure)

	in.POST("/employers", roles(tf, ad), s.registerEmployer)
	in.GET("/employers", roles(tf, of, ad), s.listEmployers)
	in.GET("/employers/:id", roles(tf, of, ad), s.getEmployer)
	in.POST("/employers/:id/review", roles(tf, ad), s.reviewEmployer())
	in.GET("/employers/:id/members", roles(tf, of, ad), s.listMembers)
	in.POST("/employers/:id/members", roles(tf, ad), s.addMember)

	in.GET("/jobs", roles(cd, tf, of, ad), s.jobBoard)
	in.GET("/jobs/managed", roles(tf, of, ad), s.managedJobs)
	in.GET("/jobs/:id", roles(cd, tf, of, ad), s.getJob)
	in.POST("/jobs/:id/review", roles(tf, ad), s.reviewJob())
	in.POST("/jobs/:id/close", roles(tf, ad), s.closeJob)
	in.GET("/jobs/:id/candidates", roles(tf, ad), s.candidates)
	in.POST("/jobs/:id/hires", roles(tf, ad), s.confirmHire)
	in.POST("/applications/:id/invite", roles(tf, ad), s.invite)
	in.POST("/hires/:id/departure", roles(tf, ad), s.departure)
}

// ---- views ----

type employerView struct {
	ID           string  `json:"id"`
	CreditCode   string  `json:"credit_code"`
	Name         string  `json:"name"`
	Kind         string  `json:"kind"`
	KindLabel    string  `json:"kind_label"`
	RegionCode   string  `json:"region_code"`
	RegionName   string  `json:"region_name"`
	Address      string  `json:"address"`
	ContactName  string  `json:"contact_name"`
	PhoneMasked  string  `json:"phone_masked"`
	Status       string  `json:"status"`
	StatusLabel  string  `json:"status_label"`
	RejectReason string  `json:"reject_reason"`
	CreatedAt    string  `json:"created_at"`
	ReviewedAt   *string `json:"reviewed_at"`
}

type memberView struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Admin       bool   `json:"admin"`
	CreatedAt   string `json:"created_at"`
}

type jobView struct {
	ID                string   `json:"id"`
	EmployerID        string   `json:"employer_id"`
	EmployerName      string   `json:"employer_name"`
	EmployerKind      string   `json:"employer_kind"`
	EmployerKindLabel string   `json:"employer_kind_label"`
	Title             string   `json:"title"`
	Industry          string   `json:"industry"`
	IndustryLabel     string   `json:"industry_label"`
	IndustryOther     string   `json:"industry_other"`
	Headcount         int      `json:"headcount"`
	Filled            int      `json:"filled"`
	Remaining         int      `json:"remaining"`
	WageMin           int      `json:"wage_min"`
	WageMax           int      `json:"wage_max"`
	PlaceCode         string   `json:"place_code"`
	PlaceName         string   `json:"place_name"`
	MinAge            int      `json:"min_age"`
	MaxAge            int      `json:"max_age"`
	Capacities        []string `json:"capacities"`
	CapacityLabels    []string `json:"capacity_labels"`
	MinSkill          string   `json:"min_skill"`
	MinSkillLabel     string   `json:"min_skill_label"`
	Housing           bool     `json:"housing"`
	Meals             bool     `json:"meals"`
	Transport         bool     `json:"transport"`
	Description       string   `json:"description"`
	ValidUntil        string   `json:"valid_until"`
	Status            string   `json:"status"`
	StatusLabel       string   `json:"status_label"`
	RejectReason      string   `json:"reject_reason"`
	CloseReason       string   `json:"close_reason"`
	CloseReasonLabel  string   `json:"close_reason_label"`
	CreatedAt         string   `json:"created_at"`
}

type hireView struct {
	ID            string  `json:"id"`
	JobID         string  `json:"job_id"`
	ApplicationID string  `json:"application_id"`
	LabourerID    string  `json:"labourer_id"`
	SpellID       string  `json:"spell_id"`
	HiredAt       string  `json:"hired_at"`
	MonthlyWage   int     `json:"monthly_wage"`
	LeftAt        *string `json:"left_at"`
	LeaveReason   string  `json:"leave_reason"`
}

type applicationView struct {
	ID          string    `json:"id"`
	JobID       string    `json:"job_id"`
	Kind        string    `json:"kind"`
	KindLabel   string    `json:"kind_label"`
	Status      string    `json:"status"`
	StatusLabel string    `json:"status_label"`
	Note        string    `json:"note"`
	CreatedAt   string    `json:"created_at"`
	InvitedAt   *string   `json:"invited_at"`
	Hire        *hireView `json:"hire"`
}

type myApplicationView struct {
	applicationView
	Job jobView `json:"job"`
}

// candidateView is an applicant as an employer sees them: personal data
// masked (no ID number, masked phone, age instead of birth date).
type candidateView struct {
	ApplicationID       string    `json:"application_id"`
	LabourerID          string    `json:"labourer_id"`
	Kind                string    `json:"kind"`
	KindLabel           string    `json:"kind_label"`
	Status              string    `json:"status"`
	StatusLabel         string    `json:"status_label"`
	Note                string    `json:"note"`
	AppliedAt           string    `json:"applied_at"`
	Name                string    `json:"name"`
	PhoneMasked         string    `json:"phone_masked"`
	Age                 int       `json:"age"`
	LabourCapacity      string    `json:"labour_capacity"`
	LabourCapacityLabel string    `json:"labour_capacity_label"`
	SkillLevel          string    `json:"skill_level"`
	SkillLevelLabel     string    `json:"skill_level_label"`
	VillageCode         string    `json:"village_code"`
	VillageName         string    `json:"village_name"`
	CurrentStatusLabel  string    `json:"current_status_label"`
	Hire                *hireView `json:"hire"`
}

type hiredSpellView struct {
	ID              string `json:"id"`
	StartDate       string `json:"start_date"`
	PlaceCode       string `json:"place_code"`
	PlaceName       string `json:"place_name"`
	PlaceScope      string `json:"place_scope"`
	PlaceScopeLabel string `json:"place_scope_label"`
	Form            string `json:"form"`
	FormLabel       string `json:"form_label"`
	EmployerName    string `json:"employer_name"`
	MonthlyWage     int    `json:"monthly_wage"`
	Industry        string `json:"industry"`
	Source          string `json:"source"`
	Verified        bool   `json:"verified"`
	Assisted        bool   `json:"assisted"`
	AssistedAt      string `json:"assisted_at"`
	JobID           string `json:"job_id"`
}

type hireResponse struct {
	Hire  hireView       `json:"hire"`
	Spell hiredSpellView `json:"spell"`
	Job   jobView        `json:"job"`
}

func (s *Server) toEmployer(e *model.Employer) employerView {
	return employerView{ID: idString(e.ID), CreditCode: e.CreditCode, Name: e.Name, Kind: e.Kind,
		KindLabel: model.EmployerKinds.Label(e.Kind), RegionCode: e.RegionCode, RegionName: s.Regions.PathName(e.RegionCode),
		Address: e.Address, ContactName: e.ContactName, PhoneMasked: e.PhoneMasked, Status: e.Status,
		StatusLabel: model.EmployerStates.Label(e.Status), RejectReason: e.RejectReason, CreatedAt: stamp(e.CreatedAt),
		ReviewedAt: optStamp(e.ReviewedAt)}
}

func (s *Server) toJob(j *jobs.JobInfo) jobView {
	st, reason := jobs.EffectiveStatus(&j.Job, s.Jobs.Today())
	v := jobView{ID: idString(j.ID), EmployerID: idString(j.EmployerID), EmployerName: j.EmployerName,
		EmployerKind: j.EmployerKind, EmployerKindLabel: model.EmployerKinds.Label(j.EmployerKind), Title: j.Title,
		Industry: j.Industry, IndustryLabel: model.Industries.Label(j.Industry), IndustryOther: j.IndustryOther,
		Headcount: j.Headcount, Filled: j.Filled, Remaining: max(j.Headcount-j.Filled, 0), WageMin: j.WageMin,
		WageMax: j.WageMax, PlaceCode: j.PlaceCode, PlaceName: s.Regions.PathName(j.PlaceCode), MinAge: j.MinAge,
		MaxAge: j.MaxAge, Capacities: []string{}, CapacityLabels: []string{}, MinSkill: j.MinSkill,
		MinSkillLabel: model.SkillLevels.Label(j.MinSkill), Housing: j.Housing, Meals: j.Meals, Transport: j.Transport,
		Description: j.Description, ValidUntil: date(j.ValidUntil), Status: st, StatusLabel: model.JobStates.Label(st),
		RejectReason: j.RejectReason, CloseReason: reason, CloseReasonLabel: model.JobCloseReasons.Label(reason),
		CreatedAt: stamp(j.CreatedAt)}
	if j.Capacities != "" {
		for _, c := range strings.Split(j.Capacities, ",") {
			v.Capacities = append(v.Capacities, c)
			v.CapacityLabels = append(v.CapacityLabels, model.LabourCapacities.Label(c))
		}
	}
	return v
}

func toHire(h *model.Hire) *hireView {
	if h == nil {
		return nil
	}
	v := &hireView{ID: idString(h.ID), JobID: idString(h.JobID), ApplicationID: idString(h.ApplicationID),
		LabourerID: idString(h.LabourerID), SpellID: idString(h.SpellID), HiredAt: date(h.HiredAt),
		MonthlyWage: h.MonthlyWage, LeaveReason: h.LeaveReason}
	if h.LeftAt != nil {
		d := date(*h.LeftAt)
		v.LeftAt = &d
	}
	return v
}

func toApplication(a *model.Application, h *model.Hire) applicationView {
	return applicationView{ID: idString(a.ID), JobID: idString(a.JobID), Kind: a.Kind,
		KindLabel: model.ApplicationKinds.Label(a.Kind), Status: a.Status, StatusLabel: model.ApplicationStates.Label(a.Status),
		Note: a.Note, CreatedAt: stamp(a.CreatedAt), InvitedAt: optStamp(a.InvitedAt), Hire: toHire(h)}
}

func (s *Server) toMyApplication(a *jobs.AppInfo) myApplicationView {
	return myApplicationView{applicationView: toApplication(&a.Application, a.Hire), Job: s.toJob(&a.Job)}
}

func (s *Server) toCandidate(c *jobs.Candidate) candidateView {
	l, ap := &c.Labourer, &c.Application
	return candidateView{ApplicationID: idString(ap.ID), LabourerID: idString(ap.LabourerID), Kind: ap.Kind,
		KindLabel: model.ApplicationKinds.Label(ap.Kind), Status: ap.Status, StatusLabel: model.ApplicationStates.Label(ap.Status),
		Note: ap.Note, AppliedAt: stamp(ap.CreatedAt), Name: pii.MaskName(l.Name), PhoneMasked: l.PhoneMasked,
		Age: jobs.AgeOn(l.BirthDate, s.Jobs.Today()), LabourCapacity: l.LabourCapacity,
		LabourCapacityLabel: model.LabourCapacities.Label(l.LabourCapacity), SkillLevel: l.SkillLevel,
		SkillLevelLabel: model.SkillLevels.Label(l.SkillLevel), VillageCode: l.VillageCode,
		VillageName: s.Regions.PathName(l.VillageCode), CurrentStatusLabel: statusLabel(l), Hire: toHire(c.Hire)}
}

// ---- handlers ----

func (s *Server) pageParams(c *gin.Context) (jobs.Page, error) {
	page, err := queryInt(c, "page", 1, 1, 100000)
	if err != nil {
		return jobs.Page{}, err
	}
	size, err := queryInt(c, "page_size", 20, 1, jobs.MaxPageSize)
	if err != nil {
		return jobs.Page{}, err
	}
	return jobs.Page{Page: page, PageSize: size}, nil
}

type employerRequest struct {
	CreditCode  string `json:"credit_code"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	RegionCode  string `json:"region_code"`
	Address     string `json:"address"`
	ContactName string `json:"contact_name"`
	Phone       string `json:"phone"`
}

func (s *Server) registerEmployer(c *gin.Context) {
	var req employerRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	e, err := s.Jobs.RegisterEmployer(c.Request.Context(), jobs.EmployerInput{CreditCode: req.CreditCode, Name: req.Name,
		Kind: req.Kind, RegionCode: req.RegionCode, Address: req.Address, ContactName: req.ContactName, Phone: req.Phone})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.toEmployer(e))
}

func (s *Server) listEmployers(c *gin.Context) {
	p, err := s.pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	list, total, err := s.Jobs.Employers(c.Request.Context(), jobs.EmployerFilter{Status: c.Query("status"), Region: c.Query("region"), Page: p})
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]employerView, len(list))
	for i := range list {
		items[i] = s.toEmployer(&list[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "page": p.Page, "page_size": p.PageSize})
}

func (s *Server) myEmployer(c *gin.Context) {
	e, err := s.Jobs.MyEmployer(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toEmployer(e))
}

func (s *Server) getEmployer(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	e, err := s.Jobs.Employer(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toEmployer(e))
}

// reviewRequest is a moderation decision; decision is one of the route's
// two words, reason is required for a rejection.
type reviewRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

func decide(req reviewRequest, yes string) (bool, error) {
	switch req.Decision {
	case yes:
		return true, nil
	case "reject":
		return false, nil
	}
	return false, apperr.Invalid("decision", "invalid_enum", "请选择通过或不通过")
}

func (s *Server) reviewEmployer() gin.HandlerFunc {
	return onID(bodyRequired, func(ctx context.Context, id int64, req reviewRequest) (*model.Employer, error) {
		ok, err := decide(req, "verify")
		if err != nil {
			return nil, err
		}
		return s.Jobs.ReviewEmployer(ctx, id, ok, req.Reason)
	}, func(c *gin.Context, v *model.Employer) { c.JSON(http.StatusOK, s.toEmployer(v)) })
}

func toMember(m *jobs.Member) memberView {
	v := memberView{ID: idString(m.Account.ID), DisplayName: m.Account.DisplayName, Admin: m.Admin, CreatedAt: stamp(m.Account.CreatedAt)}
	if m.Account.Username != nil {
		v.Username = *m.Account.Username
	}
	return v
}

func (s *Server) myMembers(c *gin.Context) {
	s.writeMembers(c, actor.From(c.Request.Context()).EmployerID)
}

func (s *Server) listMembers(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	s.writeMembers(c, id)
}

func (s *Server) writeMembers(c *gin.Context, id int64) {
	list, err := s.Jobs.Members(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]memberView, len(list))
	for i := range list {
		items[i] = toMember(&list[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) addMyMember(c *gin.Context) {
	s.createMember(c, actor.From(c.Request.Context()).EmployerID)
}

func (s *Server) addMember(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	s.createMember(c, id)
}

func (s *Server) createMember(c *gin.Context, id int64) {
	var req struct {
		Username    string `json:"username"`
		Password    string `json:"password"`
		DisplayName string `json:"display_name"`
		Admin       bool   `json:"admin"`
	}
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	m, err := s.Jobs.AddMember(c.Request.Context(), id, jobs.NewMember{Username: req.Username, Password: req.Password,
		DisplayName: req.DisplayName, Admin: req.Admin})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toMember(m))
}

func (s *Server) jobFilter(c *gin.Context) (jobs.JobFilter, error) {
	p, err := s.pageParams(c)
	if err != nil {
		return jobs.JobFilter{}, err
	}
	return jobs.JobFilter{Region: c.Query("region"), Industry: c.Query("industry"), Status: c.Query("status"), Page: p}, nil
}

func (s *Server) writeJobs(c *gin.Context, f jobs.JobFilter, list []jobs.JobInfo, total int64) {
	items := make([]jobView, len(list))
	for i := range list {
		items[i] = s.toJob(&list[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "page": f.Page.Page, "page_size": f.PageSize})
}

func (s *Server) jobBoard(c *gin.Context) {
	f, err := s.jobFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	f.Status = ""
	list, total, err := s.Jobs.Board(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	s.writeJobs(c, f, list, total)
}

func (s *Server) managedJobs(c *gin.Context) {
	f, err := s.jobFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	list, total, err := s.Jobs.Managed(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	s.writeJobs(c, f, list, total)
}

type jobRequest struct {
	Title         string   `json:"title"`
	Industry      string   `json:"industry"`
	IndustryOther string   `json:"industry_other"`
	Headcount     *int     `json:"headcount"`
	WageMin       *int     `json:"wage_min"`
	WageMax       *int     `json:"wage_max"`
	PlaceCode     string   `json:"place_code"`
	MinAge        *int     `json:"min_age"`
	MaxAge        *int     `json:"max_age"`
	Capacities    []string `json:"capacities"`
	MinSkill      string   `json:"min_skill"`
	Housing       bool     `json:"housing"`
	Meals         bool     `json:"meals"`
	Transport     bool     `json:"transport"`
	Description   string   `json:"description"`
	ValidUntil    string   `json:"valid_until"`
}

func (s *Server) createJob(c *gin.Context) {
	var req jobRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	j, err := s.Jobs.CreateJob(c.Request.Context(), jobs.JobInput{Title: req.Title, Industry: req.Industry,
		IndustryOther: req.IndustryOther, Headcount: req.Headcount, WageMin: req.WageMin, WageMax: req.WageMax,
		PlaceCode: req.PlaceCode, MinAge: req.MinAge, MaxAge: req.MaxAge, Capacities: req.Capacities,
		MinSkill: req.MinSkill, Housing: req.Housing, Meals: req.Meals, Transport: req.Transport,
		Description: req.Description, ValidUntil: req.ValidUntil})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.toJob(j))
}

func (s *Server) getJob(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	j, err := s.Jobs.Job(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toJob(j))
}

func (s *Server) reviewJob() gin.HandlerFunc {
	return onID(bodyRequired, func(ctx context.Context, id int64, req reviewRequest) (*jobs.JobInfo, error) {
		ok, err := decide(req, "approve")
		if err != nil {
			return nil, err
		}
		return s.Jobs.ModerateJob(ctx, id, ok, req.Reason)
	}, func(c *gin.Context, v *jobs.JobInfo) { c.JSON(http.StatusOK, s.toJob(v)) })
}

func (s *Server) closeJob(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	j, err := s.Jobs.CloseJob(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toJob(j))
}

func (s *Server) apply(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req struct {
		Kind string `json:"kind"`
		Note string `json:"note"`
	}
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ap, created, err := s.Jobs.Apply(c.Request.Context(), id, req.Kind, req.Note)
	if err != nil {
		// A second application answers 409 with the existing one.
		if e, ok := apperr.As(err); ok {
			if info, ok := e.Data.(*jobs.AppInfo); ok {
				v := s.toMyApplication(info)
				cp := *e
				cp.Data = v
				err = &cp
			}
		}
		fail(c, err)
		return
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	c.JSON(code, s.toMyApplication(ap))
}

func (s *Server) myApplications(c *gin.Context) {
	p, err := s.pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	list, total, err := s.Jobs.MyApplications(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]myApplicationView, len(list))
	for i := range list {
		items[i] = s.toMyApplication(&list[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "page": p.Page, "page_size": p.PageSize})
}

func (s *Server) candidates(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	p, err := s.pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	list, total, err := s.Jobs.Candidates(c.Request.Context(), id, c.Query("status"), p)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]candidateView, len(list))
	for i := range list {
		items[i] = s.toCandidate(&list[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "page": p.Page, "page_size": p.PageSize})
}

func (s *Server) invite(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req struct {
		Note string `json:"note"`
	}
	if c.Request.ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			fail(c, err)
			return
		}
	}
	ap, err := s.Jobs.Invite(c.Request.Context(), id, req.Note)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toApplication(ap, nil))
}

type hireRequest struct {
	LabourerID      string `json:"labourer_id"`
	HiredAt         string `json:"hired_at"`
	MonthlyWage     *int   `json:"monthly_wage"`
	Contract        bool   `json:"contract"`
	SocialInsurance bool   `json:"social_insurance"`
}

func (s *Server) confirmHire(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req hireRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	lab, err := parseID("labourer_id", req.LabourerID)
	if err != nil {
		fail(c, err)
		return
	}
	r, err := s.Jobs.ConfirmHire(c.Request.Context(), id, jobs.HireInput{LabourerID: lab, HiredAt: req.HiredAt,
		MonthlyWage: req.MonthlyWage, Contract: req.Contract, SocialInsurance: req.SocialInsurance})
	if err != nil {
		fail(c, err)
		return
	}
	sp := r.Spell
	out := hireResponse{Hire: *toHire(&r.Hire), Job: s.toJob(&r.Job), Spell: hiredSpellView{ID: idString(sp.ID),
		StartDate: date(sp.StartDate), PlaceCode: sp.PlaceCode, PlaceName: s.Regions.PathName(sp.PlaceCode),
		PlaceScope: sp.PlaceScope, PlaceScopeLabel: model.PlaceScopes.Label(sp.PlaceScope), Form: sp.Form,
		FormLabel: model.EmploymentForms.Label(sp.Form), EmployerName: sp.EmployerName, MonthlyWage: sp.MonthlyWage,
		Industry: sp.Industry, Source: sp.Source, Verified: sp.Verified, Assisted: sp.Assisted,
		AssistedAt: date(*sp.AssistedAt), JobID: idString(*sp.JobID)}}
	c.JSON(http.StatusCreated, out)
}

func (s *Server) departure(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req struct {
		LeftAt string `json:"left_at"`
		Reason string `json:"reason"`
	}
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	h, err := s.Jobs.RecordDeparture(c.Request.Context(), id, jobs.DepartureInput{LeftAt: req.LeftAt, Reason: req.Reason})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toHire(h))
}
