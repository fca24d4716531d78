package offering

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/review"
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
		exp, err := in.check(svc, today(s.clock.Now()))
		if err != nil {
			return Waiver{}, err
		}
		r := waiverRow{ID: uuid.NewString(), Unit: unit, ServiceID: in.ServiceID, Level: in.Level, Reason: in.Reason,
			State: WaiverRequested, ExpiresOn: exp, RequestedBy: actor.Subject, RequestedAt: s.clock.Now(), Version: 1}
		if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
			return Waiver{}, err
		}
		w := r.waiver()
		return w, s.record(ctx, unit, "waiver.request", "waiver", w.ID, audit.Diff(nil, w))
	})
}

// ListWaivers returns one page of waivers, oldest first: a unit's, or every unit's for "".
func (s *Service) ListWaivers(ctx context.Context, unit string, p page.Request) (page.Page[Waiver], error) {
	q := s.db.Conn(ctx).Model(&waiverRow{})
	if unit != "" {
		q = q.Where("unit = ?", unit)
	}
	rows, err := postgres.Page(q, p, func(r waiverRow) []string {
		return []string{page.Format(r.RequestedAt), r.ID}
	}, page.Col{Expr: "requested_at", Kind: page.Time}, page.Col{Expr: "id", Kind: page.UUID})
	return page.Map(rows, waiverRow.waiver), err
}

// Waiver returns one waiver as the caller may see it: the council sees all, a unit its own.
func (s *Service) Waiver(ctx context.Context, id string) (Waiver, error) {
	var r waiverRow
	if err := s.db.Conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return Waiver{}, postgres.NotFound(err, "waiver")
	}
	if !insider(ctx, r.Unit) {
		return Waiver{}, apperr.NotFoundf("waiver")
	}
	return r.waiver(), nil
}

// DecideWaiver records the council's decision on a requested waiver.
func (s *Service) DecideWaiver(ctx context.Context, id string, in review.Input) (Waiver, error) {
	if err := validation.Check(in); err != nil {
		return Waiver{}, err
	}
	var out Waiver
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r waiverRow
		if err := s.db.Conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&r).Error; err != nil {
			return postgres.NotFound(err, "waiver")
		}
		w := r.waiver()
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
		if err := s.db.Conn(ctx).Model(&waiverRow{}).Where("id = ?", id).
			Updates(map[string]any{"state": w.State, "version": w.Version}).Error; err != nil {
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
	var units []string
	q := s.db.Conn(ctx).Table("units").Order("slug")
	if unit != "" {
		q = q.Where("slug = ?", unit)
	}
	if err := q.Pluck("slug", &units).Error; err != nil {
		return Conformance{}, err
	}
	if unit != "" && len(units) == 0 {
		return Conformance{}, apperr.NotFoundf("unit")
	}
	day := today(s.clock.Now())
	live, err := s.store.liveOffers(ctx, unit, day)
	if err != nil {
		return Conformance{}, err
	}
	var wrows []waiverRow
	wq := s.db.Conn(ctx).Where("state = ? AND expires_on >= ?", WaiverGranted, day)
	if unit != "" {
		wq = wq.Where("unit = ?", unit)
	}
	if err := wq.Order("expires_on DESC").Find(&wrows).Error; err != nil {
		return Conformance{}, err
	}
	waivers := make([]Waiver, len(wrows))
	for i, r := range wrows {
		waivers[i] = r.waiver()
	}
	return conformance(units, cat.Services, live, waivers), nil
}
