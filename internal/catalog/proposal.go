package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/review"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// ProposalState is where a catalogue proposal stands.
type ProposalState string

// The states of a proposal.
const (
	ProposalSubmitted ProposalState = "submitted"
	ProposalAccepted  ProposalState = "accepted"
	ProposalRejected  ProposalState = "rejected"
)

// ProposalStates lists the states of a proposal.
var ProposalStates = []ProposalState{ProposalSubmitted, ProposalAccepted, ProposalRejected}

// Proposal is a unit's or the council's proposal of a new or changed standard service.
type Proposal struct {
	ID          string          `json:"id" format:"uuid"`
	Proposer    string          `json:"proposer" example:"unit:midt"`
	ProposedBy  string          `json:"proposed_by"`
	Change      string          `json:"change" enums:"new,change"`
	ServiceID   string          `json:"service_id" example:"CMP-03"`
	Service     json.RawMessage `json:"service" swaggertype:"object"` // the standard service, as in services/<id>.yaml
	Rationale   string          `json:"rationale"`
	State       ProposalState   `json:"state"`
	SubmittedAt time.Time       `json:"submitted_at" format:"date-time"`
	Version     int             `json:"version"`
}

// TableName is the proposals' table.
func (Proposal) TableName() string { return "catalog_proposals" }

// NewProposal proposes a new or changed standard service.
type NewProposal struct {
	Change    string          `json:"change" validate:"required,oneof=new change" example:"new"`
	Service   json.RawMessage `json:"service" validate:"required" swaggertype:"object"` // same schema as services/<id>.yaml
	Rationale string          `json:"rationale" validate:"required,min=3,max=4000" example:"Municipalities ask for GPU capacity."`
}

// Propose validates a proposed standard service against the published schema and the current
// catalogue and submits it to the council. The proposer is the tenant the caller acts for.
func (s *Service) Propose(ctx context.Context, in NewProposal) (Proposal, error) {
	if err := validation.Check(in); err != nil {
		return Proposal{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "proposal.create", in, func(ctx context.Context) (Proposal, error) {
		svc, err := s.checkProposed(ctx, in)
		if err != nil {
			return Proposal{}, err
		}
		doc, err := json.Marshal(svc)
		if err != nil {
			return Proposal{}, err
		}
		r := proposalRow{ID: uuid.NewString(), Proposer: actor.Acting.String(), ProposedBy: actor.Subject, Change: in.Change,
			ServiceID: svc.ID, Doc: doc, Rationale: strings.TrimSpace(in.Rationale), State: ProposalSubmitted,
			SubmittedAt: s.clock.Now(), Version: 1}
		if err := s.store.insertProposal(ctx, r); err != nil {
			return Proposal{}, err
		}
		p := r.proposal()
		return p, s.audit.Record(ctx, audit.Change{Tenant: tenant.CouncilID, Action: "catalog.proposal.create",
			ObjectType: "catalog_proposal", ObjectID: p.ID, Diff: audit.Diff(nil, p)})
	})
}

// checkProposed validates the proposed service like a catalogue file, and checks that a new
// service is new and a changed one exists.
func (s *Service) checkProposed(ctx context.Context, in NewProposal) (StandardService, error) {
	var svc StandardService
	doc := document{file: "service", json: in.Service, lines: map[string]int{}}
	problems := validateAgainst(schemas["services"], doc)
	if len(problems) == 0 {
		problems = decode(doc, &svc)
	}
	if len(problems) == 0 {
		cat, err := s.Current(ctx)
		if err != nil {
			return svc, err
		}
		families, levels, services := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for _, f := range cat.Families {
			families[f.ID] = true
		}
		for _, l := range cat.Levels {
			levels[l.ID] = true
		}
		for _, x := range cat.Services {
			services[x.ID] = true
		}
		services[svc.ID] = true // a new service may be depended on by nothing yet, but is itself known
		problems = CheckService(svc, families, levels, services, cat.controls())
		_, exists := cat.Service(svc.ID)
		if in.Change == "new" && exists {
			problems = append(problems, Problem{Path: "/id", Reason: svc.ID + " exists already; propose a change"})
		}
		if in.Change == "change" && !exists {
			problems = append(problems, Problem{Path: "/id", Reason: "no standard service " + svc.ID + " to change"})
		}
	}
	if len(problems) == 0 {
		return svc, nil
	}
	e := &apperr.Error{Kind: apperr.Invalid, Msg: "the proposed service is not valid"}
	for _, p := range problems {
		e.Fields = append(e.Fields, apperr.FieldError{Pointer: "/service" + p.Path, Reason: p.Reason})
	}
	return svc, e
}

// ListProposals returns one page of proposals, oldest first: the council sees all, a unit its own.
func (s *Service) ListProposals(ctx context.Context, p page.Request) (page.Page[Proposal], error) {
	proposer := ""
	if actor, _ := identity.FromContext(ctx); actor.Acting != tenant.CouncilID {
		proposer = actor.Acting.String()
	}
	return s.store.proposals(ctx, proposer, p)
}

// GetProposal returns a proposal the caller may see: the council any, a unit its own.
func (s *Service) GetProposal(ctx context.Context, id string) (Proposal, error) {
	r, err := s.proposal(ctx, id, false)
	return r.proposal(), err
}

func (s *Service) proposal(ctx context.Context, id string, lock bool) (proposalRow, error) {
	r, err := s.store.proposal(ctx, id, lock)
	if err != nil {
		return r, err
	}
	if actor, _ := identity.FromContext(ctx); actor.Acting != tenant.CouncilID && actor.Acting.String() != r.Proposer {
		return r, apperr.NotFoundf("proposal")
	}
	return r, nil
}

// DecideProposal records the council's decision on a submitted proposal. An accepted proposal
// changes nothing by itself: it is exported as YAML and committed into catalog/.
func (s *Service) DecideProposal(ctx context.Context, id string, in review.Input) (Proposal, error) {
	if err := validation.Check(in); err != nil {
		return Proposal{}, err
	}
	var out Proposal
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.proposal(ctx, id, true)
		if err != nil {
			return err
		}
		if r.State != ProposalSubmitted {
			return apperr.Newf(apperr.Conflict, "the proposal is %s already", r.State)
		}
		now := s.clock.Now()
		d, err := review.Record(ctx, s.db, "proposal", id, in, now)
		if err != nil {
			return err
		}
		before := r.proposal()
		r.State, r.Version = ProposalRejected, r.Version+1
		if in.Outcome == review.Approved {
			r.State = ProposalAccepted
		}
		if err := s.store.saveProposal(ctx, r); err != nil {
			return err
		}
		out = r.proposal()
		return s.audit.Record(ctx, audit.Change{Tenant: tenant.CouncilID, Action: "catalog.proposal.decide",
			ObjectType: "catalog_proposal", ObjectID: id, Diff: map[string]any{"decision": d, "proposal": audit.Diff(before, out)}})
	})
	return out, err
}

// ExportYAML renders an accepted proposal as the file to commit as services/<id>.yaml.
func (s *Service) ExportYAML(ctx context.Context, id string) (name string, body []byte, err error) {
	r, err := s.proposal(ctx, id, false)
	if err != nil {
		return "", nil, err
	}
	if r.State != ProposalAccepted {
		return "", nil, apperr.Newf(apperr.Conflict, "the proposal is %s; only an accepted proposal is exported", r.State)
	}
	var svc StandardService
	if err := json.Unmarshal(r.Doc, &svc); err != nil {
		return "", nil, err
	}
	// Through a generic value so that the YAML keeps the JSON names and the schema's key order.
	var ordered yaml.Node
	raw, err := json.Marshal(svc)
	if err != nil {
		return "", nil, err
	}
	if err := yaml.Unmarshal(raw, &ordered); err != nil {
		return "", nil, err
	}
	blockStyle(&ordered)
	var buf bytes.Buffer
	buf.WriteString("# Standard service " + svc.ID + ". Owned by the architecture council; change it through a proposal.\n")
	buf.WriteString("# Accepted proposal " + r.ID + " from " + r.Proposer + ".\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&ordered); err != nil {
		return "", nil, err
	}
	return svc.ID + ".yaml", buf.Bytes(), enc.Close()
}

// blockStyle turns the flow style that parsing JSON leaves into the block style of the
// catalogue's files.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// Waiting lists the submitted proposals, for the council's queue.
func (s *Service) Waiting(ctx context.Context) ([]review.Item, error) {
	rows, err := s.store.submittedProposals(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]review.Item, len(rows))
	for i, r := range rows {
		items[i] = review.Item{Kind: review.KindProposal, ID: r.ID, Title: changeTitle[r.Change] + " standard service " + r.ServiceID,
			Actor: r.ProposedBy, Submitter: review.Submitter{Tenant: r.Proposer}, SubmittedAt: r.SubmittedAt}
	}
	return items, nil
}

// changeTitle is how a proposal's change reads at the start of its title.
var changeTitle = map[string]string{"new": "New", "change": "Change"}
