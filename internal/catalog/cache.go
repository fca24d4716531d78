package catalog

import (
	"context"
	"log/slog"
	"sync"
)

// Channel is the LISTEN/NOTIFY channel that announces a catalogue sync.
const Channel = "servicekatalog_catalog"

// cache holds catalogue entries read from the database. Entries change only through Sync, which
// empties the cache of its own instance after commit and notifies the others. A read that raced
// with an emptying (its generation moved on) is not kept, so an old entry never outlives a sync.
type cache struct {
	mu      sync.RWMutex
	gen     uint64
	entries map[string]entry // by kind/id
}

func (c *cache) get(kind, id string) (entry, uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.entries[kind+"/"+id]
	return e, c.gen, ok
}

func (c *cache) put(gen uint64, e entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil {
		c.entries = map[string]entry{}
	}
	c.entries[e.Kind+"/"+e.ID] = e
}

func (c *cache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = nil
}

// entry returns one entry, retired or not, from the cache or the database.
func (s *Service) entry(ctx context.Context, kind, id string) (entry, error) {
	e, gen, ok := s.cache.get(kind, id)
	if ok {
		return e, nil
	}
	if err := s.db.Conn(ctx).Where("kind = ? AND id = ?", kind, id).Take(&e).Error; err != nil {
		return e, err
	}
	s.cache.put(gen, e)
	return e, nil
}

// Listen empties the cache whenever an instance syncs the catalogue, until ctx ends.
func (s *Service) Listen(ctx context.Context, log *slog.Logger) {
	s.db.Listen(ctx, Channel, log, func(context.Context) error { s.cache.forget(); return nil })
}
