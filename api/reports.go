package api

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/report"
)

// mountReports registers the region and province table, target and dashboard routes on the authenticated group.
func (s *Server) mountReports(in *gin.RouterGroup) {
	g := in.Group("/reports", roles(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin))
	g.GET("/regions", s.reportRegions)
	g.GET("/regions/export", s.reportExport("region"))
	g.GET("/provinces", s.reportProvinces)
	g.GET("/provinces/export", s.reportExport("province"))
	g.GET("/people", s.reportPeople)
	g.GET("/targets", s.reportTargets)
	g.GET("/trend", s.reportTrend)
	w := in.Group("/reports", roles(model.RoleTaskforce, model.RoleAdmin))
	w.PUT("/targets", s.setTarget)
	w.DELETE("/targets/:id", s.deleteTarget)
}

// regionFigures are seed 000 附件's columns.
type regionFigures struct {
	LastYear           int `json:"last_year"`
	NotWorking         int `json:"not_working"`
	ZeroHouseholds     int `json:"zero_households"`
	ZeroPersons        int `json:"zero_persons"`
	ReducedHouseholds  int `json:"reduced_households"`
	ReducedLastPersons int `json:"reduced_last_persons"`
	ReducedThisPersons int `json:"reduced_this_persons"`
	Planned            int `json:"planned"`
}

type regionTableRow struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	HasChildren bool   `json:"has_children"`
	regionFigures
}

type regionTableResponse struct {
	listContext
	Total regionFigures    `json:"total"`
	Items []regionTableRow `json:"items"`
}

// provinceFigures are seed 001 附件's columns.
type provinceFigures struct {
	LastYear      int     `json:"last_year"`
	ThisYear      int     `json:"this_year"`
	Ratio         float64 `json:"ratio"`
	OutProvince   int     `json:"out_province"`
	InProvince    int     `json:"in_province"`
	InCounty      int     `json:"in_county"`
	PointToPoint  int     `json:"point_to_point"`
	WillingNotOut int     `json:"willing_not_out"`
}

type provinceTableRow struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	HasChildren bool   `json:"has_children"`
	provinceFigures
}

type provinceTableResponse struct {
	listContext
	Total provinceFigures    `json:"total"`
	Items []provinceTableRow `json:"items"`
}

func toRegionFigures(f report.Figures) regionFigures {
	return regionFigures{LastYear: f.LastYear, NotWorking: f.NotWorking, ZeroHouseholds: f.ZeroHouseholds, ZeroPersons: f.ZeroPersons,
		ReducedHouseholds: f.ReducedHouseholds, ReducedLastPersons: f.ReducedLastPersons, ReducedThisPersons: f.ReducedThisPersons,
		Planned: f.Planned}
}

func toProvinceFigures(f report.Figures) provinceFigures {
	return provinceFigures{LastYear: f.LastYear, ThisYear: f.ThisYear, Ratio: math.Round(f.Ratio()*10000) / 10000,
		OutProvince: f.OutProvince, InProvince: f.InProvince, InCounty: f.InCounty, PointToPoint: f.PointToPoint,
		WillingNotOut: f.WillingNotOut}
}

func hasChildren(r *report.Row) bool { return r.Known && r.Level < model.LevelVillage }

func (s *Server) reportTable(c *gin.Context) (*report.Table, bool) {
	p, err := listParams(c)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	t, err := s.Reports.Table(c.Request.Context(), p, 1)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return t, true
}

func (s *Server) reportRegions(c *gin.Context) {
	t, ok := s.reportTable(c)
	if !ok {
		return
	}
	out := regionTableResponse{listContext: toListContext(t.Scope), Total: toRegionFigures(t.Total), Items: []regionTableRow{}}
	for i := range t.Rows {
		r := &t.Rows[i]
		out.Items = append(out.Items, regionTableRow{Code: r.Code, Name: r.Name, HasChildren: hasChildren(r), regionFigures: toRegionFigures(r.Figures)})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) reportProvinces(c *gin.Context) {
	t, ok := s.reportTable(c)
	if !ok {
		return
	}
	out := provinceTableResponse{listContext: toListContext(t.Scope), Total: toProvinceFigures(t.Total), Items: []provinceTableRow{}}
	for i := range t.Rows {
		r := &t.Rows[i]
		out.Items = append(out.Items, provinceTableRow{Code: r.Code, Name: r.Name, HasChildren: hasChildren(r), provinceFigures: toProvinceFigures(r.Figures)})
	}
	c.JSON(http.StatusOK, out)
}

type reportPerson struct {
	ID              string `json:"id"`
	HouseholdID     string `json:"household_id"`
	Name            string `json:"name"`
	IDMasked        string `json:"id_masked"`
	PhoneMasked     string `json:"phone_masked"`
	VillageCode     string `json:"village_code"`
	VillageName     string `json:"village_name"`
	LastYearCounted bool   `json:"last_year_counted"`
	ThisYearCounted bool   `json:"this_year_counted"`
	Willing         bool   `json:"willing"`
	PlaceScope      string `json:"place_scope"`
	PlaceScopeLabel string `json:"place_scope_label"`
	PointToPoint    bool   `json:"point_to_point"`
}

type reportColumn struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type reportPeopleResponse struct {
	listContext
	Column   reportColumn   `json:"column"`
	Items    []reportPerson `json:"items"`
	Total    int            `json:"total"`
	Page     int            `json:"page"`
	PageSize int            `json:"page_size"`
}

func (s *Server) reportPeople(c *gin.Context) {
	p, err := listParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	page, err := queryInt(c, "page", 1, 1, 100000)
	if err != nil {
		fail(c, err)
		return
	}
	size, err := queryInt(c, "page_size", 20, 1, report.MaxPageSize)
	if err != nil {
		fail(c, err)
		return
	}
	col := c.Query("column")
	res, err := s.Reports.People(c.Request.Context(), p, col, page, size)
	if err != nil {
		fail(c, err)
		return
	}
	out := reportPeopleResponse{listContext: toListContext(res.Scope), Column: reportColumn{Code: col, Name: report.Columns.Label(col), Count: res.Total},
		Items: make([]reportPerson, 0, len(res.Items)), Total: res.Total, Page: res.Page, PageSize: res.PageSize}
	for _, it := range res.Items {
		out.Items = append(out.Items, reportPerson{ID: idString(it.ID), HouseholdID: idString(it.HouseholdID), Name: it.Name,
			IDMasked: it.IDMasked, PhoneMasked: it.PhoneMasked, VillageCode: it.VillageCode, VillageName: regionName(s.Regions, it.VillageCode),
			LastYearCounted: it.LastCounted, ThisYearCounted: it.ThisCounted, Willing: it.Willing, PlaceScope: it.Scope,
			PlaceScopeLabel: model.PlaceScopes.Label(it.Scope), PointToPoint: it.PointToPoint})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) reportExport(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := listParams(c)
		if err != nil {
			fail(c, err)
			return
		}
		unit := c.DefaultQuery("unit", report.UnitPerson)
		if kind == "province" && unit != report.UnitPerson && unit != report.UnitWan {
			fail(c, apperr.Invalid("unit", "invalid_unit", "单位只能是 person（人）或 wan（万人）"))
			return
		}
		ctx := c.Request.Context()
		sc, err := s.Lists.Resolve(ctx, p)
		if err != nil {
			fail(c, err)
			return
		}
		h := c.Writer.Header()
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		h.Set("Content-Disposition", `attachment; filename="report.xlsx"; filename*=UTF-8''`+url.PathEscape(report.FileName(kind, sc)))
		h.Set("Cache-Control", "no-store")
		c.Status(http.StatusOK)
		write := func(w io.Writer) error {
			if kind == "province" {
				return s.Reports.ExportProvince(ctx, sc, unit, w)
			}
			return s.Reports.ExportRegion(ctx, sc, w)
		}
		if err := write(c.Writer); err != nil {
			if c.Writer.Written() {
				logger(c).Error("report export broke off", "err", err.Error())
				return
			}
			h.Del("Content-Disposition")
			fail(c, err)
		}
	}
}

type targetView struct {
	ID              string  `json:"id"`
	RegionCode      string  `json:"region_code"`
	RegionName      string  `json:"region_name"`
	Year            int     `json:"year"`
	Metric          string  `json:"metric"`
	MetricLabel     string  `json:"metric_label"`
	Comparator      string  `json:"comparator"`
	ComparatorLabel string  `json:"comparator_label"`
	Value           int     `json:"value"`
	Note            string  `json:"note"`
	Current         int     `json:"current"`
	Met             bool    `json:"met"`
	Gap             int     `json:"gap"`
	Ratio           float64 `json:"ratio"`
	UpdatedAt       string  `json:"updated_at"`
}

type targetsResponse struct {
	listContext
	Items []targetView `json:"items"`
}

type targetRequest struct {
	Region     string `json:"region"`
	Year       int    `json:"year"`
	Metric     string `json:"metric"`
	Comparator string `json:"comparator"`
	Value      int    `json:"value"`
	Note       string `json:"note"`
}

func toTargetView(p report.Progress) targetView {
	return targetView{ID: idString(p.ID), RegionCode: p.RegionCode, RegionName: p.RegionName, Year: p.Year, Metric: p.Metric,
		MetricLabel: model.TargetMetrics.Label(p.Metric), Comparator: p.Comparator, ComparatorLabel: model.TargetComparators.Label(p.Comparator),
		Value: p.Value, Note: p.Note, Current: p.Current, Met: p.Met, Gap: p.Gap, Ratio: math.Round(p.Ratio*10000) / 10000,
		UpdatedAt: p.UpdatedAt.UTC().Format(time.RFC3339)}
}

func (s *Server) reportTargets(c *gin.Context) {
	p, err := listParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	sc, ps, err := s.Reports.Targets(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	out := targetsResponse{listContext: toListContext(sc), Items: make([]targetView, 0, len(ps))}
	for _, p := range ps {
		out.Items = append(out.Items, toTargetView(p))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) setTarget(c *gin.Context) {
	var req targetRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	t, err := s.Reports.SetTarget(ctx, report.TargetInput{Region: req.Region, Year: req.Year, Metric: req.Metric,
		Comparator: req.Comparator, Value: req.Value, Note: req.Note})
	if err != nil {
		fail(c, err)
		return
	}
	// Answer with the target's progress, as the list shows it.
	_, ps, err := s.Reports.Targets(ctx, lists.Params{Region: t.RegionCode, Year: t.Year})
	if err != nil {
		fail(c, err)
		return
	}
	for _, p := range ps {
		if p.ID == t.ID {
			c.JSON(http.StatusOK, toTargetView(p))
			return
		}
	}
	c.JSON(http.StatusOK, toTargetView(report.Progress{Target: *t, RegionName: regionName(s.Regions, t.RegionCode)}))
}

func (s *Server) deleteTarget(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.Reports.DeleteTarget(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// trendFigures are seed 001 附件's 今年已外出务工 columns on one day.
type trendFigures struct {
	Total       int `json:"total"`
	OutProvince int `json:"out_province"`
	InProvince  int `json:"in_province"`
	InCounty    int `json:"in_county"`
}

// trendMonth is one month of the work year beside the same month a year before.
type trendMonth struct {
	Month     string        `json:"month"` // 2026-10
	Label     string        `json:"label"` // 10月
	End       string        `json:"end"`
	Reached   bool          `json:"reached"`
	AsOf      *string       `json:"as_of"`
	Partial   bool          `json:"partial"`
	ThisYear  *trendFigures `json:"this_year"`
	LastMonth string        `json:"last_month"`
	LastEnd   string        `json:"last_end"`
	LastYear  trendFigures  `json:"last_year"`
}

type trendResponse struct {
	listContext
	LastYear int          `json:"last_year"`
	Months   []trendMonth `json:"months"`
}

func toTrendFigures(f report.MonthFigures) trendFigures {
	return trendFigures{Total: f.Total, OutProvince: f.OutProvince, InProvince: f.InProvince, InCounty: f.InCounty}
}

func toTrendResponse(t *report.Trend) trendResponse {
	out := trendResponse{listContext: toListContext(t.Scope), LastYear: t.Scope.Year - 1, Months: make([]trendMonth, 0, len(t.Months))}
	for _, m := range t.Months {
		tm := trendMonth{Month: m.End.Format("2006-01"), Label: fmt.Sprintf("%d月", int(m.End.Month())), End: date(m.End),
			Reached: m.Reached, LastMonth: m.LastEnd.Format("2006-01"), LastEnd: date(m.LastEnd), LastYear: toTrendFigures(m.Last)}
		if m.Reached {
			asOf := date(m.AsOf)
			this := toTrendFigures(m.This)
			tm.AsOf, tm.ThisYear, tm.Partial = &asOf, &this, m.AsOf.Before(m.End)
		}
		out.Months = append(out.Months, tm)
	}
	return out
}

// reportTrend is the dashboard's monthly trend of 今年已外出务工.
func (s *Server) reportTrend(c *gin.Context) {
	p, err := listParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	t, err := s.Reports.Trend(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTrendResponse(t))
}
