package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/push"
)

// Per-account limits on the inbox writes (SECURITY.md 18).
const (
	consentPerHour       = 20
	subscriptionsPerHour = 60
)

// mountInbox registers the worker inbox and consent routes on the authenticated group (issue 4).
func (s *Server) mountInbox(in *gin.RouterGroup) {
	w := in.Group("/me", roles(model.RoleWorker))
	w.GET("/inbox", s.myInbox)
	w.POST("/inbox/:id/read", s.readMessage)
	w.GET("/sms-consent", s.mySMSConsent)
	w.PUT("/sms-consent", s.rl.limit("consent", consentPerHour, time.Hour, byAccount), s.setSMSConsent)
	w.GET("/subscriptions", s.mySubscriptions)
	w.POST("/subscriptions", s.rl.limit("subscribe", subscriptionsPerHour, time.Hour, byAccount), s.addSubscriptions)
}

// kindLabels are the Chinese names of notice kinds.
var kindLabels = map[string]string{
	push.KindJobMatch:   "岗位推荐",
	push.KindCaseUpdate: "就业服务进展",
}

type messageView struct {
	ID        string  `json:"id"`
	Kind      string  `json:"kind"`
	KindLabel string  `json:"kind_label"`
	Title     string  `json:"title"`
	Body      string  `json:"body"`
	Link      string  `json:"link"`
	Read      bool    `json:"read"`
	ReadAt    *string `json:"read_at"`
	CreatedAt string  `json:"created_at"`
}

type inboxPage struct {
	Items    []messageView `json:"items"`
	Total    int64         `json:"total"`
	Unread   int64         `json:"unread"`
	Page     int           `json:"page"`
	PageSize int           `json:"page_size"`
}

func toMessageView(m model.Message) messageView {
	v := messageView{ID: idString(m.ID), Kind: m.Kind, KindLabel: kindLabels[m.Kind], Title: m.Title, Body: m.Body,
		Link: m.Link, Read: m.ReadAt != nil, CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339)}
	if v.KindLabel == "" {
		v.KindLabel = "消息"
	}
	if m.ReadAt != nil {
		s := m.ReadAt.UTC().Format(time.RFC3339)
		v.ReadAt = &s
	}
	return v
}

func (s *Server) myInbox(c *gin.Context) {
	page, size, err := paging(c, 20, push.MaxPageSize)
	if err != nil {
		fail(c, err)
		return
	}
	out := inboxPage{Items: []messageView{}, Page: page, PageSize: size}
	a := actor.From(c.Request.Context())
	if a.LabourerID == 0 { // not bound yet: nothing can have been sent
		c.JSON(http.StatusOK, out)
		return
	}
	p, err := s.Push.Inbox(c.Request.Context(), a.LabourerID, page, size)
	if err != nil {
		fail(c, err)
		return
	}
	out.Total, out.Unread = p.Total, p.Unread
	for _, m := range p.Items {
		out.Items = append(out.Items, toMessageView(m))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) readMessage(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	a := actor.From(c.Request.Context())
	if a.LabourerID == 0 {
		fail(c, apperr.NotFound("消息"))
		return
	}
	m, err := s.Push.MarkRead(c.Request.Context(), a.LabourerID, id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toMessageView(m))
}

type consentView struct {
	Consented bool    `json:"consented"`
	At        *string `json:"at"`
	Source    string  `json:"source"`
	HasPhone  bool    `json:"has_phone"`
}

func toConsentView(cs push.ConsentState) consentView {
	v := consentView{Consented: cs.Consented, Source: cs.Source, HasPhone: cs.HasPhone}
	if cs.At != nil {
		s := cs.At.UTC().Format(time.RFC3339)
		v.At = &s
	}
	return v
}

func notBound() error { return apperr.New(apperr.KindForbidden, "not_bound", "请先绑定身份") }

func (s *Server) mySMSConsent(c *gin.Context) {
	a := actor.From(c.Request.Context())
	if a.LabourerID == 0 {
		fail(c, notBound())
		return
	}
	cs, err := s.Push.Consent(c.Request.Context(), a.LabourerID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toConsentView(cs))
}

func (s *Server) setSMSConsent(c *gin.Context) {
	var req struct {
		Consented *bool `json:"consented"`
	}
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Consented == nil {
		fail(c, apperr.Invalid("consented", "required", "请选择是否同意接收短信"))
		return
	}
	a := actor.From(c.Request.Context())
	if a.LabourerID == 0 {
		fail(c, notBound())
		return
	}
	cs, err := s.Push.SetConsent(c.Request.Context(), a.LabourerID, *req.Consented, push.SourceMiniprogram)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toConsentView(cs))
}

type quotaView struct {
	Kind       string `json:"kind"`
	KindLabel  string `json:"kind_label"`
	TemplateID string `json:"template_id"`
	Remaining  int    `json:"remaining"`
}

type subscriptionsView struct {
	Templates []quotaView `json:"templates"`
}

func toSubscriptionsView(qs []push.Quota) subscriptionsView {
	out := subscriptionsView{Templates: make([]quotaView, len(qs))}
	for i, q := range qs {
		out.Templates[i] = quotaView{Kind: q.Kind, KindLabel: kindLabels[q.Kind], TemplateID: q.TemplateID, Remaining: q.Remaining}
	}
	return out
}

func (s *Server) mySubscriptions(c *gin.Context) {
	qs, err := s.Push.Quotas(c.Request.Context(), actor.From(c.Request.Context()).AccountID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSubscriptionsView(qs))
}

func (s *Server) addSubscriptions(c *gin.Context) {
	var req struct {
		// Results is wx.requestSubscribeMessage's answer as the mini-program
		// got it: template id → accept, reject, ban or filter.
		Results map[string]json.RawMessage `json:"results"`
	}
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	delete(req.Results, "errMsg") // wx.requestSubscribeMessage puts its status beside the templates
	results := make(map[string]string, len(req.Results))
	for id, raw := range req.Results {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			v = "?" // not a string: reported as an invalid result below
		}
		results[id] = v
	}
	qs, err := s.Push.AddSubscriptions(c.Request.Context(), actor.From(c.Request.Context()).AccountID, results)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSubscriptionsView(qs))
}
