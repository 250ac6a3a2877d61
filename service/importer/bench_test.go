package importer

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// BenchmarkImport imports a generated registry of IMPORT_BENCH_ROWS
// labourers (default 100,000; seed 000's Gansu total is 1,750,000) with
// valid 身份证 numbers over every real Gansu village, then imports it again
// (every row unchanged), and prints rows per second and peak memory beside
// MariaDB's own LOAD DATA LOCAL INFILE of the same rows into a bare table.
// Run it once: go test -run '^$' -bench Import -benchtime 1x ./service/importer/
func BenchmarkImport(b *testing.B) {
	n := 100000
	if v := os.Getenv("IMPORT_BENCH_ROWS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("IMPORT_BENCH_ROWS=%q", v)
		}
	}
	villages := gansuVillages()
	dir := b.TempDir()
	dialect := infra.Dialect(te.db)
	for i := 0; i < b.N; i++ {
		path := filepath.Join(dir, fmt.Sprintf("registry-%d.csv", i))
		size := writeRegistry(b, path, n, i, villages)
		fmt.Printf("generated %d rows over %d Gansu villages: %.1f MB CSV (%s)\n", n, len(villages), float64(size)/(1<<20), dialect)

		svc := New(te.db, te.box, te.registry, te.regions, Options{MaxUpload: 2 << 30, TmpDir: dir, Logger: testenv.Logger()})
		peak := watchHeap()
		b.ResetTimer()
		start := time.Now()
		f, err := os.Open(path)
		testenv.Must(b, err)
		job, err := svc.Upload(admin(), "registry.csv", f)
		f.Close()
		testenv.Must(b, err)
		upload := time.Since(start)
		start = time.Now()
		testenv.Must(b, svc.Run(admin(), job.ID))
		first := time.Since(start)
		b.StopTimer()
		done, _ := svc.Get(admin(), job.ID)
		if done.Created != n || done.Bad != 0 {
			b.Fatalf("import: %s %q", tallyOf(done), done.Message)
		}

		again, err := os.Open(path)
		testenv.Must(b, err)
		job2, err := svc.Upload(admin(), "registry.csv", again)
		again.Close()
		testenv.Must(b, err)
		start = time.Now()
		testenv.Must(b, svc.Run(admin(), job2.ID))
		second := time.Since(start)
		done2, _ := svc.Get(admin(), job2.ID)
		if done2.Unchanged != n {
			b.Fatalf("re-import: %s", tallyOf(done2))
		}
		heapPeak := peak()

		rate := float64(n) / first.Seconds()
		fmt.Printf("upload into 1 MiB chunks: %.1f s (%.0f MB/s)\n", upload.Seconds(), float64(size)/(1<<20)/upload.Seconds())
		fmt.Printf("import (new rows):        %d rows in %.1f s = %.0f rows/s  (aim ≥ 10,000)\n", n, first.Seconds(), rate)
		fmt.Printf("re-import (all unchanged): %d rows in %.1f s = %.0f rows/s\n", n, second.Seconds(), float64(n)/second.Seconds())
		b.ReportMetric(rate, "rows/s")
		b.ReportMetric(float64(n)/second.Seconds(), "reimport_rows/s")
		if dialect == infra.DialectMySQL {
			ld := loadData(b, path, n)
			fmt.Printf("MariaDB LOAD DATA LOCAL INFILE, bare table, same rows: %.1f s = %.0f rows/s (import is %.1f%% of it)\n",
				ld.Seconds(), float64(n)/ld.Seconds(), 100*rate/(float64(n)/ld.Seconds()))
			b.ReportMetric(float64(n)/ld.Seconds(), "loaddata_rows/s")
		}
		hwm := vmHWM()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("peak RSS (VmHWM, whole test process): %.0f MB  (aim ≤ 512)\n", float64(hwm)/(1<<20))
		fmt.Printf("Go heap in use, peak while importing: %.0f MB; heap from OS: %.0f MB; allocated in total: %.0f MB\n",
			float64(heapPeak)/(1<<20), float64(ms.HeapSys)/(1<<20), float64(ms.TotalAlloc)/(1<<20))
		b.ReportMetric(float64(hwm)/(1<<20), "peakRSS_MB")
		b.StartTimer()
	}
}

// gansuVillages lists every village code of Gansu.
func gansuVillages() []string {
	var out []string
	var walk func(code string)
	walk = func(code string) {
		for _, c := range te.regions.Children(code) {
			if c.Level == model.LevelVillage {
				out = append(out, c.Code)
				continue
			}
			walk(c.Code)
		}
	}
	walk("62")
	return out
}

var surnames = []rune("马王李张刘陈杨赵黄周吴徐孙胡朱高林何郭罗")
var given = []rune("明华强军平辉芳娟敏静丽艳勇杰涛超秀英兰海")

// writeRegistry writes n labourers, three to a household, a fifth with a
// current job; the run number keeps each run's 身份证 numbers apart.
func writeRegistry(b *testing.B, path string, n, run int, villages []string) int64 {
	f, err := os.Create(path)
	testenv.Must(b, err)
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	testenv.Must(b, w.Write(Header()))
	base := time.Date(1966, 1, 1, 0, 0, 0, 0, time.UTC)
	row := make([]string, numCols)
	var head string
	for k := 0; k < n; k++ {
		v := villages[(k/3)%len(villages)]
		serial := k + run*n
		birth := base.AddDate(0, 0, (serial/1000)%13000)
		id := idFor(v[:6], birth.Format("20060102"), serial%1000)
		name := string(surnames[k%len(surnames)]) + string(given[(k/7)%len(given)]) + string(given[(k/3)%len(given)])
		if k%3 == 0 {
			head = name
		}
		for i := range row {
			row[i] = ""
		}
		row[cName], row[cID], row[cPhone], row[cVillage] = name, id, fmt.Sprintf("13%09d", serial%1e9), v
		row[cEthnicity], row[cHeadName], row[cHouseholdNo] = "汉族", head, v+strconv.Itoa(k/3)
		row[cAddress], row[cCapacity], row[cSkill], row[cTwoAfter] = "某村"+strconv.Itoa(k%9+1)+"社", "普通劳动力", "无", "否"
		row[cEducation], row[cState], row[cCategory] = "初中", "正常", "脱贫人口"
		row[cRelocated], row[cZeroEmployment], row[cYulu] = "否", "否", "否"
		if k%5 == 0 {
			row[cPlace], row[cForm], row[cEmployer], row[cStart] = "440305", "单位就业", "某电子有限公司", "2024-03"
			row[cWage], row[cIndustry] = "5200", "普工"
		}
		testenv.Must(b, w.Write(row))
	}
	w.Flush()
	testenv.Must(b, w.Error())
	testenv.Must(b, bw.Flush())
	st, _ := f.Stat()
	testenv.Must(b, f.Close())
	return st.Size()
}

// watchHeap samples the Go heap until the returned function is called.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(stop); return peak.Load() }
}

// vmHWM is the process's peak resident set size in bytes (Linux).
func vmHWM() uint64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// loadData times MariaDB's LOAD DATA LOCAL INFILE of the same file into a
// bare table: the machine's ceiling for getting these rows into the server.
// Local files are allowed for this one path, in the benchmark only.
func loadData(b *testing.B, path string, n int) time.Duration {
	mysql.RegisterLocalFile(path)
	defer mysql.DeregisterLocalFile(path)
	ctx := context.Background()
	db := te.db.WithContext(ctx)
	cols := make([]string, numCols)
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d VARCHAR(64)", i)
	}
	testenv.Must(b, db.Exec("DROP TABLE IF EXISTS bench_load").Error)
	testenv.Must(b, db.Exec("CREATE TABLE bench_load ("+strings.Join(cols, ", ")+") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4").Error)
	start := time.Now()
	res := db.Exec("LOAD DATA LOCAL INFILE '" + path + "' INTO TABLE bench_load CHARACTER SET utf8mb4 " +
		"FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\n' IGNORE 1 LINES")
	d := time.Since(start)
	testenv.Must(b, res.Error)
	if res.RowsAffected != int64(n) {
		b.Fatalf("LOAD DATA loaded %d rows, want %d", res.RowsAffected, n)
	}
	testenv.Must(b, db.Exec("DROP TABLE bench_load").Error)
	return d
}
