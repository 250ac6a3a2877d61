package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
)

const (
	ctxLogger = "logger"
	ctxActor  = "actor"
	headerRID = "X-Request-ID"
)

// requestID takes a sane client request id or makes one, and puts a logger
// carrying it in the context.
func requestID(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		rid := c.GetHeader(headerRID)
		if !saneRequestID(rid) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			rid = hex.EncodeToString(b)
		}
		c.Header(headerRID, rid)
		c.Set(ctxLogger, log.With("request_id", rid))
		a := &actor.Actor{RequestID: rid, IP: c.ClientIP()}
		c.Request = c.Request.WithContext(actor.With(c.Request.Context(), a))
		c.Next()
	}
}

// maxRequestID fits model.AuditLog.RequestID: a longer id would make every
// audited write fail on MySQL.
const maxRequestID = 40

// saneRequestID accepts a client's request id of letters, digits and ._:-
// that fits the audit trail.
func saneRequestID(rid string) bool {
	if rid == "" || len(rid) > maxRequestID {
		return false
	}
	for _, r := range rid {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._:-", r)) {
			return false
		}
	}
	return true
}

// metrics counts requests and their latency by route template.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jyb_http_requests_total", Help: "HTTP requests by route and status."},
			[]string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "jyb_http_request_seconds", Help: "HTTP request latency.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// accessLog logs each request as one JSON line and records metrics.
func accessLog(m *metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		status := c.Writer.Status()
		m.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(c.Request.Method, route).Observe(d.Seconds())
		if strings.HasPrefix(route, "/api/") || status >= 400 {
			lvl := slog.LevelInfo
			if status >= 500 {
				lvl = slog.LevelError
			}
			// The path is logged without its query string: queries may carry codes.
			logger(c).Log(c.Request.Context(), lvl, "http", "method", c.Request.Method, "route", route,
				"status", status, "ms", float64(d.Microseconds())/1000, "bytes", c.Writer.Size(),
				"account", actor.From(c.Request.Context()).AccountID)
		}
	}
}

// recovery turns a panic into a logged 500 with the generic message.
func recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				fail(c, fmt.Errorf("panic: %v", r))
			}
		}()
		c.Next()
	}
}

// bodyLimit caps request bodies (SECURITY.md 18). Uploads named in exempt
// ("METHOD /path") apply their own, larger cap in their handler.
func bodyLimit(n int64, exempt ...string) gin.HandlerFunc {
	skip := map[string]bool{}
	for _, e := range exempt {
		skip[e] = true
	}
	return func(c *gin.Context) {
		if skip[c.Request.Method+" "+c.Request.URL.Path] {
			c.Next()
			return
		}
		if c.Request.ContentLength > n {
			fail(c, apperr.New(apperr.KindTooLarge, "body_too_large", "提交的内容太大"))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// limiter wraps redis_rate so every process shares the same counters.
type limiter struct {
	rl *redis_rate.Limiter
}

// limit allows n requests per period for the key the function gives.
func (l *limiter) limit(name string, n int, per time.Duration, key func(*gin.Context) string) gin.HandlerFunc {
	lim := redis_rate.Limit{Rate: n, Burst: n, Period: per}
	return func(c *gin.Context) {
		k := key(c)
		if k == "" {
			c.Next()
			return
		}
		res, err := l.rl.Allow(c.Request.Context(), "rl:"+name+":"+k, lim)
		if err != nil {
			// Redis down: let the request through rather than lock everyone out.
			logger(c).Warn("rate limiter unavailable", "err", err.Error())
			c.Next()
			return
		}
		if res.Allowed == 0 {
			fail(c, apperr.TooMany(int(res.RetryAfter.Seconds())+1))
			return
		}
		c.Next()
	}
}

func byIP(c *gin.Context) string { return c.ClientIP() }

func byAccount(c *gin.Context) string {
	if id := actor.From(c.Request.Context()).AccountID; id != 0 {
		return strconv.FormatInt(id, 10)
	}
	return c.ClientIP()
}

// authenticate requires a valid access token and puts the actor in context.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		fail(c, apperr.Unauthorized("unauthorized", "请先登录"))
		return
	}
	a, err := s.auth.Authenticate(c.Request.Context(), tok)
	if err != nil {
		fail(c, err)
		return
	}
	base := actor.From(c.Request.Context())
	a.RequestID, a.IP = base.RequestID, base.IP
	c.Request = c.Request.WithContext(actor.With(c.Request.Context(), a))
	c.Set(ctxActor, a)
	c.Next()
}

// roles lets only the given roles through (SECURITY.md 7).
func roles(rs ...model.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !actor.From(c.Request.Context()).Is(rs...) {
			fail(c, apperr.Forbidden(""))
			return
		}
		c.Next()
	}
}

// backOffice is every role but the worker.
var backOffice = []model.Role{model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleEmployer, model.RoleAdmin}
