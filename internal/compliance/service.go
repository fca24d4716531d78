package compliance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/review"
	"github.com/servicekatalog/servicekatalog/internal/tabular"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Service is the compliance use cases.
type Service struct {
	db        *postgres.DB
	store     store
	audit     *audit.Log
	catalog   *catalog.Service
	directory *directory.Service
	notices   *notice.Service
	clock     clock.Clock
}

// NewService returns the compliance service.
func NewService(db *postgres.DB, log *audit.Log, cat *catalog.Service, dir *directory.Service, ns *notice.Service, c clock.Clock) *Service {
	return &Service{db: db, store: store{db}, audit: log, catalog: cat, directory: dir, notices: ns, clock: c}
}

func (s *Service) controls(ctx context.Context) ([]Control, error) {
	c, err := s.catalog.Current(ctx)
	if err != nil {
		return nil, err
	}
	return controls(c), nil
}

func (s *Service) today() time.Time { return clock.Today(s.clock.Now()) }

// Filter narrows a matrix to the controls of a standing, or of a review.
type Filter struct {
	Standing Standing
	Review   Review
}

func (f Filter) check() error {
	if f.Standing != "" && !slices.Contains(Standings, f.Standing) {
		return apperr.Param("standing", "must be missing, current, expiring_soon or expired")
	}
	if f.Review != "" && !slices.Contains([]Review{Pending, Accepted, ChangesRequested}, f.Review) {
		return apperr.Param("review", "must be pending, accepted or changes_requested")
	}
	return nil
}

func (f Filter) keeps(l Line) bool {
	return (f.Standing == "" || l.Standing == f.Standing) && (f.Review == "" || l.Attestation != nil && l.Attestation.Review == f.Review)
}

// Matrix returns unit's compliance on today: every control with its standing and attestation.
func (s *Service) Matrix(ctx context.Context, unit string, f Filter) (Matrix, error) {
	if err := f.check(); err != nil {
		return Matrix{}, err
	}
	if _, err := s.directory.Unit(ctx, unit); err != nil {
		return Matrix{}, err
	}
	cs, err := s.controls(ctx)
	if err != nil {
		return Matrix{}, err
	}
	as, err := s.store.of(ctx, unit)
	if err != nil {
		return Matrix{}, err
	}
	return matrix(unit, cs, as[unit], s.today(), f), nil
}

func matrix(unit string, cs []Control, as map[string]Attestation, day time.Time, f Filter) Matrix {
	m := Matrix{Unit: unit, On: day.Format(time.DateOnly), Counts: map[Standing]int{}, Lines: []Line{}}
	for _, st := range Standings {
		m.Counts[st] = 0
	}
	for _, c := range cs {
		l := Line{Control: c}
		if a, ok := as[c.ID]; ok {
			l.Attestation = &a
		}
		l.Standing = standing(l.Attestation, day)
		m.Counts[l.Standing]++
		if f.keeps(l) {
			m.Lines = append(m.Lines, l)
		}
	}
	return m
}

// Attest records unit's attestation of control, new (version AnyVersion) or replacing the one
// at version; the council reviews it anew.
func (s *Service) Attest(ctx context.Context, unit, control string, version int, in NewAttestation) (Attestation, error) {
	if err := validation.Check(in); err != nil {
		return Attestation{}, err
	}
	actor, _ := identity.FromContext(ctx)
	var out Attestation
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		cs, err := s.controls(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cs, func(c Control) bool { return c.ID == control })
		if i < 0 {
			return apperr.NotFoundf("control")
		}
		on, until, err := in.check(s.today())
		if err != nil {
			return err
		}
		r, found, err := s.store.get(ctx, unit, control, true)
		if err != nil {
			return err
		}
		var before any
		if found {
			if err := apperr.CheckVersion(r.Version, version); err != nil {
				return err
			}
			before = r.attestation()
		} else if version != apperr.AnyVersion {
			return apperr.New(apperr.PreconditionFailed, "the control is not attested yet: send If-Match: * to attest it")
		}
		var sum *string
		if in.EvidenceSHA256 != "" {
			v := strings.ToLower(in.EvidenceSHA256)
			sum = &v
		}
		r = row{Unit: unit, Control: control, ControlSet: cs[i].Set, Status: in.Status, Reason: strings.TrimSpace(in.Reason),
			EvidenceRef: strings.TrimSpace(in.EvidenceRef), EvidenceSHA256: sum, AttestedBy: strings.TrimSpace(in.AttestedBy),
			AttestedOn: on, ValidUntil: until, Review: Pending, RecordedBy: actor.Subject, RecordedAt: s.clock.Now(), Version: r.Version + 1}
		if err := s.store.save(ctx, r); err != nil {
			return err
		}
		out = r.attestation()
		return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForUnit(unit), Action: "compliance.attest", ObjectType: review.KindCompliance,
			ObjectID: unit + "/" + control, Diff: audit.Diff(before, out)})
	})
	return out, err
}

// Review records the council's review of unit's attestation of control at version: approved
// accepts it, rejected requests changes (the reason says which). It is one of the council's
// decisions.
func (s *Service) Review(ctx context.Context, unit, control string, version int, in review.Input) (Attestation, error) {
	if err := validation.Check(in); err != nil {
		return Attestation{}, err
	}
	actor, _ := identity.FromContext(ctx)
	var out Attestation
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, found, err := s.store.get(ctx, unit, control, true)
		switch {
		case err != nil:
			return err
		case !found:
			return apperr.NotFoundf("attestation")
		}
		if err := apperr.CheckVersion(r.Version, version); err != nil {
			return err
		}
		if r.Review != Pending {
			return apperr.Newf(apperr.Conflict, "the attestation is %s already; it is reviewed again when the unit attests anew", strings.ReplaceAll(string(r.Review), "_", " "))
		}
		now := s.clock.Now()
		d, err := review.Record(ctx, s.db, review.KindCompliance, unit+"/"+control, in, now)
		if err != nil {
			return err
		}
		before := r.attestation()
		r.Review, r.ReviewReason, r.ReviewedBy, r.ReviewedAt, r.Version = Accepted, d.Reason, &actor.Subject, &now, r.Version+1
		if in.Outcome == review.Rejected {
			r.Review = ChangesRequested
		}
		if err := s.store.save(ctx, r); err != nil {
			return err
		}
		out = r.attestation()
		return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForUnit(unit), Action: "compliance.review", ObjectType: review.KindCompliance,
			ObjectID: unit + "/" + control, Diff: map[string]any{"decision": d, "attestation": audit.Diff(before, out)}})
	})
	return out, err
}

// Fleet is every unit's compliance side by side: the council's matrix of units and controls.
type Fleet struct {
	On    string   `json:"on" format:"date" example:"2026-11-23"`
	Units []Matrix `json:"units"`
}

// Fleet returns every unit's matrix, narrowed alike by f.
func (s *Service) Fleet(ctx context.Context, f Filter) (Fleet, error) {
	if err := f.check(); err != nil {
		return Fleet{}, err
	}
	units, err := s.directory.ListUnits(ctx, page.Request{Limit: page.MaxLimit}) // a handful of units
	if err != nil {
		return Fleet{}, err
	}
	cs, err := s.controls(ctx)
	if err != nil {
		return Fleet{}, err
	}
	as, err := s.store.of(ctx)
	if err != nil {
		return Fleet{}, err
	}
	day := s.today()
	out := Fleet{On: day.Format(time.DateOnly), Units: []Matrix{}}
	for _, u := range units.Items {
		out.Units = append(out.Units, matrix(u.Slug, cs, as[u.Slug], day, f))
	}
	return out, nil
}

// FileName is the fleet's file's name, without its extension.
func (f Fleet) FileName() string { return "compliance-" + f.On }

// Sheets are the fleet as two tables: the matrix, a row per control and a column per unit, and
// every attestation on a line of its own.
func (f Fleet) Sheets() []tabular.Sheet {
	names := []string{"control_set", "control", "name"}
	for _, m := range f.Units {
		names = append(names, m.Unit)
	}
	grid := tabular.Sheet{Name: "Matrix", Columns: tabular.Texts(names...)}
	lines := tabular.Sheet{Name: "Attestations", Columns: tabular.Texts("unit", "control_set", "control", "standing", "status", "reason",
		"evidence_ref", "evidence_sha256", "attested_by", "attested_on", "valid_until", "review", "review_reason")}
	index := map[string]int{}
	for _, m := range f.Units {
		for _, l := range m.Lines {
			i, ok := index[l.Control.ID]
			if !ok {
				i = len(grid.Rows)
				index[l.Control.ID] = i
				grid.Rows = append(grid.Rows, append([]string{l.Control.Set, l.Control.ID, l.Control.Name.EN}, make([]string, len(f.Units))...))
			}
			grid.Rows[i][3+slices.IndexFunc(f.Units, func(x Matrix) bool { return x.Unit == m.Unit })] = l.cell()
			row := []string{m.Unit, l.Control.Set, l.Control.ID, string(l.Standing), "", "", "", "", "", "", "", "", ""}
			if a := l.Attestation; a != nil {
				copy(row[4:], []string{string(a.Status), a.Reason, a.EvidenceRef, a.EvidenceSHA256, a.AttestedBy, a.AttestedOn, a.ValidUntil,
					string(a.Review), a.ReviewReason})
			}
			lines.Rows = append(lines.Rows, row)
		}
	}
	return []tabular.Sheet{grid, lines}
}

// Remind tells each unit, once, of an attestation that expires within ExpiringDays, and once
// more when it has expired, through the notices pipeline (tag SIKKERHED, to its unit admins;
// the expired one high priority). It returns the reminders sent.
func (s *Service) Remind(ctx context.Context) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		day := s.today()
		rows, err := s.store.due(ctx, day)
		if err != nil || len(rows) == 0 {
			return err
		}
		link := s.notices.SwaggerUI("security", "attestControl")
		events := make([]notice.Event, len(rows))
		for i := range rows {
			r := &rows[i]
			until := r.ValidUntil.Format(time.DateOnly)
			kind, title := "expiring", fmt.Sprintf("Attestation of %s expires on %s", r.Control, until)
			if r.ValidUntil.Before(day) {
				kind, title = "expired", fmt.Sprintf("Attestation of %s expired on %s", r.Control, until)
			}
			r.Reminded = kind
			events[i] = notice.Event{Tag: "SIKKERHED", Key: fmt.Sprintf("compliance/%s/%s/%s/%s", r.Unit, r.Control, until, kind), Unit: r.Unit,
				Role: tenant.UnitAdmin, HighPriority: kind == "expired", Title: title,
				Text: fmt.Sprintf("Kontrol / Control: %s (%s)\nGyldig til / Valid until: %s\nStatus: %s\nAttestér igen / Attest again: %s (enhed / unit %s)\n",
					r.Control, r.ControlSet, until, r.Status, link, r.Unit)}
		}
		if err := s.store.markReminded(ctx, rows); err != nil {
			return err
		}
		n = len(rows)
		return s.notices.AnnounceAll(ctx, events)
	})
	return n, err
}
