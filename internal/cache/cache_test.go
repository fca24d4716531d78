package cache_test

import (
	"context"
	"errors"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/cache"
	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

func TestAValueReadBeforeAForgetIsNotKept(t *testing.T) {
	ctx := context.Background()
	var c cache.Cache[string]
	loads := 0
	read := func(v string, during func()) string {
		got, err := c.Read(ctx, "a", func(context.Context) (string, error) {
			loads++
			if during != nil {
				during()
			}
			return v, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	read("old", c.Forget) // a writer commits a change while the reader is at the database
	if got := read("new", nil); got != "new" || loads != 2 {
		t.Fatalf("after a change during a read: %q after %d loads; the value read before the change was kept", got, loads)
	}
	if got := read("newer", nil); got != "new" || loads != 2 {
		t.Fatalf("an unchanged value: %q after %d loads, want it from memory", got, loads)
	}
	c.Forget()
	if got := read("newer", nil); got != "newer" {
		t.Fatalf("after forget: %q", got)
	}
}

// A transaction that changes what the cache holds reads its own change, and nobody else does:
// neither while it runs nor after it rolls back; once a change commits, everyone reads it.
func TestOnlyCommittedValuesAreKept(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if err := db.Conn(ctx).Exec(`CREATE TABLE cached (k text PRIMARY KEY, v text); INSERT INTO cached VALUES ('a', 'committed')`).Error; err != nil {
		t.Fatal(err)
	}
	c := &cache.Cache[string]{Channel: "cache_test"}
	read := func(ctx context.Context) string {
		v, err := c.Read(ctx, "a", func(ctx context.Context) (v string, err error) {
			return v, db.Conn(ctx).Raw(`SELECT v FROM cached WHERE k = 'a'`).Row().Scan(&v)
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	set := func(ctx context.Context, v string) error {
		if err := db.Conn(ctx).Exec(`UPDATE cached SET v = ? WHERE k = 'a'`, v).Error; err != nil {
			return err
		}
		return c.Changed(ctx, db)
	}
	if got := read(ctx); got != "committed" {
		t.Fatalf("first read: %q", got)
	}
	refused := errors.New("refused")
	err := db.InTx(ctx, func(txCtx context.Context) error {
		if err := set(txCtx, "uncommitted"); err != nil {
			return err
		}
		if got := read(txCtx); got != "uncommitted" {
			t.Errorf("the changing transaction read %q, not its change", got)
		}
		if got := read(ctx); got != "committed" {
			t.Errorf("another caller read %q while the change was uncommitted", got)
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatal(err)
	}
	if got := read(ctx); got != "committed" {
		t.Fatalf("after the rollback: %q", got)
	}
	if err := db.InTx(ctx, func(ctx context.Context) error { return set(ctx, "changed") }); err != nil {
		t.Fatal(err)
	}
	if got := read(ctx); got != "changed" {
		t.Fatalf("after the commit: %q", got)
	}
}
