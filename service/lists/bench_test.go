package lists_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// BenchmarkCountCounty counts the six lists of a county of benchLabourers
// labourers (two in three with a verified spell, one in ten with a return,
// one in five with a plan), the task force's everyday request.
func BenchmarkCountCounty(b *testing.B) {
	const benchLabourers = 20000
	ctx := context.Background()
	db := testenv.DB(b)
	rs := region.New(db)
	if _, err := rs.SeedCountry(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := rs.SeedGansu(ctx); err != nil {
		b.Fatal(err)
	}
	var villages []string
	for _, t := range rs.Children(county) {
		for _, v := range rs.Children(t.Code) {
			villages = append(villages, v.Code)
		}
	}
	var labs []model.Labourer
	var hhs []model.Household
	var spells []model.EmploymentSpell
	var rets []model.ReturnEvent
	var plans []model.OutingPlan
	scopes := []string{"in_county", "in_province", "out_province"}
	for i := 0; i < benchLabourers; i++ {
		v := villages[i%len(villages)]
		if i%3 == 0 {
			hhs = append(hhs, model.Household{ID: model.NewID(), HeadName: "户主", ProvinceCode: v[:2], CityCode: v[:4],
				CountyCode: v[:6], TownCode: v[:9], VillageCode: v})
		}
		l := model.Labourer{ID: model.NewID(), HouseholdID: hhs[len(hhs)-1].ID, Name: "测试", IDNumberEnc: "x",
			IDNumberHash: fmt.Sprintf("b%d", i), IDMasked: "6229**********0000", PhoneMasked: "138****0000",
			ProvinceCode: v[:2], CityCode: v[:4], CountyCode: v[:6], TownCode: v[:9], VillageCode: v,
			Category: "lifted", State: "normal", RecordStatus: model.RecordActive}
		labs = append(labs, l)
		if i%3 != 2 {
			start := day("2018-10-01").AddDate(0, i%20, i%28)
			var end *time.Time
			if i%2 == 0 {
				e := start.AddDate(0, 2+i%9, 0)
				end = &e
			}
			spells = append(spells, model.EmploymentSpell{ID: model.NewID(), LabourerID: l.ID, StartDate: start, EndDate: end,
				PlaceCode: "440300", PlaceScope: scopes[i%3], Form: "employed", MonthlyWage: 2000 + i%5000,
				Industry: "general_worker", Source: model.SourceCadre, Verified: i%11 != 0})
		}
		if i%10 == 0 {
			rets = append(rets, model.ReturnEvent{ID: model.NewID(), LabourerID: l.ID, ReturnDate: day("2020-03-01").AddDate(0, 0, i%100),
				WantsWork: i%20 == 0, Source: model.SourceCadre, Verified: true})
		}
		if i%5 == 0 {
			plans = append(plans, model.OutingPlan{ID: model.NewID(), LabourerID: l.ID, HasPlan: i%15 == 0, Source: model.SourceCadre,
				Verified: true, CreatedAt: day("2020-06-01")})
		}
	}
	for _, err := range []error{db.CreateInBatches(hhs, 500).Error, db.CreateInBatches(labs, 500).Error,
		db.CreateInBatches(spells, 500).Error, db.CreateInBatches(rets, 500).Error, db.CreateInBatches(plans, 500).Error} {
		if err != nil {
			b.Fatal(err)
		}
	}
	svc := lists.New(db, rs, func() time.Time { return now })
	tf := as(model.RoleTaskforce, county)
	b.ResetTimer()
	var res *lists.Result
	for i := 0; i < b.N; i++ {
		var err error
		if res, err = svc.Count(tf, lists.Params{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(benchLabourers)*float64(b.N)/b.Elapsed().Seconds(), "labourers/s")
	b.Logf("county of %d labourers: %+v", benchLabourers, res.Total)
}
