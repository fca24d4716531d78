package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

// Work registered for after the commit runs only when the transaction committed.
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
		{"committed", false, []int{1, 2}, true},
		{"a failing step rolls back", true, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db.Conn(ctx).Exec(`DELETE FROM hook_steps`)
			after := false
			err := db.InTx(ctx, func(ctx context.Context) error {
				postgres.AfterCommit(ctx, func() { after = true })
				if err := insert(1)(ctx); err != nil {
					return err
				}
				if tc.failLast {
					return errors.New("the last step fails")
				}
				return insert(2)(ctx)
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
	// Without a transaction it runs at once.
	ran := false
	postgres.AfterCommit(ctx, func() { ran = true })
	if !ran {
		t.Error("outside a transaction, after-commit work did not run")
	}
}
