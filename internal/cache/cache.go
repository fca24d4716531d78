// Package cache keeps values read from the database in memory until a change empties the cache.
// A writer marks the change in its transaction (Changed): this instance forgets once it commits,
// and every other when the change's LISTEN/NOTIFY notification arrives.
package cache

import (
	"context"
	"sync"

	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// Cache maps keys to values. A value read while the cache was being emptied (its generation
// moved on) is not kept, so a value read before a change never outlives it.
type Cache[V any] struct {
	// Channel is the LISTEN/NOTIFY channel that announces a change to every instance.
	Channel string

	mu     sync.RWMutex
	gen    uint64
	values map[string]V
}

// Read returns key's value from memory, or load's, which it keeps. A transaction that changed
// what the cache holds reads through load only, and sees its change; what load reads there is
// not kept, since it is not committed and may never be, nor what it reads on the replica, which
// may not yet have replayed the latest change.
func (c *Cache[V]) Read(ctx context.Context, key string, load func(ctx context.Context) (V, error)) (V, error) {
	if postgres.Changes(ctx, c) {
		return load(ctx)
	}
	v, gen, ok := c.get(key)
	if ok {
		return v, nil
	}
	v, err := load(ctx)
	if err == nil && !postgres.OnReplica(ctx) {
		c.put(gen, key, v)
	}
	return v, err
}

// Changed records, in the transaction of ctx, that what the cache holds changes: this instance
// forgets once the change commits, the others when the notification on Channel arrives.
func (c *Cache[V]) Changed(ctx context.Context, db *postgres.DB) error {
	postgres.Changed(ctx, c)
	postgres.AfterCommit(ctx, c.Forget)
	return db.Notify(ctx, c.Channel)
}

// Forget empties the cache (on a notification on Channel).
func (c *Cache[V]) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.values = nil
}

func (c *Cache[V]) get(key string) (V, uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.values[key]
	return v, c.gen, ok
}

// put keeps v for key unless the cache was emptied since generation gen.
func (c *Cache[V]) put(gen uint64, key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.values == nil {
		c.values = map[string]V{}
	}
	c.values[key] = v
}
