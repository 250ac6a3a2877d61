package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/auth"
	"github.com/jiuyebang/jiuyebang/service/status"
)

type accountView struct {
	ID        string      `json:"id"`
	Role      string      `json:"role"`
	RoleLabel string      `json:"role_label"`
	Username  string      `json:"username"`
	Name      string      `json:"name"`
	Scopes    []scopeView `json:"scopes"`
	Locked    bool        `json:"locked"`
	TOTP      bool        `json:"totp"`
}

func (s *Server) toAccount(a *model.Account, scopes []string) accountView {
	v := accountView{ID: idString(a.ID), Role: string(a.Role), RoleLabel: model.Roles.Label(string(a.Role)), Name: a.DisplayName,
		Locked: a.LockedUntil != nil, TOTP: a.TOTPSecret != "", Scopes: []scopeView{}}
	if a.Username != nil {
		v.Username = *a.Username
	}
	for _, code := range scopes {
		v.Scopes = append(v.Scopes, scopeView{Code: code, Name: s.Regions.PathName(code)})
	}
	return v
}

func (s *Server) listAccounts(c *gin.Context) {
	page, err := queryInt(c, "page", 1, 1, 100000)
	if err != nil {
		fail(c, err)
		return
	}
	role := c.Query("role")
	if role != "" && !model.Roles.Valid(role) {
		fail(c, errInvalidRole)
		return
	}
	list, total, err := s.auth.ListAccounts(c.Request.Context(), role, 50, (page-1)*50)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]accountView, len(list))
	for i := range list {
		items[i] = s.toAccount(&list[i].Account, list[i].Scopes)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "page": page, "page_size": 50})
}

func (s *Server) createAccount(c *gin.Context) {
	var req struct {
		Username    string   `json:"username"`
		Password    string   `json:"password"`
		Role        string   `json:"role"`
		DisplayName string   `json:"display_name"`
		RegionCodes []string `json:"region_codes"`
	}
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	acc, err := s.auth.CreateAccount(c.Request.Context(), s.Regions, auth.NewAccount{Username: req.Username, Password: req.Password,
		Role: model.Role(req.Role), DisplayName: req.DisplayName, RegionCodes: req.RegionCodes})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.toAccount(acc, req.RegionCodes))
}

func (s *Server) setScopes(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req struct {
		RegionCodes []string `json:"region_codes"`
	}
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := s.auth.SetScopes(c.Request.Context(), s.Regions, id, req.RegionCodes); err != nil {
		fail(c, err)
		return
	}
	acc, err := s.auth.Get(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toAccount(acc, req.RegionCodes))
}

func (s *Server) unlockAccount(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.auth.Unlock(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) enrolTOTP(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	url, err := s.auth.EnrolTOTP(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"otpauth_url": url})
}

type auditView struct {
	ID          string `json:"id"`
	At          string `json:"at"`
	ActorID     string `json:"actor_id"`
	ActorRole   string `json:"actor_role"`
	Action      string `json:"action"`
	SubjectType string `json:"subject_type"`
	SubjectID   string `json:"subject_id"`
	Purpose     string `json:"purpose"`
	Before      string `json:"before"`
	After       string `json:"after"`
	RequestID   string `json:"request_id"`
}

func (s *Server) listAudit(c *gin.Context) {
	var subjectID int64
	if v := c.Query("subject_id"); v != "" {
		id, err := parseID("subject_id", v)
		if err != nil {
			fail(c, err)
			return
		}
		subjectID = id
	}
	limit, err := queryInt(c, "limit", 50, 1, 200)
	if err != nil {
		fail(c, err)
		return
	}
	st := c.Query("subject_type")
	if len(st) > 32 {
		fail(c, errInvalidSubject)
		return
	}
	rows, err := audit.Query(c.Request.Context(), s.DB, st, subjectID, limit)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]auditView, len(rows))
	for i, r := range rows {
		out[i] = auditView{ID: idString(r.ID), At: r.At.In(status.China).Format("2006-01-02 15:04:05"), ActorID: idString(r.ActorID),
			ActorRole: r.ActorRole, Action: r.Action, SubjectType: r.SubjectType, SubjectID: idString(r.SubjectID),
			Purpose: r.Purpose, Before: r.Before, After: r.After, RequestID: r.RequestID}
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}
