package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Tag is the notice tag that tells the affected municipalities.
const Tag = "SIKKERHED"

// Service is the security incidents' use cases.
type Service struct {
	db            *postgres.DB
	store         store
	audit         *audit.Log
	catalog       *catalog.Service
	offerings     *offering.Service
	subscriptions *subscription.Service
	notices       *notice.Service
	clock         clock.Clock
}

// NewService returns the incident service.
func NewService(db *postgres.DB, log *audit.Log, cat *catalog.Service, offs *offering.Service, subs *subscription.Service,
	ns *notice.Service, c clock.Clock) *Service {
	return &Service{db: db, store: store{db}, audit: log, catalog: cat, offerings: offs, subscriptions: subs, notices: ns, clock: c}
}

func (s *Service) profile(ctx context.Context) (Profile, error) {
	v, err := catalog.Get[catalog.Vocabulary](ctx, s.catalog, catalog.KindVocabulary, "clock-profiles")
	if err != nil {
		return Profile{}, err
	}
	return ProfileOf(v)
}

// Record records an incident of unit and tells the municipalities it affects at once, by a
// high-priority SIKKERHED notice from the unit that each acknowledges, in the same transaction.
func (s *Service) Record(ctx context.Context, unit string, in NewIncident) (Incident, error) {
	if err := validation.Check(in); err != nil {
		return Incident{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "incident.record", in, func(ctx context.Context) (Incident, error) {
		now := s.clock.Now()
		if err := in.check(now); err != nil {
			return Incident{}, err
		}
		affected, err := s.affected(ctx, unit, in)
		if err != nil {
			return Incident{}, err
		}
		r := row{ID: uuid.NewString(), Unit: unit, Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description),
			AwareAt: in.AwareAt, Severity: in.Severity, Significant: in.Significant, PersonalData: in.PersonalData,
			Offerings: in.Offerings, Subscriptions: in.Subscriptions, Municipalities: in.Municipalities, Affected: affected,
			RecordedBy: actor.Subject, RecordedAt: now, UpdatedAt: now, Version: 1}
		if len(affected) > 0 {
			n, err := s.notices.Send(ctx, tenant.ForUnit(unit), notice.NewNotice{Tags: []string{Tag}, HighPriority: true,
				Title: r.Title, Body: told(r), Scope: notice.Scope{Municipalities: affected}})
			if err != nil {
				return Incident{}, err
			}
			r.NoticeID = &n.ID
			if r.PersonalData {
				r.PersonalDataToldAt = &n.PublishedAt
			}
		}
		if err := s.store.insert(ctx, r); err != nil {
			return Incident{}, err
		}
		i, err := s.complete(ctx, r)
		if err != nil {
			return Incident{}, err
		}
		return i, s.audit.Record(ctx, audit.Change{Tenant: tenant.ForUnit(unit), Action: "incident.record", ObjectType: "security_incident",
			ObjectID: i.ID, Diff: audit.Diff(nil, r.incident())})
	})
}

// affected are the municipalities an incident of unit affects: those holding the offerings or
// the subscriptions it names, and those it names, each of them the unit's customer.
func (s *Service) affected(ctx context.Context, unit string, in NewIncident) ([]string, error) {
	var out []string
	add := func(code string) {
		if !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	if err := s.offerings.CheckUnits(ctx, unit, "/offerings", in.Offerings); err != nil {
		return nil, err
	}
	if len(in.Offerings) > 0 {
		hs, err := s.subscriptions.Holders(ctx, unit, nil, in.Offerings)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			add(h.Municipality)
		}
	}
	for i, id := range in.Subscriptions {
		sub, err := s.subscriptions.Get(ctx, "", unit, id)
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Field(fmt.Sprintf("/subscriptions/%d", i), "is not a subscription unit "+unit+" delivers")
		} else if err != nil {
			return nil, err
		}
		add(sub.Municipality)
	}
	if len(in.Municipalities) > 0 {
		customers, err := s.subscriptions.Holders(ctx, unit, nil, nil)
		if err != nil {
			return nil, err
		}
		for i, code := range in.Municipalities {
			if !slices.ContainsFunc(customers, func(h subscription.Holder) bool { return h.Municipality == code }) {
				return nil, apperr.Field(fmt.Sprintf("/municipalities/%d", i), "is not a municipality that subscribes to the unit's services")
			}
			add(code)
		}
	}
	slices.Sort(out)
	return out, nil
}

// told is what the notice tells the affected municipalities of r.
func told(r row) string {
	b := fmt.Sprintf("**Sikkerhedshændelse / Security incident** hos / at %s, alvor / severity: **%s**.\n\n%s\n\n"+
		"Enheden blev opmærksom på den / The unit became aware of it: %s.\n\n", r.Unit, r.Severity, r.Description, local(r.AwareAt))
	if r.PersonalData {
		b += personalData
	}
	return b + "Bekræft modtagelsen / Acknowledge receipt."
}

// personalData is what the controllers are told when personal data is involved.
const personalData = "**Personoplysninger er berørt / Personal data is involved.** Kommunen er dataansvarlig og skal anmelde " +
	"bruddet til Datatilsynet senest 72 timer efter, at den fik kendskab til det (GDPR art. 33), medmindre det ikke " +
	"indebærer en risiko for de registrerede. / The municipality is the controller and notifies Datatilsynet within 72 hours " +
	"of becoming aware (GDPR Article 33), unless the breach is unlikely to result in a risk to people.\n\n"

// complete adds r's reports and deadlines as they stand now.
func (s *Service) complete(ctx context.Context, rs ...row) (Incident, error) {
	is, err := s.completeAll(ctx, rs)
	if err != nil || len(is) == 0 {
		return Incident{}, err
	}
	return is[0], nil
}

func (s *Service) completeAll(ctx context.Context, rs []row) ([]Incident, error) {
	p, err := s.profile(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	reports, err := s.store.reports(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := make([]Incident, len(rs))
	for i, r := range rs {
		inc := r.incident()
		if rep := reports[r.ID]; rep != nil {
			inc.Reports = rep
		}
		inc.Deadlines = Deadlines(p, r.AwareAt, r.Significant, r.HandledAt, inc.Reports, now)
		inc.Overdue = slices.ContainsFunc(inc.Deadlines, func(d Deadline) bool { return d.Overdue })
		out[i] = inc
	}
	return out, nil
}

// Get returns incident id of unit.
func (s *Service) Get(ctx context.Context, unit, id string) (Incident, error) {
	r, err := s.store.get(ctx, unit, id, false)
	if err != nil {
		return Incident{}, err
	}
	return s.complete(ctx, r)
}

// List returns one page of unit's incidents, oldest first.
func (s *Service) List(ctx context.Context, unit string, p page.Request) (page.Page[Incident], error) {
	return s.paged(ctx, func() (page.Page[row], error) { return s.store.ofUnit(ctx, unit, p) })
}

func (s *Service) paged(ctx context.Context, fetch func() (page.Page[row], error)) (page.Page[Incident], error) {
	rows, err := fetch()
	if err != nil {
		return page.Page[Incident]{}, err
	}
	items, err := s.completeAll(ctx, rows.Items)
	return page.Page[Incident]{Items: items, Next: rows.Next}, err
}

// Overdue returns every incident with a report due and not submitted, the council's list.
func (s *Service) Overdue(ctx context.Context) ([]Incident, error) {
	rows, err := s.store.owing(ctx, false)
	if err != nil {
		return nil, err
	}
	all, err := s.completeAll(ctx, rows)
	out := []Incident{}
	for _, i := range all {
		if i.Overdue {
			out = append(out, i)
		}
	}
	return out, err
}

// Affecting returns one page of the incidents that affect municipality code, oldest first.
func (s *Service) Affecting(ctx context.Context, code string, p page.Request) (page.Page[Affecting], error) {
	rows, err := s.store.ofMunicipality(ctx, code, p)
	return page.Map(rows, func(r row) Affecting { return r.incident().affecting() }), err
}

// AffectingOne returns incident id, which affects municipality code.
func (s *Service) AffectingOne(ctx context.Context, code, id string) (Affecting, error) {
	r, err := s.store.affecting(ctx, code, id)
	return r.incident().affecting(), err
}

// Update changes incident id of unit at version. When personal data turns out to be involved,
// the affected municipalities are told at once, in the notice's thread, and their clock starts.
func (s *Service) Update(ctx context.Context, unit, id string, version int, in Change) (Incident, error) {
	if err := validation.Check(in); err != nil {
		return Incident{}, err
	}
	var out Incident
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.get(ctx, unit, id, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(r.Version, version); err != nil {
			return err
		}
		before, now := r.incident(), s.clock.Now()
		if in.Severity != nil {
			if !validSeverity(*in.Severity) {
				return apperr.Field("/severity", "must be low, medium, high or critical")
			}
			r.Severity = *in.Severity
		}
		if in.HandledAt != nil {
			switch {
			case in.HandledAt.Before(r.AwareAt):
				return apperr.Field("/handled_at", "is before the unit became aware of the incident ("+local(r.AwareAt)+")")
			case in.HandledAt.After(now):
				return apperr.Field("/handled_at", "is in the future: record it once the incident is handled")
			}
			r.HandledAt = in.HandledAt
		}
		if in.Significant != nil {
			r.Significant = *in.Significant
		}
		if in.Description != nil {
			r.Description = strings.TrimSpace(*in.Description)
		}
		if in.PersonalData != nil {
			if *in.PersonalData && !r.PersonalData && r.NoticeID != nil {
				n, err := s.notices.SendFollowUp(ctx, tenant.ForUnit(unit), *r.NoticeID, notice.NewFollowUp{Kind: notice.Update, HighPriority: true,
					Body: personalData + "Bekræft modtagelsen / Acknowledge receipt."})
				if err != nil {
					return err
				}
				r.PersonalDataToldAt = &n.PublishedAt
			}
			r.PersonalData = *in.PersonalData
		}
		r.UpdatedAt, r.Version = now, r.Version+1
		if err := s.store.save(ctx, r); err != nil {
			return err
		}
		if out, err = s.complete(ctx, r); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForUnit(unit), Action: "incident.update", ObjectType: "security_incident",
			ObjectID: id, Diff: audit.Diff(before, r.incident())})
	})
	return out, err
}

// AddReport records a report the unit submitted of incident id: when (now, unless it says),
// the CSIRT's reference and a summary. A final report needs the incident handled; each report
// but a progress report is recorded once.
func (s *Service) AddReport(ctx context.Context, unit, id string, in NewReport) (Incident, error) {
	if err := validation.Check(in); err != nil {
		return Incident{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "incident.report", in, func(ctx context.Context) (Incident, error) {
		r, err := s.store.get(ctx, unit, id, true)
		if err != nil {
			return Incident{}, err
		}
		now := s.clock.Now()
		at := now
		if in.SubmittedAt != nil {
			at = *in.SubmittedAt
		}
		switch {
		case !slices.Contains(ReportKinds, in.Kind):
			return Incident{}, apperr.Field("/kind", "must be early_warning, notification, progress or final")
		case at.After(now):
			return Incident{}, apperr.Field("/submitted_at", "is in the future: record a report once it is submitted")
		case at.Before(r.AwareAt):
			return Incident{}, apperr.Field("/submitted_at", "is before the unit became aware of the incident ("+local(r.AwareAt)+")")
		case in.Kind == Final && r.HandledAt == nil:
			return Incident{}, apperr.Field("/kind", "a final report needs the incident handled: record handled_at first, or submit a progress report while it is ongoing")
		}
		rep := reportRow{ID: uuid.NewString(), IncidentID: id, Kind: in.Kind, SubmittedAt: at, Reference: strings.TrimSpace(in.Reference),
			Summary: strings.TrimSpace(in.Summary), RecordedBy: actor.Subject, RecordedAt: now}
		if err := s.store.addReport(ctx, rep); apperr.Is(err, apperr.Conflict) {
			return Incident{}, apperr.Newf(apperr.Conflict, "the incident's %s report is recorded already", strings.ReplaceAll(string(in.Kind), "_", " "))
		} else if err != nil {
			return Incident{}, err
		}
		inc, err := s.complete(ctx, r)
		if err != nil {
			return Incident{}, err
		}
		return inc, s.audit.Record(ctx, audit.Change{Tenant: tenant.ForUnit(unit), Action: "incident.report", ObjectType: "security_incident",
			ObjectID: id, Diff: audit.Diff(nil, rep.report())})
	})
}

// RemindBefore is how long before a report's deadline the unit is reminded of it.
const RemindBefore = 6 * time.Hour

// Remind tells each unit, once, of a report of a significant incident due within RemindBefore,
// and once more, high priority, when it is overdue, through the notices pipeline (tag SIKKERHED,
// to the unit's admins). It returns the reminders sent.
func (s *Service) Remind(ctx context.Context) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		rows, err := s.store.owing(ctx, true)
		if err != nil || len(rows) == 0 {
			return err
		}
		incidents, err := s.completeAll(ctx, rows)
		if err != nil {
			return err
		}
		now, link := s.clock.Now(), s.notices.SwaggerUI("security", "reportIncident")
		var events []notice.Event
		for i, inc := range incidents {
			sent := []string(rows[i].Reminded)
			before := len(sent)
			for _, d := range inc.Deadlines {
				if d.DueAt == nil || d.SubmittedAt != nil || now.Before(d.DueAt.Add(-RemindBefore)) {
					continue
				}
				kind := "soon"
				if d.Overdue {
					kind = "overdue"
				}
				key := string(d.Report) + ":" + kind
				if slices.Contains(sent, key) {
					continue
				}
				sent = append(sent, key)
				report := strings.ReplaceAll(string(d.Report), "_", " ")
				title := fmt.Sprintf("Incident %q: the %s is due at %s", inc.Title, report, local(*d.DueAt))
				if d.Overdue {
					title = fmt.Sprintf("Incident %q: the %s is overdue since %s", inc.Title, report, local(*d.DueAt))
				}
				events = append(events, notice.Event{Tag: Tag, Key: fmt.Sprintf("incident/%s/%s", inc.ID, key), Unit: inc.Unit,
					Role: tenant.UnitAdmin, HighPriority: d.Overdue, Title: title,
					Text: fmt.Sprintf("Hændelse / Incident: %s\nRapport / Report: %s\nFrist / Due: %s (%s)\nRegistrér den indsendte rapport / Record the report submitted: %s (enhed / unit %s, hændelse / incident %s)\n",
						inc.Title, report, local(*d.DueAt), d.Basis, link, inc.Unit, inc.ID)})
			}
			if len(sent) > before {
				if err := s.store.setReminded(ctx, inc.ID, sent); err != nil {
					return err
				}
			}
		}
		n = len(events)
		return s.notices.AnnounceAll(ctx, events)
	})
	return n, err
}
