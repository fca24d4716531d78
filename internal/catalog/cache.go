package catalog

import (
	"context"
)

// Channel is the LISTEN/NOTIFY channel that announces a catalogue sync.
const Channel = "servicekatalog_catalog"

// entry returns one entry, retired or not, from memory or the database.
func (s *Service) entry(ctx context.Context, kind, id string) (entry, error) {
	return s.cache.Read(ctx, kind+"/"+id, func(ctx context.Context) (entry, error) { return s.store.entry(ctx, kind, id) })
}

// changed announces a change to the catalogue, within the transaction of ctx: this instance
// forgets what it holds once the change commits, the others when the notification arrives.
func (s *Service) changed(ctx context.Context) error { return s.cache.Changed(ctx, s.db) }

// Forget empties this instance's memory of the catalogue (on a notification on Channel).
func (s *Service) Forget(context.Context) error {
	s.cache.Forget()
	return nil
}
