// Package scaletest runs 就业帮 as it runs on more than one machine: two
// `serve` and two `worker` processes of the real binary against MariaDB and a
// three-node Redis Cluster, with load through both API processes and one
// worker killed with -9 midway. It skips unless TEST_MYSQL_DSN and
// TEST_REDIS_CLUSTER_URL are set (make test's real pass sets both).
package scaletest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/returncase"
	"github.com/jiuyebang/jiuyebang/service/testenv"
	"github.com/jiuyebang/jiuyebang/service/wechat/wechattest"
)

const (
	workers   = 200 // labourers who report 失业返乡, wanting work
	clients   = 20  // concurrent HTTP clients
	backdated = 40  // cases moved 25 hours into the past, for the leader's sweeper to fire
	county    = "622926"
	appID     = "wxscaletest000001"
	appSecret = "scale-test-secret"
	tmplJobs  = "scale-tmpl-job-match"
)

// proc is one child process of the binary.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string // path of its combined output
	addr string // serve: host:port
	done chan struct{}
	err  error
}

func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func TestTwoServesTwoWorkers(t *testing.T) {
	base, clusterURL := os.Getenv("TEST_MYSQL_DSN"), os.Getenv("TEST_REDIS_CLUSTER_URL")
	if base == "" || clusterURL == "" {
		t.Skip("needs TEST_MYSQL_DSN and TEST_REDIS_CLUSTER_URL (scripts/services.sh start-cluster)")
	}
	ctx := context.Background()
	dir := t.TempDir()

	// The binary, as deployed.
	t0 := time.Now()
	bin := filepath.Join(dir, "jiuyebang")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built the binary in %s", time.Since(t0).Round(time.Millisecond))

	// A fresh schema.
	dsn, err := infra.MySQLDSN(base)
	testenv.Must(t, err)
	admin, err := infra.OpenDB(dsn, "", testenv.Logger())
	testenv.Must(t, err)
	schema := "t_scale_" + randHex(4)
	testenv.Must(t, admin.Exec("CREATE DATABASE `"+schema+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error)
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE `" + schema + "`")
		if s, err := admin.DB(); err == nil {
			s.Close()
		}
	})
	cfg, _ := mysql.ParseDSN(dsn)
	cfg.DBName = schema
	appDSN := cfg.FormatDSN()

	// The Cluster: only this test's lease key is touched (the queues are
	// shared with nothing else, and old tasks name events of other schemas).
	rdb, err := infra.OpenRedis(clusterURL, testenv.Logger())
	testenv.Must(t, err)
	defer rdb.Close()
	testenv.Must(t, rdb.Client.Del(ctx, infra.LeaderKey("scheduler")).Err())

	wx := wechattest.NewServer(appID, appSecret)
	defer wx.Close()

	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"APP_ENV=development", "DATABASE_URL=" + appDSN, "REDIS_URL=" + clusterURL,
		"JWT_KEY=" + key32(), "PII_KEY=" + key32(), "PII_INDEX_KEY=" + key32(),
		"WECHAT_APPID=" + appID, "WECHAT_SECRET=" + appSecret, "WECHAT_BASE_URL=" + wx.URL,
		"WECHAT_TEMPLATE_JOB_MATCH=" + tmplJobs, "WECHAT_TEMPLATE_CASE_UPDATE=scale-tmpl-case-update",
		"DEV_LOGIN=true", "SEED_DEMO=false", "IN_PROCESS_WORKER=false",
		"TRUSTED_PROXIES=127.0.0.1", "RATE_PER_MIN=100000", "SHUTDOWN_WAIT=5s", "LOG_LEVEL=info",
	}

	// Once per release, as compose's migrate service: tables, regions, demo accounts.
	t0 = time.Now()
	seed := exec.Command(bin, "seed", "demo")
	seed.Env = append(env, "DATA_DIR="+filepath.Join(dir, "seed"))
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed demo: %v\n%s", err, tail(string(out), 3000))
	}
	t.Logf("migrated and seeded in %s", time.Since(t0).Round(time.Millisecond))

	db, err := infra.OpenDB(appDSN, "", testenv.Logger())
	testenv.Must(t, err)
	defer func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	}()
	// Open jobs in the county, so every case's first matching round pushes.
	for i, title := range []string{"扶贫车间普工", "清真食品包装工"} {
		j := model.Job{ID: model.NewID(), EmployerID: 1, CountyCode: county, Title: title, Industry: "general_worker",
			Headcount: 500, WageMin: 3500 + 500*i, WageMax: 5000 + 500*i, PlaceCode: county, MinAge: 16, MaxAge: 60,
			Housing: true, Meals: true, ValidUntil: time.Now().Add(30 * 24 * time.Hour), Status: model.JobOpen}
		testenv.Must(t, db.Create(&j).Error)
	}
	var villages []string
	testenv.Must(t, db.Model(&model.Region{}).Where("level = ? AND code LIKE ?", model.LevelVillage, county+"%").
		Order("code").Limit(20).Pluck("code", &villages).Error)
	if len(villages) == 0 {
		t.Fatal("no villages in the demo county")
	}

	// Two serve and two worker processes.
	var procs []*proc
	start := func(name string, args ...string) *proc {
		p := &proc{name: name, log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
		e := append(append([]string{}, env...), "DATA_DIR="+filepath.Join(dir, name))
		if args[0] == "serve" {
			p.addr = freeAddr(t)
			e = append(e, "HTTP_ADDR="+p.addr)
		}
		f, err := os.Create(p.log)
		testenv.Must(t, err)
		p.cmd = exec.Command(bin, args...)
		p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = e, f, f
		testenv.Must(t, p.cmd.Start())
		go func() { p.err = p.cmd.Wait(); f.Close(); close(p.done) }()
		procs = append(procs, p)
		return p
	}
	defer func() {
		for _, p := range procs {
			if p.alive() {
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		}
		if t.Failed() {
			for _, p := range procs {
				b, _ := os.ReadFile(p.log)
				t.Logf("---- %s (last lines)\n%s", p.name, tail(string(b), 4000))
			}
		}
	}()
	serves := []*proc{start("serve-a", "serve"), start("serve-b", "serve")}
	wrk := []*proc{start("worker-1", "worker"), start("worker-2", "worker")}
	for _, s := range serves {
		waitFor(t, 60*time.Second, s.name+" ready", func() bool {
			if !s.alive() {
				t.Fatalf("%s exited: %v", s.name, s.err)
			}
			r, err := http.Get("http://" + s.addr + "/readyz")
			if err != nil {
				return false
			}
			r.Body.Close()
			return r.StatusCode == 200
		})
	}
	for _, w := range wrk {
		waitFor(t, 60*time.Second, w.name+" running", func() bool {
			if !w.alive() {
				t.Fatalf("%s exited: %v", w.name, w.err)
			}
			return logHas(w.log, `"worker running"`)
		})
	}
	holder := func() *proc {
		v, err := rdb.Client.Get(ctx, infra.LeaderKey("scheduler")).Result()
		if err != nil {
			return nil
		}
		parts := strings.Split(v, ":")
		if len(parts) < 3 {
			return nil
		}
		pid, _ := strconv.Atoi(parts[len(parts)-2])
		for _, p := range procs {
			if p.cmd.Process.Pid == pid {
				return p
			}
		}
		return nil
	}
	var firstLeader *proc
	waitFor(t, 30*time.Second, "a leader", func() bool { firstLeader = holder(); return firstLeader != nil })
	if firstLeader.cmd.Args[1] != "worker" {
		t.Fatalf("the lease is held by %s, which runs no background work", firstLeader.name)
	}

	// The demo admin through the dev login.
	c := &client{http: &http.Client{Timeout: 30 * time.Second}}
	var accs struct {
		Accounts []struct{ ID, Role string } `json:"accounts"`
	}
	c.call(t, serves[0].addr, "10.9.0.1", "GET", "/api/v1/auth/dev/accounts", "", nil, 200, &accs)
	var adminID string
	for _, a := range accs.Accounts {
		if a.Role == string(model.RoleAdmin) {
			adminID = a.ID
		}
	}
	var login struct {
		AccessToken string `json:"access_token"`
	}
	c.call(t, serves[1].addr, "10.9.0.1", "POST", "/api/v1/auth/dev/login", "", map[string]string{"account_id": adminID}, 200, &login)
	adminTok := login.AccessToken

	// Load: each worker is registered by the admin, logs in with WeChat,
	// binds, and reports 返乡, wanting work — alternating the two serves.
	var (
		next, finished atomic.Int64
		killed         *proc
		killOnce       sync.Once
		killedAt       int64
		errs           = make(chan error, workers)
		wg             sync.WaitGroup
	)
	loadStart := time.Now()
	for g := 0; g < clients; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= workers {
					return
				}
				if err := c.oneWorker(serves, i, adminTok, villages[i%len(villages)]); err != nil {
					errs <- fmt.Errorf("worker %d: %w", i, err)
					continue
				}
				if finished.Add(1) == workers/2 {
					// Midway: kill -9 the worker that holds the lease.
					killOnce.Do(func() {
						killed = holder()
						if killed == nil || killed.cmd.Args[1] != "worker" {
							killed = wrk[0]
						}
						killedAt = finished.Load()
						_ = killed.cmd.Process.Signal(syscall.SIGKILL)
					})
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	loadTime := time.Since(loadStart)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	if killed == nil {
		t.Fatal("no worker was killed")
	}
	<-killed.done
	var survivor *proc
	for _, w := range wrk {
		if w != killed {
			survivor = w
		}
	}

	// Every case opened and every event done, by the surviving worker
	// (tasks the killed one held come back when their asynq lease expires).
	var labIDs []int64
	testenv.Must(t, db.Model(&model.Labourer{}).Where("name LIKE ?", "返乡测试%").Pluck("id", &labIDs).Error)
	if len(labIDs) != workers {
		t.Fatalf("%d labourers, want %d", len(labIDs), workers)
	}
	drainStart := time.Now()
	waitFor(t, 5*time.Minute, "every case opened and every event done", func() bool {
		var cases, undone int64
		db.Model(&model.ReturnCase{}).Where("labourer_id IN ?", labIDs).Count(&cases)
		db.Model(&model.OutboxEvent{}).Where("done_at IS NULL").Count(&undone)
		return cases == workers && undone == 0
	})
	drain := time.Since(drainStart)

	// The leader's work: checkpoints that fell due while nobody scheduled
	// them are fired by the sweeper — on the new leader, once.
	var newLeader *proc
	waitFor(t, 60*time.Second, "a new leader", func() bool {
		newLeader = holder()
		return newLeader != nil && newLeader != killed
	})
	var caseIDs []int64
	testenv.Must(t, db.Model(&model.ReturnCase{}).Where("labourer_id IN ?", labIDs).Order("id").Pluck("id", &caseIDs).Error)
	past := time.Now().UTC().Add(-25 * time.Hour)
	testenv.Must(t, db.Model(&model.ReturnCase{}).Where("id IN ?", caseIDs[:backdated]).Updates(map[string]any{
		"opened_at": past, "due_at": past.Add(72 * time.Hour), "next_check_at": past.Add(24 * time.Hour)}).Error)
	sweepStart := time.Now()
	waitFor(t, 2*time.Minute, "the sweeper to fire the overdue checkpoints", func() bool {
		var n int64
		db.Model(&model.CaseAction{}).Where("case_id IN ? AND kind = ?", caseIDs, model.ActionCheckpoint24).Count(&n)
		return n == backdated
	})
	sweepWait := time.Since(sweepStart)
	time.Sleep(2 * time.Second) // a second sweep, if any, would show now

	// ---- the figures ----
	count := func(q *gorm.DB) int64 {
		t.Helper()
		var n int64
		testenv.Must(t, q.Count(&n).Error)
		return n
	}
	dupes := func(table, col, where string, args ...any) int64 {
		t.Helper()
		var n int64
		testenv.Must(t, db.Raw("SELECT COUNT(*) FROM (SELECT "+col+" FROM "+table+" WHERE "+where+" GROUP BY "+col+
			" HAVING COUNT(*) > 1) d", args...).Scan(&n).Error)
		return n
	}
	returns := count(db.Model(&model.ReturnEvent{}).Where("labourer_id IN ? AND wants_work", labIDs))
	cases := count(db.Model(&model.ReturnCase{}).Where("labourer_id IN ?", labIDs))
	dupCases := dupes("return_cases", "labourer_id", "labourer_id IN ?", labIDs)
	dupReturnCases := dupes("return_cases", "return_event_id", "labourer_id IN ?", labIDs)
	opened := count(db.Model(&model.CaseAction{}).Where("case_id IN ? AND kind = ?", caseIDs, model.ActionOpened))
	dupOpened := dupes("case_actions", "case_id", "case_id IN ? AND kind = ?", caseIDs, model.ActionOpened)
	cp24 := count(db.Model(&model.CaseAction{}).Where("case_id IN ? AND kind = ?", caseIDs, model.ActionCheckpoint24))
	dupCP := dupes("case_actions", "case_id", "case_id IN ? AND kind = ?", caseIDs, model.ActionCheckpoint24)
	scheduledEvents := count(db.Model(&model.OutboxEvent{}).Where("kind = ?", model.EventCaseScheduled))
	dupScheduledEvents := dupes("outbox_events", "aggregate_id", "kind = ?", model.EventCaseScheduled)
	messages := count(db.Model(&model.Message{}).Where("labourer_id IN ?", labIDs))
	dupMessages := dupes("messages", "dedupe_key", "labourer_id IN ?", labIDs)
	pushEvents := count(db.Model(&model.OutboxEvent{}).Where("kind = ?", model.EventPushRequested))
	var byState []struct {
		Channel, State string
		N              int64
	}
	testenv.Must(t, db.Model(&model.Delivery{}).Select("channel, state, COUNT(*) AS n").Where("labourer_id IN ?", labIDs).
		Group("channel, state").Order("channel, state").Scan(&byState).Error)
	retried := count(db.Model(&model.Delivery{}).Where("labourer_id IN ? AND attempts > 1", labIDs))
	var byKind []struct {
		Kind            string
		N, Done, Swept  int64
		MaxAttemptsSeen int64
	}
	testenv.Must(t, db.Model(&model.OutboxEvent{}).Select("kind, COUNT(*) AS n, SUM(done_at IS NOT NULL) AS done, "+
		"SUM(attempts > 0) AS swept, MAX(attempts) AS max_attempts_seen").Group("kind").Order("kind").Scan(&byKind).Error)
	undone := count(db.Model(&model.OutboxEvent{}).Where("done_at IS NULL"))

	// Each case's checkpoint task is in the cases queue once, under its
	// deterministic id; no outbox task of this run was archived.
	insp := asynq.NewInspector(rdb.Asynq)
	defer insp.Close()
	inQueue := 0
	for _, id := range caseIDs {
		if info, err := insp.GetTaskInfo(returncase.Queue, returncase.TaskID(id, 24)); err == nil && info.State == asynq.TaskStateScheduled {
			inQueue++
		}
	}
	var evIDs []int64
	testenv.Must(t, db.Model(&model.OutboxEvent{}).Pluck("id", &evIDs).Error)
	ours := map[string]bool{}
	for _, id := range evIDs {
		ours[outbox.TaskID(id)] = true
	}
	archived := 0
	for page := 1; ; page++ {
		ts, err := insp.ListArchivedTasks(outbox.DefaultQueue, asynq.Page(page), asynq.PageSize(500))
		if err != nil || len(ts) == 0 {
			break
		}
		for _, ti := range ts {
			if ours[ti.ID] {
				archived++
			}
		}
	}

	// WeChat: one job-match message per worker, none twice.
	sent := wx.Sent()
	perUser := map[string]int{}
	for _, m := range sent {
		if m.TemplateID == tmplJobs {
			perUser[m.ToUser]++
		}
	}
	sentTwice := 0
	for _, n := range perUser {
		if n > 1 {
			sentTwice++
		}
	}

	// Who fired the overdue checkpoints (the sweeper logs what it fired).
	firedBy := map[string]int{}
	for _, p := range procs {
		firedBy[p.name] = sumLogField(p.log, "case sweeper fired checkpoints", "fired")
	}

	t.Logf("processes: serve-a %s, serve-b %s, worker-1 pid %d, worker-2 pid %d; Redis Cluster %s; schema %s",
		serves[0].addr, serves[1].addr, wrk[0].cmd.Process.Pid, wrk[1].cmd.Process.Pid, clusterURL, schema)
	t.Logf("load: %d workers × 6 calls (register, WeChat login, bind, subscribe, SMS consent, report) through %d clients in %s = %.0f calls/s; "+
		"requests serve-a %d, serve-b %d; HTTP errors 0",
		workers, clients, loadTime.Round(time.Millisecond), float64(6*workers+2)/loadTime.Seconds(), c.perAddr(serves[0].addr), c.perAddr(serves[1].addr))
	t.Logf("kill -9: %s (pid %d, the lease holder: %v) after %d of %d reports; %s carried on; everything done %s after the load ended",
		killed.name, killed.cmd.Process.Pid, killed == firstLeader, killedAt, workers, survivor.name, drain.Round(time.Millisecond))
	t.Logf("leader: first %s, after the kill %s", firstLeader.name, newLeader.name)
	t.Logf("returns wanting work %d; cases opened %d (duplicates per labourer %d, per return %d); 'opened' actions %d (duplicates %d)",
		returns, cases, dupCases, dupReturnCases, opened, dupOpened)
	t.Logf("checkpoints: case.scheduled events %d (duplicates %d); 24 h tasks waiting in the %q queue %d of %d cases",
		scheduledEvents, dupScheduledEvents, returncase.Queue, inQueue, cases)
	t.Logf("overdue checkpoints: %d cases moved 25 h back; 24 h checkpoints fired %d (duplicates %d) in %s; fired by %v",
		backdated, cp24, dupCP, sweepWait.Round(time.Millisecond), firedBy)
	t.Logf("pushes: messages %d (duplicate dedupe keys %d); push.requested events %d; deliveries %v; retried deliveries %d; "+
		"WeChat job-match sends %d to %d workers (sent twice %d)",
		messages, dupMessages, pushEvents, byState, retried, len(sent), len(perUser), sentTwice)
	for _, k := range byKind {
		t.Logf("outbox %-16s %4d events, %4d done, %d swept again (max attempts %d)", k.Kind, k.N, k.Done, k.Swept, k.MaxAttemptsSeen)
	}
	t.Logf("outbox events left undone %d; outbox tasks of this run archived %d", undone, archived)

	check := func(ok bool, format string, args ...any) {
		t.Helper()
		if !ok {
			t.Errorf(format, args...)
		}
	}
	check(returns == workers, "returns %d, want %d", returns, workers)
	check(cases == workers && dupCases == 0 && dupReturnCases == 0, "cases %d (dupes %d/%d), want %d once each", cases, dupCases, dupReturnCases, workers)
	check(opened == cases && dupOpened == 0, "opened actions %d (dupes %d), want %d", opened, dupOpened, cases)
	check(scheduledEvents == cases && dupScheduledEvents == 0, "case.scheduled events %d (dupes %d), want %d", scheduledEvents, dupScheduledEvents, cases)
	check(int64(inQueue) == cases, "checkpoint tasks waiting %d, want %d", inQueue, cases)
	check(cp24 == backdated && dupCP == 0, "24 h checkpoints fired %d (dupes %d), want %d", cp24, dupCP, backdated)
	total := 0
	for name, n := range firedBy {
		total += n
		check(n == 0 || name == newLeader.name, "%s fired %d checkpoints but the leader is %s", name, n, newLeader.name)
	}
	check(total == backdated, "sweepers report %d fired, want %d", total, backdated)
	check(messages >= cases && dupMessages == 0, "messages %d (duplicate keys %d), want at least one per case", messages, dupMessages)
	check(pushEvents == cases, "push.requested events %d, want %d", pushEvents, cases)
	// A WeChat send cannot share the database transaction that records it:
	// a worker killed after WeChat accepted a message and before its commit
	// leaves the delivery pending, and the retry sends it again. So a message
	// may go twice only if its delivery was retried after the kill.
	check(len(perUser) == workers, "WeChat job-match sends reached %d workers, want %d", len(perUser), workers)
	check(int64(sentTwice) <= retried, "%d WeChat messages sent twice but only %d deliveries were retried", sentTwice, retried)
	if sentTwice > 0 {
		t.Logf("note: %d WeChat message(s) sent twice — the send the killed worker made before its transaction committed (at-least-once delivery to WeChat)", sentTwice)
	}
	check(undone == 0, "%d outbox events left undone", undone)
	check(archived == 0, "%d outbox tasks archived", archived)

	// Graceful stop: the lease is given up, nothing is left running.
	for _, p := range procs {
		if p.alive() {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, p := range procs {
		select {
		case <-p.done:
			if p != killed && p.err != nil {
				t.Errorf("%s exited with %v", p.name, p.err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("%s did not stop on SIGTERM", p.name)
		}
	}
	if n := rdb.Client.Exists(ctx, infra.LeaderKey("scheduler")).Val(); n != 0 {
		t.Error("the lease was not given up on shutdown")
	}
}

// client talks to the serves and counts requests per serve.
type client struct {
	http *http.Client
	mu   sync.Mutex
	n    map[string]int
}

func (c *client) perAddr(addr string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[addr]
}

func (c *client) do(addr, ip, method, path, token string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+addr+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	// Behind a balancer (TRUSTED_PROXIES=127.0.0.1): each worker has an IP
	// of its own, as in the field, so per-IP limits apply per worker.
	req.Header.Set("X-Forwarded-For", ip)
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[addr]++
	c.mu.Unlock()
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s %s via %s: %d %s", method, path, addr, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func (c *client) call(t *testing.T, addr, ip, method, path, token string, body any, want int, out any) {
	t.Helper()
	if err := c.do(addr, ip, method, path, token, body, want, out); err != nil {
		t.Fatal(err)
	}
}

// oneWorker registers labourer i, logs them in with WeChat, binds and
// reports their return, spreading the calls over both serves.
func (c *client) oneWorker(serves []*proc, i int, adminTok, village string) error {
	at := func(k int) string { return serves[(i+k)%len(serves)].addr }
	ip := fmt.Sprintf("10.%d.%d.%d", 1+i/65536, (i/256)%256, i%256)
	first := county + time.Date(1975, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*37).Format("20060102") + fmt.Sprintf("%03d", i%1000)
	idn := first + string(pii.IDCheckChar(first))
	name := fmt.Sprintf("返乡测试%d", i)
	phone := fmt.Sprintf("138%08d", 20000000+i)
	var lab struct {
		ID string `json:"id"`
	}
	if err := c.do(at(0), "10.250.0.1", "POST", "/api/v1/labourers", adminTok, map[string]any{
		"name": name, "id_number": idn, "phone": phone, "village_code": village, "ethnicity": "汉族", "address": "村里",
		"labour_capacity": "ordinary", "skill_level": "none", "education": "junior_high", "category": "lifted", "state": "normal",
	}, 201, &lab); err != nil {
		return err
	}
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.do(at(1), ip, "POST", "/api/v1/auth/wechat/login", "", map[string]string{"code": fmt.Sprintf("ok-scale%d", i)}, 200, &login); err != nil {
		return err
	}
	var bound struct {
		Status string `json:"status"`
	}
	if err := c.do(at(0), ip, "POST", "/api/v1/me/bind", login.AccessToken, map[string]string{"name": name, "id_number": idn, "phone": phone}, 200, &bound); err != nil {
		return err
	}
	if bound.Status != "bound" {
		return fmt.Errorf("bind: %s", bound.Status)
	}
	// One accepted job-match subscription (so the match is pushed by WeChat)
	// and SMS consent (the fallback stands by).
	if err := c.do(at(1), ip, "POST", "/api/v1/me/subscriptions", login.AccessToken, map[string]any{"results": map[string]string{tmplJobs: "accept"}}, 200, nil); err != nil {
		return err
	}
	if err := c.do(at(0), ip, "PUT", "/api/v1/me/sms-consent", login.AccessToken, map[string]any{"consented": true}, 200, nil); err != nil {
		return err
	}
	return c.do(at(1), ip, "POST", "/api/v1/me/reports", login.AccessToken, map[string]any{"kind": "returned", "wants_work": true}, 201, nil)
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func logHas(path, s string) bool {
	b, _ := os.ReadFile(path)
	return bytes.Contains(b, []byte(s))
}

// sumLogField adds up a numeric field of the JSON log lines whose msg is msg.
func sumLogField(path, msg, field string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	total := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil || !strings.HasPrefix(fmt.Sprint(m["msg"]), msg) {
			continue
		}
		if v, ok := m[field].(float64); ok {
			total += int(v)
		}
	}
	return total
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func key32() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
