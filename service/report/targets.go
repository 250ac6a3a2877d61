package report

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/lists"
)

// MaxTargetValue bounds a target (Gansu's whole 2019 figure is 1.75 million).
const MaxTargetValue = 100_000_000

// TargetInput sets one target.
type TargetInput struct {
	Region     string
	Year       int
	Metric     string
	Comparator string
	Value      int
	Note       string
}

// Progress is a target with where the region stands.
type Progress struct {
	model.Target
	RegionName string
	Current    int
	Met        bool
	// Gap is how many more people the target needs (0 once met): for 超过
	// one more than the value, for 不少于 the value itself.
	Gap int
	// Ratio is Current over the value (0 for a zero value).
	Ratio float64
}

// canSetTargets: the task force (its own county) and admins.
func canSetTargets(a *actor.Actor) bool { return a.Is(model.RoleTaskforce, model.RoleAdmin) }

// SetTarget creates or replaces the target of a region, year and metric.
func (s *Service) SetTarget(ctx context.Context, in TargetInput) (*model.Target, error) {
	a := actor.From(ctx)
	if !canSetTargets(a) {
		return nil, apperr.Forbidden("只有县专班和系统管理员可以设定目标")
	}
	var f apperr.Fields
	in.Region = strings.TrimSpace(in.Region)
	if _, ok := s.regions.Get(in.Region); !ok || in.Region == "" {
		f.Add("region", "unknown_region", "没有这个地区")
	}
	today := civilToday(s.now())
	if in.Year < lists.MinYear || in.Year > derive.WorkYearOf(today) {
		f.Add("year", "out_of_range", "年度应在2014年到本年度之间（本年度为上年10月至本年9月）")
	}
	if !model.TargetMetrics.Valid(in.Metric) {
		f.Add("metric", "invalid_metric", "指标只能是：外出务工总量、省外、省内县外、县内务工人数")
	}
	if !model.TargetComparators.Valid(in.Comparator) {
		f.Add("comparator", "invalid_comparator", "只能是“超过”或“不少于”")
	}
	if in.Value < 0 || in.Value > MaxTargetValue {
		f.Add("value", "out_of_range", "目标人数应在0到1亿之间")
	}
	if len([]rune(in.Note)) > 200 {
		f.Add("note", "too_long", "备注不能超过200字")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if !a.InScope(in.Region) {
		return nil, apperr.Forbidden("该地区不在您的管辖范围内")
	}
	t := model.Target{ID: model.NewID(), RegionCode: in.Region, Year: in.Year, Metric: in.Metric, Comparator: in.Comparator,
		Value: in.Value, Note: in.Note, CreatedBy: a.AccountID, UpdatedBy: a.AccountID}
	err := infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "region_code"}, {Name: "year"}, {Name: "metric"}},
			DoUpdates: clause.AssignmentColumns([]string{"comparator", "value", "note", "updated_by", "updated_at"}),
		}).Create(&t).Error; err != nil {
			return err
		}
		var saved model.Target
		if err := tx.Where("region_code = ? AND year = ? AND metric = ?", in.Region, in.Year, in.Metric).Take(&saved).Error; err != nil {
			return err
		}
		t = saved
		return audit.Write(ctx, tx, audit.Entry{Action: "report.target_set", SubjectType: "target", SubjectID: t.ID,
			After: map[string]any{"region": t.RegionCode, "year": t.Year, "metric": t.Metric, "comparator": t.Comparator, "value": t.Value}})
	})
	if err != nil {
		return nil, fmt.Errorf("set target: %w", err)
	}
	return &t, nil
}

// DeleteTarget removes a target in the caller's scope.
func (s *Service) DeleteTarget(ctx context.Context, id int64) error {
	a := actor.From(ctx)
	if !canSetTargets(a) {
		return apperr.Forbidden("只有县专班和系统管理员可以删除目标")
	}
	return infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var t model.Target
		err := tx.Where("id = ?", id).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !a.InScope(t.RegionCode)) {
			return apperr.NotFound("目标")
		}
		if err != nil {
			return fmt.Errorf("delete target: %w", err)
		}
		if err := tx.Delete(&t).Error; err != nil {
			return fmt.Errorf("delete target: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "report.target_delete", SubjectType: "target", SubjectID: t.ID,
			Before: map[string]any{"region": t.RegionCode, "year": t.Year, "metric": t.Metric, "comparator": t.Comparator, "value": t.Value}})
	})
}

// Targets returns the targets of a region and of its child regions for a
// year, each with its progress from the region's table.
func (s *Service) Targets(ctx context.Context, p Params) (*lists.Scope, []Progress, error) {
	sc, err := s.lists.Resolve(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	q := s.db.WithContext(ctx).Where("year = ?", sc.Year)
	if sc.Region != "" {
		q = q.Where("region_code = ? OR (region_code LIKE ? AND LENGTH(region_code) = ?)", sc.Region, sc.Region+"%",
			model.CodeLength(sc.Level+1))
	} else {
		q = q.Where("LENGTH(region_code) = ?", model.CodeLength(model.LevelProvince))
	}
	var ts []model.Target
	if err := q.Order("region_code, metric").Find(&ts).Error; err != nil {
		return nil, nil, fmt.Errorf("report: targets: %w", err)
	}
	a := actor.From(ctx)
	out := []Progress{}
	if len(ts) == 0 {
		return sc, out, nil
	}
	t, err := s.TableScope(ctx, sc, 1)
	if err != nil {
		return nil, nil, err
	}
	figs := map[string]Figures{sc.Region: t.Total}
	for _, r := range t.Rows {
		figs[r.Code] = r.Figures
	}
	for _, tg := range ts {
		if !a.CoversRegion(tg.RegionCode) {
			continue
		}
		f, ok := figs[tg.RegionCode]
		if !ok {
			continue // a child outside the caller's scope
		}
		out = append(out, progressOf(tg, f, s.regionName(tg.RegionCode)))
	}
	return sc, out, nil
}

func (s *Service) regionName(code string) string {
	if r, ok := s.regions.Get(code); ok {
		return r.Name
	}
	return code
}

// MetricValue is a table figure a target metric reads.
func MetricValue(metric string, f Figures) int {
	switch metric {
	case model.MetricTotalOut:
		return f.ThisYear
	case model.MetricOutProvince:
		return f.OutProvince
	case model.MetricInProvince:
		return f.InProvince
	case model.MetricInCounty:
		return f.InCounty
	}
	return 0
}

func progressOf(t model.Target, f Figures, name string) Progress {
	p := Progress{Target: t, RegionName: name, Current: MetricValue(t.Metric, f)}
	need := t.Value
	if t.Comparator == model.CompareGT {
		need = t.Value + 1
	}
	p.Met = p.Current >= need
	if !p.Met {
		p.Gap = need - p.Current
	}
	if t.Value > 0 {
		p.Ratio = float64(p.Current) / float64(t.Value)
	}
	return p
}
