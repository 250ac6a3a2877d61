package api

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/kpi"
)

// mountKPI registers the monthly 72-hour KPI and subsidy tables (issue 6
// item 4) and their Excel exports, for the task force, officials and admins
// within their scope.
func (s *Server) mountKPI(in *gin.RouterGroup) {
	g := in.Group("/kpi", roles(model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin))
	g.GET("/cases", s.kpiCases)
	g.GET("/cases/export", s.kpiExport("cases"))
	g.GET("/subsidies", s.kpiSubsidies)
	g.GET("/subsidies/export", s.kpiExport("subsidies"))
}

// kpiContext says what a table covers.
type kpiContext struct {
	Region   kpiRegionRef `json:"region"`
	From     string       `json:"from"`
	To       string       `json:"to"`
	Months   []string     `json:"months"`
	DataDate string       `json:"data_date"`
	Source   string       `json:"source"`
}

type kpiRegionRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Path  string `json:"path"`
	Level int    `json:"level"`
}

type kpiCaseFigures struct {
	Opened                 int64    `json:"opened"`
	Placed                 int64    `json:"placed"`
	PlacedWithin72h        int64    `json:"placed_within_72h"`
	PlacedWithin72hRate    *float64 `json:"placed_within_72h_rate"`
	Declined               int64    `json:"declined"`
	StillOpen              int64    `json:"still_open"`
	Overdue                int64    `json:"overdue"`
	Escalated              int64    `json:"escalated"`
	OpenAtMonthEnd         int64    `json:"open_at_month_end"`
	MedianHoursToPlacement *float64 `json:"median_hours_to_placement"`
}

type kpiCaseMonth struct {
	Month string `json:"month"`
	kpiCaseFigures
}

type kpiCaseRow struct {
	Code           string         `json:"code"`
	Name           string         `json:"name"`
	Months         []kpiCaseMonth `json:"months"`
	Period         kpiCaseFigures `json:"period"`
	WillingOpenNow int64          `json:"willing_open_now"`
}

type kpiCasesResponse struct {
	kpiContext
	Total kpiCaseRow   `json:"total"`
	Items []kpiCaseRow `json:"items"`
}

type kpiSubsidyCounts struct {
	Submitted     int64  `json:"submitted"`
	Pending       int64  `json:"pending"`
	Approved      int64  `json:"approved"`
	Rejected      int64  `json:"rejected"`
	Paid          int64  `json:"paid"`
	Recovery      int64  `json:"recovery"`
	Recovered     int64  `json:"recovered"`
	ApprovedFen   int64  `json:"approved_fen"`
	ApprovedYuan  string `json:"approved_yuan"`
	PaidFen       int64  `json:"paid_fen"`
	PaidYuan      string `json:"paid_yuan"`
	RecoveryFen   int64  `json:"recovery_fen"`
	RecoveryYuan  string `json:"recovery_yuan"`
	RecoveredFen  int64  `json:"recovered_fen"`
	RecoveredYuan string `json:"recovered_yuan"`
}

type kpiSubsidyFigures struct {
	Transport  kpiSubsidyCounts `json:"transport"`
	JobSeeking kpiSubsidyCounts `json:"job_seeking"`
	Workshop   kpiSubsidyCounts `json:"workshop"`
	All        kpiSubsidyCounts `json:"all"`
}

type kpiSubsidyMonth struct {
	Month string `json:"month"`
	kpiSubsidyFigures
}

type kpiSubsidyRow struct {
	Code   string            `json:"code"`
	Name   string            `json:"name"`
	Months []kpiSubsidyMonth `json:"months"`
	Period kpiSubsidyFigures `json:"period"`
}

type kpiSubsidiesResponse struct {
	kpiContext
	Total kpiSubsidyRow   `json:"total"`
	Items []kpiSubsidyRow `json:"items"`
}

func kpiQuery(c *gin.Context) kpi.Query {
	return kpi.Query{Region: c.Query("region"), From: c.Query("from"), To: c.Query("to")}
}

func toKPIContext(sc *kpi.Scope, source string) kpiContext {
	out := kpiContext{Region: kpiRegionRef{Code: sc.Code, Name: sc.Name, Path: sc.Path, Level: sc.Level}, From: sc.From, To: sc.To,
		Months: make([]string, len(sc.Months)), DataDate: sc.AsOf.In(kpi.China).Format("2006-01-02"), Source: source}
	for i, m := range sc.Months {
		out.Months[i] = m.Key
	}
	return out
}

func toKPICaseFigures(f kpi.CaseFigures) kpiCaseFigures {
	return kpiCaseFigures{Opened: f.Opened, Placed: f.Placed, PlacedWithin72h: f.PlacedWithin72h, PlacedWithin72hRate: f.PlacedWithin72hRate,
		Declined: f.Declined, StillOpen: f.StillOpen, Overdue: f.Overdue, Escalated: f.Escalated, OpenAtMonthEnd: f.OpenAtMonthEnd,
		MedianHoursToPlacement: f.MedianHoursToPlacement}
}

func toKPICaseRow(sc *kpi.Scope, r kpi.CaseRow) kpiCaseRow {
	out := kpiCaseRow{Code: r.Code, Name: r.Name, Months: make([]kpiCaseMonth, len(r.Months)), Period: toKPICaseFigures(r.Total),
		WillingOpenNow: r.WillingOpenNow}
	for i, f := range r.Months {
		out.Months[i] = kpiCaseMonth{Month: sc.Months[i].Key, kpiCaseFigures: toKPICaseFigures(f)}
	}
	return out
}

// yuan writes 分 as yuan with two decimals, exactly.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

func toKPISubsidyCounts(c kpi.SubsidyCounts) kpiSubsidyCounts {
	return kpiSubsidyCounts{Submitted: c.Submitted, Pending: c.Pending, Approved: c.Approved, Rejected: c.Rejected, Paid: c.Paid,
		Recovery: c.Recovery, Recovered: c.Recovered, ApprovedFen: c.ApprovedFen, ApprovedYuan: yuan(c.ApprovedFen),
		PaidFen: c.PaidFen, PaidYuan: yuan(c.PaidFen), RecoveryFen: c.RecoveryFen, RecoveryYuan: yuan(c.RecoveryFen),
		RecoveredFen: c.RecoveredFen, RecoveredYuan: yuan(c.RecoveredFen)}
}

func toKPISubsidyFigures(f kpi.SubsidyFigures) kpiSubsidyFigures {
	// kpi.SubsidyKinds order: transport, job_seeking, workshop.
	return kpiSubsidyFigures{Transport: toKPISubsidyCounts(f.Kinds[0]), JobSeeking: toKPISubsidyCounts(f.Kinds[1]),
		Workshop: toKPISubsidyCounts(f.Kinds[2]), All: toKPISubsidyCounts(f.All)}
}

func toKPISubsidyRow(sc *kpi.Scope, r kpi.SubsidyRow) kpiSubsidyRow {
	out := kpiSubsidyRow{Code: r.Code, Name: r.Name, Months: make([]kpiSubsidyMonth, len(r.Months)), Period: toKPISubsidyFigures(r.Total)}
	for i, f := range r.Months {
		out.Months[i] = kpiSubsidyMonth{Month: sc.Months[i].Key, kpiSubsidyFigures: toKPISubsidyFigures(f)}
	}
	return out
}

func (s *Server) kpiCases(c *gin.Context) {
	t, err := s.KPI.Cases(c.Request.Context(), kpiQuery(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := kpiCasesResponse{kpiContext: toKPIContext(t.Scope, kpi.CaseSource), Total: toKPICaseRow(t.Scope, t.Region),
		Items: make([]kpiCaseRow, 0, len(t.Rows))}
	for _, r := range t.Rows {
		out.Items = append(out.Items, toKPICaseRow(t.Scope, r))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) kpiSubsidies(c *gin.Context) {
	t, err := s.KPI.Subsidies(c.Request.Context(), kpiQuery(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := kpiSubsidiesResponse{kpiContext: toKPIContext(t.Scope, kpi.SubsidySource), Total: toKPISubsidyRow(t.Scope, t.Region),
		Items: make([]kpiSubsidyRow, 0, len(t.Rows))}
	for _, r := range t.Rows {
		out.Items = append(out.Items, toKPISubsidyRow(t.Scope, r))
	}
	c.JSON(http.StatusOK, out)
}

// kpiExport answers a table as .xlsx. The scope is resolved first, so a bad
// request is still a JSON error and the file name is known before writing.
func (s *Server) kpiExport(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		q := kpiQuery(c)
		sc, err := s.KPI.Resolve(ctx, q)
		if err != nil {
			fail(c, err)
			return
		}
		export := s.KPI.ExportCases
		if kind == "subsidies" {
			export = s.KPI.ExportSubsidies
		}
		h := c.Writer.Header()
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		h.Set("Content-Disposition", `attachment; filename="kpi.xlsx"; filename*=UTF-8''`+url.PathEscape(kpi.FileName(kind, sc)))
		h.Set("Cache-Control", "no-store")
		// excelize streams the rows to a temporary file and copies the
		// workbook out only once it is complete, so until the first byte
		// (which sends the 200) an error can still be answered as JSON.
		if _, err := export(ctx, q, c.Writer); err != nil {
			if c.Writer.Written() {
				logger(c).Error("kpi export broke off", "err", err.Error())
				return
			}
			h.Del("Content-Disposition")
			h.Del("Content-Type")
			fail(c, err)
		}
	}
}
