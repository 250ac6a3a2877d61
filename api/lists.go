package api

import (
	"math"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/lists"
)

// mountLists registers the six lists (seed 000 三 四) on the authenticated
// group: counts, drill-down by child region, people and Excel export, for
// back-office roles within their scope.
func (s *Server) mountLists(in *gin.RouterGroup) {
	g := in.Group("/lists", roles(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin))
	g.GET("", s.listsSummary)
	g.GET("/:list/regions", s.listRegions)
	g.GET("/:list/people", s.listPeople)
	g.GET("/:list/export", s.listExport)
}

// listContext says what a list answer covers.
type listContext struct {
	Region      listRegionRef `json:"region"`
	Year        int           `json:"year"`
	PeriodStart string        `json:"period_start"`
	PeriodEnd   string        `json:"period_end"`
	DataDate    string        `json:"data_date"`
	Source      string        `json:"source"`
}

type listRegionRef struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Path        string `json:"path"`
	Level       int    `json:"level"`
	HasChildren bool   `json:"has_children"`
}

type listCount struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type listHouseholds struct {
	ZeroHouseholds     int `json:"zero_households"`
	ZeroPersons        int `json:"zero_persons"`
	ReducedHouseholds  int `json:"reduced_households"`
	ReducedLastPersons int `json:"reduced_last_persons"`
	ReducedThisPersons int `json:"reduced_this_persons"`
}

type listsSummaryResponse struct {
	listContext
	Lists                 []listCount    `json:"lists"`
	ReExported            int            `json:"re_exported"`
	LastYearNotOutPlanned int            `json:"last_year_not_out_planned"`
	Households            listHouseholds `json:"households"`
}

type listRegionRow struct {
	Code        string          `json:"code"`
	Name        string          `json:"name"`
	Count       int             `json:"count"`
	HasChildren bool            `json:"has_children"`
	ReExported  *int            `json:"re_exported,omitempty"`
	Planned     *int            `json:"planned,omitempty"`
	Households  *listHouseholds `json:"households,omitempty"`
}

type listRegionsResponse struct {
	listContext
	List  listCount       `json:"list"`
	Items []listRegionRow `json:"items"`
}

type listPerson struct {
	ID              string  `json:"id"`
	HouseholdID     string  `json:"household_id"`
	Name            string  `json:"name"`
	IDMasked        string  `json:"id_masked"`
	PhoneMasked     string  `json:"phone_masked"`
	VillageCode     string  `json:"village_code"`
	VillageName     string  `json:"village_name"`
	LastYearMonths  float64 `json:"last_year_months"`
	LastYearIncome  int     `json:"last_year_income"`
	LastYearCounted bool    `json:"last_year_counted"`
	ThisYearMonths  float64 `json:"this_year_months"`
	ThisYearIncome  int     `json:"this_year_income"`
	ThisYearCounted bool    `json:"this_year_counted"`
	AtWork          bool    `json:"at_work"`
	PlaceScope      string  `json:"place_scope"`
	PlaceScopeLabel string  `json:"place_scope_label"`
	ReturnDate      *string `json:"return_date"`
	ReExported      bool    `json:"re_exported"`
	Willing         bool    `json:"willing"`
}

type listPeopleResponse struct {
	listContext
	List     listCount    `json:"list"`
	Items    []listPerson `json:"items"`
	Total    int          `json:"total"`
	Page     int          `json:"page"`
	PageSize int          `json:"page_size"`
}

// listParams reads region and year.
func listParams(c *gin.Context) (lists.Params, error) {
	year, err := queryInt(c, "year", 0, 1, 9999)
	if err != nil {
		return lists.Params{}, err
	}
	return lists.Params{Region: c.Query("region"), Year: year}, nil
}

func toListContext(sc *lists.Scope) listContext {
	return listContext{Region: listRegionRef{Code: sc.Region, Name: sc.RegionName, Path: sc.RegionPath, Level: sc.Level,
		HasChildren: sc.HasChildren()}, Year: sc.Year, PeriodStart: date(sc.Window.Start), PeriodEnd: date(sc.Window.End),
		DataDate: date(sc.AsOf), Source: lists.DataSource}
}

func toHouseholds(h derive.HouseholdChange) listHouseholds {
	return listHouseholds{ZeroHouseholds: h.ZeroHouseholds, ZeroPersons: h.ZeroPersons, ReducedHouseholds: h.ReducedHouseholds,
		ReducedLastPersons: h.ReducedLastPersons, ReducedThisPersons: h.ReducedThisPersons}
}

func (s *Server) listsSummary(c *gin.Context) {
	p, err := listParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.Lists.Count(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	out := listsSummaryResponse{listContext: toListContext(res.Scope), ReExported: res.Total.ReExported,
		LastYearNotOutPlanned: res.Total.Planned, Households: toHouseholds(res.Total.Households)}
	for _, o := range lists.Lists {
		out.Lists = append(out.Lists, listCount{Code: o.Code, Name: o.Label, Count: res.Total.Of(o.Code)})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) listRegions(c *gin.Context) {
	list := c.Param("list")
	if err := lists.ValidList(list); err != nil {
		fail(c, err)
		return
	}
	p, err := listParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.Lists.Count(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	out := listRegionsResponse{listContext: toListContext(res.Scope), Items: []listRegionRow{},
		List: listCount{Code: list, Name: lists.Lists.Label(list), Count: res.Total.Of(list)}}
	for i := range res.Rows {
		r := &res.Rows[i]
		row := listRegionRow{Code: r.Code, Name: r.Name, Count: r.Of(list), HasChildren: r.Known && model.LevelOf(r.Code) < model.LevelVillage}
		switch list {
		case lists.Returned:
			row.ReExported = &r.ReExported
		case lists.LastYearNotOut:
			h := toHouseholds(r.Households)
			row.Planned, row.Households = &r.Planned, &h
		}
		out.Items = append(out.Items, row)
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) listPeople(c *gin.Context) {
	list := c.Param("list")
	if err := lists.ValidList(list); err != nil {
		fail(c, err)
		return
	}
	p, err := listParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	page, size, err := paging(c, 20, lists.MaxPageSize)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.Lists.People(c.Request.Context(), list, p, page, size)
	if err != nil {
		fail(c, err)
		return
	}
	out := listPeopleResponse{listContext: toListContext(res.Scope), Items: make([]listPerson, 0, len(res.Items)),
		List: listCount{Code: list, Name: lists.Lists.Label(list), Count: res.Total}, Total: res.Total, Page: res.Page, PageSize: res.PageSize}
	for i := range res.Items {
		out.Items = append(out.Items, s.toListPerson(&res.Items[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) toListPerson(p *lists.Person) listPerson {
	v := listPerson{ID: idString(p.ID), HouseholdID: idString(p.HouseholdID), Name: p.Name, IDMasked: p.IDMasked,
		PhoneMasked: p.PhoneMasked, VillageCode: p.VillageCode, VillageName: regionName(s.Regions, p.VillageCode),
		LastYearMonths: round1(p.LastYear.Months()), LastYearIncome: int(math.Round(p.LastYear.Income())), LastYearCounted: p.LastYear.Counted,
		ThisYearMonths: round1(p.ThisYear.Months()), ThisYearIncome: int(math.Round(p.ThisYear.Income())), ThisYearCounted: p.ThisYear.Counted,
		AtWork: p.ThisYear.AtWork, PlaceScope: p.ThisYear.AtWorkScope, PlaceScopeLabel: model.PlaceScopes.Label(p.ThisYear.AtWorkScope),
		ReExported: p.ReExported, Willing: p.Willing}
	if p.Return != nil {
		d := p.Return.ReturnDate.Format("2006-01-02")
		v.ReturnDate = &d
	}
	return v
}

func (s *Server) listExport(c *gin.Context) {
	list := c.Param("list")
	if err := lists.ValidList(list); err != nil {
		fail(c, err)
		return
	}
	p, err := listParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	sc, err := s.Lists.Resolve(ctx, p)
	if err != nil {
		fail(c, err)
		return
	}
	name := lists.FileName(list, sc)
	h := c.Writer.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="list.xlsx"; filename*=UTF-8''`+url.PathEscape(name))
	h.Set("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	// The workbook reaches the response only at the end, so a failure while
	// building it still gets a proper error answer.
	if err := s.Lists.Export(ctx, list, sc, c.Writer); err != nil {
		if c.Writer.Written() {
			logger(c).Error("list export broke off", "err", err.Error())
			return
		}
		h.Del("Content-Disposition")
		fail(c, err)
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
