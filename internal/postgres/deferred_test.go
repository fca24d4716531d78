package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

// Deferred writes run at the end of the transaction, in the order deferred, with the rows each
// changed handed to its check; a check that refuses, or a failing step, leaves nothing behind.
func TestDeferredWritesRunAtTheEndInOrder(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if err := db.Conn(ctx).Exec(`CREATE TABLE deferred_steps (id int GENERATED ALWAYS AS IDENTITY, n int UNIQUE)`).Error; err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	tests := []struct {
		name     string
		deferred []int // the values deferred, in order; one already present changes no row
		present  []int
		refuseAt int // the deferred value whose check refuses; 0: none
		failWork bool
		wantRows []int // in insertion order
		wantErr  error
		wantSeen []int64
	}{
		{"one", []int{1}, nil, 0, false, []int{1}, nil, []int64{1}},
		{"several, in order", []int{3, 1, 2}, nil, 0, false, []int{3, 1, 2}, nil, []int64{1, 1, 1}},
		{"a row that conflicts changes none", []int{1, 2}, []int{2}, 0, false, []int{2, 1}, nil, []int64{1, 0}},
		{"a check that refuses rolls all back", []int{1, 2}, []int{5}, 2, false, []int{5}, refused, []int64{1, 1}},
		{"failing work runs none", []int{1, 2}, nil, 0, true, nil, refused, nil},
		{"more than one statement takes, in order", upTo(100), nil, 0, false, upTo(100), nil, slices.Repeat([]int64{1}, 100)},
		{"a refusal in a later statement rolls back the earlier ones", upTo(100), nil, 70, false, nil, refused, slices.Repeat([]int64{1}, 70)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db.Conn(ctx).Exec(`TRUNCATE deferred_steps`)
			for _, n := range tc.present {
				db.Conn(ctx).Exec(`INSERT INTO deferred_steps (n) VALUES (?)`, n)
			}
			var seen []int64
			err := db.InTx(ctx, func(ctx context.Context) error {
				for _, n := range tc.deferred {
					check := func(rows int64) error {
						seen = append(seen, rows)
						if n == tc.refuseAt {
							return refused
						}
						return nil
					}
					if err := db.Defer(ctx, check, `INSERT INTO deferred_steps (n) VALUES (?) ON CONFLICT (n) DO NOTHING`, n); err != nil {
						return err
					}
				}
				var now int64
				db.Conn(ctx).Raw(`SELECT count(*) FROM deferred_steps`).Scan(&now)
				if now != int64(len(tc.present)) {
					t.Errorf("a deferred write ran before the work ended: %d rows", now)
				}
				if tc.failWork {
					return refused
				}
				return nil
			})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("InTx: %v, want %v", err, tc.wantErr)
			}
			var rows []int
			db.Conn(ctx).Raw(`SELECT n FROM deferred_steps ORDER BY id`).Scan(&rows)
			if !slices.Equal(rows, tc.wantRows) || !slices.Equal(seen, tc.wantSeen) {
				t.Errorf("rows %v (want %v), checks saw %v (want %v)", rows, tc.wantRows, seen, tc.wantSeen)
			}
		})
	}
	// More parameters than one statement takes (65,535) are sent in several.
	db.Conn(ctx).Exec(`TRUNCATE deferred_steps`)
	const perWrite, writes = 10000, 7
	err := db.InTx(ctx, func(ctx context.Context) error {
		for w := range writes {
			args := make([]any, perWrite)
			for i := range args {
				args[i] = w*perWrite + i
			}
			sql := `INSERT INTO deferred_steps (n) SELECT x FROM unnest(ARRAY[?` + strings.Repeat(`, ?`, perWrite-1) + `]::int[]) x`
			if err := db.Defer(ctx, nil, sql, args...); err != nil {
				return err
			}
		}
		return nil
	})
	var count int
	db.Conn(ctx).Raw(`SELECT count(*) FROM deferred_steps`).Scan(&count)
	if err != nil || count != perWrite*writes {
		t.Errorf("%d deferred writes of %d parameters: %v, %d rows", writes, perWrite, err, count)
	}
	// Without a transaction it runs at once.
	db.Conn(ctx).Exec(`TRUNCATE deferred_steps`)
	if err := db.Defer(ctx, nil, `INSERT INTO deferred_steps (n) VALUES (?)`, 7); err != nil {
		t.Fatal(err)
	}
	var rows []int
	db.Conn(ctx).Raw(`SELECT n FROM deferred_steps`).Scan(&rows)
	if !slices.Equal(rows, []int{7}) {
		t.Errorf("outside a transaction: rows %v, want [7]", rows)
	}
}

// upTo is 1, 2, …, n.
func upTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}
