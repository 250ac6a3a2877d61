// Package demo seeds the embedded default with demo accounts for every role
// and a little data, so a newcomer can click through the system. It is run by
// `seed demo` or at start-up when SEED_DEMO is on, never in production, and
// is idempotent: a second run finds the accounts and changes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/jobs"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/registry"
	"github.com/jiuyebang/jiuyebang/service/status"
)

// County is the demo county: 东乡族自治县, 临夏州 (seed 000 lists it as 东乡县).
const County = "622926"

// Password is every demo back-office account's password (dev only).
const Password = "jiuyebang-demo"

// Regions is what the demo needs from the region service.
type Regions interface {
	Children(parent string) []model.Region
}

// Seeder writes the demo data through the real services.
type Seeder struct {
	DB       *gorm.DB
	Regions  Regions
	Registry *registry.Service
	Status   *status.Service
	// Jobs, when set, registers the demo employer's organisation and posts
	// its open jobs (issue 4). Nil leaves the demo without jobs.
	Jobs *jobs.Service
	Now  func() time.Time
}

type person struct {
	name, ethnicity string
	birth           string // YYYYMMDD
	male            bool
	report          *status.Report
}

func intp(i int) *int    { return &i }
func boolp(b bool) *bool { return &b }

// Seed creates the demo accounts and data unless they exist.
func (s *Seeder) Seed(ctx context.Context) error {
	var n int64
	if err := s.DB.WithContext(ctx).Model(&model.Account{}).Where("demo = ?", true).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	villages := s.villages()
	if len(villages) < 2 {
		return errors.New("demo: regions not seeded")
	}
	sys := actor.With(ctx, &actor.Actor{Role: "system"})
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.MinCost)
	if err != nil {
		return err
	}
	accounts := []struct {
		role     model.Role
		username string
		name     string
		scopes   []string
	}{
		{model.RoleCadre, "cadre", "马文才（村干部·演示）", villages[:2]},
		{model.RoleTaskforce, "taskforce", "县专班（演示）", []string{County}},
		{model.RoleOfficial, "official", "临夏州人社局（演示）", []string{"6229"}},
		{model.RoleEmployer, "employer", "临夏清真食品厂（演示）", nil},
		{model.RoleAdmin, "admin", "系统管理员（演示）", nil},
	}
	ids := map[model.Role]int64{}
	err = s.DB.WithContext(sys).Transaction(func(tx *gorm.DB) error {
		for _, a := range accounts {
			u := a.username
			acc := model.Account{ID: model.NewID(), Role: a.role, Username: &u, PasswordHash: string(hash), DisplayName: a.name, TokenVersion: 1, Demo: true}
			if err := tx.Create(&acc).Error; err != nil {
				return err
			}
			ids[a.role] = acc.ID
			for _, c := range a.scopes {
				if err := tx.Create(&model.AccountScope{AccountID: acc.ID, RegionCode: c}).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	if err := s.people(sys, villages); err != nil {
		return err
	}
	if err := s.subsidies(sys); err != nil { // service/demo/subsidy.go (issue 5)
		return err
	}
	return s.employer(ctx, ids[model.RoleEmployer], ids[model.RoleTaskforce])
}

// villages picks the first two villages of the demo county's first town.
func (s *Seeder) villages() []string {
	var out []string
	for _, town := range s.Regions.Children(County) {
		for _, v := range s.Regions.Children(town.Code) {
			out = append(out, v.Code)
			if len(out) == 2 {
				return out
			}
		}
	}
	return out
}

func (s *Seeder) people(ctx context.Context, villages []string) error {
	now := s.Now()
	day := func(back int) string { return now.AddDate(0, 0, -back).In(status.China).Format("2006-01-02") }
	job := func(place, form, employer string, wage int, industry string, back int) *status.Report {
		return &status.Report{Kind: model.ReportNewJob, StartDate: day(back), PlaceCode: place, Form: form, EmployerName: employer,
			MonthlyWage: intp(wage), Industry: industry, Contract: boolp(form == "employed"), SocialInsurance: boolp(form == "employed")}
	}
	people := []person{
		{"马小军", "东乡族", "19880312", true, job("320583", "employed", "昆山电子厂", 5200, "general_worker", 200)}, // the demo worker
		{"马秀兰", "东乡族", "19920705", false, job("440306", "employed", "深圳宝安制衣厂", 4800, "general_worker", 300)},
		{"妥建国", "东乡族", "19750120", true, job("620102", "flexible", "", 3800, "construction", 120)},
		{"汪玉梅", "回族", "19850918", false, &status.Report{Kind: model.ReportPlanOut, DestCode: "3205", Job: "普工", ExpectedWage: intp(5000)}},
		{"马哈比布", "东乡族", "19680402", true, &status.Report{Kind: model.ReportNoPlan, Reason: "family_care"}},
		{"何永福", "汉族", "19900611", true, job(County, "public_welfare", "东乡县乡村公益岗", 1000, "sanitation", 90)},
	}
	for i, p := range people {
		seq := 100 + i*2
		if !p.male {
			seq++
		}
		first := County + p.birth + fmt.Sprintf("%03d", seq)
		id := first + string(pii.IDCheckChar(first))
		capacity := "ordinary"
		if p.birth < "19660101" {
			capacity = "weak"
		}
		lab, err := s.Registry.CreateLabourer(ctx, registry.LabourerInput{Name: p.name, IDNumber: id,
			Phone: fmt.Sprintf("139%08d", 9310000+i), VillageCode: villages[i%2], Ethnicity: p.ethnicity,
			Address: "东乡族自治县演示村" + fmt.Sprint(i%2+1) + "社", LabourCapacity: capacity, SkillLevel: "none",
			Education: "junior_high", Category: "lifted", State: "normal"})
		if err != nil {
			return fmt.Errorf("demo labourer %s: %w", p.name, err)
		}
		if p.report != nil {
			if _, err := s.Status.Submit(ctx, lab.ID, *p.report); err != nil {
				return fmt.Errorf("demo status %s: %w", p.name, err)
			}
		}
		if i == 0 {
			if err := s.worker(ctx, lab); err != nil {
				return err
			}
		}
	}
	return nil
}

// worker makes the demo worker account, bound to the first labourer.
func (s *Seeder) worker(ctx context.Context, lab *model.Labourer) error {
	openID := "demo-openid-worker"
	acc := model.Account{ID: model.NewID(), Role: model.RoleWorker, OpenID: &openID, DisplayName: lab.Name + "（演示）",
		PhoneMasked: lab.PhoneMasked, TokenVersion: 1, Demo: true}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&acc).Error; err != nil {
			return err
		}
		return tx.Model(&model.Labourer{}).Where("id = ?", lab.ID).Update("account_id", acc.ID).Error
	})
}

// DemoCreditCode is the demo employer's 统一社会信用代码: a company (91)
// registered in 东乡族自治县 (622926), with a valid GB 32100 check character.
func DemoCreditCode() string {
	first := "91" + County + "MA7DEM001"
	return first + string(jobs.CreditCheckChar(first))
}

// employer registers the demo employer account's organisation the way a
// real one is registered — by the account itself, then verified by the
// county task force — and posts two jobs that fit the demo worker (普工,
// 普通劳动力, expecting about 5,200 yuan), approved by the task force: one in
// the worker's own county, which the first round of matching finds at once,
// and one in 昆山 with 点对点 transport, which a wider round finds.
func (s *Seeder) employer(ctx context.Context, employerAcc, taskforceAcc int64) error {
	if s.Jobs == nil || employerAcc == 0 || taskforceAcc == 0 {
		return nil
	}
	asEmployer := actor.With(ctx, &actor.Actor{AccountID: employerAcc, Role: model.RoleEmployer, Name: "临夏清真食品厂（演示）"})
	asTaskforce := actor.With(ctx, &actor.Actor{AccountID: taskforceAcc, Role: model.RoleTaskforce, Name: "县专班（演示）",
		Scopes: []string{County}})
	e, err := s.Jobs.RegisterEmployer(asEmployer, jobs.EmployerInput{CreditCode: DemoCreditCode(), Name: "临夏清真食品有限公司（演示）",
		Kind: model.EmployerEnterprise, RegionCode: County, Address: "东乡族自治县锁南镇工业园区1号", ContactName: "马经理",
		Phone: "13993100000"})
	if err != nil {
		return fmt.Errorf("demo employer: %w", err)
	}
	if _, err := s.Jobs.ReviewEmployer(asTaskforce, e.ID, true, ""); err != nil {
		return fmt.Errorf("demo employer review: %w", err)
	}
	asMember := actor.With(ctx, &actor.Actor{AccountID: employerAcc, Role: model.RoleEmployer, Name: "临夏清真食品厂（演示）",
		EmployerID: e.ID})
	until := s.Now().In(status.China).AddDate(0, 0, 60).Format("2006-01-02")
	posts := []jobs.JobInput{
		{Title: "清真食品包装普工", Industry: "general_worker", Headcount: intp(5), WageMin: intp(5200), WageMax: intp(6000),
			PlaceCode: County, MinAge: intp(18), MaxAge: intp(55), Capacities: []string{"ordinary", "skilled"}, Housing: true,
			Meals: true, Description: "食品包装、装箱，计件加班另算；厂区在县城工业园，离家近，周末可回家。", ValidUntil: until},
		{Title: "电子厂普工（点对点输送）", Industry: "general_worker", Headcount: intp(20), WageMin: intp(4500), WageMax: intp(6000),
			PlaceCode: "320583", MinAge: intp(18), MaxAge: intp(50), Capacities: []string{"ordinary"}, Housing: true, Meals: true,
			Transport: true, Description: "昆山合作电子厂流水线普工，包吃住，县里统一组织点对点包车送到厂。", ValidUntil: until},
	}
	for _, in := range posts {
		j, err := s.Jobs.CreateJob(asMember, in)
		if err != nil {
			return fmt.Errorf("demo job %s: %w", in.Title, err)
		}
		if _, err := s.Jobs.ModerateJob(asTaskforce, j.ID, true, ""); err != nil {
			return fmt.Errorf("demo job %s review: %w", in.Title, err)
		}
	}
	return nil
}
