package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/registry"
	"github.com/jiuyebang/jiuyebang/service/status"
)

// cellErr is one problem found in a row.
type cellErr struct{ col, msg string }

// jobRow is the optional current job (已外出务工情况) of a row.
type jobRow struct {
	place, form, formOther, employer string
	start                            time.Time
	wage                             int
	industry, industryOther          string
}

// parsed is one data row, validated and, when good, ready to write.
type parsed struct {
	num       int
	errs      []cellErr
	in        registry.LabourerInput
	birth     time.Time
	grad      *time.Time
	idHash    string
	phoneHash string
	hhKey     string
	head      string // 户主姓名
	isHead    bool
	job       *jobRow
	lab       *model.Labourer // sealed for insert, used when the row is new
}

func (p *parsed) bad(c col, msg string) {
	for _, e := range p.errs {
		if e.col == columns[c].header {
			return // one message per cell
		}
	}
	p.errs = append(p.errs, cellErr{columns[c].header, msg})
}

// fieldCols maps registry.ValidateBasic's fields to columns.
var fieldCols = map[string]col{
	"name": cName, "id_number": cID, "phone": cPhone, "village_code": cVillage, "ethnicity": cEthnicity,
	"address": cAddress, "labour_capacity": cCapacity, "skill_level": cSkill, "two_after": cTwoAfter,
	"education": cEducation, "graduation_date": cGradDate, "state": cState, "state_reason": cStateReason,
	"category": cCategory,
}

// Messages for a choice the file spells in a way we do not know.
var choiceMsgs = map[col]string{
	cCapacity:  "劳动能力应填：普通劳动力、技能劳动力、弱劳动力或半劳动力",
	cSkill:     "技能等级应填：无、初级、中级、高级、技师、高级技师",
	cEducation: "文化程度应填：未上过学、小学、初中、高中、中专/中职、大专、本科及以上",
	cState:     "当前状态应填：正常、暂时退出、永久退出",
	cCategory:  "人员类别应填：建档立卡贫困人口、脱贫人口、防止返贫监测对象",
	cForm:      "就业形式应填：单位就业、自主创业、灵活就业、农业合作社等新型经营主体、就业帮扶车间、就业帮扶基地、公益性岗位、其他就业形式",
	cIndustry:  "所属行业应填：种植、养殖、技工、普工、家庭服务业、建筑/装修、环卫/保卫/市政维护、行政/管理、服务员/接待员/收银/导购员、其他",
}

func (s *Service) choice(p *parsed, l *layout, cells []string, c col, m map[string]string, dst *string) {
	v := l.get(cells, c)
	if v == "" {
		p.bad(c, "请填写"+columns[c].header)
		return
	}
	code, ok := m[v]
	if !ok {
		p.bad(c, choiceMsgs[c])
		return
	}
	*dst = code
}

func (s *Service) flag(p *parsed, l *layout, cells []string, c col) bool {
	b, ok := yesNo(l.get(cells, c))
	if !ok {
		p.bad(c, columns[c].header+"应填“是”或“否”")
	}
	return b
}

// parse reads and validates one data row against the 基本信息 rules
// (registry.ValidateBasic), the uploader's scope and the job columns.
func (s *Service) parse(l *layout, cells []string, num int, scope *actor.Actor, now time.Time) *parsed {
	p := &parsed{num: num}
	in := &p.in
	in.Name = l.get(cells, cName)
	in.IDNumber = l.get(cells, cID)
	if _, err := strconv.ParseFloat(in.IDNumber, 64); err == nil && strings.ContainsAny(in.IDNumber, "eE.") {
		p.bad(cID, "身份证号码被存成了数字，末几位已丢失，请把这一列设为文本格式后重新填写")
	}
	in.Phone = cleanCode(l.get(cells, cPhone))
	in.VillageCode = cleanCode(l.get(cells, cVillage))
	in.Ethnicity = l.get(cells, cEthnicity)
	if _, ok := ethnicityLabels[in.Ethnicity+"族"]; ok {
		in.Ethnicity += "族"
	}
	in.Address = l.get(cells, cAddress)
	if v := l.get(cells, cCapacity); notCollectedCaps[v] {
		p.bad(cCapacity, "丧失劳动力、无劳动力的人员无须采集（填表说明第1条）")
	} else {
		s.choice(p, l, cells, cCapacity, capacityLabels, &in.LabourCapacity)
	}
	s.choice(p, l, cells, cSkill, skillLabels, &in.SkillLevel)
	s.choice(p, l, cells, cEducation, educationLabels, &in.Education)
	s.choice(p, l, cells, cCategory, categoryLabels, &in.Category)
	in.TwoAfter = s.flag(p, l, cells, cTwoAfter)
	in.Relocated = s.flag(p, l, cells, cRelocated)
	in.ZeroEmployment = s.flag(p, l, cells, cZeroEmployment)
	in.YuluGraduate = s.flag(p, l, cells, cYulu)
	if v := l.get(cells, cGradDate); v != "" {
		if t, ok := parseMonth(v, false); ok {
			in.GraduationDate = t.Format("2006-01")
		} else {
			p.bad(cGradDate, "毕业时间格式应为 2020-07")
		}
	}
	reasonCol := cStateReason
	if l.pos[cStateReason] < 0 {
		reasonCol = cState
	}
	if v := l.get(cells, cState); v == "" {
		p.bad(cState, "请填写当前状态")
	} else {
		st, rs := splitState(v)
		if code, ok := stateLabels[st]; ok {
			in.State = code
		} else {
			p.bad(cState, choiceMsgs[cState])
		}
		if r := l.get(cells, cStateReason); r != "" {
			rs = r
		}
		if rs != "" {
			if code, ok := reasonLabels[rs]; ok {
				in.StateReason = code
			} else {
				p.bad(reasonCol, "退出原因应填：上学、参军、服刑、暂时丧失劳动力、死亡、永久丧失劳动力")
			}
		}
	}
	p.head = l.get(cells, cHeadName)
	hhNo := l.get(cells, cHouseholdNo)
	if p.head == "" && hhNo == "" {
		c := cHeadName
		if l.pos[cHeadName] < 0 {
			c = cHouseholdNo
		}
		p.bad(c, "请填写户主姓名或户编号")
	}
	birth, grad, err := s.registry.ValidateBasic(in)
	if e, ok := apperr.As(err); ok {
		for _, fe := range e.Fields {
			c, known := fieldCols[fe.Field]
			if !known {
				c = cName
			}
			if c == cStateReason {
				c = reasonCol
			}
			msg := fe.Message
			if fe.Code == "invalid_enum" && c == cEthnicity {
				msg = "民族应填全称，如“汉族”“回族”“东乡族”"
			}
			p.bad(c, msg)
		}
	} else if err != nil {
		p.bad(cName, "这一行无法校验")
	}
	villageOK := !p.has(cVillage)
	if villageOK && !scope.InScope(in.VillageCode) {
		p.bad(cVillage, "该村不在您管辖的县（区）内，不能导入")
		villageOK = false
	}
	if !p.has(cID) {
		p.idHash = s.box.Index("id", in.IDNumber)
	}
	if anyJobColumn(l, cells) {
		p.job = s.parseJob(p, l, cells, villageOK, birth, now)
	}
	if len(p.errs) > 0 {
		return p
	}
	p.birth, p.grad = birth, grad
	p.phoneHash = s.box.Index("phone", in.Phone)
	if hhNo != "" {
		p.hhKey = in.VillageCode + "|no:" + hhNo
	} else {
		p.hhKey = in.VillageCode + "|head:" + p.head
	}
	p.isHead = p.head != "" && p.head == in.Name
	p.lab = s.newLabourer(p)
	return p
}

func (p *parsed) has(c col) bool {
	for _, e := range p.errs {
		if e.col == columns[c].header {
			return true
		}
	}
	return false
}

func anyJobColumn(l *layout, cells []string) bool {
	for c := cPlace; c <= cIndustry; c++ {
		if l.get(cells, c) != "" {
			return true
		}
	}
	return false
}

// parseJob validates the current job; every job column is needed once one is filled.
func (s *Service) parseJob(p *parsed, l *layout, cells []string, villageOK bool, birth time.Time, now time.Time) *jobRow {
	j := &jobRow{place: cleanCode(l.get(cells, cPlace)), employer: l.get(cells, cEmployer)}
	switch {
	case j.place == "":
		p.bad(cPlace, "填写了务工信息时须填务工地点代码（省内须到县一级）")
	case villageOK:
		if err := s.regions.ValidateWorkPlace(p.in.VillageCode, j.place); err != nil {
			msg := "务工地点代码不对"
			if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
				msg = "务工地点：" + e.Fields[0].Message
			}
			p.bad(cPlace, msg)
		}
	}
	if v := l.get(cells, cForm); v == "" {
		p.bad(cForm, "请填写就业形式")
	} else {
		base, note := splitOther(v)
		code, ok := formLabels[base]
		if !ok && base == "其他" {
			code, ok = "other", true
		}
		if !ok {
			p.bad(cForm, choiceMsgs[cForm])
		}
		j.form = code
		if code == "other" {
			j.formOther = orUnstated(note)
		}
	}
	if len([]rune(j.employer)) > 100 {
		p.bad(cEmployer, "就业单位名称太长（100字以内）")
	} else if j.employer == "" && needsEmployer(j.form) {
		p.bad(cEmployer, "请填写就业单位名称")
	}
	if v := l.get(cells, cStart); v == "" {
		p.bad(cStart, "请填写就业时间")
	} else if t, ok := parseMonth(v, true); !ok {
		p.bad(cStart, "就业时间格式应为 2020-03 或 2020-03-15")
	} else {
		today := time.Date(now.In(status.China).Year(), now.In(status.China).Month(), now.In(status.China).Day(), 0, 0, 0, 0, time.UTC)
		switch {
		case t.After(today):
			p.bad(cStart, "就业时间不能晚于今天")
		case !birth.IsZero() && t.Before(birth.AddDate(status.MinWorkAge, 0, 0)):
			p.bad(cStart, "就业时间早于年满16周岁的日子")
		}
		j.start = t
	}
	if v := l.get(cells, cWage); v == "" {
		p.bad(cWage, "请填写月平均工资（元）")
	} else if w, ok := parseWage(v); !ok {
		p.bad(cWage, "月平均工资应填数字（元）")
	} else if w <= 0 {
		p.bad(cWage, "月平均工资应大于0")
	} else if w > status.MaxMonthlyWage {
		p.bad(cWage, fmt.Sprintf("月工资不能超过%d元，请核对", status.MaxMonthlyWage))
	} else {
		j.wage = w
	}
	if v := l.get(cells, cIndustry); v == "" {
		p.bad(cIndustry, "请填写所属行业")
	} else {
		base, note := splitOther(v)
		code, ok := industryLabels[base]
		if !ok {
			p.bad(cIndustry, choiceMsgs[cIndustry])
		}
		j.industry = code
		if code == "other" {
			j.industryOther = orUnstated(note)
		}
	}
	return j
}

func orUnstated(s string) string {
	if s == "" {
		return "未注明"
	}
	if r := []rune(s); len(r) > 50 {
		return string(r[:50])
	}
	return s
}

// needsEmployer: the forms for which the form asks 就业单位名称 (as service/status).
func needsEmployer(form string) bool {
	switch form {
	case "employed", "workshop", "base", "public_welfare", "cooperative":
		return true
	}
	return false
}

// newLabourer builds and seals the row a new labourer would get; the
// encryption (AES-GCM, bound to the new id) happens here, off the writer.
func (s *Service) newLabourer(p *parsed) *model.Labourer {
	in := &p.in
	lab := &model.Labourer{ID: model.NewID(), Name: in.Name, Gender: pii.IDGender(in.IDNumber), BirthDate: p.birth,
		Ethnicity: in.Ethnicity, Address: in.Address, LabourCapacity: in.LabourCapacity, SkillLevel: in.SkillLevel,
		TwoAfter: in.TwoAfter, Education: in.Education, GraduationDate: p.grad, State: in.State,
		StateReason: in.StateReason, Category: in.Category, YuluGraduate: in.YuluGraduate,
		RecordStatus: model.RecordActive, Version: 1}
	setCodes(lab, in.VillageCode)
	lab.IDNumberEnc = s.box.Seal("labourers", "id_number", lab.ID, in.IDNumber)
	lab.IDNumberHash = p.idHash
	lab.IDMasked = pii.MaskID(in.IDNumber)
	s.sealPhone(lab, in.Phone, p.phoneHash)
	return lab
}

func (s *Service) sealPhone(lab *model.Labourer, phone, hash string) {
	lab.PhoneEnc = s.box.Seal("labourers", "phone", lab.ID, phone)
	lab.PhoneHash = hash
	lab.PhoneMasked = pii.MaskPhone(phone)
}

func setCodes(l *model.Labourer, village string) {
	l.ProvinceCode = model.Ancestor(village, model.LevelProvince)
	l.CityCode = model.Ancestor(village, model.LevelCity)
	l.CountyCode = model.Ancestor(village, model.LevelCounty)
	l.TownCode = model.Ancestor(village, model.LevelTown)
	l.VillageCode = village
}

// batch is a run of data rows written in one transaction; end is the
// number of data rows committed once it and every batch before it are.
type batch struct {
	seq  int
	rows []*parsed
	end  int
}

// write applies batches with s.opt.Writers writers. One writer commits the
// resume point with each batch; several commit it after each contiguous run
// of batches. A batch that meets another's insert (a household split across
// batches, an InnoDB deadlock) is retried: the retry sees the other's rows.
func (s *Service) write(ctx context.Context, cancel context.CancelFunc, job *model.ImportJob, batches <-chan batch, kept *atomic.Int64) error {
	n := s.opt.Writers
	if n == 1 {
		for b := range batches {
			if err := s.apply(ctx, job, b, kept, true); err != nil {
				cancel()
				return err
			}
		}
		return ctx.Err()
	}
	type result struct {
		seq, end int
		err      error
	}
	results := make(chan result)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				var err error
				for attempt := 0; attempt < 4; attempt++ {
					if err = s.apply(ctx, job, b, kept, false); err == nil || !retryable(err) || ctx.Err() != nil {
						break
					}
					time.Sleep(time.Duration(attempt+1) * 20 * time.Millisecond)
				}
				results <- result{b.seq, b.end, err}
				if err != nil {
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	done := map[int]int{}
	next := 0
	var first error
	for r := range results {
		if r.err != nil {
			if first == nil {
				first = r.err
				cancel()
			}
			continue
		}
		done[r.seq] = r.end
		end, advanced := 0, false
		for {
			e, ok := done[next]
			if !ok {
				break
			}
			delete(done, next)
			end, advanced = e, true
			next++
		}
		if advanced && first == nil {
			if err := s.db.WithContext(ctx).Model(&model.ImportJob{}).Where("id = ? AND lease_owner = ?", job.ID, s.owner).
				Update("next_row", end).Error; err != nil {
				first = err
				cancel()
			}
		}
	}
	if first != nil {
		return first
	}
	return ctx.Err()
}

// retryable: a duplicate key from a concurrent batch, or an InnoDB deadlock.
func retryable(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205 || me.Number == 1062)
}

// counts are a batch's contribution to the job's counters.
type counts struct{ processed, created, updated, unchanged, bad int }

// Run claims a job and imports its file, resuming after the last committed
// batch. It returns ErrLeased when another runner holds the job, nil once
// the job is done or failed (a file that cannot be read fails the job), and
// an error when it was interrupted; the job then resumes on the next run.
func (s *Service) Run(ctx context.Context, id int64) error {
	ok, err := s.claim(ctx, id)
	if err != nil {
		return fmt.Errorf("claim import %d: %w", id, err)
	}
	if !ok {
		return ErrLeased
	}
	var job model.ImportJob
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&job).Error; err != nil {
		return fmt.Errorf("load import %d: %w", id, err)
	}
	scope := &actor.Actor{AccountID: job.UploadedBy, Role: model.Role(job.UploaderRole)}
	if job.Scopes == "" {
		scope.Role = model.RoleAdmin
	} else {
		scope.Scopes = strings.Split(job.Scopes, ",")
	}
	ctx = actor.With(ctx, scope)
	var n int64
	if err := s.db.WithContext(ctx).Model(&model.ImportRowError{}).Where("job_id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	kept := &atomic.Int64{}
	kept.Store(n)
	cr := &chunkReader{ctx: ctx, db: s.db, job: id, total: job.Chunks}
	var src rowSource
	if job.Format == FormatXLSX {
		x, err := newXLSXSource(cr, s.opt.TmpDir)
		if errors.Is(err, errBadFile) {
			return s.finish(ctx, id, model.ImportFailed, "文件不是有效的 Excel（.xlsx）表格，请检查后重新上传", 0)
		}
		if err != nil {
			return fmt.Errorf("open import %d: %w", id, err)
		}
		src = x
	} else {
		src = newCSVSource(cr)
	}
	defer src.Close()

	var lay *layout
	for lay == nil && src.Next() {
		cells, num := src.Row()
		if num > maxHeaderScan {
			break
		}
		l, msg, found := matchHeader(cells, num)
		if found && msg != "" {
			return s.finish(ctx, id, model.ImportFailed, msg, 0)
		}
		lay = l
	}
	if err := src.Err(); err != nil {
		if errors.Is(err, errBadFile) {
			return s.finish(ctx, id, model.ImportFailed, "文件无法读取，请确认是 .xlsx 或 .csv 格式后重新上传", 0)
		}
		return err
	}
	if lay == nil {
		return s.finish(ctx, id, model.ImportFailed, "没有找到表头：前20行中没有“姓名”“身份证号码”等列名，请使用导入模板", 0)
	}

	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 2)
	var total int
	var readErr error
	go func() {
		defer close(batches)
		total, readErr = s.produce(pctx, src, lay, scope, job.NextRow, batches)
	}()
	if err := s.write(pctx, cancel, &job, batches, kept); err != nil {
		for range batches {
			// drain so the producer ends
		}
		return fmt.Errorf("import %d: %w", id, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if readErr != nil {
		if errors.Is(readErr, errBadFile) {
			return s.finish(ctx, id, model.ImportFailed, fmt.Sprintf("文件在第%d条数据之后无法读取，之前的数据已导入；请检查文件后重新上传", total), total)
		}
		return readErr
	}
	s.opt.Logger.Info("import done", "job", id, "rows", total)
	return s.finish(ctx, id, model.ImportDone, "", total)
}

// produce reads, parses and seals rows into batches (one goroutine, so the
// writer never waits for the CPU work). Rows before skip were committed by an
// earlier run; they are read again only to know their 身份证 numbers, so a
// duplicate later in the file is still found.
func (s *Service) produce(ctx context.Context, src rowSource, lay *layout, scope *actor.Actor, skip int, out chan<- batch) (int, error) {
	seen := map[uint64]int32{} // blind-index prefix → row number of its first occurrence
	note := func(p *parsed) {
		if p.idHash == "" {
			return
		}
		k, _ := strconv.ParseUint(p.idHash[:16], 16, 64)
		if first, dup := seen[k]; dup {
			p.bad(cID, fmt.Sprintf("与第%d行的身份证号码重复", first))
			p.lab = nil
			return
		}
		seen[k] = int32(p.num)
	}
	now := s.now()
	idx, seq := 0, 0
	var cur []*parsed
	for src.Next() {
		cells, num := src.Row()
		if lay.blank(cells) {
			continue
		}
		idx++
		if idx <= skip {
			id := pii.NormalizeID(lay.get(cells, cID))
			if pii.CheckID(id, now) == pii.IDOK {
				note(&parsed{num: num, idHash: s.box.Index("id", id)})
			}
			continue
		}
		p := s.parse(lay, cells, num, scope, now)
		note(p)
		cur = append(cur, p)
		if len(cur) >= s.opt.Batch {
			select {
			case out <- batch{seq: seq, rows: cur, end: idx}:
			case <-ctx.Done():
				return idx, ctx.Err()
			}
			seq++
			cur = nil
		}
	}
	if len(cur) > 0 {
		select {
		case out <- batch{seq: seq, rows: cur, end: idx}:
		case <-ctx.Done():
			return idx, ctx.Err()
		}
	}
	return idx, src.Err()
}

// change is one field's old and new value, as the 异动 export reads them.
type change struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// apply writes one batch in one transaction: new households and labourers,
// updates of changed rows with their audit and LedgerChange rows, the bad
// rows' messages, and the job's counters and resume point (which also renew
// the lease; a lost lease rolls the batch back).
func (s *Service) apply(ctx context.Context, job *model.ImportJob, b batch, kept *atomic.Int64, ordered bool) error {
	now := s.now()
	scope := actor.From(ctx)
	insertBatch := 1000
	if infra.Dialect(s.db) == infra.DialectSQLite {
		insertBatch = 400 // SQLite allows 32,766 variables per statement
	}
	var keptAdd int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w := &writer{s: s, tx: tx, job: job, now: now, keyHH: map[string]int64{}, hhByID: map[int64]*model.Household{},
			newHH: map[int64]bool{}}
		if err := w.load(b.rows); err != nil {
			return err
		}
		var c counts
		var rowErrs []model.ImportRowError
		for _, p := range b.rows {
			c.processed++
			if len(p.errs) == 0 {
				if lab := w.existing[p.idHash]; lab != nil && !scope.InScope(lab.VillageCode) {
					p.bad(cID, "该身份证号码已登记在其他县（区）的台账中，不能在本县导入")
				}
			}
			if len(p.errs) > 0 {
				c.bad++
				for _, e := range p.errs {
					if kept.Load()+keptAdd+int64(len(rowErrs)) < MaxErrorsKept {
						rowErrs = append(rowErrs, model.ImportRowError{JobID: job.ID, Row: p.num, Column: e.col, Message: e.msg})
					}
				}
				continue
			}
			if lab := w.existing[p.idHash]; lab != nil {
				changed, err := w.update(p, lab)
				if err != nil {
					return err
				}
				if changed {
					c.updated++
				} else {
					c.unchanged++
				}
				continue
			}
			w.create(p)
			c.created++
		}
		if err := w.flush(insertBatch); err != nil {
			return err
		}
		if len(rowErrs) > 0 {
			if err := tx.CreateInBatches(rowErrs, insertBatch).Error; err != nil {
				return err
			}
			keptAdd += int64(len(rowErrs))
		}
		upd := map[string]any{
			"processed": gorm.Expr("processed + ?", c.processed), "created": gorm.Expr("created + ?", c.created),
			"updated": gorm.Expr("updated + ?", c.updated), "unchanged": gorm.Expr("unchanged + ?", c.unchanged),
			"bad": gorm.Expr("bad + ?", c.bad), "lease_until": now.Add(leaseTTL)}
		if ordered {
			upd["next_row"] = b.end // exact: this batch follows every committed one
		}
		res := tx.Model(&model.ImportJob{}).Where("id = ? AND lease_owner = ?", job.ID, s.owner).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrLeased
		}
		return nil
	})
	if err != nil {
		return err
	}
	kept.Add(keptAdd)
	if s.afterBatch != nil {
		s.afterBatch(b.end)
	}
	return nil
}

// writer collects one batch's writes.
type writer struct {
	s        *Service
	tx       *gorm.DB
	job      *model.ImportJob
	now      time.Time
	existing map[string]*model.Labourer // by blind index
	spells   map[int64]*model.EmploymentSpell
	keyHH    map[string]int64
	hhByID   map[int64]*model.Household
	newHH    map[int64]bool

	households  []*model.Household
	hhKeys      []model.ImportHousehold
	hhUpdates   map[int64]map[string]any
	labourers   []*model.Labourer
	newSpells   []*model.EmploymentSpell
	closeSpells map[int64]time.Time
	changes     []model.LedgerChange
	audits      []model.AuditLog
	labUpdates  []labUpdate
}

type labUpdate struct {
	id, version int64
	cols        map[string]any
}

// load reads what the batch's rows match: labourers by blind index, the
// households their keys name, and the open spells of matched labourers.
func (w *writer) load(rows []*parsed) error {
	var hashes, keys []string
	for _, p := range rows {
		if len(p.errs) == 0 {
			hashes = append(hashes, p.idHash)
			keys = append(keys, p.hhKey)
		}
	}
	w.existing = map[string]*model.Labourer{}
	w.spells = map[int64]*model.EmploymentSpell{}
	if len(hashes) == 0 {
		return nil
	}
	var labs []*model.Labourer
	if err := w.tx.Where("id_number_hash IN ?", hashes).Find(&labs).Error; err != nil {
		return err
	}
	var hhIDs, labIDs []int64
	for _, l := range labs {
		w.existing[l.IDNumberHash] = l
		hhIDs = append(hhIDs, l.HouseholdID)
		labIDs = append(labIDs, l.ID)
	}
	var ihs []model.ImportHousehold
	if err := w.tx.Where("household_key IN ?", dedupe(keys)).Find(&ihs).Error; err != nil {
		return err
	}
	for _, ih := range ihs {
		w.keyHH[ih.HouseholdKey] = ih.HouseholdID
		hhIDs = append(hhIDs, ih.HouseholdID)
	}
	if len(hhIDs) > 0 {
		var hhs []*model.Household
		if err := w.tx.Where("id IN ?", hhIDs).Find(&hhs).Error; err != nil {
			return err
		}
		for _, h := range hhs {
			w.hhByID[h.ID] = h
		}
	}
	if len(labIDs) > 0 {
		var sps []*model.EmploymentSpell
		if err := w.tx.Where("labourer_id IN ? AND end_date IS NULL", labIDs).Order("start_date").Find(&sps).Error; err != nil {
			return err
		}
		for _, sp := range sps {
			w.spells[sp.LabourerID] = sp // the latest open one wins
		}
	}
	return nil
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// household finds or makes the household a row's key names. A labourer
// already in the ledger keeps their household when it lies in the same
// village, and the key is remembered for it.
func (w *writer) household(p *parsed, lab *model.Labourer) *model.Household {
	if id, ok := w.keyHH[p.hhKey]; ok && w.hhByID[id] != nil {
		return w.hhByID[id]
	}
	if lab != nil {
		if h := w.hhByID[lab.HouseholdID]; h != nil && h.VillageCode == p.in.VillageCode {
			w.keyHH[p.hhKey] = h.ID
			w.hhKeys = append(w.hhKeys, model.ImportHousehold{HouseholdKey: p.hhKey, HouseholdID: h.ID})
			return h
		}
	}
	head := p.head
	if head == "" {
		head = p.in.Name
	}
	h := &model.Household{ID: model.NewID(), HeadName: head, Address: p.in.Address, Relocated: p.in.Relocated,
		ZeroEmployment: p.in.ZeroEmployment, CreatedAt: w.now, UpdatedAt: w.now}
	h.ProvinceCode, h.CityCode, h.CountyCode = p.lab.ProvinceCode, p.lab.CityCode, p.lab.CountyCode
	h.TownCode, h.VillageCode = p.lab.TownCode, p.lab.VillageCode
	w.households = append(w.households, h)
	w.hhKeys = append(w.hhKeys, model.ImportHousehold{HouseholdKey: p.hhKey, HouseholdID: h.ID})
	w.keyHH[p.hhKey] = h.ID
	w.hhByID[h.ID] = h
	w.newHH[h.ID] = true
	return h
}

// headFacts applies the head's row to the household (address and the
// household flags come from the head's row only, so the rows of one
// household never fight over them); it returns what changed.
func (w *writer) headFacts(p *parsed, h *model.Household) map[string]change {
	if !p.isHead {
		return nil
	}
	diff := map[string]change{}
	cols := map[string]any{}
	if h.Address != p.in.Address {
		diff["household_address"] = change{h.Address, p.in.Address}
		cols["address"], h.Address = p.in.Address, p.in.Address
	}
	if h.Relocated != p.in.Relocated {
		diff["relocated"] = change{yn(h.Relocated), yn(p.in.Relocated)}
		cols["relocated"], h.Relocated = p.in.Relocated, p.in.Relocated
	}
	if h.ZeroEmployment != p.in.ZeroEmployment {
		diff["zero_employment"] = change{yn(h.ZeroEmployment), yn(p.in.ZeroEmployment)}
		cols["zero_employment"], h.ZeroEmployment = p.in.ZeroEmployment, p.in.ZeroEmployment
	}
	if h.HeadName != p.head {
		diff["head_name"] = change{h.HeadName, p.head}
		cols["head_name"], h.HeadName = p.head, p.head
	}
	if len(cols) == 0 || w.newHH[h.ID] {
		return nil // a household made in this batch is inserted with the values
	}
	if w.hhUpdates == nil {
		w.hhUpdates = map[int64]map[string]any{}
	}
	if w.hhUpdates[h.ID] == nil {
		w.hhUpdates[h.ID] = map[string]any{}
	}
	for k, v := range cols {
		w.hhUpdates[h.ID][k] = v
	}
	return diff
}

func yn(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func (w *writer) create(p *parsed) {
	lab := p.lab
	h := w.household(p, nil)
	lab.HouseholdID = h.ID
	w.headFacts(p, h) // the labourer is new: a household fact is not a 异动 of theirs
	lab.CreatedAt, lab.UpdatedAt = w.now, w.now
	if p.job != nil {
		sp := w.spell(lab, p.job)
		lab.Working, lab.PlaceScope, lab.StatusSource = true, sp.PlaceScope, model.SourceImport
		lab.StatusAt = &w.now
	}
	w.labourers = append(w.labourers, lab)
	w.audits = append(w.audits, w.auditRow("labourer.import_create", lab.ID, nil, map[string]any{
		"name": lab.Name, "id": lab.IDMasked, "phone": lab.PhoneMasked, "village_code": lab.VillageCode, "import_job": idStr(w.job.ID)}))
}

func (w *writer) spell(lab *model.Labourer, j *jobRow) *model.EmploymentSpell {
	sp := &model.EmploymentSpell{ID: model.NewID(), LabourerID: lab.ID, StartDate: j.start, PlaceCode: j.place,
		PlaceScope: w.s.regions.PlaceScope(lab.VillageCode, j.place), Form: j.form, FormOther: j.formOther,
		EmployerName: j.employer, MonthlyWage: j.wage, Industry: j.industry, IndustryOther: j.industryOther,
		Source: model.SourceImport, Verified: true, CreatedBy: w.job.UploadedBy, CreatedAt: w.now, UpdatedAt: w.now}
	w.newSpells = append(w.newSpells, sp)
	return sp
}

// update compares a row with the labourer in the ledger and records what
// differs; an identical row writes nothing.
func (w *writer) update(p *parsed, lab *model.Labourer) (bool, error) {
	in := &p.in
	diff := map[string]change{}
	cols := map[string]any{}
	set := func(field string, old, new string, col string, v any) {
		if old != new {
			diff[field] = change{old, new}
			cols[col] = v
		}
	}
	set("name", lab.Name, in.Name, "name", in.Name)
	set("ethnicity", lab.Ethnicity, in.Ethnicity, "ethnicity", in.Ethnicity)
	set("address", lab.Address, in.Address, "address", in.Address)
	set("labour_capacity", lab.LabourCapacity, in.LabourCapacity, "labour_capacity", in.LabourCapacity)
	set("skill_level", lab.SkillLevel, in.SkillLevel, "skill_level", in.SkillLevel)
	set("two_after", yn(lab.TwoAfter), yn(in.TwoAfter), "two_after", in.TwoAfter)
	set("education", lab.Education, in.Education, "education", in.Education)
	set("graduation_date", month(lab.GraduationDate), month(p.grad), "graduation_date", p.grad)
	set("state", lab.State, in.State, "state", in.State)
	set("state_reason", lab.StateReason, in.StateReason, "state_reason", in.StateReason)
	set("category", lab.Category, in.Category, "category", in.Category)
	set("yulu_graduate", yn(lab.YuluGraduate), yn(in.YuluGraduate), "yulu_graduate", in.YuluGraduate)
	set("record_status", lab.RecordStatus, model.RecordActive, "record_status", model.RecordActive)
	if lab.VillageCode != in.VillageCode {
		diff["village_code"] = change{lab.VillageCode, in.VillageCode}
		next := *lab
		setCodes(&next, in.VillageCode)
		cols["province_code"], cols["city_code"], cols["county_code"] = next.ProvinceCode, next.CityCode, next.CountyCode
		cols["town_code"], cols["village_code"] = next.TownCode, next.VillageCode
	}
	if lab.PhoneHash != p.phoneHash {
		diff["phone"] = change{lab.PhoneMasked, pii.MaskPhone(in.Phone)}
		next := *lab
		w.s.sealPhone(&next, in.Phone, p.phoneHash)
		cols["phone_enc"], cols["phone_hash"], cols["phone_masked"] = next.PhoneEnc, next.PhoneHash, next.PhoneMasked
	}
	h := w.household(p, lab)
	if h.ID != lab.HouseholdID {
		diff["household_id"] = change{idStr(lab.HouseholdID), idStr(h.ID)}
		cols["household_id"] = h.ID
	}
	for k, v := range w.headFacts(p, h) {
		diff[k] = v
	}
	if p.job != nil {
		open := w.spells[lab.ID]
		if !sameJob(open, p.job) {
			home := in.VillageCode
			diff["employment"] = change{jobSummary(open), jobSummary(&model.EmploymentSpell{PlaceCode: p.job.place,
				Form: p.job.form, EmployerName: p.job.employer, StartDate: p.job.start, MonthlyWage: p.job.wage, Industry: p.job.industry})}
			if open != nil {
				end := p.job.start.AddDate(0, 0, -1)
				if end.Before(open.StartDate) {
					end = open.StartDate
				}
				if w.closeSpells == nil {
					w.closeSpells = map[int64]time.Time{}
				}
				w.closeSpells[open.ID] = end
			}
			tmp := *lab
			tmp.VillageCode = home
			sp := w.spell(&tmp, p.job)
			cols["working"], cols["place_scope"], cols["wants_work"] = true, sp.PlaceScope, false
			cols["status_source"], cols["status_at"] = model.SourceImport, w.now
		}
	}
	if len(diff) == 0 {
		return false, nil
	}
	cols["version"] = gorm.Expr("version + 1")
	cols["updated_at"] = w.now
	w.labUpdates = append(w.labUpdates, labUpdate{id: lab.ID, version: int64(lab.Version), cols: cols})
	body, _ := json.Marshal(diff)
	w.changes = append(w.changes, model.LedgerChange{ID: model.NewID(), LabourerID: lab.ID,
		CountyCode: model.Ancestor(in.VillageCode, model.LevelCounty), Source: model.SourceImport, SourceID: w.job.ID,
		Fields: string(body), At: w.now})
	before, after := map[string]string{}, map[string]string{}
	for k, v := range diff {
		before[k], after[k] = v.Old, v.New
	}
	w.audits = append(w.audits, w.auditRow("labourer.import_update", lab.ID, before, after))
	return true, nil
}

func month(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01")
}

func sameJob(sp *model.EmploymentSpell, j *jobRow) bool {
	return sp != nil && sp.PlaceCode == j.place && sp.Form == j.form && sp.FormOther == j.formOther &&
		sp.EmployerName == j.employer && sp.StartDate.Format("2006-01-02") == j.start.Format("2006-01-02") &&
		sp.MonthlyWage == j.wage && sp.Industry == j.industry && sp.IndustryOther == j.industryOther
}

func jobSummary(sp *model.EmploymentSpell) string {
	if sp == nil {
		return ""
	}
	return fmt.Sprintf("%s %s %s %s %d元 %s", sp.PlaceCode, model.EmploymentForms.Label(sp.Form), sp.EmployerName,
		sp.StartDate.Format("2006-01-02"), sp.MonthlyWage, model.Industries.Label(sp.Industry))
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

func (w *writer) auditRow(action string, subject int64, before, after any) model.AuditLog {
	enc := func(v any) string {
		if v == nil {
			return ""
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	a := actor.From(w.tx.Statement.Context)
	return model.AuditLog{At: w.now, ActorID: w.job.UploadedBy, ActorRole: w.job.UploaderRole, Action: action,
		SubjectType: "labourer", SubjectID: subject, Purpose: "导入任务 " + idStr(w.job.ID), Before: enc(before), After: enc(after),
		RequestID: a.RequestID, IP: a.IP}
}

// flush writes what the batch collected, inside the batch's transaction.
func (w *writer) flush(n int) error {
	tx := w.tx
	if len(w.households) > 0 {
		if err := tx.CreateInBatches(w.households, n).Error; err != nil {
			return err
		}
	}
	for id, cols := range w.hhUpdates {
		cols["updated_at"] = w.now
		if err := tx.Model(&model.Household{}).Where("id = ?", id).Updates(cols).Error; err != nil {
			return err
		}
	}
	if len(w.hhKeys) > 0 {
		if err := tx.CreateInBatches(w.hhKeys, n).Error; err != nil {
			return err
		}
	}
	if len(w.labourers) > 0 {
		if err := tx.CreateInBatches(w.labourers, n).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return fmt.Errorf("a labourer was added while the batch ran (retried): %w", err)
			}
			return err
		}
	}
	for _, u := range w.labUpdates {
		res := tx.Model(&model.Labourer{}).Where("id = ? AND version = ?", u.id, u.version).Updates(u.cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("labourer %d changed while the batch ran (retried)", u.id)
		}
	}
	for id, end := range w.closeSpells {
		if err := tx.Model(&model.EmploymentSpell{}).Where("id = ? AND end_date IS NULL", id).
			Updates(map[string]any{"end_date": end, "updated_at": w.now}).Error; err != nil {
			return err
		}
	}
	if len(w.newSpells) > 0 {
		if err := tx.CreateInBatches(w.newSpells, n).Error; err != nil {
			return err
		}
	}
	if len(w.changes) > 0 {
		if err := tx.CreateInBatches(w.changes, n).Error; err != nil {
			return err
		}
	}
	if len(w.audits) > 0 {
		if err := tx.CreateInBatches(w.audits, n).Error; err != nil {
			return err
		}
	}
	return nil
}
