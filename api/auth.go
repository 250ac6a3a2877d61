package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/auth"
)

type tokenResponse struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token"`
	ExpiresIn    int        `json:"expires_in"`
	Me           meResponse `json:"me"`
}

type scopeView struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type meResponse struct {
	ID            string      `json:"id"`
	Role          string      `json:"role"`
	RoleLabel     string      `json:"role_label"`
	Name          string      `json:"name"`
	PhoneMasked   string      `json:"phone_masked"`
	BindingStatus string      `json:"binding_status"`
	LabourerID    *string     `json:"labourer_id"`
	Scopes        []scopeView `json:"scopes"`
}

func (s *Server) toMe(ctx context.Context, acc *model.Account) (meResponse, error) {
	a, err := s.auth.Actor(ctx, acc)
	if err != nil {
		return meResponse{}, err
	}
	m := meResponse{ID: idString(acc.ID), Role: string(acc.Role), RoleLabel: model.Roles.Label(string(acc.Role)),
		Name: acc.DisplayName, PhoneMasked: acc.PhoneMasked, BindingStatus: "none", Scopes: []scopeView{}}
	for _, code := range a.Scopes {
		m.Scopes = append(m.Scopes, scopeView{Code: code, Name: s.Regions.PathName(code)})
	}
	if acc.Role == model.RoleWorker && a.LabourerID != 0 {
		var lab model.Labourer
		if err := s.DB.WithContext(ctx).Select("id", "name", "record_status", "phone_masked").Take(&lab, a.LabourerID).Error; err != nil {
			return meResponse{}, err
		}
		m.LabourerID = idPtr(&lab.ID)
		m.BindingStatus = "bound"
		if lab.RecordStatus == model.RecordPending {
			m.BindingStatus = "pending"
		}
		if m.Name == "" {
			m.Name = lab.Name
		}
		if m.PhoneMasked == "" {
			m.PhoneMasked = lab.PhoneMasked
		}
	}
	if m.Name == "" {
		m.Name = "微信用户"
	}
	return m, nil
}

func (s *Server) tokens(c *gin.Context, tp *auth.TokenPair, status int) {
	me, err := s.toMe(c.Request.Context(), tp.Account)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, tokenResponse{AccessToken: tp.AccessToken, RefreshToken: tp.RefreshToken, ExpiresIn: tp.ExpiresIn, Me: me})
}

type devAccount struct {
	ID        string `json:"id"`
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
	Name      string `json:"name"`
}

func (s *Server) devAccounts(c *gin.Context) {
	list, err := s.auth.DevAccounts(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]devAccount, 0, len(list))
	for _, a := range list {
		out = append(out, devAccount{ID: idString(a.ID), Role: string(a.Role), RoleLabel: model.Roles.Label(string(a.Role)), Name: a.DisplayName})
	}
	c.JSON(http.StatusOK, gin.H{"accounts": out})
}

// login binds a request of type T, logs in with it and answers with tokens.
func login[T any](s *Server, do func(ctx context.Context, req T) (*auth.TokenPair, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req T
		if err := bind(c, &req); err != nil {
			fail(c, err)
			return
		}
		tp, err := do(c.Request.Context(), req)
		if err != nil {
			fail(c, err)
			return
		}
		s.tokens(c, tp, http.StatusOK)
	}
}

type devLoginRequest struct {
	AccountID string `json:"account_id"`
}

func (s *Server) devLogin(ctx context.Context, req devLoginRequest) (*auth.TokenPair, error) {
	if !s.auth.DevLoginEnabled() {
		return nil, apperr.NotFound("开发登录")
	}
	id, err := parseID("account_id", req.AccountID)
	if err != nil {
		return nil, err
	}
	return s.auth.DevLogin(ctx, id)
}

type wechatLoginRequest struct {
	Code string `json:"code"`
}

func (s *Server) wechatLogin(ctx context.Context, req wechatLoginRequest) (*auth.TokenPair, error) {
	return s.auth.WeChatLogin(ctx, req.Code)
}

type passwordLoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTPCode string `json:"totp_code"`
}

func (s *Server) passwordLogin(ctx context.Context, req passwordLoginRequest) (*auth.TokenPair, error) {
	return s.auth.PasswordLogin(ctx, req.Username, req.Password, req.TOTPCode)
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (s *Server) refresh(ctx context.Context, req refreshRequest) (*auth.TokenPair, error) {
	return s.auth.Refresh(ctx, req.RefreshToken)
}

func (s *Server) logout(c *gin.Context) {
	if err := s.auth.Logout(c.Request.Context(), actor.From(c.Request.Context()).AccountID); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	acc, err := s.auth.Get(c.Request.Context(), actor.From(c.Request.Context()).AccountID)
	if err != nil {
		fail(c, err)
		return
	}
	m, err := s.toMe(c.Request.Context(), acc)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

func (s *Server) bindPhone(c *gin.Context) {
	var req struct {
		Code string `json:"code"`
	}
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	acc, err := s.auth.BindPhone(c.Request.Context(), actor.From(c.Request.Context()).AccountID, req.Code)
	if err != nil {
		fail(c, err)
		return
	}
	m, err := s.toMe(c.Request.Context(), acc)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}
