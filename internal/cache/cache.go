// Package cache keeps values read from the database in memory until a change empties the cache.
// Writers empty it after their transaction commits (postgres.AfterCommit) and announce the change
// on a LISTEN/NOTIFY channel, on which every instance empties its own.
package cache

import "sync"

// Cache maps keys to values. A value read while the cache was being emptied (its generation
// moved on) is not kept, so a value read before a change never outlives it.
type Cache[V any] struct {
	mu     sync.RWMutex
	gen    uint64
	values map[string]V
}

// Get returns the value for key and the generation to hand to Put after a miss.
func (c *Cache[V]) Get(key string) (V, uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.values[key]
	return v, c.gen, ok
}

// Put keeps v for key unless the cache was emptied since generation gen.
func (c *Cache[V]) Put(gen uint64, key string, v V) {
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

// Forget empties the cache.
func (c *Cache[V]) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.values = nil
}
