package catalog

import (
	"context"

	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// Channel is the LISTEN/NOTIFY channel that announces a catalogue sync.
const Channel = "servicekatalog_catalog"

// entry returns one entry, retired or not, from memory or the database.
func (s *Service) entry(ctx context.Context, kind, id string) (entry, error) {
	e, gen, ok := s.cache.Get(kind + "/" + id)
	if ok {
		return e, nil
	}
	e, err := s.store.entry(ctx, kind, id)
	if err != nil {
		return e, err
	}
	s.cache.Put(gen, kind+"/"+id, e)
	return e, nil
}

// changed announces a change to the catalogue, within the transaction of ctx: this instance
// forgets what it holds once the change commits, the others when the notification arrives.
func (s *Service) changed(ctx context.Context) error {
	postgres.AfterCommit(ctx, s.cache.Forget)
	return s.db.Notify(ctx, Channel)
}

// Forget empties this instance's memory of the catalogue (on a notification on Channel).
func (s *Service) Forget(context.Context) error {
	s.cache.Forget()
	return nil
}
