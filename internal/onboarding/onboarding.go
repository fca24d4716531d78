// Package onboarding keeps the programmes through which a municipality takes a unit's shared
// service into use and establishes its management (seeds 001, 004): the catalogue's template of
// milestones that are decision gates, in a fixed order, each requiring documents (by reference
// and SHA-256, with date and approver) and decided by the roles the template names; a decision
// records who, in which role, when, the outcome and its basis, and a refused gate what it lacks.
package onboarding

import (
	"slices"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// TemplateID is the catalogue's onboarding programme.
const TemplateID = "onboarding"

// DocumentTypesID is the catalogue's vocabulary of the documents gates require.
const DocumentTypesID = "programme-documents"

// The phases of a programme.
const (
	TakeIntoUse         = "take_into_use"
	EstablishManagement = "establish_management"
)

// The proofs a gate may pass by, the platform's own data: the activation gate's checks.
const (
	ProofMailbox = "mailbox_verified" // the infrastructure mailbox verified
	ProofTerms   = "terms_accepted"   // the current terms of use accepted by a signatory
	ProofROS     = "risk_assessed"    // a risk assessment registered (for orders: of every family ordered)
)

// The outcomes of a gate decision: the council's words, as in every decision it records.
const (
	Approved = "approved"
	Rejected = "rejected"
)

// GateState is where a gate stands.
type GateState string

// The states of a gate.
const (
	Locked  GateState = "locked"  // an earlier gate is not passed
	Open    GateState = "open"    // to be decided
	Refused GateState = "refused" // the latest decision of a decider refused it
	Passed  GateState = "passed"  // every decider approved
)

// State is where a programme stands.
type State string

// The states of a programme.
const (
	TakingIntoUse          State = "taking_into_use"
	EstablishingManagement State = "establishing_management"
	Established            State = "management_established"
)

// Gate is a milestone of the template: what it requires and who decides it.
type Gate struct {
	ID        string        `json:"id" example:"risk_assessment"`
	Name      catalog.Text  `json:"name"`
	Phase     string        `json:"phase" enums:"take_into_use,establish_management"`
	Documents []string      `json:"documents" example:"ros"` // the document types it requires
	Deciders  []tenant.Role `json:"deciders" example:"signatory"`
	// BeforeOrders: a unit accepts no order before the gate is met (the activation gate), as its
	// Proof shows from the platform's own data.
	BeforeOrders bool   `json:"before_orders"`
	Proof        string `json:"proof,omitempty" enums:"mailbox_verified,terms_accepted,risk_assessed"`
}

// gatesOf reads the template's gates.
func gatesOf(v catalog.Vocabulary) []Gate {
	list := func(s any) []string {
		str, _ := s.(string)
		var out []string
		for _, p := range strings.Split(str, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	gates := make([]Gate, len(v.Entries))
	for i, e := range v.Entries {
		phase, _ := e.Attributes["phase"].(string)
		before, _ := e.Attributes["before_orders"].(bool)
		proof, _ := e.Attributes["proof"].(string)
		g := Gate{ID: e.ID, Name: e.Name, Phase: phase, Documents: list(e.Attributes["documents"]), Deciders: []tenant.Role{},
			BeforeOrders: before, Proof: proof}
		if g.Documents == nil {
			g.Documents = []string{}
		}
		for _, r := range list(e.Attributes["deciders"]) {
			g.Deciders = append(g.Deciders, tenant.Role(r))
		}
		gates[i] = g
	}
	return gates
}

// NewProgramme starts a municipality's onboarding programme with a unit.
type NewProgramme struct {
	Municipality string `json:"municipality" validate:"required,max=3" example:"101"`
}

// Document is a document attached to a gate, by reference.
type Document struct {
	ID         string    `json:"id" format:"uuid"`
	Gate       string    `json:"gate" example:"risk_assessment"`
	Type       string    `json:"type" example:"ros"`
	Title      string    `json:"title" example:"ROS for lagring, 2026"`
	Ref        string    `json:"ref" example:"ESDH 2026-004711"`
	SHA256     string    `json:"sha256"`
	Dated      string    `json:"dated" format:"date"`
	ApprovedBy string    `json:"approved_by" example:"Kommunaldirektør Jens Hansen"`
	AddedBy    string    `json:"added_by"`
	AddedAt    time.Time `json:"added_at" format:"date-time"`
}

// NewDocument attaches a document to a gate.
type NewDocument struct {
	Gate       string `json:"gate" validate:"required,max=40" example:"risk_assessment"`
	Type       string `json:"type" validate:"required,max=40" example:"ros"`
	Title      string `json:"title" validate:"required,max=200" example:"ROS for lagring, 2026"`
	Ref        string `json:"ref" validate:"required,max=300" example:"ESDH 2026-004711"`
	SHA256     string `json:"sha256" validate:"required,len=64,hexadecimal" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	Dated      string `json:"dated" validate:"required" format:"date" example:"2026-11-20"`
	ApprovedBy string `json:"approved_by" validate:"required,max=200" example:"Kommunaldirektør Jens Hansen"`
}

// Decision is one decider's decision on a gate.
type Decision struct {
	ID        string      `json:"id" format:"uuid"` // as in the council's register of decisions
	Gate      string      `json:"gate" example:"risk_assessment"`
	Role      tenant.Role `json:"role" example:"signatory"`
	Outcome   string      `json:"outcome" enums:"approved,rejected"`
	Reason    string      `json:"reason"`     // the basis
	Missing   []string    `json:"missing"`    // the documents the gate lacked then
	DecidedBy string      `json:"decided_by"` // who
	DecidedAt time.Time   `json:"decided_at" format:"date-time"`
}

// NewDecision decides a gate in the caller's role.
type NewDecision struct {
	Gate    string `json:"gate" validate:"required,max=40" example:"risk_assessment"`
	Outcome string `json:"outcome" validate:"required,oneof=approved rejected" example:"approved"`
	Reason  string `json:"reason" validate:"required,min=3,max=2000" example:"The ROS covers the storage family; approved by the municipal director."`
}

// GateStatus is a gate of a programme as it stands.
type GateStatus struct {
	Gate
	State GateState `json:"state" enums:"locked,open,refused,passed"`
	// ProofMet and ProofDetail are where a gate with a proof stands by it: such a gate passes by its
	// proof, which the activation gate asks too (where a ROS counts for its family alone); null for
	// the other gates.
	ProofMet    *bool      `json:"proof_met" extensions:"x-nullable"`
	ProofDetail string     `json:"proof_detail,omitempty" example:"it-drift@kk.example verified"`
	Missing     []string   `json:"missing"` // required document types not attached yet
	Waiting     []string   `json:"waiting"` // deciders whose approval is still wanted
	Documents   []Document `json:"documents"`
	Decisions   []Decision `json:"decisions"`
}

// Programme is a municipality's onboarding with a unit.
type Programme struct {
	ID              string       `json:"id" format:"uuid"`
	Municipality    string       `json:"municipality" example:"101"`
	Unit            string       `json:"unit" example:"hovedstaden"`
	Template        string       `json:"template" example:"onboarding"`
	TemplateVersion int          `json:"template_version" example:"1"`
	State           State        `json:"state" enums:"taking_into_use,establishing_management,management_established"`
	Gates           []GateStatus `json:"gates"`
	StartedBy       string       `json:"started_by"`
	StartedAt       time.Time    `json:"started_at" format:"date-time"`
}

// Proved is where a gate's proof stands for the programme's municipality.
type Proved struct {
	Met    bool
	Detail string
}

// assemble lays out the gates' states from their documents, decisions and proofs: gates are
// decided in order, so a gate is locked until every one before it has passed; a gate with a
// proof passes when the proof holds, any other when the latest decision of each of its deciders
// approves it.
// proofs are the municipality's, by proof.
func assemble(p *Programme, gates []Gate, docs []Document, decs []Decision, proofs map[string]Proved) {
	p.Gates, p.State = []GateStatus{}, Established
	earlier := true // every gate so far has passed
	for _, g := range gates {
		gs := GateStatus{Gate: g, Missing: []string{}, Waiting: []string{}, Documents: []Document{}, Decisions: []Decision{}}
		for _, d := range docs {
			if d.Gate == g.ID {
				gs.Documents = append(gs.Documents, d)
			}
		}
		for _, t := range g.Documents {
			if !slices.ContainsFunc(gs.Documents, func(d Document) bool { return d.Type == t }) {
				gs.Missing = append(gs.Missing, t)
			}
		}
		latest := map[tenant.Role]string{}
		for _, d := range decs {
			if d.Gate == g.ID {
				gs.Decisions = append(gs.Decisions, d)
				latest[d.Role] = d.Outcome
			}
		}
		refused := false
		for _, r := range g.Deciders {
			switch latest[r] {
			case Approved:
			case Rejected:
				refused = true
				gs.Waiting = append(gs.Waiting, string(r))
			default:
				gs.Waiting = append(gs.Waiting, string(r))
			}
		}
		if g.Proof != "" {
			pr, ok := proofs[g.Proof]
			if !ok {
				pr.Detail = "the platform does not know the proof " + g.Proof
			}
			gs.ProofMet, gs.ProofDetail, gs.Waiting, refused = &pr.Met, pr.Detail, []string{}, false
			if !pr.Met {
				gs.Waiting = []string{g.Proof}
			}
		}
		switch {
		case !earlier:
			gs.State = Locked
		case refused:
			gs.State = Refused
		case len(gs.Waiting) == 0:
			gs.State = Passed
		default:
			gs.State = Open
		}
		if gs.State != Passed {
			if earlier {
				p.State = TakingIntoUse
				if g.Phase == EstablishManagement {
					p.State = EstablishingManagement
				}
			}
			earlier = false
		}
		p.Gates = append(p.Gates, gs)
	}
}
