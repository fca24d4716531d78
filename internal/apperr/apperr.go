// Package apperr is the one error model of Servicekatalog. Domain code returns these kinds with a
// message that is safe to show to the caller; the HTTP layer alone maps kinds to status codes.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind string

// The kinds. Their names are also the last segment of the problem type URI.
const (
	Invalid              Kind = "invalid"               // the request is malformed or breaks a rule
	Unprocessable        Kind = "unprocessable"         // well-formed but contradicts earlier state (e.g. key reuse)
	NotFound             Kind = "not-found"             // absent, or not visible to the caller
	Conflict             Kind = "conflict"              // clashes with current state or a concurrent request
	PreconditionFailed   Kind = "precondition-failed"   // If-Match names a stale version
	PreconditionRequired Kind = "precondition-required" // If-Match is missing
	Unauthorized         Kind = "unauthorized"          // no or bad credentials
	Forbidden            Kind = "forbidden"             // authenticated but not allowed
	TooLarge             Kind = "too-large"             // request body over the limit
	UnsupportedMedia     Kind = "unsupported-media-type"
	MethodNotAllowed     Kind = "method-not-allowed"
	TooManyRequests      Kind = "too-many-requests" // over the caller's rate limit; retry after Retry-After
	HeadersTooLarge      Kind = "headers-too-large" // the request line and headers over the limit
	ExpectationFailed    Kind = "expectation-failed"
	NotImplemented       Kind = "not-implemented"            // a transfer coding the server does not support
	HTTPVersion          Kind = "http-version-not-supported" // neither HTTP/1.1 nor HTTP/1.0
	Unavailable          Kind = "unavailable"                // a dependency (the database) is down; retry later
	Internal             Kind = "internal"
)

// FieldError names one offending input and why it was refused. Exactly one of Pointer (a JSON
// pointer into the body), Parameter (query or path) or Header is set.
type FieldError struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Header    string `json:"header,omitempty"`
	Reason    string `json:"reason"`
}

// Error is a classified error with a user-safe message.
type Error struct {
	Kind   Kind
	Msg    string
	Fields []FieldError
	// Extra carries machine-readable members for the problem document (e.g. missing prerequisites).
	Extra map[string]any
	Err   error // the cause, logged but never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind k with message msg.
func New(k Kind, msg string) *Error { return &Error{Kind: k, Msg: msg} }

// Newf is New with formatting.
func Newf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Wrap classifies cause as kind k with a user-safe message.
func Wrap(k Kind, msg string, cause error) *Error { return &Error{Kind: k, Msg: msg, Err: cause} }

// Field returns an Invalid error for one body field.
func Field(pointer, reason string) *Error {
	return &Error{Kind: Invalid, Msg: "the request has invalid fields", Fields: []FieldError{{Pointer: pointer, Reason: reason}}}
}

// Param returns an Invalid error for one query or path parameter.
func Param(name, reason string) *Error {
	return &Error{Kind: Invalid, Msg: "the request has invalid parameters", Fields: []FieldError{{Parameter: name, Reason: reason}}}
}

// Header returns an error of kind k for one request header.
func Header(k Kind, name, reason string) *Error {
	return &Error{Kind: k, Msg: reason, Fields: []FieldError{{Header: name, Reason: reason}}}
}

// NotFoundf is a NotFound error for an object of the given type.
func NotFoundf(objectType string) *Error {
	return &Error{Kind: NotFound, Msg: objectType + " not found"}
}

// KindOf returns the kind of err, Internal for unclassified errors.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is classified as kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// AnyVersion is the version a change names when it applies to whatever is current (If-Match: *).
const AnyVersion = 0

// CheckVersion is the optimistic concurrency rule: a change names the version it was based on
// (If-Match), and a stale one is refused.
func CheckVersion(current, expected int) error {
	if expected != AnyVersion && current != expected {
		return Newf(PreconditionFailed, "the object has changed (now version %d, you sent %d); read it again", current, expected)
	}
	return nil
}

// WithField names the body field the error is about.
func (e *Error) WithField(pointer, reason string) *Error {
	e.Fields = append(e.Fields, FieldError{Pointer: pointer, Reason: reason})
	return e
}
