package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strings"
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

// A statement's text never carries its arguments: gorm's Scan asks for the text of every
// statement it runs, and formatting a large argument into it cost as much as sending it.
func TestAStatementsTextLeavesItsArgumentsOut(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if got := db.Conn(ctx).Dialector.Explain(`SELECT $1, $2`, "a secret", strings.Repeat("x", 1<<20)); got != `SELECT $1, $2` {
		t.Fatalf("explained as %.80q", got)
	}
	var n int
	if err := db.Conn(ctx).Raw(`SELECT length(?::text)`, strings.Repeat("x", 1<<20)).Scan(&n).Error; err != nil || n != 1<<20 {
		t.Fatalf("scan: %d, %v", n, err)
	}
}
