package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/match"
	"github.com/jiuyebang/jiuyebang/service/returncase"
)

// mountCases registers the 72-hour case routes on the authenticated group (issue 4):
// the cadre's case board and one-tap actions, the task force's escalated list
// and KPIs, and the worker's recommended jobs and own case.
func (s *Server) mountCases(in *gin.RouterGroup) {
	read := roles(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin)
	act := roles(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin)
	in.GET("/cases", read, s.listCases)
	in.GET("/cases/escalated", roles(model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin), s.escalatedCases)
	in.GET("/cases/kpis", read, s.caseKPIs)
	in.GET("/cases/:id", read, s.getCase)
	in.POST("/cases/:id/called", act, s.caseAction(model.ActionCalled))
	in.POST("/cases/:id/visited", act, s.caseAction(model.ActionVisited))
	in.POST("/cases/:id/delivered", act, s.caseAction(model.ActionDelivered))
	in.POST("/cases/:id/notes", act, s.caseAction(model.ActionNote))
	in.POST("/cases/:id/decline", act, s.declineCase)
	w := in.Group("/me", roles(model.RoleWorker))
	w.GET("/jobs/recommended", s.recommendedJobs)
	w.GET("/case", s.myCase)
	w.POST("/case/decline", s.declineMyCase)
}

type caseReasonView = match.Reason

type caseRecView struct {
	JobID         string           `json:"job_id"`
	Title         string           `json:"title"`
	Industry      string           `json:"industry"`
	IndustryLabel string           `json:"industry_label"`
	PlaceCode     string           `json:"place_code"`
	PlaceName     string           `json:"place_name"`
	WageMin       int              `json:"wage_min"`
	WageMax       int              `json:"wage_max"`
	JobStatus     string           `json:"job_status"`
	Score         int              `json:"score"`
	Reasons       []caseReasonView `json:"reasons"`
	Pushed        bool             `json:"pushed"`
	Round         int              `json:"round"`
}

type caseActionView struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	KindLabel string   `json:"kind_label"`
	Note      string   `json:"note"`
	JobIDs    []string `json:"job_ids"`
	ActorRole string   `json:"actor_role"`
	At        string   `json:"at"`
}

type caseView struct {
	ID               string           `json:"id"`
	LabourerID       string           `json:"labourer_id"`
	LabourerName     string           `json:"labourer_name"`
	PhoneMasked      string           `json:"phone_masked"`
	VillageCode      string           `json:"village_code"`
	VillageName      string           `json:"village_name"`
	Status           string           `json:"status"`
	StatusLabel      string           `json:"status_label"`
	OpenedAt         string           `json:"opened_at"`
	DueAt            string           `json:"due_at"`
	CountdownSeconds int64            `json:"countdown_seconds"`
	Checkpoint       int              `json:"checkpoint"`
	NextCheckpoint   int              `json:"next_checkpoint"`
	NextCheckAt      *string          `json:"next_check_at"`
	VisitRequired    bool             `json:"visit_required"`
	VisitedAt        *string          `json:"visited_at"`
	Overdue          bool             `json:"overdue"`
	Escalated        bool             `json:"escalated"`
	ClosedAt         *string          `json:"closed_at"`
	CloseReason      string           `json:"close_reason"`
	CloseReasonLabel string           `json:"close_reason_label"`
	CloseNote        string           `json:"close_note"`
	PlacedJobID      *string          `json:"placed_job_id"`
	PlacedWithin72h  bool             `json:"placed_within_72h"`
	Recommendations  []caseRecView    `json:"recommendations"`
	Actions          []caseActionView `json:"actions,omitempty"`
}

type casePage struct {
	Items    []caseView `json:"items"`
	Total    int64      `json:"total"`
	Page     int        `json:"page"`
	PageSize int        `json:"page_size"`
}

type caseKPIView struct {
	Region                 string   `json:"region"`
	RegionName             string   `json:"region_name"`
	From                   string   `json:"from"`
	To                     string   `json:"to"`
	Opened                 int64    `json:"opened"`
	Open                   int64    `json:"open"`
	Placed                 int64    `json:"placed"`
	PlacedWithin72h        int64    `json:"placed_within_72h"`
	PlacedWithin72hRate    *float64 `json:"placed_within_72h_rate"`
	Declined               int64    `json:"declined"`
	Overdue                int64    `json:"overdue"`
	Escalated              int64    `json:"escalated"`
	WillingOpen            int64    `json:"willing_open"`
	MedianHoursToPlacement *float64 `json:"median_hours_to_placement"`
}

type recommendedJobView struct {
	JobID         string           `json:"job_id"`
	Title         string           `json:"title"`
	Industry      string           `json:"industry"`
	IndustryLabel string           `json:"industry_label"`
	PlaceCode     string           `json:"place_code"`
	PlaceName     string           `json:"place_name"`
	WageMin       int              `json:"wage_min"`
	WageMax       int              `json:"wage_max"`
	Housing       bool             `json:"housing"`
	Meals         bool             `json:"meals"`
	Transport     bool             `json:"transport"`
	ValidUntil    string           `json:"valid_until"`
	Score         int              `json:"score"`
	Reasons       []caseReasonView `json:"reasons"`
	Pushed        bool             `json:"pushed"`
}

type recommendedJobs struct {
	Items []recommendedJobView `json:"items"`
}

type caseActionRequest struct {
	Note   string   `json:"note"`
	JobIDs []string `json:"job_ids"`
}

type caseDeclineRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

func (s *Server) toCaseView(it *returncase.Item) caseView {
	c := it.Case
	v := caseView{ID: idString(c.ID), LabourerID: idString(c.LabourerID), LabourerName: it.LabourerName, PhoneMasked: it.PhoneMasked,
		VillageCode: c.VillageCode, VillageName: regionName(s.Regions, c.VillageCode), Status: c.Status,
		StatusLabel: model.CaseStates.Label(c.Status), OpenedAt: stamp(c.OpenedAt), DueAt: stamp(c.DueAt),
		CountdownSeconds: it.Countdown, Checkpoint: c.Checkpoint, NextCheckpoint: it.NextCheckpoint, NextCheckAt: optStamp(c.NextCheckAt),
		VisitRequired: it.VisitRequired, VisitedAt: optStamp(c.VisitedAt), Overdue: c.Overdue, Escalated: c.Escalated,
		ClosedAt: optStamp(c.ClosedAt), CloseReason: c.CloseReason, CloseReasonLabel: model.DeclineReasons.Label(c.CloseReason),
		CloseNote: c.CloseNote, PlacedJobID: idPtr(c.PlacedJobID), PlacedWithin72h: c.PlacedWithin72h, Recommendations: []caseRecView{}}
	if c.CloseReason == "hired" {
		v.CloseReasonLabel = "已上岗"
	}
	for _, r := range it.Recs {
		rv := caseRecView{JobID: idString(r.JobID), Score: r.Score, Reasons: r.Reasons, Pushed: r.Pushed, Round: r.Round}
		if j := r.Job; j != nil {
			rv.Title, rv.Industry, rv.IndustryLabel = j.Title, j.Industry, model.Industries.Label(j.Industry)
			rv.PlaceCode, rv.PlaceName, rv.WageMin, rv.WageMax, rv.JobStatus = j.PlaceCode, s.Regions.PathName(j.PlaceCode), j.WageMin, j.WageMax, j.Status
		}
		v.Recommendations = append(v.Recommendations, rv)
	}
	for _, a := range it.Actions {
		v.Actions = append(v.Actions, toActionView(&a))
	}
	return v
}

func toActionView(a *model.CaseAction) caseActionView {
	ids := []string{}
	if a.JobIDs != "" {
		ids = strings.Split(a.JobIDs, ",")
	}
	return caseActionView{ID: idString(a.ID), Kind: a.Kind, KindLabel: model.CaseActionKinds.Label(a.Kind), Note: a.Note,
		JobIDs: ids, ActorRole: a.ActorRole, At: stamp(a.At)}
}

func (s *Server) listCases(c *gin.Context) { s.writeCases(c, false) }

func (s *Server) escalatedCases(c *gin.Context) { s.writeCases(c, true) }

func (s *Server) writeCases(c *gin.Context, escalated bool) {
	page, size, err := pageOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	f := returncase.Filter{Status: c.Query("status"), Region: c.Query("region"), Escalated: escalated || c.Query("escalated") == "true",
		Page: page, PageSize: size}
	if escalated && f.Status == "" {
		f.Status = "all"
	}
	p, err := s.Cases.List(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	out := casePage{Items: make([]caseView, 0, len(p.Items)), Total: p.Total, Page: p.Page, PageSize: p.PageSize}
	for i := range p.Items {
		out.Items = append(out.Items, s.toCaseView(&p.Items[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) getCase(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	it, err := s.Cases.Get(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	v := s.toCaseView(it)
	if v.Actions == nil {
		v.Actions = []caseActionView{}
	}
	c.JSON(http.StatusOK, v)
}

// caseAction records a cadre's action on a case; one-tap actions send no body.
func (s *Server) caseAction(kind string) gin.HandlerFunc {
	return onID(bodyOptional, func(ctx context.Context, id int64, req caseActionRequest) (*model.CaseAction, error) {
		jobIDs := make([]int64, 0, len(req.JobIDs))
		for _, v := range req.JobIDs {
			jid, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || jid <= 0 {
				return nil, apperr.Invalid("job_ids", "invalid_id", "岗位编号不对")
			}
			jobIDs = append(jobIDs, jid)
		}
		return s.Cases.Act(ctx, id, kind, req.Note, jobIDs)
	}, func(c *gin.Context, a *model.CaseAction) { c.JSON(http.StatusCreated, toActionView(a)) })
}

func (s *Server) declineCase(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	s.decline(c, id)
}

func (s *Server) decline(c *gin.Context, id int64) {
	var req caseDeclineRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if _, err := s.Cases.Decline(c.Request.Context(), id, req.Reason, req.Note); err != nil {
		fail(c, err)
		return
	}
	it, err := s.Cases.Get(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toCaseView(it))
}

func (s *Server) caseKPIs(c *gin.Context) {
	now := s.Cases.Now()
	from, to := now.AddDate(0, 0, -30), now
	var err error
	if v := c.Query("from"); v != "" {
		if from, err = returncase.ParseDay("from", v); err != nil {
			fail(c, err)
			return
		}
	}
	if v := c.Query("to"); v != "" {
		if to, err = returncase.ParseDay("to", v); err != nil {
			fail(c, err)
			return
		}
		to = to.AddDate(0, 0, 1) // the whole last day
	}
	region := c.Query("region")
	k, err := s.Cases.KPIs(c.Request.Context(), region, from, to)
	if err != nil {
		fail(c, err)
		return
	}
	name := "管辖范围"
	if region != "" {
		name = s.Regions.PathName(region)
	} else if a := actor.From(c.Request.Context()); len(a.Scopes) == 1 {
		region, name = a.Scopes[0], s.Regions.PathName(a.Scopes[0])
	}
	c.JSON(http.StatusOK, caseKPIView{Region: region, RegionName: name, From: k.From.In(clock.China).Format("2006-01-02"),
		To: k.To.Add(-time.Second).In(clock.China).Format("2006-01-02"), Opened: k.Opened, Open: k.Open, Placed: k.Placed,
		PlacedWithin72h: k.PlacedWithin72h, PlacedWithin72hRate: k.PlacedWithin72hRate, Declined: k.Declined, Overdue: k.Overdue,
		Escalated: k.Escalated, WillingOpen: k.WillingOpen, MedianHoursToPlacement: k.MedianHoursToPlacement})
}

func (s *Server) recommendedJobs(c *gin.Context) {
	n, err := queryInt(c, "limit", 20, 1, 50)
	if err != nil {
		fail(c, err)
		return
	}
	items, err := s.Cases.Feed(c.Request.Context(), n)
	if err != nil {
		fail(c, err)
		return
	}
	out := recommendedJobs{Items: make([]recommendedJobView, 0, len(items))}
	for _, it := range items {
		j := it.Job
		out.Items = append(out.Items, recommendedJobView{JobID: idString(j.ID), Title: j.Title, Industry: j.Industry,
			IndustryLabel: model.Industries.Label(j.Industry), PlaceCode: j.PlaceCode, PlaceName: s.Regions.PathName(j.PlaceCode),
			WageMin: j.WageMin, WageMax: j.WageMax, Housing: j.Housing, Meals: j.Meals, Transport: j.Transport,
			ValidUntil: stamp(j.ValidUntil), Score: it.Score, Reasons: it.Reasons, Pushed: it.Pushed})
	}
	c.JSON(http.StatusOK, out)
}

// myCase answers the worker's open case, or 404 when there is none.
func (s *Server) myCase(c *gin.Context) {
	mc, err := s.Cases.MyCase(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	if mc == nil {
		fail(c, apperr.NotFound("跟踪服务"))
		return
	}
	it, err := s.Cases.Get(c.Request.Context(), mc.ID)
	if err != nil {
		fail(c, err)
		return
	}
	v := s.toCaseView(it)
	v.Actions = nil // the cadre's notes are for the back office
	c.JSON(http.StatusOK, v)
}

func (s *Server) declineMyCase(c *gin.Context) {
	mc, err := s.Cases.MyCase(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	if mc == nil {
		fail(c, apperr.NotFound("跟踪服务"))
		return
	}
	s.decline(c, mc.ID)
}
