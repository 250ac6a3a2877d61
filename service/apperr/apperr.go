// Package apperr defines the application's error kinds. Every error a user
// can see carries a stable English code and a message in Simplified Chinese;
// the api package maps the kind to an HTTP status in one place.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error for the HTTP mapping.
type Kind int

// Error kinds, each mapped to one HTTP status by the api package.
const (
	KindInternal     Kind = iota // 500, message hidden
	KindValidation               // 400 with field errors
	KindUnauthorized             // 401
	KindForbidden                // 403
	KindNotFound                 // 404
	KindConflict                 // 409
	KindTooMany                  // 429
	KindUnavailable              // 503
	KindTooLarge                 // 413
)

// FieldError is one field's problem, in the shape the client renders.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is the application error carried through services to the API.
type Error struct {
	Kind       Kind
	Code       string
	Message    string
	Fields     []FieldError
	RetryAfter int // seconds, for KindTooMany
	Data       any // optional payload, e.g. the existing record on conflict
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, " [%s %s]", f.Field, f.Code)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// As extracts an *Error from err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// IsKind reports whether err carries the given kind.
func IsKind(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}

// New builds an error of a kind with a code and a Chinese message.
func New(k Kind, code, msg string) *Error { return &Error{Kind: k, Code: code, Message: msg} }

// NotFound is a 404 with a Chinese message naming what was missing.
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: what + "不存在"}
}

// Unauthorized is a 401.
func Unauthorized(code, msg string) *Error { return New(KindUnauthorized, code, msg) }

// Forbidden is a 403.
func Forbidden(msg string) *Error {
	if msg == "" {
		msg = "无权访问"
	}
	return New(KindForbidden, "forbidden", msg)
}

// Conflict is a 409.
func Conflict(code, msg string) *Error { return New(KindConflict, code, msg) }

// TooMany is a 429 with a retry hint.
func TooMany(retryAfter int) *Error {
	return &Error{Kind: KindTooMany, Code: "rate_limited", Message: "操作太频繁，请稍后再试", RetryAfter: retryAfter}
}

// Internal wraps an unexpected error; its text is logged, never shown.
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Code: "internal", Message: "服务器开小差了，请稍后再试", Err: err}
}

// Fields collects field errors; Err returns nil when none were added.
type Fields struct{ list []FieldError }

// Add records a problem with a field.
func (f *Fields) Add(field, code, msg string) { f.list = append(f.list, FieldError{field, code, msg}) }

// Has reports whether a field already has an error, so later checks on it can be skipped.
func (f *Fields) Has(field string) bool {
	for _, e := range f.list {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Len is the number of problems collected.
func (f *Fields) Len() int { return len(f.list) }

// Err returns a validation error carrying every field problem, or nil.
func (f *Fields) Err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &Error{Kind: KindValidation, Code: "validation_failed", Message: "填写有误，请检查标红的项目", Fields: f.list}
}

// Invalid is a validation error for a single field.
func Invalid(field, code, msg string) error {
	var f Fields
	f.Add(field, code, msg)
	return f.Err()
}
