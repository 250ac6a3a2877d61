package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
)

var (
	errInvalidRole    = apperr.Invalid("role", "invalid_enum", "没有这个角色")
	errInvalidSubject = apperr.Invalid("subject_type", "invalid", "对象类型不对")
)

// optionGroups are every single-choice group the clients show, with their
// Chinese labels; the mini-program keeps a generated copy for a cadre with no
// signal (miniprogram/src/generated/options.ts, checked by TestOfflineOptions).
var optionGroups = map[string]model.Enum{
	"report_kinds":          model.StatusReports,
	"return_reasons":        model.ReturnReasons,
	"no_plan_reasons":       model.NoPlanReasons,
	"employment_forms":      model.EmploymentForms,
	"industries":            model.Industries,
	"labour_capacities":     model.LabourCapacities,
	"skill_levels":          model.SkillLevels,
	"educations":            model.Educations,
	"population_categories": model.PopulationCategories,
	"ethnicities":           model.Ethnicities,
	"place_scopes":          model.PlaceScopes,
	"labourer_states":       model.LabourerStates,
	"temp_exit_reasons":     model.TempExitReasons,
	"perm_exit_reasons":     model.PermExitReasons,
	"roles":                 model.Roles,
	"verifications":         model.Verifications,
	"not_out_types":         model.NotOutTypes,
	"organised_outputs":     model.OrganisedOutputs,
	"training_categories":   model.TrainingCategories,
	"employment_services":   model.EmploymentServices,
	"contact_methods":       model.ContactMethods,
}

// options gives the client every single-choice group with its Chinese labels.
func (s *Server) options(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.JSON(http.StatusOK, optionGroups)
}

type regionView struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level int    `json:"level"`
}

func toRegions(list []model.Region) []regionView {
	out := make([]regionView, len(list))
	for i, r := range list {
		out[i] = regionView{Code: r.Code, Name: r.Name, Level: r.Level}
	}
	return out
}

func (s *Server) regionChildren(c *gin.Context) {
	parent := c.Query("parent")
	if parent != "" {
		if err := s.Regions.ValidateCode("parent", parent, 0); err != nil {
			fail(c, err)
			return
		}
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.JSON(http.StatusOK, gin.H{"items": toRegions(s.Regions.Children(parent))})
}

func (s *Server) regionLookup(c *gin.Context) {
	name := strings.TrimSpace(c.Query("name"))
	if name == "" || len([]rune(name)) > 40 {
		fail(c, apperr.Invalid("name", "required", "请输入地区名称"))
		return
	}
	within := c.Query("within")
	if within != "" {
		if err := s.Regions.ValidateCode("within", within, 0); err != nil {
			fail(c, err)
			return
		}
	}
	list, err := s.Regions.Lookup(name, within)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": toRegions(list)})
}
