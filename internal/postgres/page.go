package postgres

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/page"
)

// Page runs q as one page of a list sorted by cols: the rows after the cursor's sort key, at
// most p.Limit of them. key gives a row's sort key, in the order of cols; it becomes the cursor.
// The cursor is decoded into typed values before the query is built, so a tampered one never
// reaches the database.
func Page[T any](q *gorm.DB, p page.Request, key func(T) []string, cols ...page.Col) (page.Page[T], error) {
	after, err := p.Key(cols...)
	if err != nil {
		return page.Page[T]{}, err
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = c.Expr
	}
	if after != nil {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
		q = q.Where(fmt.Sprintf("(%s) > (%s)", strings.Join(exprs, ", "), marks), after...)
	}
	var rows []T
	if err := q.Order(strings.Join(exprs, ", ")).Limit(p.Limit + 1).Find(&rows).Error; err != nil {
		return page.Page[T]{}, Translate(err)
	}
	return page.Of(rows, p.Limit, key), nil
}

// OldestFirst runs q as one page of a list sorted by the time column at, then by the uuid column
// id; key gives a row's time and id.
func OldestFirst[T any](q *gorm.DB, p page.Request, at, id string, key func(T) (time.Time, string)) (page.Page[T], error) {
	return Page(q, p, func(r T) []string {
		t, id := key(r)
		return []string{page.Format(t), id}
	}, page.Col{Expr: at, Kind: page.Time}, page.Col{Expr: id, Kind: page.UUID})
}
