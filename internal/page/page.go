// Package page is the one way lists are paginated: by an opaque cursor over the list's sort key.
package page

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// The limits on a page's size.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

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
		if err != nil || n < 1 || n > MaxLimit {
			return r, apperr.Param("limit", "must be a whole number from 1 to 200")
		}
		r.Limit = n
	}
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || json.Unmarshal(b, &r.After) != nil || len(r.After) == 0 {
			return r, apperr.Param("cursor", "is not a cursor this API issued")
		}
	}
	return r, nil
}

// Key returns the cursor's sort key, checking that it has n parts.
func (r Request) Key(n int) ([]string, error) {
	if len(r.After) == 0 {
		return nil, nil
	}
	if len(r.After) != n {
		return nil, apperr.Param("cursor", "is not a cursor of this list")
	}
	return r.After, nil
}

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
