package report

import (
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
)

// Change tracking. The pre-aggregated rows (model.ReportFact) stay exact
// because every write that could change a labourer's derived facts also
// writes a model.ReportDirty row for that labourer, in the same statement's
// transaction. The marks are written by GORM callbacks on the shared
// *gorm.DB rather than by each service, so a new writer (the 72-hour
// service, hires, the importer, the collection form) is covered without
// knowing about reports. Raw SQL (db.Exec) on the tracked tables bypasses
// the callbacks: it must call MarkDirty itself.
//
// What is tracked, and which columns matter:
//
//	labourers          id           household, region codes, record status, state
//	employment_spells  labourer_id  dates, place scope, form, wage, verified, job
//	return_events      labourer_id  date, wants work, verified, spell
//	outing_plans       labourer_id  has plan, verified, created_at
//	jobs               id → spells  transport (跨省点对点输送)
//
// Creates are marked after the insert (the new rows carry their labourer id);
// updates and deletes read the matching rows' labourer ids before the
// statement runs, with the statement's own WHERE, and mark them after it
// succeeds. An update that sets only untracked columns (the status cache,
// names, phones) marks nothing.

const (
	cbBefore = "report:track_before"
	cbAfter  = "report:track_after"
	// settingIDs carries the labourer ids read before an update or delete.
	settingIDs = "report:track_ids"
	// settingOff turns tracking off for a session (Untracked).
	settingOff = "report:untracked"
)

type tracked struct {
	idCol    string          // the column naming the labourer (or job for jobs)
	relevant map[string]bool // columns whose change matters
	viaJob   bool            // ids are job ids: mark the labourers of their spells
}

var trackedTables = map[string]tracked{
	"labourers": {idCol: "id", relevant: set("household_id", "province_code", "city_code", "county_code", "town_code",
		"village_code", "record_status", "state")},
	"employment_spells": {idCol: "labourer_id", relevant: set("labourer_id", "start_date", "end_date", "place_code",
		"place_scope", "form", "monthly_wage", "verified", "job_id")},
	"return_events": {idCol: "labourer_id", relevant: set("labourer_id", "return_date", "wants_work", "verified", "spell_id")},
	"outing_plans":  {idCol: "labourer_id", relevant: set("labourer_id", "has_plan", "verified", "created_at")},
	"jobs":          {idCol: "id", relevant: set("transport"), viaJob: true},
}

func set(cols ...string) map[string]bool {
	m := make(map[string]bool, len(cols))
	for _, c := range cols {
		m[c] = true
	}
	return m
}

// Track installs the change-tracking callbacks on db (once; a second call
// is a no-op). Every process that writes labourers' records must call it —
// main does, for every command.
func Track(db *gorm.DB) error {
	cb := db.Callback()
	if cb.Create().Get(cbAfter) != nil {
		return nil
	}
	if err := cb.Create().After("gorm:create").Register(cbAfter, afterCreate); err != nil {
		return err
	}
	if err := cb.Update().Before("gorm:update").Register(cbBefore, beforeWrite(false)); err != nil {
		return err
	}
	if err := cb.Update().After("gorm:update").Register(cbAfter, afterWrite); err != nil {
		return err
	}
	if err := cb.Delete().Before("gorm:delete").Register(cbBefore, beforeWrite(true)); err != nil {
		return err
	}
	return cb.Delete().After("gorm:delete").Register(cbAfter, afterWrite)
}

// Untracked returns a session whose writes are not marked: for bulk loads
// (the synthetic generator) that invalidate the reports as a whole instead
// (MarkAll).
func Untracked(db *gorm.DB) *gorm.DB { return db.Set(settingOff, true).Session(&gorm.Session{}) }

// Tracking reports whether writes through db are marked: false for a
// session from Untracked. A service that writes tracked tables through
// statements it sends itself (service/status sends a transaction's writes in
// one round trip, past these callbacks) writes its own ReportDirty rows in
// the same transaction when this is true.
func Tracking(db *gorm.DB) bool { return !off(db) }

func off(db *gorm.DB) bool {
	v, ok := db.Get(settingOff)
	return ok && v == true
}

// fresh is a new statement on the same connection (the transaction, if any).
func fresh(db *gorm.DB) *gorm.DB {
	return db.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Set(settingOff, true)
}

func afterCreate(db *gorm.DB) {
	t, ok := trackedTables[db.Statement.Table]
	if !ok || db.Error != nil || off(db) || t.viaJob {
		// A new job has no spells yet: nothing to mark.
		return
	}
	ids, ok := fieldValues(db, t.idCol)
	if !ok {
		markAll(db)
		return
	}
	mark(db, ids)
}

func beforeWrite(isDelete bool) func(*gorm.DB) {
	return func(db *gorm.DB) { before(db, isDelete) }
}

func before(db *gorm.DB, isDelete bool) {
	t, ok := trackedTables[db.Statement.Table]
	if !ok || db.Error != nil || off(db) {
		return
	}
	if !isDelete && !touchesRelevant(db.Statement, t) {
		return
	}
	exprs := whereOf(db.Statement)
	if len(exprs) == 0 {
		// No condition (a global update) or one we cannot repeat: rebuild.
		db.Statement.Settings.Store(settingIDs, []int64(nil))
		return
	}
	var ids []int64
	q := fresh(db).Table(db.Statement.Table).Clauses(clause.Where{Exprs: exprs})
	if t.viaJob {
		q = fresh(db).Table("employment_spells").Where("job_id IN (?)", q.Select("id"))
		t.idCol = "labourer_id"
	}
	if err := q.Distinct(t.idCol).Pluck(t.idCol, &ids).Error; err != nil {
		_ = db.AddError(err)
		return
	}
	db.Statement.Settings.Store(settingIDs, ids)
}

func afterWrite(db *gorm.DB) {
	if _, ok := trackedTables[db.Statement.Table]; !ok || off(db) {
		return
	}
	v, ok := db.Statement.Settings.LoadAndDelete(settingIDs)
	if !ok || db.Error != nil {
		return
	}
	ids := v.([]int64)
	if ids == nil {
		markAll(db)
		return
	}
	if len(ids) > 0 && db.Statement.RowsAffected > 0 {
		mark(db, ids)
	}
}

// touchesRelevant reports whether an update sets a column that matters.
func touchesRelevant(st *gorm.Statement, t tracked) bool {
	cols := map[string]bool{}
	switch d := st.Dest.(type) {
	case map[string]any:
		for k := range d {
			cols[k] = true
		}
	default:
		if len(st.Selects) > 0 {
			for _, c := range st.Selects {
				cols[c] = true
			}
		} else {
			return true // a struct update may set anything
		}
	}
	for c := range cols {
		if st.Schema != nil {
			if f := st.Schema.LookUpField(c); f != nil {
				c = f.DBName
			}
		}
		if t.relevant[c] || c == "*" {
			return true
		}
	}
	return false
}

// whereOf is the statement's WHERE, plus the primary key of a model value
// (db.Model(&row).Updates(…), db.Delete(&row)), which GORM adds only inside
// its own update and delete callbacks.
func whereOf(st *gorm.Statement) []clause.Expression {
	var exprs []clause.Expression
	if c, ok := st.Clauses["WHERE"]; ok {
		if w, ok := c.Expression.(clause.Where); ok {
			exprs = append(exprs, w.Exprs...)
		}
	}
	if st.Schema != nil && len(st.Schema.PrimaryFields) == 1 {
		pk := st.Schema.PrimaryFields[0]
		var vals []any
		collect := func(rv reflect.Value) {
			if v, zero := pk.ValueOf(st.Context, rv); !zero {
				vals = append(vals, v)
			}
		}
		rv := reflect.Indirect(st.ReflectValue)
		switch rv.Kind() {
		case reflect.Struct:
			if rv.Type() == st.Schema.ModelType {
				collect(rv)
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < rv.Len(); i++ {
				if e := reflect.Indirect(rv.Index(i)); e.Kind() == reflect.Struct && e.Type() == st.Schema.ModelType {
					collect(e)
				}
			}
		}
		if len(vals) > 0 {
			exprs = append(exprs, clause.IN{Column: clause.Column{Name: pk.DBName}, Values: vals})
		}
	}
	return exprs
}

// fieldValues reads a column's values from the rows being created.
func fieldValues(db *gorm.DB, col string) ([]int64, bool) {
	st := db.Statement
	if st.Schema == nil {
		return nil, false
	}
	f := st.Schema.LookUpField(col)
	if f == nil {
		return nil, false
	}
	var ids []int64
	add := func(rv reflect.Value) bool {
		v, _ := f.ValueOf(st.Context, rv)
		switch x := v.(type) {
		case int64:
			ids = append(ids, x)
		case *int64:
			if x != nil {
				ids = append(ids, *x)
			}
		default:
			return false
		}
		return true
	}
	rv := reflect.Indirect(st.ReflectValue)
	switch rv.Kind() {
	case reflect.Struct:
		if !add(rv) {
			return nil, false
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			e := reflect.Indirect(rv.Index(i))
			if e.Kind() != reflect.Struct || !add(e) {
				return nil, false
			}
		}
	default:
		return nil, false // maps: we cannot tell which labourers
	}
	return ids, true
}

func mark(db *gorm.DB, ids []int64) {
	if len(ids) == 0 {
		return
	}
	if err := MarkDirty(fresh(db), ids...); err != nil {
		_ = db.AddError(err)
	}
}

func markAll(db *gorm.DB) {
	if err := MarkAll(fresh(db)); err != nil {
		_ = db.AddError(err)
	}
}

// MarkDirty marks labourers whose records changed; call it in the same
// transaction as a change the callbacks cannot see (raw SQL).
func MarkDirty(tx *gorm.DB, labourerIDs ...int64) error {
	seen := make(map[int64]bool, len(labourerIDs))
	rows := make([]model.ReportDirty, 0, len(labourerIDs))
	for _, id := range labourerIDs {
		if id != 0 && !seen[id] {
			seen[id] = true
			rows = append(rows, model.ReportDirty{LabourerID: id})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Set(settingOff, true).CreateInBatches(rows, 500).Error
}

// MarkAll invalidates every pre-aggregated year: the next report rebuilds.
func MarkAll(tx *gorm.DB) error {
	return tx.Set(settingOff, true).Create(&model.ReportDirty{LabourerID: 0}).Error
}
