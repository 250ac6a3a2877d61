package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/registry"
	"github.com/jiuyebang/jiuyebang/service/status"
)

func (s *Server) bind(c *gin.Context) {
	var req struct {
		Name        string `json:"name"`
		IDNumber    string `json:"id_number"`
		Phone       string `json:"phone"`
		VillageCode string `json:"village_code"`
	}
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	acc, err := s.auth.Get(ctx, actor.From(ctx).AccountID)
	if err != nil {
		fail(c, err)
		return
	}
	verified, err := s.auth.AccountPhone(acc)
	if err != nil {
		fail(c, err)
		return
	}
	st, _, err := s.Registry.Bind(ctx, acc.ID, verified, registry.BindInput{Name: req.Name, IDNumber: req.IDNumber, Phone: req.Phone, VillageCode: req.VillageCode})
	if err != nil {
		fail(c, err)
		return
	}
	m, err := s.toMe(ctx, acc)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": st, "me": m})
}

type statusLabourer struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	IDMasked     string `json:"id_masked"`
	PhoneMasked  string `json:"phone_masked"`
	VillageCode  string `json:"village_code"`
	RegionPath   string `json:"region_path"`
	RecordStatus string `json:"record_status"`
}

type statusCurrent struct {
	Kind         string `json:"kind"`
	Label        string `json:"label"`
	Since        string `json:"since"`
	SelfReported bool   `json:"self_reported"`
	Review       string `json:"review"`
	ReviewLabel  string `json:"review_label"`
}

type spellView struct {
	ID              string  `json:"id"`
	StartDate       string  `json:"start_date"`
	EndDate         *string `json:"end_date"`
	PlaceCode       string  `json:"place_code"`
	PlaceName       string  `json:"place_name"`
	PlaceScope      string  `json:"place_scope"`
	PlaceScopeLabel string  `json:"place_scope_label"`
	Form            string  `json:"form"`
	FormLabel       string  `json:"form_label"`
	EmployerName    string  `json:"employer_name"`
	MonthlyWage     int     `json:"monthly_wage"`
	Industry        string  `json:"industry"`
	IndustryLabel   string  `json:"industry_label"`
	Contract        bool    `json:"contract"`
	SocialInsurance bool    `json:"social_insurance"`
	Source          string  `json:"source"`
	Verified        bool    `json:"verified"`
}

type returnView struct {
	ReturnDate    string `json:"return_date"`
	Reason        string `json:"reason"`
	ReasonLabel   string `json:"reason_label"`
	WantsWork     bool   `json:"wants_work"`
	PrevPlaceName string `json:"prev_place_name"`
}

type planView struct {
	HasPlan           bool   `json:"has_plan"`
	DestCode          string `json:"dest_code"`
	DestName          string `json:"dest_name"`
	Job               string `json:"job"`
	ExpectedWage      int    `json:"expected_wage"`
	PlannedMonth      string `json:"planned_month"`
	NoPlanReason      string `json:"no_plan_reason"`
	NoPlanReasonLabel string `json:"no_plan_reason_label"`
	NoPlanOther       string `json:"no_plan_other"`
}

type historyItem struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	KindLabel   string `json:"kind_label"`
	Source      string `json:"source"`
	Review      string `json:"review"`
	ReviewLabel string `json:"review_label"`
	CreatedAt   string `json:"created_at"`
	Summary     string `json:"summary"`
}

type cardResponse struct {
	Labourer   statusLabourer `json:"labourer"`
	Current    statusCurrent  `json:"current"`
	Spell      *spellView     `json:"spell"`
	LastReturn *returnView    `json:"last_return"`
	Plan       *planView      `json:"plan"`
	History    []historyItem  `json:"history"`
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func (s *Server) toCard(card *status.Card) cardResponse {
	l := card.Labourer
	out := cardResponse{
		Labourer: statusLabourer{ID: idString(l.ID), Name: l.Name, IDMasked: l.IDMasked, PhoneMasked: l.PhoneMasked,
			VillageCode: l.VillageCode, RegionPath: s.Regions.PathName(l.VillageCode), RecordStatus: l.RecordStatus},
		Current: statusCurrent{Kind: card.Kind, Label: card.Label, Since: date(card.Since)},
		History: []historyItem{},
	}
	if since := card.Since; card.Kind == status.CurrentPlanOut || card.Kind == status.CurrentNoPlan {
		out.Current.Since = since.In(status.China).Format("2006-01-02")
	}
	if r := card.LastReport; r != nil {
		out.Current.SelfReported = r.Source == model.SourceSelf
		out.Current.Review = r.Review
		out.Current.ReviewLabel = model.ReviewStates.Label(r.Review)
	}
	if sp := card.Spell; sp != nil {
		v := &spellView{ID: idString(sp.ID), StartDate: date(sp.StartDate), PlaceCode: sp.PlaceCode, PlaceName: s.Regions.PathName(sp.PlaceCode),
			PlaceScope: sp.PlaceScope, PlaceScopeLabel: model.PlaceScopes.Label(sp.PlaceScope), Form: sp.Form,
			FormLabel: model.EmploymentForms.Label(sp.Form), EmployerName: sp.EmployerName, MonthlyWage: sp.MonthlyWage,
			Industry: sp.Industry, IndustryLabel: model.Industries.Label(sp.Industry), Contract: sp.Contract,
			SocialInsurance: sp.SocialInsurance, Source: sp.Source, Verified: sp.Verified}
		if sp.EndDate != nil {
			e := date(*sp.EndDate)
			v.EndDate = &e
		}
		out.Spell = v
	}
	if r := card.LastReturn; r != nil {
		out.LastReturn = &returnView{ReturnDate: date(r.ReturnDate), Reason: r.Reason, ReasonLabel: model.ReturnReasons.Label(r.Reason),
			WantsWork: r.WantsWork, PrevPlaceName: s.Regions.PathName(r.PrevPlace)}
	}
	if p := card.Plan; p != nil {
		v := &planView{HasPlan: p.HasPlan, DestCode: p.DestCode, DestName: s.Regions.PathName(p.DestCode), Job: p.Job,
			ExpectedWage: p.ExpectedWage, NoPlanReason: p.NoPlanReason, NoPlanReasonLabel: model.NoPlanReasons.Label(p.NoPlanReason),
			NoPlanOther: p.NoPlanOther}
		if p.PlannedMonth != nil {
			v.PlannedMonth = p.PlannedMonth.Format("2006-01")
		}
		out.Plan = v
	}
	for _, h := range card.History {
		out.History = append(out.History, historyItem{ID: idString(h.ID), Kind: h.Kind, KindLabel: model.StatusReports.Label(h.Kind),
			Source: h.Source, Review: h.Review, ReviewLabel: model.ReviewStates.Label(h.Review),
			CreatedAt: h.CreatedAt.In(status.China).Format("2006-01-02 15:04"), Summary: s.summary(h)})
	}
	return out
}

// summary is one line of history in the worker's words.
func (s *Server) summary(h model.StatusReport) string {
	switch h.Kind {
	case model.ReportReturned:
		return "报告失业返乡"
	case model.ReportNewJob:
		return "登记了新工作"
	case model.ReportStillWorking:
		return "确认仍在岗"
	case model.ReportPlanOut:
		return "打算外出务工"
	case model.ReportNoPlan:
		return "暂不外出"
	}
	return ""
}

func (s *Server) myStatus(c *gin.Context) {
	a := actor.From(c.Request.Context())
	if a.LabourerID == 0 {
		fail(c, apperr.New(apperr.KindForbidden, "not_bound", "请先绑定身份"))
		return
	}
	s.writeCard(c, a.LabourerID, http.StatusOK)
}

func (s *Server) writeCard(c *gin.Context, labourerID int64, code int) {
	card, err := s.Status.Card(c.Request.Context(), labourerID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(code, s.toCard(card))
}

func (s *Server) myReport(c *gin.Context) {
	var req status.Report
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	a := actor.From(c.Request.Context())
	// The answer is the card as the report's transaction left it.
	card, err := s.Status.Submit(c.Request.Context(), a.LabourerID, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.toCard(card))
}

func (s *Server) labourerStatus(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	s.writeCard(c, id, http.StatusOK)
}
