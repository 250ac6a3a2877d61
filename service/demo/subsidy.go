package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/status"
	"github.com/jiuyebang/jiuyebang/service/subsidy"
)

// Demo transport subsidy amounts, in 分: 省内县外 300 yuan, 省外 600 yuan.
const (
	demoTransportInProvinceFen  = 30000
	demoTransportOutProvinceFen = 60000
)

// subsidies creates the demo subsidy policy through service/subsidy as the
// actor in ctx (the system): Gansu's 外出务工交通补助 for the current year,
// 免审即享, paid by destination (省内县外 / 省外) to 脱贫 and 监测 labourers
// with verified out-of-county work, claimable the whole year. The demo
// worker 马小军 has a verified 昆山 spell, so a claim for a trip to 江苏 is
// approved at once.
//
// The demo worker's bank account is not seeded: service/payment seals the
// number with the PII box, which the Seeder does not hold; the worker enters
// it on the phone (我的收款账户), which the e2e run does.
func (s *Seeder) subsidies(ctx context.Context) error {
	regions, ok := s.Regions.(subsidy.Regions)
	if !ok {
		return nil // a region service without validation (tests): no demo policy
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	year := now().In(status.China).Year()
	svc := subsidy.New(s.DB, regions, now)
	_, err := svc.CreatePolicy(ctx, subsidy.PolicyInput{
		ProvinceCode: "62", Year: year, Kind: model.SubsidyTransport, Name: "脱贫劳动力外出务工交通补助（演示）",
		Mode: model.ModeAuto, ByDestination: true, AmountInProvinceFen: demoTransportInProvinceFen,
		AmountOutProvinceFen: demoTransportOutProvinceFen, Categories: []string{"lifted", "monitored"},
		OutOfCounty: true, WindowFrom: fmt.Sprintf("%d-01-01", year), WindowTo: fmt.Sprintf("%d-12-31", year),
		Documents: []string{},
	})
	if err != nil {
		return fmt.Errorf("demo subsidy policy: %w", err)
	}
	return nil
}
