// Package page is the one way lists are paginated: by an opaque cursor over the list's sort key.
// A cursor is ours but comes back from the caller, so it is decoded fully into typed values
// (a time, a UUID, a number, a bounded text) before any query sees it; anything else is a 400
// naming the cursor.
package page

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// The limits on a page's size.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// maxCursor bounds a cursor as sent; the longest this API issues is well under 200 characters.
const maxCursor = 512

// Request asks for one page: at most Limit items after the item whose sort key is After.
type Request struct {
	Limit int
	After []string // empty for the first page
}

// Parse reads the limit and cursor query parameters.
func Parse(limit, cursor string) (Request, error) {
	r := Request{Limit: DefaultLimit}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit || strconv.Itoa(n) != limit {
			return r, apperr.Param("limit", "must be a whole number from 1 to 200")
		}
		r.Limit = n
	}
	if cursor != "" {
		var b []byte
		var err error
		if len(cursor) <= maxCursor {
			b, err = base64.RawURLEncoding.DecodeString(cursor)
		}
		if len(cursor) > maxCursor || err != nil || json.Unmarshal(b, &r.After) != nil || len(r.After) == 0 {
			return Request{Limit: r.Limit}, badCursor
		}
	}
	return r, nil
}

var badCursor = apperr.Param("cursor", "is not a cursor this API issued: take the next link of the previous page")

// Kind is how one part of a sort key is written in a cursor and read back.
type Kind int

// The kinds of sort key part.
const (
	Text           Kind = iota // a code, slug or username: at most 200 characters, no control characters
	UUID                       // a canonical lowercase UUID
	Int                        // a non-negative 64-bit integer
	Time                       // an RFC 3339 instant with nanoseconds, years 1970-9999
	TimeOrInfinity             // a Time, or "infinity" for an item without one (sorted last)
)

// Col is one part of a list's sort key: the SQL expression ordered by and how its value is read.
type Col struct {
	Expr string
	Kind Kind
}

// Infinity is the cursor value of a TimeOrInfinity part that has no time.
const Infinity = "infinity"

// Key decodes the cursor's sort key into one typed value per column (string, time.Time or
// int64), or returns nil for the first page. A cursor of another list, or one changed by hand,
// is refused.
func (r Request) Key(cols ...Col) ([]any, error) {
	if len(r.After) == 0 {
		return nil, nil
	}
	if len(r.After) != len(cols) {
		return nil, apperr.Param("cursor", "is not a cursor of this list: take the next link of the previous page")
	}
	out := make([]any, len(cols))
	for i, c := range cols {
		v, ok := decode(c.Kind, r.After[i])
		if !ok {
			return nil, badCursor
		}
		out[i] = v
	}
	return out, nil
}

func decode(k Kind, s string) (any, bool) {
	switch k {
	case UUID:
		u, err := uuid.Parse(s)
		return u.String(), err == nil && u.String() == s
	case Int:
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && n >= 0 && strconv.FormatInt(n, 10) == s
	case TimeOrInfinity:
		if s == Infinity {
			return s, true
		}
		return decode(Time, s)
	case Time:
		t, err := time.Parse(time.RFC3339Nano, s)
		return t, err == nil && t.Year() >= 1970 && t.Year() <= 9999 && t.UTC().Format(time.RFC3339Nano) == s
	}
	return s, len(s) <= 200 && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// Format writes a time as a cursor's Time part.
func Format(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Page is one page of a list. Next is the cursor of the following page, empty on the last.
type Page[T any] struct {
	Items []T
	Next  string
}

// Of makes the page from rows fetched with limit+1: the extra row only tells that more follow.
func Of[T any](rows []T, limit int, key func(T) []string) Page[T] {
	if len(rows) <= limit {
		if rows == nil {
			rows = []T{}
		}
		return Page[T]{Items: rows}
	}
	rows = rows[:limit]
	b, _ := json.Marshal(key(rows[limit-1]))
	return Page[T]{Items: rows, Next: base64.RawURLEncoding.EncodeToString(b)}
}

// Map converts a page's items, keeping its cursor.
func Map[T, U any](p Page[T], f func(T) U) Page[U] {
	out := Page[U]{Items: make([]U, len(p.Items)), Next: p.Next}
	for i, v := range p.Items {
		out.Items[i] = f(v)
	}
	return out
}
