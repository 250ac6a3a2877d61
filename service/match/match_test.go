package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// worker35 is a 35-year-old ordinary labourer of 东乡县 who plans factory work
// at 3,500 yuan.
func worker35() Profile {
	return Profile{LabourerID: 1, BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), Capacity: "ordinary", Skill: "none",
		HomeCode: "622926100201", PlanJob: "工厂普工", ExpectedWage: 3500}
}

func openJob() Job {
	return Job{ID: 100, Title: "普工", Industry: "general_worker", PlaceCode: "622926", WageMin: 3600, WageMax: 5000,
		MinAge: 18, MaxAge: 50, Headcount: 3, Filled: 0, ValidUntil: now.Add(24 * time.Hour), Open: true}
}

func TestHardLimitsBothWays(t *testing.T) {
	w := worker35()
	cases := []struct {
		name   string
		mutJob func(*Job)
		mutW   func(*Profile)
		ok     bool
		reject string
	}{
		{"eligible", nil, nil, true, ""},
		{"age at the lower bound", func(j *Job) { j.MinAge = 35 }, nil, true, ""},
		{"age at the upper bound", func(j *Job) { j.MaxAge = 35 }, nil, true, ""},
		{"too young", func(j *Job) { j.MinAge = 36 }, nil, false, "age"},
		{"too old", func(j *Job) { j.MaxAge = 34 }, nil, false, "age"},
		{"capacity accepted", func(j *Job) { j.Capacities = []string{"ordinary", "weak"} }, nil, true, ""},
		{"capacity refused", func(j *Job) { j.Capacities = []string{"skilled"} }, nil, false, "capacity"},
		{"skill equal", func(j *Job) { j.MinSkill = "junior" }, func(p *Profile) { p.Skill = "junior" }, true, ""},
		{"skill higher", func(j *Job) { j.MinSkill = "junior" }, func(p *Profile) { p.Skill = "senior" }, true, ""},
		{"skill too low", func(j *Job) { j.MinSkill = "intermediate" }, func(p *Profile) { p.Skill = "junior" }, false, "skill"},
		{"one place left", func(j *Job) { j.Filled = 2 }, nil, true, ""},
		{"full", func(j *Job) { j.Filled = 3 }, nil, false, "job_full"},
		{"valid until now", func(j *Job) { j.ValidUntil = now }, nil, true, ""},
		{"expired", func(j *Job) { j.ValidUntil = now.Add(-time.Second) }, nil, false, "job_expired"},
		{"not open", func(j *Job) { j.Open = false }, nil, false, "job_not_open"},
	}
	for _, c := range cases {
		j, p := openJob(), w
		if c.mutJob != nil {
			c.mutJob(&j)
		}
		if c.mutW != nil {
			c.mutW(&p)
		}
		m, ok := Score(p, j, now, nil)
		rej := Check(p, j, now)
		if ok != c.ok || (len(rej) == 0) != c.ok {
			t.Errorf("%s: Score ok=%v, Check %v; want ok=%v", c.name, ok, rej, c.ok)
			continue
		}
		if !ok && rej[0].Code != c.reject {
			t.Errorf("%s: rejected for %v, want %s", c.name, rej, c.reject)
		}
		if ok && len(m.Reasons) == 0 {
			t.Errorf("%s: no reasons", c.name)
		}
		// The index agrees with Score.
		x := NewIndex()
		x.Replace([]Job{j}, now)
		got := x.Search(p, now, Options{Wide: true}, nil)
		if (len(got) == 1) != ok || (ok && got[0].Score != m.Score) {
			t.Errorf("%s: index found %v, Score %v/%v", c.name, got, m, ok)
		}
	}
}

func TestReasonsAndOrder(t *testing.T) {
	w := worker35()
	w.ZeroEmployment, w.Monitored = true, true
	w.DestCode = "1201" // plans to go to 天津
	names := map[string]string{"622926": "东乡族自治县", "6229": "临夏回族自治州", "62": "甘肃省", "1201": "天津市", "12": "天津市"}
	namer := func(c string) string { return names[c] }
	jobs := []Job{
		openJob(), // same county, right trade, wage ok
		{ID: 101, Title: "保安", Industry: "sanitation", PlaceCode: "620102", WageMin: 3000, WageMax: 3800, Headcount: 1,
			ValidUntil: now.Add(time.Hour), Open: true}, // same province, wage maybe
		{ID: 102, Title: "电子厂普工", Industry: "general_worker", PlaceCode: "120101", WageMin: 5000, WageMax: 6000, Headcount: 9,
			ValidUntil: now.Add(time.Hour), Open: true, Housing: true, Meals: true, Transport: true}, // plan destination
		{ID: 103, Title: "普工", Industry: "general_worker", PlaceCode: "370102", WageMin: 4000, WageMax: 4500, Headcount: 9,
			ValidUntil: now.Add(time.Hour), Open: true}, // 山东: partner area
		{ID: 104, Title: "普工", Industry: "general_worker", PlaceCode: "110101", WageMin: 4000, WageMax: 4500, Headcount: 9,
			ValidUntil: now.Add(time.Hour), Open: true}, // 北京: only in a wide search
	}
	x := NewIndex()
	x.Replace(jobs, now)
	narrow := x.Search(w, now, Options{N: 10}, namer)
	if len(narrow) != 4 {
		t.Fatalf("narrow search found %d, want 4 (no 北京)", len(narrow))
	}
	if narrow[0].JobID != 102 {
		t.Fatalf("best %d, want the plan destination", narrow[0].JobID)
	}
	labels := map[int64]string{}
	for _, m := range narrow {
		var ls []string
		for _, r := range m.Reasons {
			ls = append(ls, r.Label)
		}
		labels[m.JobID] = strings.Join(ls, "、")
		t.Logf("job %d score %d: %s", m.JobID, m.Score, labels[m.JobID])
	}
	for id, want := range map[int64][]string{
		100: {"同县（东乡族自治县）", "工种相符（普工）", "工资≥期望", "劳动能力适合", "重点群体优先（零就业家庭、监测对象）"},
		101: {"同省（甘肃省）", "工资可达期望"},
		102: {"在意向务工地（天津市）", "包吃住", "点对点输送"},
		103: {"东西部协作地区"},
	} {
		for _, w := range want {
			if !strings.Contains(labels[id], w) {
				t.Errorf("job %d reasons %q lack %q", id, labels[id], w)
			}
		}
	}
	wide := x.Search(w, now, Options{N: 10, Wide: true}, namer)
	if len(wide) != 5 {
		t.Fatalf("wide search found %d", len(wide))
	}
	if got := x.Search(w, now, Options{N: 2, Wide: true}, nil); len(got) != 2 || got[0].Score < got[1].Score {
		t.Fatalf("top 2: %v", got)
	}
	if got := x.Search(w, now, Options{N: 10, Wide: true, Exclude: map[int64]bool{102: true}}, nil); len(got) != 4 {
		t.Fatalf("exclude: %v", got)
	}
	x.Remove(102)
	x.Upsert(Job{ID: 100, Open: false})
	if x.Len() != 3 {
		t.Fatalf("len after remove %d", x.Len())
	}
}

func TestPlanIndustry(t *testing.T) {
	for in, want := range map[string]string{"电焊工": "technician", "去工厂上班": "general_worker", "保洁": "sanitation",
		"家政服务": "domestic", "随便": "", "construction": "construction"} {
		if got := PlanIndustry(in); got != want {
			t.Errorf("PlanIndustry(%q) = %q, want %q", in, got, want)
		}
	}
}

// synthJobs makes n open jobs spread over Gansu, its partners and the rest of China.
func synthJobs(n int) []Job {
	r := rand.New(rand.NewPCG(1, 2))
	provs := []string{"62", "62", "62", "12", "37", "11", "31", "44", "32", "33"}
	inds := []string{"general_worker", "construction", "service", "technician", "domestic", "sanitation", "planting"}
	caps := [][]string{nil, nil, {"ordinary", "skilled"}, {"weak"}}
	skills := []string{"", "", "", "junior", "intermediate"}
	jobs := make([]Job, n)
	for i := range jobs {
		p := provs[r.IntN(len(provs))]
		place := fmt.Sprintf("%s%02d%02d", p, 1+r.IntN(12), 1+r.IntN(20))
		w := 2500 + r.IntN(60)*100
		jobs[i] = Job{ID: int64(i + 1), Title: "岗位", Industry: inds[r.IntN(len(inds))], PlaceCode: place, WageMin: w, WageMax: w + 1500,
			MinAge: 16 + r.IntN(3), MaxAge: 45 + r.IntN(16), Capacities: caps[r.IntN(len(caps))], MinSkill: skills[r.IntN(len(skills))],
			Headcount: 1 + r.IntN(50), Filled: 0, ValidUntil: now.Add(time.Duration(r.IntN(90)+1) * 24 * time.Hour), Open: true,
			Housing: r.IntN(2) == 0, Meals: r.IntN(2) == 0, Transport: r.IntN(4) == 0}
	}
	return jobs
}

// BenchmarkMatch100k matches one returnee against 100,000 open jobs (aim ≤ 10 ms).
func BenchmarkMatch100k(b *testing.B) {
	x := NewIndex()
	x.Replace(synthJobs(100_000), now)
	w := worker35()
	w.DestCode = "12"
	for _, wide := range []bool{false, true} {
		b.Run(map[bool]string{false: "first_round", true: "wide"}[wide], func(b *testing.B) {
			var found int
			b.ReportAllocs()
			for b.Loop() {
				found = len(x.Search(w, now, Options{N: 10, Wide: wide}, nil))
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000, "ms/match")
			if found != 10 {
				b.Fatalf("found %d", found)
			}
			b.Logf("one returnee × 100,000 open jobs: %v per match (aim ≤ 10 ms)", per)
		})
	}
}
