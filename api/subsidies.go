package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/subsidy"
)

// mountSubsidies registers the subsidy policy and claim routes on the authenticated group.
func (s *Server) mountSubsidies(in *gin.RouterGroup) {
	review := roles(model.RoleTaskforce, model.RoleAdmin)
	read := roles(model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin)
	worker := roles(model.RoleWorker)
	lim := s.Limits.withDefaults()

	ad := in.Group("/admin/subsidy-policies", roles(model.RoleAdmin))
	ad.GET("", s.listPolicies)
	ad.POST("", s.createPolicy)
	ad.GET("/:id", s.getPolicy)
	ad.PUT("/:id", s.updatePolicy())

	in.GET("/subsidy-policies", roles(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin), s.listPolicies)
	in.GET("/me/subsidy-policies", worker, s.listPolicies)
	in.POST("/subsidy-policies/:id/generate", review, s.generateClaims)

	in.POST("/me/claims", worker, s.rl.limit("claim", lim.ReportsPerMin, time.Minute, byAccount), s.createClaim)
	in.GET("/me/claims", worker, s.myClaims)
	// The employer's own workshop subsidy list (employer routes live under /me/employer).
	in.GET("/me/employer/subsidy-claims", roles(model.RoleEmployer), s.listClaims)

	in.GET("/subsidy-claims", read, s.listClaims)
	in.POST("/subsidy-claims/settlement-check", review, s.settlementCheck)
	in.GET("/subsidy-claims/:id", read, s.getClaim)
	in.GET("/subsidy-claims/:id/ticket", roles(model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin), s.claimTicket)
	in.POST("/subsidy-claims/:id/approve", review, s.claimAction(s.Subsidy.Approve))
	in.POST("/subsidy-claims/:id/reject", review, s.claimAction(s.Subsidy.Reject))
	in.POST("/subsidy-claims/:id/settle", review, s.claimAction(s.Subsidy.Settle))
	in.POST("/subsidy-claims/:id/recovered", review, s.claimAction(s.Subsidy.Recovered))
}

type policyView struct {
	ID                   string   `json:"id"`
	ProvinceCode         string   `json:"province_code"`
	Year                 int      `json:"year"`
	Kind                 string   `json:"kind"`
	KindLabel            string   `json:"kind_label"`
	Name                 string   `json:"name"`
	Mode                 string   `json:"mode"`
	ModeLabel            string   `json:"mode_label"`
	ByDestination        bool     `json:"by_destination"`
	AmountFen            int64    `json:"amount_fen"`
	AmountInProvinceFen  int64    `json:"amount_in_province_fen"`
	AmountOutProvinceFen int64    `json:"amount_out_province_fen"`
	Categories           []string `json:"categories"`
	OutOfCounty          bool     `json:"out_of_county"`
	MonthsRequired       int      `json:"months_required"`
	Organised            bool     `json:"organised"`
	NativeOnly           bool     `json:"native_only"`
	WindowFrom           string   `json:"window_from"`
	WindowTo             string   `json:"window_to"`
	SettleBy             *string  `json:"settle_by"`
	Documents            []string `json:"documents"`
	Active               bool     `json:"active"`
	Version              int      `json:"version"`
	UpdatedAt            string   `json:"updated_at"`
}

func toPolicyView(p *model.SubsidyPolicy) policyView {
	t := subsidy.TermsOf(p)
	v := policyView{ID: idString(p.ID), ProvinceCode: p.ProvinceCode, Year: p.Year, Kind: p.Kind,
		KindLabel: model.SubsidyKinds.Label(p.Kind), Name: p.Name, Mode: p.Mode, ModeLabel: model.PolicyModes.Label(p.Mode),
		ByDestination: p.ByDestination, AmountFen: p.AmountFen, AmountInProvinceFen: p.AmountInProvinceFen,
		AmountOutProvinceFen: p.AmountOutProvinceFen, Categories: t.Categories, OutOfCounty: p.OutOfCounty,
		MonthsRequired: p.MonthsRequired, Organised: p.Organised, NativeOnly: p.NativeOnly, WindowFrom: date(p.WindowFrom),
		WindowTo: date(p.WindowTo), Documents: t.Documents, Active: p.Active, Version: p.Version, UpdatedAt: stamp(p.UpdatedAt)}
	if p.SettleBy != nil {
		d := date(*p.SettleBy)
		v.SettleBy = &d
	}
	return v
}

// policyUpdateRequest is an edit: the whole policy plus the version it was read at.
type policyUpdateRequest struct {
	subsidy.PolicyInput
	Version int `json:"version"`
}

func (s *Server) createPolicy(c *gin.Context) {
	var req subsidy.PolicyInput
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	p, err := s.Subsidy.CreatePolicy(c.Request.Context(), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toPolicyView(p))
}

func (s *Server) updatePolicy() gin.HandlerFunc {
	return onID(bodyRequired, func(ctx context.Context, id int64, req policyUpdateRequest) (*model.SubsidyPolicy, error) {
		if err := needVersion(req.Version); err != nil {
			return nil, err
		}
		return s.Subsidy.UpdatePolicy(ctx, id, req.Version, req.PolicyInput)
	}, func(c *gin.Context, p *model.SubsidyPolicy) { c.JSON(http.StatusOK, toPolicyView(p)) })
}

func (s *Server) getPolicy(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	p, err := s.Subsidy.Policy(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPolicyView(p))
}

type policyList struct {
	Items []policyView `json:"items"`
}

func (s *Server) listPolicies(c *gin.Context) {
	year, err := queryInt(c, "year", 0, 0, 2100)
	if err != nil {
		fail(c, err)
		return
	}
	kind := c.Query("kind")
	if kind != "" && !model.SubsidyKinds.Valid(kind) {
		fail(c, apperr.Invalid("kind", "invalid_enum", "补贴类型不对"))
		return
	}
	prov := c.Query("province_code")
	if prov != "" && (len(prov) != 2 || !allDigits(prov)) {
		fail(c, apperr.Invalid("province_code", "invalid_region_code", "地区编码格式不对"))
		return
	}
	list, err := s.Subsidy.Policies(c.Request.Context(), subsidy.PolicyFilter{ProvinceCode: prov, Year: year, Kind: kind,
		ActiveOnly: c.Query("active") == "true"})
	if err != nil {
		fail(c, err)
		return
	}
	out := policyList{Items: make([]policyView, len(list))}
	for i := range list {
		out.Items[i] = toPolicyView(&list[i])
	}
	c.JSON(http.StatusOK, out)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// claimRequest is a worker's claim. It has no amount: the server computes it
// from the policy, so an amount sent along changes nothing.
type claimRequest struct {
	PolicyID    string `json:"policy_id"`
	TripFrom    string `json:"trip_from"`
	TripTo      string `json:"trip_to"`
	TripDate    string `json:"trip_date"`
	TicketPhoto string `json:"ticket_photo"`
}

type claimView struct {
	ID               string              `json:"id"`
	LabourerID       string              `json:"labourer_id"`
	LabourerName     string              `json:"labourer_name"`
	PolicyID         string              `json:"policy_id"`
	PolicyVersion    int                 `json:"policy_version"`
	Year             int                 `json:"year"`
	Kind             string              `json:"kind"`
	KindLabel        string              `json:"kind_label"`
	Mode             string              `json:"mode"`
	ModeLabel        string              `json:"mode_label"`
	CountyCode       string              `json:"county_code"`
	EmployerID       *string             `json:"employer_id"`
	TripFrom         string              `json:"trip_from"`
	TripFromName     string              `json:"trip_from_name"`
	TripTo           string              `json:"trip_to"`
	TripToName       string              `json:"trip_to_name"`
	TripDate         *string             `json:"trip_date"`
	DestScope        string              `json:"dest_scope"`
	DestScopeLabel   string              `json:"dest_scope_label"`
	HasTicket        bool                `json:"has_ticket"`
	AmountFen        int64               `json:"amount_fen"`
	State            string              `json:"state"`
	StateLabel       string              `json:"state_label"`
	Conditions       []subsidy.Condition `json:"conditions"`
	FailedConditions []subsidy.Condition `json:"failed_conditions"`
	Reason           string              `json:"reason"`
	SettleBy         *string             `json:"settle_by"`
	DecidedAt        *string             `json:"decided_at"`
	SettledAt        *string             `json:"settled_at"`
	Version          int                 `json:"version"`
	CreatedAt        string              `json:"created_at"`
}

func (s *Server) toClaimView(cl *model.SubsidyClaim, name string) claimView {
	conds := subsidy.ClaimConditions(cl)
	v := claimView{ID: idString(cl.ID), LabourerID: idString(cl.LabourerID), LabourerName: name, PolicyID: idString(cl.PolicyID),
		PolicyVersion: cl.PolicyVersion, Year: cl.Year, Kind: cl.Kind, KindLabel: model.SubsidyKinds.Label(cl.Kind), Mode: cl.Mode,
		ModeLabel: model.PolicyModes.Label(cl.Mode), CountyCode: cl.CountyCode, EmployerID: idPtr(cl.EmployerID),
		TripFrom: cl.TripFrom, TripTo: cl.TripTo, DestScope: cl.DestScope, DestScopeLabel: model.PlaceScopes.Label(cl.DestScope),
		HasTicket: cl.HasTicket, AmountFen: cl.AmountFen, State: string(cl.State), StateLabel: cl.State.Label(),
		Conditions: conds, FailedConditions: subsidy.Failed(conds), Reason: cl.Reason, Version: cl.Version, CreatedAt: stamp(cl.CreatedAt)}
	if cl.TripFrom != "" {
		v.TripFromName = regionName(s.Regions, cl.TripFrom)
	}
	if cl.TripTo != "" {
		v.TripToName = regionName(s.Regions, cl.TripTo)
	}
	if cl.TripDate != nil {
		d := date(*cl.TripDate)
		v.TripDate = &d
	}
	if cl.SettleBy != nil {
		d := date(*cl.SettleBy)
		v.SettleBy = &d
	}
	if cl.DecidedAt != nil {
		d := stamp(*cl.DecidedAt)
		v.DecidedAt = &d
	}
	if cl.SettledAt != nil {
		d := stamp(*cl.SettledAt)
		v.SettledAt = &d
	}
	return v
}

// claimViews converts a page of claims with the labourers' names.
func (s *Server) claimViews(c *gin.Context, list []model.SubsidyClaim) ([]claimView, error) {
	ids := make([]int64, 0, len(list))
	for _, cl := range list {
		ids = append(ids, cl.LabourerID)
	}
	names := map[int64]string{}
	if len(ids) > 0 {
		var labs []model.Labourer
		if err := s.DB.WithContext(c.Request.Context()).Select("id", "name").Where("id IN ?", ids).Find(&labs).Error; err != nil {
			return nil, err
		}
		for _, l := range labs {
			names[l.ID] = l.Name
		}
	}
	out := make([]claimView, len(list))
	for i := range list {
		out[i] = s.toClaimView(&list[i], names[list[i].LabourerID])
	}
	return out, nil
}

func (s *Server) oneClaimView(c *gin.Context, cl *model.SubsidyClaim) (claimView, error) {
	v, err := s.claimViews(c, []model.SubsidyClaim{*cl})
	if err != nil {
		return claimView{}, err
	}
	return v[0], nil
}

func (s *Server) createClaim(c *gin.Context) {
	var req claimRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	pid, err := parseID("policy_id", req.PolicyID)
	if err != nil {
		fail(c, err)
		return
	}
	cl, created, err := s.Subsidy.Claim(c.Request.Context(), subsidy.ClaimInput{PolicyID: pid, TripFrom: req.TripFrom,
		TripTo: req.TripTo, TripDate: req.TripDate, TicketPhoto: req.TicketPhoto})
	if err != nil {
		fail(c, err)
		return
	}
	v, err := s.oneClaimView(c, cl)
	if err != nil {
		fail(c, err)
		return
	}
	if !created {
		// One claim per worker, policy and year: the answer points to the existing claim.
		e := apperr.Conflict("already_claimed", "本年度已申领过该项补贴，请查看已有的申领")
		e.Data = v
		fail(c, e)
		return
	}
	c.JSON(http.StatusCreated, v)
}

type claimList struct {
	Items []claimView `json:"items"`
}

func (s *Server) myClaims(c *gin.Context) {
	list, err := s.Subsidy.MyClaims(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	items, err := s.claimViews(c, list)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, claimList{Items: items})
}

type claimPage struct {
	Items    []claimView `json:"items"`
	Total    int64       `json:"total"`
	Page     int         `json:"page"`
	PageSize int         `json:"page_size"`
}

func (s *Server) listClaims(c *gin.Context) {
	page, err := queryInt(c, "page", 1, 1, 100000)
	if err != nil {
		fail(c, err)
		return
	}
	size, err := queryInt(c, "page_size", 20, 1, subsidy.MaxPageSize)
	if err != nil {
		fail(c, err)
		return
	}
	f := subsidy.ClaimFilter{State: c.Query("state"), Kind: c.Query("kind"), Page: page, Size: size}
	if v := c.Query("policy_id"); v != "" {
		if f.PolicyID, err = parseID("policy_id", v); err != nil {
			fail(c, err)
			return
		}
	}
	if v := c.Query("employer_id"); v != "" {
		if f.EmployerID, err = parseID("employer_id", v); err != nil {
			fail(c, err)
			return
		}
	}
	list, total, err := s.Subsidy.Claims(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	items, err := s.claimViews(c, list)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, claimPage{Items: items, Total: total, Page: page, PageSize: size})
}

func (s *Server) getClaim(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	cl, err := s.Subsidy.ClaimByID(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	v, err := s.oneClaimView(c, cl)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) claimTicket(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	t, err := s.Subsidy.Ticket(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=3600")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, t.Mime, t.Data)
}

type claimActionRequest struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

func (s *Server) claimAction(do func(ctx context.Context, id int64, act subsidy.Action) (*model.SubsidyClaim, error)) gin.HandlerFunc {
	return onID(bodyRequired, func(ctx context.Context, id int64, req claimActionRequest) (*model.SubsidyClaim, error) {
		if err := needVersion(req.Version); err != nil {
			return nil, err
		}
		return do(ctx, id, subsidy.Action{Version: req.Version, Reason: req.Reason})
	}, func(c *gin.Context, cl *model.SubsidyClaim) {
		v, err := s.oneClaimView(c, cl)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, v)
	})
}

func (s *Server) settlementCheck(c *gin.Context) {
	r, err := s.Subsidy.SettlementCheck(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

type generateRequest struct {
	EmployerID string `json:"employer_id"`
}

func (s *Server) generateClaims(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req generateRequest
	if c.Request.ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			fail(c, err)
			return
		}
	}
	var emp int64
	if req.EmployerID != "" {
		if emp, err = parseID("employer_id", req.EmployerID); err != nil {
			fail(c, err)
			return
		}
	}
	out, err := s.Subsidy.Generate(c.Request.Context(), id, emp)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
