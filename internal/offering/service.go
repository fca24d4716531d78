package offering

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/cache"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/date"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/review"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Service is the offerings' use cases.
type Service struct {
	db      *postgres.DB
	store   store
	audit   *audit.Log
	catalog *catalog.Service
	clock   clock.Clock
}

// NewService returns the offering service.
func NewService(db *postgres.DB, log *audit.Log, cat *catalog.Service, c clock.Clock) *Service {
	return &Service{db: db, store: store{db: db, live: &cache.Cache[*publishedSet]{Channel: Channel}}, audit: log, catalog: cat, clock: c}
}

func (s *Service) record(ctx context.Context, unit, action, objectType, id string, diff any) error {
	return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForUnit(unit), Action: action, ObjectType: objectType,
		ObjectID: id, Diff: diff})
}

// standardService returns the current (not retired) standard service with id.
func (s *Service) standardService(ctx context.Context, id, pointer string) (catalog.StandardService, error) {
	e, err := s.catalog.GetService(ctx, id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && e.RetiredAt != nil) {
		return catalog.StandardService{}, apperr.Field(pointer, "no such standard service in the current catalogue")
	}
	return e.StandardService, err
}

// NewOffering is a unit's new offering: the standard service and the terms of its first draft.
type NewOffering struct {
	ServiceID string `json:"service_id" validate:"required,max=20" example:"CMP-01"`
	Terms     Terms  `json:"terms"`
}

// Create starts an offering of a standard service with a first draft version.
func (s *Service) Create(ctx context.Context, unit string, in NewOffering) (Offering, error) {
	if err := validation.Check(in); err != nil {
		return Offering{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "offering.create", in, func(ctx context.Context) (Offering, error) {
		svc, err := s.standardService(ctx, in.ServiceID, "/service_id")
		if err != nil {
			return Offering{}, err
		}
		if err := in.Terms.Check(svc); err != nil {
			return Offering{}, err
		}
		now := s.clock.Now()
		o := offeringRow{ID: uuid.NewString(), Unit: unit, ServiceID: in.ServiceID, CreatedBy: actor.Subject, CreatedAt: now}
		err = s.store.insertOffering(ctx, o)
		if apperr.Is(err, apperr.Conflict) {
			return Offering{}, apperr.Newf(apperr.Conflict, "unit %s offers %s already; change that offering with a new version", unit, in.ServiceID)
		} else if err != nil {
			return Offering{}, err
		}
		v := Version{OfferingID: o.ID, Number: 1, State: Draft, Terms: in.Terms, Version: 1, CreatedBy: actor.Subject,
			CreatedAt: now, UpdatedAt: now}
		if err := s.store.insertVersion(ctx, v); err != nil {
			return Offering{}, err
		}
		off := Offering{ID: o.ID, Unit: unit, ServiceID: o.ServiceID, CreatedBy: o.CreatedBy, CreatedAt: now, Pending: &v}
		return off, s.record(ctx, unit, "offering.create", "offering", o.ID, audit.Diff(nil, off))
	})
}

// ForUnit returns one of a unit's offerings with its live and pending versions and decisions.
func (s *Service) ForUnit(ctx context.Context, unit, id string) (Offering, error) {
	return s.one(ctx, unit, id)
}

// Live returns an offering with its live version only, from the published set in memory; an
// offering with nothing live is not found. Its version is shared: do not modify it.
func (s *Service) Live(ctx context.Context, id string) (Offering, error) {
	set, err := s.store.published(ctx)
	if err != nil {
		return Offering{}, err
	}
	o, ok := set.byID[id]
	if !ok {
		return Offering{}, apperr.NotFoundf("offering")
	}
	return *o, nil
}

// CheckUnits refuses offerings ids that are not unit's, naming each by its place in the body's
// member (such as /offerings/0).
func (s *Service) CheckUnits(ctx context.Context, unit, member string, ids []string) error {
	for i, id := range ids {
		o, err := s.Get(ctx, id)
		if apperr.Is(err, apperr.NotFound) || err == nil && o.Unit != unit {
			return apperr.Field(fmt.Sprintf("%s/%d", member, i), "is not an offering of unit "+unit)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Get returns an offering as the caller may see it: its live version for everyone (one query);
// the council and the unit itself also see the version in the making and the council's
// decisions, and an offering with nothing live.
func (s *Service) Get(ctx context.Context, id string) (Offering, error) {
	off, err := s.Live(ctx, id)
	switch {
	case err == nil && !insider(ctx, off.Unit):
		return off, nil
	case err != nil && !apperr.Is(err, apperr.NotFound):
		return Offering{}, err
	}
	o, err := s.store.offering(ctx, "", id, false)
	if err != nil {
		return Offering{}, err
	}
	if !insider(ctx, o.Unit) {
		return Offering{}, apperr.NotFoundf("offering")
	}
	return s.one(ctx, o.Unit, id)
}

// insider reports whether the caller sees an offering's drafts: the council and the unit.
func insider(ctx context.Context, unit string) bool {
	p, _ := identity.FromContext(ctx)
	return p.Acting == tenant.CouncilID || p.Acting == tenant.ForUnit(unit)
}

// one loads one offering with its live and pending versions and the council's decisions.
func (s *Service) one(ctx context.Context, unit, id string) (Offering, error) {
	r, err := s.store.offering(ctx, unit, id, false)
	if err != nil {
		return Offering{}, err
	}
	res, err := s.assemble(ctx, []offeringRow{r})
	if err != nil {
		return Offering{}, err
	}
	o := res[0]
	o.Decisions, err = review.Decisions(ctx, s.db, review.KindOfferingVersion, o.ID+"/")
	return o, err
}

func (s *Service) assemble(ctx context.Context, rows []offeringRow) ([]Offering, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	live, pending, err := s.store.current(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Offering, len(rows))
	for i, r := range rows {
		out[i] = Offering{ID: r.ID, Unit: r.Unit, ServiceID: r.ServiceID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
			Live: live[r.ID], Pending: pending[r.ID]}
	}
	return out, nil
}

// ListForUnit returns one page of a unit's offerings in every state.
func (s *Service) ListForUnit(ctx context.Context, unit string, p page.Request) (page.Page[Offering], error) {
	rows, err := s.store.offerings(ctx, unit, p)
	if err != nil {
		return page.Page[Offering]{}, err
	}
	items, err := s.assemble(ctx, rows.Items)
	if err != nil {
		return page.Page[Offering]{}, err
	}
	return page.Page[Offering]{Items: items, Next: rows.Next}, nil
}

// Filter selects published offerings.
type Filter struct {
	ServiceID string
	Unit      string
	Level     string
}

// ListPublished returns one page of the offerings that have a live version, for everyone, from
// the published set in memory.
func (s *Service) ListPublished(ctx context.Context, f Filter, p page.Request) (page.Page[Offering], error) {
	after, err := p.Key(page.Col{Expr: "id", Kind: page.UUID})
	if err != nil {
		return page.Page[Offering]{}, err
	}
	set, err := s.store.published(ctx)
	if err != nil {
		return page.Page[Offering]{}, err
	}
	start := 0
	if after != nil {
		start = sort.Search(len(set.sorted), func(i int) bool { return set.sorted[i].ID > after[0].(string) })
	}
	var rows []Offering
	for _, o := range set.sorted[start:] {
		if f.matches(o) {
			if rows = append(rows, o); len(rows) > p.Limit {
				break
			}
		}
	}
	return page.Of(rows, p.Limit, func(o Offering) []string { return []string{o.ID} }), nil
}

func (f Filter) matches(o Offering) bool {
	return (f.ServiceID == "" || o.ServiceID == f.ServiceID) && (f.Unit == "" || o.Unit == f.Unit) &&
		(f.Level == "" || slices.Contains(o.Live.Terms.LevelIDs(), f.Level))
}

// change runs fn on the unit's offering's version in one of states, locked, then saves and
// audits it.
func (s *Service) change(ctx context.Context, unit, id, action string, states []State, fn func(ctx context.Context, v *Version) error) (Version, error) {
	var out Version
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.lockOffering(ctx, unit, id); err != nil {
			return err
		}
		v, err := s.store.version(ctx, id, states...)
		if err != nil {
			return err
		}
		before := v
		if err := fn(ctx, &v); err != nil {
			return err
		}
		if err := s.store.saveVersion(ctx, &v, s.clock.Now()); err != nil {
			return err
		}
		out = v
		return s.record(ctx, unit, action, "offering_version", versionID(v), audit.Diff(before, v))
	})
	return out, err
}

func versionID(v Version) string { return v.OfferingID + "/" + strconv.Itoa(v.Number) }

// EditDraft replaces the terms of the offering's draft if it is still at version.
func (s *Service) EditDraft(ctx context.Context, unit, id string, version int, t Terms) (Version, error) {
	if err := validation.Check(t); err != nil {
		return Version{}, err
	}
	return s.change(ctx, unit, id, "offering.edit", []State{Draft, Submitted}, func(ctx context.Context, v *Version) error {
		if err := apperr.CheckVersion(v.Version, version); err != nil {
			return err
		}
		o, err := s.store.lockOffering(ctx, unit, id)
		if err != nil {
			return err
		}
		svc, err := s.standardService(ctx, o.ServiceID, "/service_id")
		if err != nil {
			return err
		}
		if err := t.Check(svc); err != nil {
			return err
		}
		return v.edit(t)
	})
}

// Submit sends the offering's draft to the council.
func (s *Service) Submit(ctx context.Context, unit, id string) (Version, error) {
	return s.change(ctx, unit, id, "offering.submit", []State{Draft, Submitted}, func(ctx context.Context, v *Version) error {
		return v.submit(s.clock.Now())
	})
}

// RetireInput says when a live offering ends.
type RetireInput struct {
	// RetireOn is the last day the version can be ordered, YYYY-MM-DD, at most 2099-12-31.
	RetireOn string `json:"retire_on" validate:"required" format:"date" example:"2027-06-30"`
}

// Retire schedules the end of the offering's live version.
func (s *Service) Retire(ctx context.Context, unit, id string, in RetireInput) (Version, error) {
	if err := validation.Check(in); err != nil {
		return Version{}, err
	}
	on, err := date.Parse(in.RetireOn)
	if err != nil {
		return Version{}, apperr.Field("/retire_on", err.Error())
	}
	return s.change(ctx, unit, id, "offering.retire", []State{Published, Retired}, func(ctx context.Context, v *Version) error {
		levels, err := catalog.List[catalog.Level](ctx, s.catalog, catalog.KindLevel, page.Request{Limit: page.MaxLimit})
		if err != nil {
			return err
		}
		return v.retire(on, levels.Items, clock.Today(s.clock.Now()))
	})
}

// NewVersion starts a new draft of a published offering from its live terms; the live version
// stays published until the council approves the new one.
func (s *Service) NewVersion(ctx context.Context, unit, id string) (Version, error) {
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "offering.version", id, func(ctx context.Context) (Version, error) {
		if _, err := s.store.lockOffering(ctx, unit, id); err != nil {
			return Version{}, err
		}
		if _, err := s.store.version(ctx, id, Draft, Submitted); err == nil {
			return Version{}, apperr.New(apperr.Conflict, "the offering has a version in the making already")
		}
		live, err := s.store.version(ctx, id, Published)
		if apperr.Is(err, apperr.NotFound) {
			return Version{}, apperr.New(apperr.Conflict, "the offering has no published version to start from; edit its draft")
		} else if err != nil {
			return Version{}, err
		}
		n, err := s.store.nextNumber(ctx, id)
		if err != nil {
			return Version{}, err
		}
		now := s.clock.Now()
		v := Version{OfferingID: id, Number: n, State: Draft, Terms: live.Terms, Version: 1, CreatedBy: actor.Subject,
			CreatedAt: now, UpdatedAt: now}
		if err := s.store.insertVersion(ctx, v); err != nil {
			return Version{}, err
		}
		return v, s.record(ctx, unit, "offering.version", "offering_version", versionID(v), audit.Diff(nil, v))
	})
}

// Decide records the council's decision on the offering's submitted version: approved, it is
// published and the previous live version superseded; rejected, it goes back to draft with the
// reason.
func (s *Service) Decide(ctx context.Context, id string, in review.Input) (Version, error) {
	if err := validation.Check(in); err != nil {
		return Version{}, err
	}
	var out Version
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		o, err := s.store.offering(ctx, "", id, true)
		if err != nil {
			return err
		}
		v, err := s.store.version(ctx, id, Submitted)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.Conflict, "the offering has no submitted version to decide on")
		} else if err != nil {
			return err
		}
		now := s.clock.Now()
		approved := in.Outcome == review.Approved
		if approved {
			prev, err := s.store.version(ctx, id, Published, Retired)
			if err == nil {
				before := prev
				prev.State = Superseded
				if err := s.store.saveVersion(ctx, &prev, now); err != nil {
					return err
				}
				if err := s.record(ctx, o.Unit, "offering.supersede", "offering_version", versionID(prev), audit.Diff(before, prev)); err != nil {
					return err
				}
			} else if !apperr.Is(err, apperr.NotFound) {
				return err
			}
		}
		before := v
		if err := v.decide(approved, in.Reason, now); err != nil {
			return err
		}
		d, err := review.Record(ctx, s.db, "offering_version", versionID(v), in, now)
		if err != nil {
			return err
		}
		if err := s.store.saveVersion(ctx, &v, now); err != nil {
			return err
		}
		out = v
		return s.record(ctx, o.Unit, "offering.decide", "offering_version", versionID(v),
			map[string]any{"decision": d, "version": audit.Diff(before, v)})
	})
	return out, err
}

// Version returns version number of an offering, whatever its state: subscriptions pin it.
func (s *Service) Version(ctx context.Context, offeringID string, number int) (Version, error) {
	return s.store.versionNumber(ctx, offeringID, number)
}

// Price returns the terms of a level in the version, if it offers it.
func (v Version) Price(level string) (LevelTerms, bool) {
	for _, l := range v.Terms.Levels {
		if l.Level == level {
			return l, true
		}
	}
	return LevelTerms{}, false
}

// Forget empties this instance's memory of published offerings (on a notification on Channel).
func (s *Service) Forget(context.Context) error {
	s.store.live.Forget()
	return nil
}
