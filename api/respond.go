// Package api is the HTTP layer: the gin router, its middleware, one file per
// resource, request and response types apart from the GORM models, and one
// function that maps errors to statuses. Handlers bind, call a service,
// convert and respond; business rules live in service/.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// errorBody is the one error shape: a stable English code, a Chinese message
// and, for validation, the fields.
type errorBody struct {
	Error struct {
		Code    string              `json:"code"`
		Message string              `json:"message"`
		Fields  []apperr.FieldError `json:"fields,omitempty"`
		Data    any                 `json:"data,omitempty"`
	} `json:"error"`
}

// statusOf maps an error kind to its HTTP status.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.KindValidation:
		return http.StatusBadRequest
	case apperr.KindUnauthorized:
		return http.StatusUnauthorized
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindTooMany:
		return http.StatusTooManyRequests
	case apperr.KindUnavailable:
		return http.StatusServiceUnavailable
	case apperr.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// fail answers with an error; anything not an *apperr.Error is logged and
// hidden behind a generic 500.
func fail(c *gin.Context, err error) {
	e, ok := apperr.As(err)
	if !ok {
		e = apperr.Internal(err)
	}
	status := statusOf(e.Kind)
	if status >= 500 {
		logger(c).Error("request failed", "err", err.Error(), "code", e.Code)
	}
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Fields, b.Error.Data = e.Code, e.Message, e.Fields, e.Data
	c.AbortWithStatusJSON(status, b)
}

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// bind decodes a JSON body into dst, turning every decoding problem into a
// 400 with the field named (SECURITY.md 20). Unknown fields are ignored:
// request types are whitelists, so extra fields change nothing.
func bind(c *gin.Context, dst any) error {
	if ct := c.ContentType(); ct != "" && ct != "application/json" {
		return apperr.New(apperr.KindValidation, "unsupported_media_type", "请求内容应为 JSON")
	}
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return apperr.New(apperr.KindValidation, "invalid_json", "请求内容格式不对")
	}
	return nil
}

func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return apperr.New(apperr.KindTooLarge, "body_too_large", "提交的内容太大")
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return apperr.New(apperr.KindValidation, "invalid_json", "请求内容格式不对")
		}
		return apperr.Invalid(field, "invalid_type", "这一项的格式不对")
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.KindValidation, "empty_body", "请求内容为空")
	}
	return apperr.New(apperr.KindValidation, "invalid_json", "请求内容格式不对")
}

// pathID parses the :id parameter; a malformed id is a 404 like a missing one.
func pathID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound("记录")
	}
	return id, nil
}

// parseID reads an id sent as a JSON string.
func parseID(field, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Invalid(field, "invalid_id", "编号不对")
	}
	return id, nil
}

// queryInt reads a bounded integer query parameter.
func queryInt(c *gin.Context, name string, def, min, max int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, apperr.Invalid(name, "out_of_range", "取值超出范围")
	}
	return n, nil
}

// paging reads the page (from 1) and page_size (default def, at most max) query parameters.
func paging(c *gin.Context, def, max int) (page, size int, err error) {
	if page, err = queryInt(c, "page", 1, 1, 100000); err != nil {
		return 0, 0, err
	}
	size, err = queryInt(c, "page_size", def, 1, max)
	return page, size, err
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

func idPtr(id *int64) *string {
	if id == nil {
		return nil
	}
	s := idString(*id)
	return &s
}

// bindOptional decodes an optional JSON body (an empty body is fine).
func bindOptional(c *gin.Context, dst any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	return bind(c, dst)
}

// bodyRule says whether a route's JSON body may be left out.
type bodyRule bool

const (
	bodyRequired bodyRule = false
	bodyOptional bodyRule = true // an empty body is the zero request
)

// needVersion refuses a change sent without the version it was read at
// (every conditional update needs one).
func needVersion(v int) error {
	if v <= 0 {
		return apperr.Invalid("version", "required", "请带上读取时的版本号")
	}
	return nil
}

// onID is the shape the write routes on one record share: parse the path
// id, bind a request of type T, call the service, answer through reply.
// Errors at any step are answered by fail, as everywhere.
func onID[T, R any](body bodyRule, do func(ctx context.Context, id int64, req T) (R, error), reply func(*gin.Context, R)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c)
		if err != nil {
			fail(c, err)
			return
		}
		var req T
		decode := bind
		if body == bodyOptional {
			decode = bindOptional
		}
		if err := decode(c, &req); err != nil {
			fail(c, err)
			return
		}
		out, err := do(c.Request.Context(), id, req)
		if err != nil {
			fail(c, err)
			return
		}
		reply(c, out)
	}
}
