// Package activation keeps the prerequisites a municipality must meet before a unit may accept
// its orders (the activation gate): the gates of the onboarding template marked before_orders,
// each met by its proof in the platform's data: a verified infrastructure mailbox (contact), the
// current terms of use accepted by a signatory (terms), and a risk assessment (ROS) for every
// service family it orders (risk_assessment). It
// writes the terms acceptances and the risk assessments; it reads the mailbox from mailbox (only
// a verified one counts) and the service families from catalog.
package activation

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/date"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/onboarding"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// TermsVersion is the version of the terms of use a signatory must accept.
const TermsVersion = "2026-1"

// The prerequisites, as named in a refusal's missing list.
const (
	NeedMailbox = "infrastructure_mailbox"
	NeedTerms   = "terms_of_use"
	NeedROS     = "risk_assessment"
)

// Missing is one unmet prerequisite.
type Missing struct {
	Prerequisite string `json:"prerequisite" enums:"infrastructure_mailbox,terms_of_use,risk_assessment"`
	Gate         string `json:"gate" example:"terms"`               // the onboarding programme's gate it belongs to
	Family       string `json:"family,omitempty" example:"compute"` // for risk_assessment
	Detail       string `json:"detail"`
}

// TermsAcceptance records who accepted which terms of use, and when.
type TermsAcceptance struct {
	ID           string    `json:"id" format:"uuid"`
	Municipality string    `json:"municipality" example:"101"`
	TermsVersion string    `json:"terms_version" example:"2026-1"`
	AcceptedBy   string    `json:"accepted_by"`
	AcceptedName string    `json:"accepted_name" example:"signatory.101"`
	AcceptedAt   time.Time `json:"accepted_at" format:"date-time"`
}

// RiskAssessment is a registered ROS for a service family.
type RiskAssessment struct {
	ID           string    `json:"id" format:"uuid"`
	Municipality string    `json:"municipality" example:"101"`
	Family       string    `json:"family" example:"compute"`
	DocumentRef  string    `json:"document_ref" example:"ESDH 2026-004711"`
	SHA256       string    `json:"sha256" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	AssessedOn   string    `json:"assessed_on" example:"2026-10-01"`
	ApprovedBy   string    `json:"approved_by" example:"Kommunaldirektør Jens Hansen"`
	RegisteredBy string    `json:"registered_by"`
	RegisteredAt time.Time `json:"registered_at" format:"date-time"`
}

// Status is where a municipality stands at the gate.
type Status struct {
	Municipality    string           `json:"municipality" example:"101"`
	Mailbox         mailbox.Mailbox  `json:"infrastructure_mailbox"`
	TermsVersion    string           `json:"terms_version" example:"2026-1"`
	Terms           *TermsAcceptance `json:"terms_acceptance" extensions:"x-nullable"`
	RiskAssessments []RiskAssessment `json:"risk_assessments"`
	// Missing lists what is still needed to order from the given families (all families when
	// none are given).
	Missing []Missing `json:"missing"`
}

// check lists what is missing for ordering services of families: the gates the onboarding
// template names as before orders, each met when its proof holds.
func (s Status) check(gates []onboarding.Gate, families []string) []Missing {
	out := []Missing{}
	for _, g := range gates {
		switch g.Proof {
		case onboarding.ProofMailbox:
			switch {
			case s.Mailbox.Verified():
			case s.Mailbox.Pending != nil:
				out = append(out, Missing{Prerequisite: NeedMailbox, Gate: g.ID, Detail: "confirm the infrastructure mailbox with the link sent to " +
					s.Mailbox.Pending.Address + " (register it again for a new link)"})
			default:
				out = append(out, Missing{Prerequisite: NeedMailbox, Gate: g.ID, Detail: "register the infrastructure mailbox (PUT .../mailbox) and confirm it with the link sent to it"})
			}
		case onboarding.ProofTerms:
			if s.Terms == nil {
				out = append(out, Missing{Prerequisite: NeedTerms, Gate: g.ID, Detail: "a signatory must accept terms of use " + TermsVersion})
			}
		case onboarding.ProofROS:
			for _, f := range families {
				if !slices.ContainsFunc(s.RiskAssessments, func(r RiskAssessment) bool { return r.Family == f }) {
					out = append(out, Missing{Prerequisite: NeedROS, Gate: g.ID, Family: f, Detail: "register a risk assessment (ROS) for the " + f + " family"})
				}
			}
		default: // a gate whose proof the platform does not know is never met by data
			out = append(out, Missing{Prerequisite: g.ID, Gate: g.ID, Detail: "the onboarding template names proof " + g.Proof + " for gate " + g.ID + ", which the platform does not know"})
		}
	}
	return out
}

// Service is the activation gate's use cases.
type Service struct {
	db        *postgres.DB
	store     store
	audit     *audit.Log
	catalog   *catalog.Service
	mailboxes *mailbox.Service
	programme *onboarding.Service
	clock     clock.Clock
}

// NewService returns the activation service: its prerequisites are the gates of programme's
// template.
func NewService(db *postgres.DB, log *audit.Log, cat *catalog.Service, boxes *mailbox.Service, programme *onboarding.Service, c clock.Clock) *Service {
	return &Service{db: db, store: store{db}, audit: log, catalog: cat, mailboxes: boxes, programme: programme, clock: c}
}

// Gate refuses, inside the transaction of ctx, when the municipality lacks a prerequisite for
// ordering from families. The refusal lists every missing prerequisite (Extra "missing").
func (s *Service) Gate(ctx context.Context, code string, families []string) error {
	st, err := s.status(ctx, code)
	if err != nil {
		return err
	}
	gates, err := s.programme.OrderGates(ctx)
	if err != nil {
		return err
	}
	st.Missing = st.check(gates, families)
	if len(st.Missing) == 0 {
		return nil
	}
	names := make([]string, len(st.Missing))
	for i, m := range st.Missing {
		names[i] = m.Prerequisite
		if m.Family != "" {
			names[i] += " (" + m.Family + ")"
		}
	}
	e := apperr.Newf(apperr.Conflict, "municipality %s has not met the activation gate: missing %s", code, strings.Join(names, ", "))
	e.Extra = map[string]any{"missing": st.Missing}
	return e
}

// Proofs tells where each proof of the onboarding gates before orders stands for municipality
// code, and what was found, in words: what its programmes show for those gates (a ROS counts for
// its family alone). One read of its prerequisites answers them all.
func (s *Service) Proofs(ctx context.Context, code string) (map[string]onboarding.Proved, error) {
	st, err := s.status(ctx, code)
	if err != nil {
		return nil, err
	}
	out := map[string]onboarding.Proved{
		onboarding.ProofMailbox: {Detail: "no verified infrastructure mailbox"},
		onboarding.ProofTerms:   {Detail: "terms of use " + TermsVersion + " not accepted"},
		onboarding.ProofROS:     {Detail: "no risk assessment registered"},
	}
	if st.Mailbox.Verified() {
		out[onboarding.ProofMailbox] = onboarding.Proved{Met: true, Detail: *st.Mailbox.Address + " verified"}
	}
	if st.Terms != nil {
		out[onboarding.ProofTerms] = onboarding.Proved{Met: true, Detail: fmt.Sprintf("terms of use %s accepted by %s on %s",
			st.Terms.TermsVersion, st.Terms.AcceptedName, st.Terms.AcceptedAt.In(clock.Copenhagen).Format(time.DateOnly))}
	}
	if len(st.RiskAssessments) > 0 {
		fams := make([]string, len(st.RiskAssessments))
		for i, r := range st.RiskAssessments {
			fams[i] = r.Family
		}
		out[onboarding.ProofROS] = onboarding.Proved{Met: true, Detail: "risk assessments registered for " + strings.Join(fams, ", ")}
	}
	return out, nil
}

// Status reports the municipality's prerequisites and what is missing for families (every
// family of the catalogue when families is empty).
func (s *Service) Status(ctx context.Context, code string, families []string) (Status, error) {
	st, err := s.status(ctx, code)
	if err != nil {
		return st, err
	}
	if len(families) == 0 {
		if families, err = s.catalog.IDs(ctx, catalog.KindFamily); err != nil {
			return st, err
		}
	}
	gates, err := s.programme.OrderGates(ctx)
	if err != nil {
		return st, err
	}
	st.Missing = st.check(gates, families)
	return st, nil
}

// status reads the municipality's prerequisites.
func (s *Service) status(ctx context.Context, code string) (Status, error) {
	mb, err := s.mailboxes.Get(ctx, code)
	if err != nil {
		return Status{}, err
	}
	st := Status{Municipality: code, Mailbox: mb, TermsVersion: TermsVersion}
	if st.Terms, err = s.store.terms(ctx, code, TermsVersion); err != nil {
		return st, err
	}
	st.RiskAssessments, err = s.store.riskAssessments(ctx, code)
	return st, err
}

func (s *Service) record(ctx context.Context, code, action, objectType, id string, diff any) error {
	return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(code), Action: action, ObjectType: objectType,
		ObjectID: id, Diff: diff})
}

// TermsInput accepts the terms of use.
type TermsInput struct {
	TermsVersion string `json:"terms_version" validate:"required,max=40" example:"2026-1"`
}

// AcceptTerms records that the signatory of ctx accepts the current terms of use for the
// municipality.
func (s *Service) AcceptTerms(ctx context.Context, code string, in TermsInput) (TermsAcceptance, error) {
	if err := validation.Check(in); err != nil {
		return TermsAcceptance{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "terms.accept", in, func(ctx context.Context) (TermsAcceptance, error) {
		if in.TermsVersion != TermsVersion {
			return TermsAcceptance{}, apperr.Field("/terms_version", "the current terms of use are "+TermsVersion)
		}
		a := TermsAcceptance{ID: uuid.NewString(), Municipality: code, TermsVersion: in.TermsVersion,
			AcceptedBy: actor.Subject, AcceptedName: actor.Name, AcceptedAt: s.clock.Now()}
		err := s.store.insertTerms(ctx, &a)
		if apperr.Is(err, apperr.Conflict) {
			return a, apperr.Newf(apperr.Conflict, "terms of use %s are accepted already", in.TermsVersion)
		} else if err != nil {
			return a, err
		}
		return a, s.record(ctx, code, "terms.accept", "terms_acceptance", a.ID, audit.Diff(nil, a))
	})
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// NewRiskAssessment registers a ROS.
type NewRiskAssessment struct {
	Family      string `json:"family" validate:"required,max=40" example:"compute"`
	DocumentRef string `json:"document_ref" validate:"required,max=500" example:"ESDH 2026-004711"`
	SHA256      string `json:"sha256" validate:"required" minLength:"64" maxLength:"64" pattern:"^[0-9a-fA-F]{64}$" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	// AssessedOn is the day the assessment was made: today or earlier, from 2000-01-01.
	AssessedOn string `json:"assessed_on" validate:"required" format:"date" example:"2026-10-01"`
	ApprovedBy string `json:"approved_by" validate:"required,max=200" example:"Kommunaldirektør Jens Hansen"`
}

// RegisterRiskAssessment records a risk assessment for a service family of the catalogue.
func (s *Service) RegisterRiskAssessment(ctx context.Context, code string, in NewRiskAssessment) (RiskAssessment, error) {
	if err := validation.Check(in); err != nil {
		return RiskAssessment{}, err
	}
	in.SHA256 = strings.ToLower(in.SHA256)
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "ros.create", in, func(ctx context.Context) (RiskAssessment, error) {
		if !sha256Hex.MatchString(in.SHA256) {
			return RiskAssessment{}, apperr.Field("/sha256", "must be the 64 hex digits of the document's SHA-256")
		}
		on, err := date.Parse(in.AssessedOn)
		if err != nil {
			return RiskAssessment{}, apperr.Field("/assessed_on", err.Error())
		}
		if on.After(s.clock.Now()) {
			return RiskAssessment{}, apperr.Field("/assessed_on", "must not be in the future")
		}
		if _, err := catalog.Get[catalog.Family](ctx, s.catalog, catalog.KindFamily, in.Family); apperr.Is(err, apperr.NotFound) {
			return RiskAssessment{}, apperr.Field("/family", "no such service family")
		} else if err != nil {
			return RiskAssessment{}, err
		}
		r := rosRow{ID: uuid.NewString(), Municipality: code, Family: in.Family, DocumentRef: strings.TrimSpace(in.DocumentRef),
			SHA256: in.SHA256, AssessedOn: on, ApprovedBy: strings.TrimSpace(in.ApprovedBy), RegisteredBy: actor.Subject,
			RegisteredAt: s.clock.Now()}
		if err := s.store.insertRiskAssessment(ctx, &r); err != nil {
			return RiskAssessment{}, err
		}
		a := r.assessment()
		return a, s.record(ctx, code, "risk_assessment.create", "risk_assessment", a.ID, audit.Diff(nil, a))
	})
}
