package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/cache"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// Service is the catalogue's use cases.
type Service struct {
	db       *postgres.DB
	store    store
	onUpdate []func(ctx context.Context, kind, id string, doc []byte) error
	audit    *audit.Log
	clock    clock.Clock
	cache    cache.Cache[entry]
}

// NewService returns the catalogue service.
func NewService(db *postgres.DB, log *audit.Log, c clock.Clock) *Service {
	return &Service{db: db, store: store{db}, cache: cache.Cache[entry]{Channel: Channel}, audit: log, clock: c}
}

// The kinds of catalogue entry, as stored.
const (
	KindFamily     = "family"
	KindLevel      = "level"
	KindCalendar   = "calendar"
	KindService    = "service"
	KindVocabulary = "vocabulary"
)

// SyncReport counts what a sync did.
type SyncReport struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Retired   int `json:"retired"`
	Unchanged int `json:"unchanged"`
}

func (r SyncReport) String() string {
	return fmt.Sprintf("%d created, %d updated, %d retired, %d unchanged", r.Created, r.Updated, r.Retired, r.Unchanged)
}

func entries(c *Catalogue) ([]entry, error) {
	var out []entry
	add := func(kind, id string, v any) error {
		doc, err := json.Marshal(v)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(doc)
		out = append(out, entry{Kind: kind, ID: id, Doc: doc, Hash: sum[:]})
		return nil
	}
	for _, f := range c.Families {
		if err := add(KindFamily, f.ID, f); err != nil {
			return nil, err
		}
	}
	for _, l := range c.Levels {
		if err := add(KindLevel, l.ID, l); err != nil {
			return nil, err
		}
	}
	for _, cal := range c.Calendars {
		if err := add(KindCalendar, cal.ID, cal); err != nil {
			return nil, err
		}
	}
	for _, s := range c.Services {
		if err := add(KindService, s.ID, s); err != nil {
			return nil, err
		}
	}
	for _, v := range c.Vocabularies {
		if err := add(KindVocabulary, v.ID, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Sync makes the database hold catalogue c, in one transaction: new entries are created,
// changed ones updated, and entries no longer in c retired (never deleted: offerings and
// subscriptions refer to them). Unchanged entries are left alone, so a second sync changes
// nothing. Every change is audited in the council's chain.
func (s *Service) Sync(ctx context.Context, c *Catalogue) (SyncReport, error) {
	var rep SyncReport
	next, err := entries(c)
	if err != nil {
		return rep, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		current, err := s.store.lockAll(ctx)
		if err != nil {
			return err
		}
		have := map[string]entry{}
		for _, e := range current {
			have[e.Kind+"/"+e.ID] = e
		}
		now := s.clock.Now()
		for _, e := range next {
			old, exists := have[e.Kind+"/"+e.ID]
			delete(have, e.Kind+"/"+e.ID)
			switch {
			case !exists:
				e.Version, e.CreatedAt, e.UpdatedAt = 1, now, now
				if err := s.store.insert(ctx, e); err != nil {
					return err
				}
				rep.Created++
				if err := s.record(ctx, "create", e, audit.Diff(nil, json.RawMessage(e.Doc))); err != nil {
					return err
				}
			case !bytes.Equal(old.Hash, e.Hash) || old.RetiredAt != nil:
				e.Version, e.UpdatedAt = old.Version+1, now
				if err := s.store.save(ctx, e); err != nil {
					return err
				}
				rep.Updated++
				if err := s.record(ctx, "update", e, audit.Diff(json.RawMessage(old.Doc), json.RawMessage(e.Doc))); err != nil {
					return err
				}
				for _, fn := range s.onUpdate {
					if err := fn(ctx, e.Kind, e.ID, e.Doc); err != nil {
						return err
					}
				}
			default:
				rep.Unchanged++
			}
		}
		for _, old := range have {
			if old.RetiredAt != nil {
				continue
			}
			old.Version, old.RetiredAt, old.UpdatedAt = old.Version+1, &now, now
			if err := s.store.save(ctx, old); err != nil {
				return err
			}
			rep.Retired++
			if err := s.record(ctx, "retire", old, map[string]any{"retired_at": now}); err != nil {
				return err
			}
		}
		if rep.Created+rep.Updated+rep.Retired == 0 {
			return nil
		}
		return s.changed(ctx)
	})
	return rep, err
}

func (s *Service) record(ctx context.Context, verb string, e entry, diff any) error {
	return s.audit.Record(ctx, audit.Change{Tenant: tenant.CouncilID, Action: "catalog." + e.Kind + "." + verb,
		ObjectType: "catalog_" + e.Kind, ObjectID: e.ID, Diff: diff})
}

// OnUpdate has fn called, in the sync's transaction, for each entry a sync changes (not for new
// ones): kind, id and the new document. An error rolls the sync back.
func (s *Service) OnUpdate(fn func(ctx context.Context, kind, id string, doc []byte) error) {
	s.onUpdate = append(s.onUpdate, fn)
}

// Current returns the catalogue as the database holds it now, without retired entries.
func (s *Service) Current(ctx context.Context) (*Catalogue, error) {
	rows, err := s.store.current(ctx)
	if err != nil {
		return nil, err
	}
	c := &Catalogue{}
	for _, r := range rows {
		switch r.Kind {
		case KindFamily:
			err = appendDoc(r.Doc, &c.Families)
		case KindLevel:
			err = appendDoc(r.Doc, &c.Levels)
		case KindCalendar:
			err = appendDoc(r.Doc, &c.Calendars)
		case KindService:
			err = appendDoc(r.Doc, &c.Services)
		case KindVocabulary:
			err = appendDoc(r.Doc, &c.Vocabularies)
		}
		if err != nil {
			return nil, fmt.Errorf("catalogue entry %s/%s: %w", r.Kind, r.ID, err)
		}
	}
	return c, nil
}

func appendDoc[T any](doc []byte, dst *[]T) error {
	var v T
	if err := json.Unmarshal(doc, &v); err != nil {
		return err
	}
	*dst = append(*dst, v)
	return nil
}

// ServiceEntry is a standard service as the catalogue holds it: its definition, the catalogue
// version of the entry and when it was retired, if it was.
type ServiceEntry struct {
	StandardService
	Version   int        `json:"catalog_version"`
	RetiredAt *time.Time `json:"retired_at,omitempty" format:"date-time"`
}

// ServiceFilter selects standard services.
type ServiceFilter struct {
	Family         string
	Level          string
	Mandatory      *bool
	Query          string // part of the Danish or English name, case-insensitive
	IncludeRetired bool
}

// ListServices returns one page of standard services by id.
func (s *Service) ListServices(ctx context.Context, f ServiceFilter, p page.Request) (page.Page[ServiceEntry], error) {
	rows, err := s.store.services(ctx, f, p)
	if err != nil {
		return page.Page[ServiceEntry]{}, err
	}
	out := make([]ServiceEntry, 0, len(rows.Items))
	for _, r := range rows.Items {
		e := ServiceEntry{Version: r.Version, RetiredAt: r.RetiredAt}
		if err := json.Unmarshal(r.Doc, &e.StandardService); err != nil {
			return page.Page[ServiceEntry]{}, err
		}
		out = append(out, e)
	}
	return page.Page[ServiceEntry]{Items: out, Next: rows.Next}, nil
}

// GetService returns one standard service, retired or not (from memory once read).
func (s *Service) GetService(ctx context.Context, id string) (ServiceEntry, error) {
	r, err := s.entry(ctx, KindService, id)
	if err != nil {
		return ServiceEntry{}, postgres.NotFound(err, "standard service")
	}
	e := ServiceEntry{Version: r.Version, RetiredAt: r.RetiredAt}
	return e, json.Unmarshal(r.Doc, &e.StandardService)
}

// List returns one page of the current entries of a kind (families, levels, calendars,
// vocabularies), decoded into T.
func List[T any](ctx context.Context, s *Service, kind string, p page.Request) (page.Page[T], error) {
	rows, err := s.store.list(ctx, kind, p)
	if err != nil {
		return page.Page[T]{}, err
	}
	out := make([]T, 0, len(rows.Items))
	for _, r := range rows.Items {
		if err := appendDoc(r.Doc, &out); err != nil {
			return page.Page[T]{}, err
		}
	}
	return page.Page[T]{Items: out, Next: rows.Next}, nil
}

// IDs returns the ids of the current entries of a kind, sorted.
func (s *Service) IDs(ctx context.Context, kind string) ([]string, error) {
	return s.store.ids(ctx, kind)
}

// Get returns one current entry of a kind, decoded into T (from memory once read).
func Get[T any](ctx context.Context, s *Service, kind, id string) (T, error) {
	var v T
	r, err := s.entry(ctx, kind, id)
	if err == nil && r.RetiredAt != nil {
		return v, apperr.NotFoundf(kind)
	}
	if err != nil {
		return v, postgres.NotFound(err, kind)
	}
	return v, json.Unmarshal(r.Doc, &v)
}

// SyncFiles loads and validates the catalogue in fsys and syncs it; an invalid catalogue
// changes nothing and its problems are returned.
func (s *Service) SyncFiles(ctx context.Context, fsys fs.FS) (SyncReport, error) {
	cat, problems := Load(fsys)
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.String()
		}
		return SyncReport{}, fmt.Errorf("the catalogue has %d problems:\n%s", len(problems), strings.Join(msgs, "\n"))
	}
	return s.Sync(ctx, cat)
}
