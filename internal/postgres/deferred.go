package postgres

import (
	"context"
	"fmt"
	"strings"
)

// A write the transaction never reads back (its audit record, the event it announces, the
// idempotency key's result) need not cost a round trip of its own: Defer holds it until the
// transaction's work is done, and InTx sends all that were held as one statement, each a
// data-modifying CTE of it, just before the commit.

type deferred struct {
	sql   string
	args  []any
	check func(rows int64) error
}

type deferKey struct{}

// Defer runs sql, one INSERT, UPDATE or DELETE with neither a WITH nor a RETURNING of its own, at
// the end of the transaction of ctx, in one statement with the others deferred; check, if not
// nil, is then given the number of rows it changed and may refuse the transaction by returning an
// error. The statement sees the transaction's data as its work left it, but not what the other
// deferred statements write, and the transaction cannot read what it writes. Without a
// transaction it runs at once.
func (db *DB) Defer(ctx context.Context, check func(rows int64) error, sql string, args ...any) error {
	d := deferred{sql: sql, args: args, check: check}
	if held, ok := ctx.Value(deferKey{}).(*[]deferred); ok {
		*held = append(*held, d)
		return nil
	}
	return db.flush(ctx, []deferred{d})
}

// flush runs the deferred statements, one statement for all of them.
func (db *DB) flush(ctx context.Context, ds []deferred) error {
	rows := make([]int64, len(ds))
	switch len(ds) {
	case 0:
		return nil
	case 1:
		res := db.Conn(ctx).Exec(ds[0].sql, ds[0].args...)
		if res.Error != nil {
			return res.Error
		}
		rows[0] = res.RowsAffected
	default:
		var q strings.Builder
		var args []any
		counts := make([]string, len(ds))
		for i, d := range ds {
			if i == 0 {
				q.WriteString("WITH ")
			} else {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "d%d AS (%s RETURNING 1)", i, d.sql)
			args = append(args, d.args...)
			// Each count reads its CTE in turn, so the statements run in the order they were deferred.
			counts[i] = fmt.Sprintf("(SELECT count(*) FROM d%d)", i)
		}
		q.WriteString(" SELECT " + strings.Join(counts, ", "))
		dst := make([]any, len(rows))
		for i := range rows {
			dst[i] = &rows[i]
		}
		if err := db.Conn(ctx).Raw(q.String(), args...).Row().Scan(dst...); err != nil {
			return err
		}
	}
	for i, d := range ds {
		if d.check != nil {
			if err := d.check(rows[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
