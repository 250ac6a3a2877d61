package synth_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/synth"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

var now = time.Date(2020, 8, 25, 2, 0, 0, 0, time.UTC)

func setup(t *testing.T) (*gorm.DB, *region.Service, *pii.Box) {
	t.Helper()
	db := testenv.DB(t)
	rs := region.New(db)
	ctx := context.Background()
	if _, err := rs.SeedCountry(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.SeedGansu(ctx); err != nil {
		t.Fatal(err)
	}
	box, err := pii.New(make([]byte, 32), []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return db, rs, box
}

// fingerprint is the population's content without row ids: each labourer's
// 身份证, name, village and dated history, sorted.
func fingerprint(t *testing.T, db *gorm.DB, box *pii.Box) []string {
	t.Helper()
	var labs []model.Labourer
	if err := db.Find(&labs).Error; err != nil {
		t.Fatal(err)
	}
	var spells []model.EmploymentSpell
	db.Find(&spells)
	var rets []model.ReturnEvent
	db.Find(&rets)
	var plans []model.OutingPlan
	db.Find(&plans)
	hist := map[int64][]string{}
	for _, s := range spells {
		end := "open"
		if s.EndDate != nil {
			end = s.EndDate.Format("2006-01-02")
		}
		hist[s.LabourerID] = append(hist[s.LabourerID], fmt.Sprintf("S%s~%s@%s/%s/%d/%v/%v", s.StartDate.Format("2006-01-02"), end,
			s.PlaceCode, s.PlaceScope, s.MonthlyWage, s.Verified, s.JobID != nil))
	}
	for _, r := range rets {
		hist[r.LabourerID] = append(hist[r.LabourerID], fmt.Sprintf("R%s/%v", r.ReturnDate.Format("2006-01-02"), r.WantsWork))
	}
	for _, p := range plans {
		hist[p.LabourerID] = append(hist[p.LabourerID], fmt.Sprintf("P%s/%v", p.CreatedAt.UTC().Format("2006-01-02"), p.HasPlan))
	}
	var out []string
	for _, l := range labs {
		id, err := box.Open("labourers", "id_number", l.ID, l.IDNumberEnc)
		if err != nil {
			t.Fatalf("sealed id does not open: %v", err)
		}
		if p := pii.CheckID(id, now); p != "" {
			t.Fatalf("invalid 身份证 %s: %s", id, p)
		}
		if l.IDNumberHash != box.Index("id", id) || l.IDMasked != pii.MaskID(id) || id[:6] != l.CountyCode {
			t.Fatalf("labourer %s: index, mask or county wrong", l.Name)
		}
		phone, err := box.Open("labourers", "phone", l.ID, l.PhoneEnc)
		if err != nil || !pii.ValidPhone(phone) {
			t.Fatalf("phone %q: %v", phone, err)
		}
		h := hist[l.ID]
		sort.Strings(h)
		out = append(out, fmt.Sprint(id, l.Name, l.VillageCode, h))
	}
	sort.Strings(out)
	return out
}

// TestDeterministic: the same seed, size and year give the same population
// in another database; another seed gives another one.
func TestDeterministic(t *testing.T) {
	run := func(seed uint64) ([]string, *synth.Stats) {
		db, rs, box := setup(t)
		st, err := synth.New(db, box, rs).Run(context.Background(), synth.Options{Labourers: 500, Seed: seed, Year: 2020,
			Now: func() time.Time { return now }, Chunk: 37, Writers: 1})
		if err != nil {
			t.Fatal(err)
		}
		return fingerprint(t, db, box), st
	}
	a, st := run(42)
	b, _ := run(42)
	c, _ := run(43)
	if len(a) != 500 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("the same seed gave different populations")
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("another seed gave the same population")
	}
	if st.Households == 0 || st.Spells < 300 || st.Returns == 0 || st.Plans == 0 || st.Jobs == 0 || st.RowsPerSecond() <= 0 {
		t.Fatalf("thin population: %+v", st)
	}
}

// TestCountyProportions: counties get labourers in seed 000's proportions,
// every labourer lives in a real village of their household.
func TestCountyProportions(t *testing.T) {
	db, rs, box := setup(t)
	const n = 3000
	if _, err := synth.New(db, box, rs).Run(context.Background(), synth.Options{Labourers: n, Seed: 1, Year: 2020,
		Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		CountyCode string
		N          int
	}
	db.Model(&model.Labourer{}).Select("county_code, COUNT(*) AS n").Group("county_code").Scan(&rows)
	got := map[string]int{}
	total := 0
	for _, r := range rows {
		got[r.CountyCode] = r.N
		total += r.N
	}
	// seed 000: 武都区 48,086 and 礼县 45,716 of 1,711,XXX in the table's counties; 阿克塞县 55.
	if total != n || got["621202"] < 70 || got["621226"] < 65 || got["620924"] > 2 {
		t.Fatalf("counties: total %d, 武都区 %d, 礼县 %d, 阿克塞县 %d", total, got["621202"], got["621226"], got["620924"])
	}
	var bad int64
	db.Table("labourers l").Joins("JOIN households h ON h.id = l.household_id").
		Where("h.village_code <> l.village_code").Count(&bad)
	if bad != 0 {
		t.Fatalf("%d labourers outside their household's village", bad)
	}
	var villages int64
	db.Table("labourers l").Joins("JOIN regions r ON r.code = l.village_code AND r.level = ?", model.LevelVillage).Count(&villages)
	if villages != n {
		t.Fatalf("%d of %d labourers in a real village", villages, n)
	}
}
