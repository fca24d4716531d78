package postgres

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/page"
)

// Page runs q as one page of a list sorted by cols: the rows after the cursor's sort key, at
// most p.Limit of them. key gives a row's sort key, in the order of cols; it becomes the cursor.
func Page[T any](q *gorm.DB, p page.Request, key func(T) []string, cols ...string) (page.Page[T], error) {
	after, err := p.Key(len(cols))
	if err != nil {
		return page.Page[T]{}, err
	}
	if after != nil {
		args := make([]any, len(after))
		for i, k := range after {
			args[i] = k
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
		q = q.Where(fmt.Sprintf("(%s) > (%s)", strings.Join(cols, ", "), marks), args...)
	}
	var rows []T
	if err := q.Order(strings.Join(cols, ", ")).Limit(p.Limit + 1).Find(&rows).Error; err != nil {
		return page.Page[T]{}, Translate(err)
	}
	return page.Of(rows, p.Limit, key), nil
}
