package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/auth"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/importer"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/jobs"
	"github.com/jiuyebang/jiuyebang/service/kpi"
	"github.com/jiuyebang/jiuyebang/service/lists"
	"github.com/jiuyebang/jiuyebang/service/payment"
	"github.com/jiuyebang/jiuyebang/service/push"
	"github.com/jiuyebang/jiuyebang/service/registry"
	"github.com/jiuyebang/jiuyebang/service/report"
	"github.com/jiuyebang/jiuyebang/service/returncase"
	"github.com/jiuyebang/jiuyebang/service/status"
	"github.com/jiuyebang/jiuyebang/service/subsidy"
	"github.com/jiuyebang/jiuyebang/service/verify"
)

// Regions is what the API needs from the region service.
type Regions interface {
	Get(code string) (model.Region, bool)
	Children(parent string) []model.Region
	Lookup(name, within string) ([]model.Region, error)
	PathName(code string) string
	ValidateCode(field, code string, level int) error
}

// Deps are the API's dependencies, built in main.
type Deps struct {
	Logger    *slog.Logger
	DB        *gorm.DB
	Redis     redis.UniversalClient
	Metrics   *prometheus.Registry
	Auth      *auth.Service
	Registry  *registry.Service
	Status    *status.Service
	Verify    *verify.Service
	Lists     *lists.Service
	Importer  *importer.Service   // registry import and 异动 export
	Reports   *report.Service     // region and province tables, targets (issue 6)
	Subsidy   *subsidy.Service    // subsidy policies and claims
	Payments  *payment.Service    // public notice and payment batches
	Jobs      *jobs.Service       // employers, jobs, applications and hires
	Push      *push.Service       // worker inbox, SMS consent, WeChat subscription quota
	Cases     *returncase.Service // the 72-hour case, matching and the worker's recommended jobs
	KPI       *kpi.Service        // monthly 72-hour KPIs and subsidy totals by region (issue 6)
	Clock     *clock.Clock        // DEV_CLOCK only: the clock /api/v1/dev/clock moves; nil = no such routes
	Regions   Regions
	BodyLimit int64
	Limits    Limits
	Web       http.FileSystem // the H5 build; nil serves a note
	// TrustedProxies are the proxies (IPs or CIDRs) whose X-Forwarded-For
	// names the client; none by default, so a client cannot pick its own IP
	// for rate limits and the audit trail.
	TrustedProxies []string
}

// Limits are the rate limits (SECURITY.md 18); zero fields take the defaults.
type Limits struct {
	PerIPPerMin    int // every API call, per IP
	LoginPerMin    int // login, refresh and dev login, per IP
	PhonePerHour   int // phone binding, per account
	BindPerHour    int // identity binding, per account
	ReportsPerMin  int // status reports, per account
	RevealsPerHour int // unmasked personal data, per account
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.PerIPPerMin, 600)
	def(&l.LoginPerMin, 30)
	def(&l.PhonePerHour, 5)
	def(&l.BindPerHour, 10)
	def(&l.ReportsPerMin, 30)
	def(&l.RevealsPerHour, 60)
	return l
}

// Server holds the handlers' dependencies.
type Server struct {
	Deps
	auth *auth.Service
	rl   *limiter
}

// New builds the gin engine with every route.
func New(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{Deps: d, auth: d.Auth, rl: &limiter{rl: redis_rate.NewLimiter(d.Redis)}}
	r := gin.New()
	r.ContextWithFallback = true
	// gin trusts every proxy unless told otherwise.
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		d.Logger.Error("bad trusted proxies, trusting none", "err", err.Error())
		_ = r.SetTrustedProxies(nil)
	}
	r.HandleMethodNotAllowed = false
	lim := d.Limits.withDefaults()
	m := newMetrics(d.Metrics)
	r.Use(requestID(d.Logger), accessLog(m), recovery(), bodyLimit(d.BodyLimit, "POST /api/v1/imports"))

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.Metrics, promhttp.HandlerOpts{})))

	v1 := r.Group("/api/v1", s.rl.limit("ip", lim.PerIPPerMin, time.Minute, byIP))
	v1.GET("/options", s.options)
	v1.GET("/regions", s.regionChildren)
	v1.GET("/regions/lookup", s.regionLookup)
	s.mountDevClock(v1)

	a := v1.Group("/auth", s.rl.limit("login", lim.LoginPerMin, time.Minute, byIP))
	a.GET("/dev/accounts", s.devAccounts)
	a.POST("/dev/login", login(s, s.devLogin))
	a.POST("/wechat/login", login(s, s.wechatLogin))
	a.POST("/password/login", login(s, s.passwordLogin))
	a.POST("/refresh", login(s, s.refresh))

	in := v1.Group("", s.authenticate)
	in.POST("/auth/logout", s.logout)
	in.GET("/me", s.me)

	w := in.Group("/me", roles(model.RoleWorker))
	w.POST("/phone", s.rl.limit("phone", lim.PhonePerHour, time.Hour, byAccount), s.bindPhone)
	w.POST("/bind", s.rl.limit("bind", lim.BindPerHour, time.Hour, byAccount), s.bind)
	w.GET("/status", s.myStatus)
	w.POST("/reports", s.rl.limit("report", lim.ReportsPerMin, time.Minute, byAccount), s.myReport)

	bo := in.Group("", roles(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin))
	bo.GET("/labourers", s.listLabourers)
	bo.GET("/labourers/:id", s.getLabourer)
	bo.GET("/labourers/:id/status", s.labourerStatus)
	bo.GET("/households/:id", s.getHousehold)
	ed := in.Group("", roles(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin))
	ed.POST("/labourers", s.createLabourer)
	ed.PATCH("/labourers/:id", s.updateLabourer)
	ed.POST("/labourers/:id/approve", s.approveLabourer)
	in.GET("/labourers/:id/pii", roles(model.RoleTaskforce, model.RoleAdmin), s.rl.limit("pii", lim.RevealsPerHour, time.Hour, byAccount), s.revealLabourer)

	s.mountVerify(in)
	s.mountLists(in)
	s.mountImports(in)
	s.mountJobs(in)
	s.mountCases(in)
	s.mountInbox(in)
	s.mountSubsidies(in)
	s.mountPayments(in)
	s.mountReports(in)
	s.mountKPI(in)

	ad := in.Group("/admin", roles(model.RoleAdmin))
	ad.GET("/accounts", s.listAccounts)
	ad.POST("/accounts", s.createAccount)
	ad.PUT("/accounts/:id/scopes", s.setScopes)
	ad.POST("/accounts/:id/unlock", s.unlockAccount)
	ad.POST("/accounts/:id/totp", s.enrolTOTP)
	ad.GET("/audit", s.listAudit)

	s.mountWeb(r)
	return r
}

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := gin.H{}
	ok := true
	if err := infra.PingDB(ctx, s.DB); err != nil {
		checks["database"], ok = "down", false
	} else {
		checks["database"] = "ok"
	}
	if err := s.Redis.Ping(ctx).Err(); err != nil {
		checks["redis"], ok = "down", false
	} else {
		checks["redis"] = "ok"
	}
	code := http.StatusOK
	if !ok {
		code = http.StatusServiceUnavailable
	}
	c.JSON(code, gin.H{"status": map[bool]string{true: "ok", false: "unavailable"}[ok], "checks": checks})
}
