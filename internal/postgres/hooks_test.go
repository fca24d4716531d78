package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

// Work registered to run before the commit runs last inside the transaction, and its failure
// rolls everything back; work registered for after the commit runs only when it committed.
func TestCommitHooks(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if err := db.Conn(ctx).Exec(`CREATE TABLE hook_steps (n int)`).Error; err != nil {
		t.Fatal(err)
	}
	insert := func(n int) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return db.Conn(ctx).Exec(`INSERT INTO hook_steps VALUES (?)`, n).Error
		}
	}
	tests := []struct {
		name      string
		failLast  bool
		wantRows  []int
		wantAfter bool
	}{
		{"committed", false, []int{1, 2, 3}, true},
		{"a failing last step rolls back", true, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db.Conn(ctx).Exec(`DELETE FROM hook_steps`)
			after := false
			err := db.InTx(ctx, func(ctx context.Context) error {
				postgres.AfterCommit(ctx, func() { after = true })
				if err := postgres.BeforeCommit(ctx, insert(2)); err != nil {
					return err
				}
				if err := postgres.BeforeCommit(ctx, func(ctx context.Context) error {
					if tc.failLast {
						return errors.New("the last step fails")
					}
					return insert(3)(ctx)
				}); err != nil {
					return err
				}
				return insert(1)(ctx) // the transaction's own work, before the hooks
			})
			if (err != nil) != tc.failLast {
				t.Fatalf("InTx: %v", err)
			}
			var rows []int
			db.Conn(ctx).Raw(`SELECT n FROM hook_steps ORDER BY ctid`).Scan(&rows)
			if !slices.Equal(rows, tc.wantRows) || after != tc.wantAfter {
				t.Errorf("rows %v (want %v), after-commit ran %v", rows, tc.wantRows, after)
			}
		})
	}
	// Without a transaction both run at once.
	ran := false
	postgres.AfterCommit(ctx, func() { ran = true })
	if err := postgres.BeforeCommit(ctx, insert(9)); err != nil || !ran {
		t.Errorf("outside a transaction: %v, after-commit ran %v", err, ran)
	}
}
