package cache_test

import (
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/cache"
)

func TestAValueReadBeforeAForgetIsNotKept(t *testing.T) {
	var c cache.Cache[string]
	_, gen, ok := c.Get("a")
	if ok {
		t.Fatal("empty cache had a value")
	}
	c.Put(gen, "a", "1")
	if v, _, ok := c.Get("a"); !ok || v != "1" {
		t.Fatalf("after put: %q %v", v, ok)
	}
	_, gen, _ = c.Get("b") // a reader misses b and goes to the database...
	c.Forget()             // ...while a writer commits a change
	c.Put(gen, "b", "old")
	if _, _, ok := c.Get("b"); ok {
		t.Fatal("a value read before the change was kept")
	}
	if _, _, ok := c.Get("a"); ok {
		t.Fatal("forget left a value")
	}
}
