package offering

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/review"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// RequestWaiver asks the council to excuse the unit from a mandatory service at a level.
func (s *Service) RequestWaiver(ctx context.Context, unit string, in NewWaiver) (Waiver, error) {
	if err := validation.Check(in); err != nil {
		return Waiver{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "waiver.create", in, func(ctx context.Context) (Waiver, error) {
		svc, err := s.standardService(ctx, in.ServiceID, "/service_id")
		if err != nil {
			return Waiver{}, err
		}
		exp, err := in.check(svc, clock.Today(s.clock.Now()))
		if err != nil {
			return Waiver{}, err
		}
		r := waiverRow{ID: uuid.NewString(), Unit: unit, ServiceID: in.ServiceID, Level: in.Level, Reason: in.Reason,
			State: WaiverRequested, ExpiresOn: exp, RequestedBy: actor.Subject, RequestedAt: s.clock.Now(), Version: 1}
		if err := s.store.insertWaiver(ctx, r); err != nil {
			return Waiver{}, err
		}
		w := r.waiver()
		return w, s.record(ctx, unit, "waiver.request", "waiver", w.ID, audit.Diff(nil, w))
	})
}

// ListWaivers returns one page of waivers, oldest first: a unit's, or every unit's for "".
func (s *Service) ListWaivers(ctx context.Context, unit string, p page.Request) (page.Page[Waiver], error) {
	return s.store.waivers(ctx, unit, p)
}

// Waiver returns one waiver as the caller may see it: the council sees all, a unit its own.
func (s *Service) Waiver(ctx context.Context, id string) (Waiver, error) {
	w, err := s.store.waiver(ctx, id, false)
	if err != nil {
		return Waiver{}, err
	}
	if !insider(ctx, w.Unit) {
		return Waiver{}, apperr.NotFoundf("waiver")
	}
	return w, nil
}

// DecideWaiver records the council's decision on a requested waiver.
func (s *Service) DecideWaiver(ctx context.Context, id string, in review.Input) (Waiver, error) {
	if err := validation.Check(in); err != nil {
		return Waiver{}, err
	}
	var out Waiver
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w, err := s.store.waiver(ctx, id, true)
		if err != nil {
			return err
		}
		before := w
		if err := w.decide(in.Outcome == review.Approved); err != nil {
			return err
		}
		now := s.clock.Now()
		d, err := review.Record(ctx, s.db, "waiver", id, in, now)
		if err != nil {
			return err
		}
		w.Version++
		if err := s.store.saveWaiver(ctx, w); err != nil {
			return err
		}
		out = w
		return s.record(ctx, w.Unit, "waiver.decide", "waiver", id, map[string]any{"decision": d, "waiver": audit.Diff(before, w)})
	})
	return out, err
}

// Conformance reports, for one unit or ("") every unit, each mandatory standard service at each
// required level as published, waived or missing.
func (s *Service) Conformance(ctx context.Context, unit string) (Conformance, error) {
	cat, err := s.catalog.Current(ctx)
	if err != nil {
		return Conformance{}, err
	}
	units, err := s.store.units(ctx, unit)
	if err != nil {
		return Conformance{}, err
	}
	if unit != "" && len(units) == 0 {
		return Conformance{}, apperr.NotFoundf("unit")
	}
	day := clock.Today(s.clock.Now())
	live, err := s.store.liveOffers(ctx, unit, day)
	if err != nil {
		return Conformance{}, err
	}
	waivers, err := s.store.grantedWaivers(ctx, unit, day)
	if err != nil {
		return Conformance{}, err
	}
	return conformance(units, cat.Services, live, waivers), nil
}

// Waiting lists the submitted offering versions and the requested waivers, for the council's
// queue.
func (s *Service) Waiting(ctx context.Context) ([]review.Item, error) {
	versions, err := s.store.submitted(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]review.Item, 0, len(versions))
	for _, v := range versions {
		items = append(items, review.Item{Kind: review.KindOfferingVersion, ID: v.OfferingID, Version: v.Number,
			Title: fmt.Sprintf("%s from unit %s, version %d", v.ServiceID, v.Unit, v.Number), Actor: v.CreatedBy,
			Submitter: review.Submitter{Tenant: tenant.ForUnit(v.Unit).String()}, SubmittedAt: v.SubmittedAt})
	}
	waivers, err := s.store.requestedWaivers(ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range waivers {
		items = append(items, review.Item{Kind: review.KindWaiver, ID: w.ID,
			Title: fmt.Sprintf("Waiver for %s at %s until %s", w.ServiceID, w.Level, w.ExpiresOn), Actor: w.RequestedBy,
			Submitter: review.Submitter{Tenant: tenant.ForUnit(w.Unit).String()}, SubmittedAt: w.RequestedAt})
	}
	return items, nil
}
