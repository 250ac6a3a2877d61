package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/registry"
)

type labourerSummary struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	IDMasked      string `json:"id_masked"`
	PhoneMasked   string `json:"phone_masked"`
	VillageCode   string `json:"village_code"`
	VillageName   string `json:"village_name"`
	RecordStatus  string `json:"record_status"`
	StatusLabel   string `json:"status_label"`
	CategoryLabel string `json:"category_label"`
	Version       int    `json:"version"`
}

type labourerDetail struct {
	labourerSummary
	HouseholdID         string  `json:"household_id"`
	Gender              string  `json:"gender"`
	BirthDate           string  `json:"birth_date"`
	Ethnicity           string  `json:"ethnicity"`
	Address             string  `json:"address"`
	RegionPath          string  `json:"region_path"`
	LabourCapacity      string  `json:"labour_capacity"`
	LabourCapacityLabel string  `json:"labour_capacity_label"`
	SkillLevel          string  `json:"skill_level"`
	SkillLevelLabel     string  `json:"skill_level_label"`
	TwoAfter            bool    `json:"two_after"`
	Education           string  `json:"education"`
	EducationLabel      string  `json:"education_label"`
	GraduationDate      *string `json:"graduation_date"`
	State               string  `json:"state"`
	StateLabel          string  `json:"state_label"`
	StateReason         string  `json:"state_reason"`
	StateReasonLabel    string  `json:"state_reason_label"`
	Category            string  `json:"category"`
	YuluGraduate        bool    `json:"yulu_graduate"`
	Bound               bool    `json:"bound"`
}

// statusLabel is the one-line status from the cached columns.
func statusLabel(l *model.Labourer) string {
	switch {
	case l.State != "normal":
		return model.LabourerStates.Label(l.State)
	case l.StatusAt == nil:
		return "未登记"
	case l.Working:
		return "在岗（" + model.PlaceScopes.Label(l.PlaceScope) + "）"
	case l.WantsWork:
		return "未就业，想找工作"
	}
	return "未就业"
}

func (s *Server) toSummary(l *model.Labourer) labourerSummary {
	return labourerSummary{ID: idString(l.ID), Name: l.Name, IDMasked: l.IDMasked, PhoneMasked: l.PhoneMasked,
		VillageCode: l.VillageCode, VillageName: regionName(s.Regions, l.VillageCode), RecordStatus: l.RecordStatus,
		StatusLabel: statusLabel(l), CategoryLabel: model.PopulationCategories.Label(l.Category), Version: l.Version}
}

func regionName(r Regions, code string) string {
	if reg, ok := r.Get(code); ok {
		return reg.Name
	}
	return ""
}

func (s *Server) toDetail(l *model.Labourer) labourerDetail {
	d := labourerDetail{labourerSummary: s.toSummary(l), HouseholdID: idString(l.HouseholdID), Gender: l.Gender,
		BirthDate: date(l.BirthDate), Ethnicity: l.Ethnicity, Address: l.Address, RegionPath: s.Regions.PathName(l.VillageCode),
		LabourCapacity: l.LabourCapacity, LabourCapacityLabel: model.LabourCapacities.Label(l.LabourCapacity),
		SkillLevel: l.SkillLevel, SkillLevelLabel: model.SkillLevels.Label(l.SkillLevel), TwoAfter: l.TwoAfter,
		Education: l.Education, EducationLabel: model.Educations.Label(l.Education), State: l.State,
		StateLabel: model.LabourerStates.Label(l.State), StateReason: l.StateReason,
		StateReasonLabel: model.TempExitReasons.Label(l.StateReason) + model.PermExitReasons.Label(l.StateReason),
		Category:         l.Category, YuluGraduate: l.YuluGraduate, Bound: l.AccountID != nil}
	if l.GraduationDate != nil {
		g := l.GraduationDate.Format("2006-01")
		d.GraduationDate = &g
	}
	return d
}

func (s *Server) listLabourers(c *gin.Context) {
	page, size, err := paging(c, 20, registry.MaxPageSize)
	if err != nil {
		fail(c, err)
		return
	}
	f := registry.Filter{Region: c.Query("region"), Query: c.Query("q"), RecordStatus: c.Query("record_status"), Page: page, PageSize: size}
	list, total, err := s.Registry.List(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]labourerSummary, len(list))
	for i := range list {
		items[i] = s.toSummary(&list[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "page": page, "page_size": size})
}

func (s *Server) getLabourer(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	l, err := s.Registry.Get(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toDetail(l))
}

type labourerRequest struct {
	HouseholdID    string `json:"household_id"`
	Name           string `json:"name"`
	IDNumber       string `json:"id_number"`
	Phone          string `json:"phone"`
	VillageCode    string `json:"village_code"`
	Ethnicity      string `json:"ethnicity"`
	Address        string `json:"address"`
	LabourCapacity string `json:"labour_capacity"`
	SkillLevel     string `json:"skill_level"`
	TwoAfter       bool   `json:"two_after"`
	Education      string `json:"education"`
	GraduationDate string `json:"graduation_date"`
	State          string `json:"state"`
	StateReason    string `json:"state_reason"`
	Category       string `json:"category"`
	Relocated      bool   `json:"relocated"`
	ZeroEmployment bool   `json:"zero_employment"`
	YuluGraduate   bool   `json:"yulu_graduate"`
}

func (s *Server) createLabourer(c *gin.Context) {
	var req labourerRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	in := registry.LabourerInput{Name: req.Name, IDNumber: req.IDNumber, Phone: req.Phone, VillageCode: req.VillageCode,
		Ethnicity: req.Ethnicity, Address: req.Address, LabourCapacity: req.LabourCapacity, SkillLevel: req.SkillLevel,
		TwoAfter: req.TwoAfter, Education: req.Education, GraduationDate: req.GraduationDate, State: req.State,
		StateReason: req.StateReason, Category: req.Category, Relocated: req.Relocated, ZeroEmployment: req.ZeroEmployment,
		YuluGraduate: req.YuluGraduate}
	if req.HouseholdID != "" {
		id, err := parseID("household_id", req.HouseholdID)
		if err != nil {
			fail(c, err)
			return
		}
		in.HouseholdID = id
	}
	l, err := s.Registry.CreateLabourer(c.Request.Context(), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.toDetail(l))
}

func (s *Server) updateLabourer(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req struct {
		Version        int     `json:"version"`
		Name           *string `json:"name"`
		Phone          *string `json:"phone"`
		Ethnicity      *string `json:"ethnicity"`
		Address        *string `json:"address"`
		LabourCapacity *string `json:"labour_capacity"`
		SkillLevel     *string `json:"skill_level"`
		TwoAfter       *bool   `json:"two_after"`
		Education      *string `json:"education"`
		GraduationDate *string `json:"graduation_date"`
		State          *string `json:"state"`
		StateReason    *string `json:"state_reason"`
		Category       *string `json:"category"`
		YuluGraduate   *bool   `json:"yulu_graduate"`
	}
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	l, err := s.Registry.Update(c.Request.Context(), id, registry.Patch{Version: req.Version, Name: req.Name, Phone: req.Phone,
		Ethnicity: req.Ethnicity, Address: req.Address, LabourCapacity: req.LabourCapacity, SkillLevel: req.SkillLevel,
		TwoAfter: req.TwoAfter, Education: req.Education, GraduationDate: req.GraduationDate, State: req.State,
		StateReason: req.StateReason, Category: req.Category, YuluGraduate: req.YuluGraduate})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toDetail(l))
}

func (s *Server) approveLabourer(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	l, err := s.Registry.Approve(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toDetail(l))
}

func (s *Server) revealLabourer(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	p, err := s.Registry.Reveal(c.Request.Context(), id, c.Query("purpose"))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"id_number": p.IDNumber, "phone": p.Phone})
}

type householdView struct {
	ID             string            `json:"id"`
	HeadName       string            `json:"head_name"`
	VillageCode    string            `json:"village_code"`
	RegionPath     string            `json:"region_path"`
	Address        string            `json:"address"`
	Relocated      bool              `json:"relocated"`
	ZeroEmployment bool              `json:"zero_employment"`
	Members        []labourerSummary `json:"members"`
}

func (s *Server) getHousehold(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	hh, members, err := s.Registry.Household(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	v := householdView{ID: idString(hh.ID), HeadName: hh.HeadName, VillageCode: hh.VillageCode, RegionPath: s.Regions.PathName(hh.VillageCode),
		Address: hh.Address, Relocated: hh.Relocated, ZeroEmployment: hh.ZeroEmployment, Members: []labourerSummary{}}
	for i := range members {
		v.Members = append(v.Members, s.toSummary(&members[i]))
	}
	c.JSON(http.StatusOK, v)
}
