package postgres

import (
	"context"
	"fmt"
	"strings"
)

// A write the transaction never reads back (its audit record, the events it announces, the
// idempotency key's result, a notice's acknowledgements) need not cost a round trip of its own: Defer holds it until the
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

// Limits of one combined statement: PostgreSQL takes at most 65,535 parameters in one, and a
// statement of hundreds of CTEs (a bulk change auditing each row) costs more to plan than it saves.
const (
	maxDeferredPerStatement = 32
	maxDeferredArgs         = 16000
)

// flush runs the deferred statements in order, as few statements as those limits allow, and
// hands each check the rows its statement changed.
func (db *DB) flush(ctx context.Context, ds []deferred) error {
	for len(ds) > 0 {
		n, args := 0, 0
		for n < len(ds) && n < maxDeferredPerStatement && (n == 0 || args+len(ds[n].args) <= maxDeferredArgs) {
			args += len(ds[n].args)
			n++
		}
		rows, err := db.run(ctx, ds[:n])
		if err != nil {
			return err
		}
		for i, d := range ds[:n] {
			if d.check != nil {
				if err := d.check(rows[i]); err != nil {
					return err
				}
			}
		}
		ds = ds[n:]
	}
	return nil
}

// run sends ds as one statement and returns the rows each changed.
func (db *DB) run(ctx context.Context, ds []deferred) ([]int64, error) {
	rows := make([]int64, len(ds))
	if len(ds) == 1 {
		res := db.Conn(ctx).Exec(ds[0].sql, ds[0].args...)
		rows[0] = res.RowsAffected
		return rows, res.Error
	}
	var q strings.Builder
	var args []any
	counts := make([]string, len(ds))
	dst := make([]any, len(ds))
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
		dst[i] = &rows[i]
	}
	q.WriteString(" SELECT " + strings.Join(counts, ", "))
	return rows, db.Conn(ctx).Raw(q.String(), args...).Row().Scan(dst...)
}
