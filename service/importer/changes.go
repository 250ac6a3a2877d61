package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/status"
)

// ChangeField is one changed field of a 异动 line, with Chinese names and values.
type ChangeField struct {
	Field string
	Label string
	Old   string
	New   string
}

// ChangeLine is one confirmed change of a labourer's ledger entry.
type ChangeLine struct {
	ID          int64
	LabourerID  int64
	Name        string
	IDMasked    string
	VillageCode string
	VillageName string
	At          time.Time
	Source      string
	SourceLabel string
	Fields      []ChangeField
}

// ChangeQuery selects changes: a county ("" = the caller's only county, or
// every county for an admin), and Since (nil = since the last export of that
// county).
type ChangeQuery struct {
	County   string
	Since    *time.Time
	Page     int
	PageSize int
}

// fieldLabels names the ledger fields a change may carry (the form's words).
var fieldLabels = map[string]string{
	"name": "姓名", "phone": "联系电话", "ethnicity": "民族", "address": "家庭地址", "village_code": "户籍地行政区划代码",
	"labour_capacity": "劳动能力", "skill_level": "技能等级", "two_after": "是否两后生", "education": "文化程度",
	"graduation_date": "毕业时间", "state": "当前状态", "state_reason": "退出原因", "category": "人员类别",
	"yulu_graduate": "雨露计划毕业生", "relocated": "易地搬迁", "zero_employment": "零就业家庭", "household_id": "户",
	"household_address": "家庭地址（户）", "head_name": "户主姓名", "record_status": "台账状态", "employment": "当前务工",
	"working": "是否务工", "place_code": "务工地点", "place_scope": "务工地域", "form": "就业形式",
	"employer_name": "就业单位", "start_date": "就业时间", "monthly_wage": "月平均工资", "industry": "所属行业",
	"contract": "是否签订劳动合同", "social_insurance": "是否缴纳社会保险", "verification": "核实情况",
}

// fieldEnums turn stored codes into the labels the national system uses.
var fieldEnums = map[string]model.Enum{
	"labour_capacity": model.LabourCapacities, "skill_level": model.SkillLevels, "education": model.Educations,
	"state": model.LabourerStates, "category": model.PopulationCategories, "form": model.EmploymentForms,
	"industry": model.Industries, "place_scope": model.PlaceScopes,
	"state_reason": append(append(model.Enum{}, model.TempExitReasons...), model.PermExitReasons...),
}

// sourceLabels name where a change came from.
var sourceLabels = map[string]string{
	"form": "入户核实", "self_report": "本人报告", "hire": "用工确认", model.SourceImport: "系统导入",
	model.SourceCadre: "村干部", model.SourceSelf: "本人报告",
}

// ChangeHeader is the 异动 export's header row.
var ChangeHeader = []string{"姓名", "身份证号码", "户籍地", "户籍地行政区划代码", "变更项目", "原值", "新值", "变更时间", "来源"}

// county resolves which county's changes the caller reads ("" = all, admin only).
func county(a *actor.Actor, want string) (string, error) {
	if !a.Is(model.RoleTaskforce, model.RoleAdmin) && a.Role != "system" {
		return "", apperr.Forbidden("")
	}
	if want != "" && (len(want) != 6 || !digits(want)) {
		return "", apperr.Invalid("county", "invalid_region_code", "县（区）编码应为6位数字")
	}
	if a.AllRegions() {
		return want, nil
	}
	var counties []string
	for _, sc := range a.Scopes {
		if c := model.Ancestor(sc, model.LevelCounty); c != "" && !contains(counties, c) {
			counties = append(counties, c)
		}
	}
	switch {
	case want != "" && contains(counties, want):
		return want, nil
	case want != "":
		return "", apperr.Forbidden("该县（区）不在您的管辖范围内")
	case len(counties) == 1:
		return counties[0], nil
	case len(counties) == 0:
		return "", apperr.Forbidden("您的账号没有管辖地区")
	}
	return "", apperr.Invalid("county", "required", "您管辖多个县（区），请选择一个")
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// since is the caller's Since or the end of the county's last export.
func (s *Service) since(ctx context.Context, county string, want *time.Time) (time.Time, error) {
	if want != nil {
		return want.UTC(), nil
	}
	var run model.ExportRun
	err := s.db.WithContext(ctx).Where("county_code = ?", county).Order("until DESC").Take(&run).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return run.Until, nil
}

func (s *Service) changeQuery(ctx context.Context, county string, since, until time.Time) *gorm.DB {
	q := s.db.WithContext(ctx).Model(&model.LedgerChange{}).
		Where("source <> ? AND at > ? AND at <= ?", model.SourceImport, since, until)
	if county != "" {
		q = q.Where("county_code = ?", county)
	}
	return q
}

// Changes lists a page of changes (not those that came from an import: they
// came from the national system) in the caller's county, oldest first. It
// returns the start of the window it used.
func (s *Service) Changes(ctx context.Context, cq ChangeQuery) ([]ChangeLine, int64, time.Time, error) {
	c, err := county(actor.From(ctx), cq.County)
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	since, err := s.since(ctx, c, cq.Since)
	if err != nil {
		return nil, 0, since, fmt.Errorf("changes: %w", err)
	}
	if cq.PageSize <= 0 || cq.PageSize > maxPageSize {
		cq.PageSize = 20
	}
	if cq.Page < 1 {
		cq.Page = 1
	}
	q := s.changeQuery(ctx, c, since, s.now())
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, since, fmt.Errorf("changes: %w", err)
	}
	var rows []model.LedgerChange
	if err := q.Order("at, id").Offset((cq.Page - 1) * cq.PageSize).Limit(cq.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, since, fmt.Errorf("changes: %w", err)
	}
	lines, err := s.lines(ctx, rows)
	return lines, total, since, err
}

// lines joins changes with their labourers (masked) and decodes the fields.
func (s *Service) lines(ctx context.Context, rows []model.LedgerChange) ([]ChangeLine, error) {
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.LabourerID)
	}
	labs := map[int64]model.Labourer{}
	if len(ids) > 0 {
		var list []model.Labourer
		if err := s.db.WithContext(ctx).Select("id", "name", "id_masked", "village_code").Where("id IN ?", ids).Find(&list).Error; err != nil {
			return nil, err
		}
		for _, l := range list {
			labs[l.ID] = l
		}
	}
	out := make([]ChangeLine, 0, len(rows))
	for _, r := range rows {
		l := labs[r.LabourerID]
		line := ChangeLine{ID: r.ID, LabourerID: r.LabourerID, Name: l.Name, IDMasked: l.IDMasked, VillageCode: l.VillageCode,
			At: r.At, Source: r.Source, SourceLabel: sourceLabels[r.Source], Fields: decodeFields(r.Fields)}
		if reg, ok := s.regions.Get(l.VillageCode); ok {
			line.VillageName = reg.Name
		}
		if line.SourceLabel == "" {
			line.SourceLabel = r.Source
		}
		out = append(out, line)
	}
	return out, nil
}

// decodeFields reads {"field": {"old": …, "new": …}} in field order.
func decodeFields(raw string) []ChangeField {
	var m map[string]struct {
		Old any `json:"old"`
		New any `json:"new"`
	}
	if json.Unmarshal([]byte(raw), &m) != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]ChangeField, 0, len(keys))
	for _, k := range keys {
		label := fieldLabels[k]
		if label == "" {
			label = k
		}
		out = append(out, ChangeField{Field: k, Label: label, Old: show(k, m[k].Old), New: show(k, m[k].New)})
	}
	return out
}

func show(field string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return yn(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		if e, ok := fieldEnums[field]; ok {
			if l := e.Label(x); l != "" {
				return l
			}
		}
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// ExportChanges writes the changes since the last export (or since) as .xlsx,
// one line per changed field, and records the run so the next export starts
// after it. The run is recorded once the workbook is built, before it is sent.
func (s *Service) ExportChanges(ctx context.Context, cq ChangeQuery, w io.Writer) (*model.ExportRun, error) {
	a := actor.From(ctx)
	c, err := county(a, cq.County)
	if err != nil {
		return nil, err
	}
	since, err := s.since(ctx, c, cq.Since)
	if err != nil {
		return nil, fmt.Errorf("export changes: %w", err)
	}
	// Milliseconds: what MySQL's DATETIME(3) keeps, so the next export
	// starts exactly where this one ended.
	until := s.now().Truncate(time.Millisecond)
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", ChangeSheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(ChangeSheet)
	if err != nil {
		return nil, err
	}
	for i, wd := range []float64{10, 20, 30, 14, 16, 24, 24, 18, 10} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	head := make([]any, len(ChangeHeader))
	for i, h := range ChangeHeader {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, err
	}
	n, lines := 2, 0
	var lastAt time.Time
	var lastID int64
	for {
		q := s.changeQuery(ctx, c, since, until)
		if lastID != 0 {
			q = q.Where("(at > ? OR (at = ? AND id > ?))", lastAt, lastAt, lastID)
		}
		var rows []model.LedgerChange
		if err := q.Order("at, id").Limit(2000).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("export changes: %w", err)
		}
		ls, err := s.lines(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("export changes: %w", err)
		}
		for _, l := range ls {
			at := l.At.In(status.China).Format("2006-01-02 15:04")
			for _, fd := range l.Fields {
				cell, _ := excelize.CoordinatesToCellName(1, n)
				if err := sw.SetRow(cell, []any{l.Name, l.IDMasked, l.VillageName, l.VillageCode, fd.Label, fd.Old, fd.New, at, l.SourceLabel}); err != nil {
					return nil, err
				}
				n++
			}
			lines++
		}
		if len(rows) < 2000 {
			break
		}
		lastAt, lastID = rows[len(rows)-1].At, rows[len(rows)-1].ID
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	run := &model.ExportRun{ID: model.NewID(), CountyCode: c, AccountID: a.AccountID, Since: since, Until: until, Rows: lines, CreatedAt: until}
	err = infra.Tx(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Create(run).Error; err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "changes.export", SubjectType: "export_run", SubjectID: run.ID,
			After: map[string]any{"county": c, "since": since, "until": until, "changes": lines}})
	})
	if err != nil {
		return nil, fmt.Errorf("export changes: %w", err)
	}
	if err := f.Write(w); err != nil {
		return run, fmt.Errorf("export changes: write: %w", err)
	}
	return run, nil
}
