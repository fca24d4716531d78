package onboarding

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/date"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/review"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Service is the onboarding programmes' use cases.
type Service struct {
	db        *postgres.DB
	audit     *audit.Log
	catalog   *catalog.Service
	directory *directory.Service
	clock     clock.Clock
	prover    Prover
}

// Prover tells where each proof stands for a municipality, by proof: the activation gate's checks.
type Prover func(ctx context.Context, code string) (map[string]Proved, error)

// UseProver sets how the proofs of the gates before orders are checked.
func (s *Service) UseProver(p Prover) { s.prover = p }

// NewService returns the onboarding service.
func NewService(db *postgres.DB, log *audit.Log, cat *catalog.Service, dir *directory.Service, c clock.Clock) *Service {
	return &Service{db: db, audit: log, catalog: cat, directory: dir, clock: c}
}

func (s *Service) conn(ctx context.Context) *gorm.DB { return s.db.Conn(ctx) }

type row struct {
	ID              string
	Municipality    string
	Unit            string
	Template        string
	TemplateVersion int
	Gates           []byte `gorm:"type:jsonb"`
	StartedBy       string
	StartedAt       time.Time
}

func (row) TableName() string { return "programmes" }

type documentRow struct {
	ID          string
	ProgrammeID string
	Gate        string
	Type        string
	Title       string
	Ref         string
	SHA256      string    `gorm:"column:sha256"`
	Dated       time.Time `gorm:"type:date"`
	ApprovedBy  string
	AddedBy     string
	AddedAt     time.Time
}

func (documentRow) TableName() string { return "programme_documents" }

type decisionRow struct {
	ID          string
	ProgrammeID string
	Gate        string
	Role        tenant.Role
	Outcome     string
	Reason      string
	Missing     []byte `gorm:"type:jsonb"`
	DecisionID  string
	DecidedBy   string
	DecidedAt   time.Time
	Seq         int64 `gorm:"->"` // assigned by the database
}

func (decisionRow) TableName() string { return "programme_decisions" }

// Start starts in's municipality's programme with unit from the catalogue's template.
func (s *Service) Start(ctx context.Context, unit string, in NewProgramme) (Programme, error) {
	if err := validation.Check(in); err != nil {
		return Programme{}, err
	}
	code := in.Municipality
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "programme.start", in, func(ctx context.Context) (Programme, error) {
		if _, err := s.directory.Municipality(ctx, code); apperr.Is(err, apperr.NotFound) {
			return Programme{}, apperr.Field("/municipality", "is not the code of a municipality")
		} else if err != nil {
			return Programme{}, err
		}
		v, err := catalog.Get[catalog.Vocabulary](ctx, s.catalog, catalog.KindVocabulary, TemplateID)
		if err != nil {
			return Programme{}, err
		}
		gates, err := json.Marshal(gatesOf(v))
		if err != nil {
			return Programme{}, err
		}
		r := row{ID: uuid.NewString(), Municipality: code, Unit: unit, Template: TemplateID, TemplateVersion: v.Version, Gates: gates,
			StartedBy: actor.Subject, StartedAt: s.clock.Now()}
		if err := postgres.Translate(s.conn(ctx).Create(&r).Error); apperr.Is(err, apperr.Conflict) {
			return Programme{}, apperr.Newf(apperr.Conflict, "municipality %s has a programme with unit %s already", code, unit)
		} else if err != nil {
			return Programme{}, err
		}
		p, err := s.assembled(ctx, r)
		if err != nil {
			return Programme{}, err
		}
		return p, s.record(ctx, r, "programme.start", audit.Diff(nil, map[string]any{"municipality": code, "unit": unit,
			"template": TemplateID, "template_version": v.Version}))
	})
}

func (s *Service) record(ctx context.Context, r row, action string, diff any) error {
	return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(r.Municipality), Action: action, ObjectType: "programme",
		ObjectID: r.ID, Diff: diff})
}

// assembled is r with its gates as they stand.
func (s *Service) assembled(ctx context.Context, r row) (Programme, error) {
	ps, err := s.assembleAll(ctx, []row{r})
	if err != nil {
		return Programme{}, err
	}
	return ps[0], nil
}

func (s *Service) assembleAll(ctx context.Context, rs []row) ([]Programme, error) {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	var docs []documentRow
	var decs []decisionRow
	if err := s.conn(ctx).Where("programme_id IN ?", ids).Order("added_at, id").Find(&docs).Error; err != nil {
		return nil, err
	}
	if err := s.conn(ctx).Where("programme_id IN ?", ids).Order("seq").Find(&decs).Error; err != nil {
		return nil, err
	}
	out := make([]Programme, len(rs))
	byCode := map[string]map[string]Proved{} // a municipality's proofs, read once
	for i, r := range rs {
		var gates []Gate
		if err := json.Unmarshal(r.Gates, &gates); err != nil {
			return nil, err
		}
		var ds []Document
		for _, d := range docs {
			if d.ProgrammeID == r.ID {
				ds = append(ds, Document{ID: d.ID, Gate: d.Gate, Type: d.Type, Title: d.Title, Ref: d.Ref, SHA256: d.SHA256,
					Dated: d.Dated.Format(time.DateOnly), ApprovedBy: d.ApprovedBy, AddedBy: d.AddedBy, AddedAt: d.AddedAt})
			}
		}
		var cs []Decision
		for _, d := range decs {
			if d.ProgrammeID == r.ID {
				c := Decision{ID: d.DecisionID, Gate: d.Gate, Role: d.Role, Outcome: d.Outcome, Reason: d.Reason, Missing: []string{},
					DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt}
				_ = json.Unmarshal(d.Missing, &c.Missing) // written by this package from []string
				cs = append(cs, c)
			}
		}
		p := Programme{ID: r.ID, Municipality: r.Municipality, Unit: r.Unit, Template: r.Template, TemplateVersion: r.TemplateVersion,
			StartedBy: r.StartedBy, StartedAt: r.StartedAt}
		proofs, ok := byCode[r.Municipality]
		if !ok && s.prover != nil {
			var err error
			if proofs, err = s.prover(ctx, r.Municipality); err != nil {
				return nil, err
			}
			byCode[r.Municipality] = proofs
		}
		assemble(&p, gates, ds, cs, proofs)
		out[i] = p
	}
	return out, nil
}

// visible refuses a caller of another municipality or unit than the programme's: the council,
// the secretariat and auditors see every programme.
func visible(ctx context.Context, r row) error {
	p, _ := identity.FromContext(ctx)
	switch p.Acting.Kind {
	case tenant.Municipality:
		if p.Acting.Key != r.Municipality {
			return apperr.NotFoundf("programme")
		}
	case tenant.Unit:
		if p.Acting.Key != r.Unit {
			return apperr.NotFoundf("programme")
		}
	}
	return nil
}

func (s *Service) load(ctx context.Context, id string, lock bool) (row, error) {
	var r row
	if err := postgres.Take(s.conn(ctx).Where("id = ?", id), lock, &r, "programme"); err != nil {
		return row{}, err
	}
	return r, visible(ctx, r)
}

// Get returns programme id, if the caller may see it.
func (s *Service) Get(ctx context.Context, id string) (Programme, error) {
	r, err := s.load(ctx, id, false)
	if err != nil {
		return Programme{}, err
	}
	return s.assembled(ctx, r)
}

// List returns one page of the programmes, oldest first: of a municipality or a unit, when set.
func (s *Service) List(ctx context.Context, code, unit string, p page.Request) (page.Page[Programme], error) {
	q := s.conn(ctx).Model(&row{})
	if code != "" {
		q = q.Where("municipality = ?", code)
	}
	if unit != "" {
		q = q.Where("unit = ?", unit)
	}
	rows, err := postgres.OldestFirst(q, p, "started_at", "id", func(r row) (time.Time, string) { return r.StartedAt, r.ID })
	if err != nil {
		return page.Page[Programme]{}, err
	}
	items, err := s.assembleAll(ctx, rows.Items)
	return page.Page[Programme]{Items: items, Next: rows.Next}, err
}

// gate finds gate id of r; one it lacks is a problem of the body's /gate.
func gate(r row, id string) (Gate, error) {
	var gates []Gate
	if err := json.Unmarshal(r.Gates, &gates); err != nil {
		return Gate{}, err
	}
	i := slices.IndexFunc(gates, func(g Gate) bool { return g.ID == id })
	if i < 0 {
		names := make([]string, len(gates))
		for j, g := range gates {
			names[j] = g.ID
		}
		return Gate{}, apperr.Field("/gate", "is not a gate of the programme (its gates: "+strings.Join(names, ", ")+")")
	}
	return gates[i], nil
}

// AddDocument attaches a document to a gate of programme id: by the municipality or the unit of
// the programme.
func (s *Service) AddDocument(ctx context.Context, id string, in NewDocument) (Programme, error) {
	if err := validation.Check(in); err != nil {
		return Programme{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "programme.document", in, func(ctx context.Context) (Programme, error) {
		r, err := s.load(ctx, id, true)
		if err != nil {
			return Programme{}, err
		}
		if actor.Acting.Kind != tenant.Municipality && actor.Acting.Kind != tenant.Unit {
			return Programme{}, apperr.New(apperr.Forbidden, "the municipality or the unit of the programme attaches its documents")
		}
		g, err := gate(r, in.Gate)
		if err != nil {
			return Programme{}, err
		}
		switch {
		case len(g.Documents) == 0:
			return Programme{}, apperr.Field("/gate", "requires no documents: "+g.ID+" is decided without")
		case !slices.Contains(g.Documents, in.Type):
			return Programme{}, apperr.Field("/type", fmt.Sprintf("is not a document the gate %s requires (it requires %s)", g.ID, strings.Join(g.Documents, ", ")))
		}
		dated, err := date.Parse(in.Dated)
		if err != nil || dated.After(s.clock.Now()) {
			return Programme{}, apperr.Field("/dated", "must be a date such as 2026-11-20, not in the future")
		}
		d := documentRow{ID: uuid.NewString(), ProgrammeID: id, Gate: g.ID, Type: in.Type, Title: strings.TrimSpace(in.Title),
			Ref: strings.TrimSpace(in.Ref), SHA256: strings.ToLower(in.SHA256), Dated: dated, ApprovedBy: strings.TrimSpace(in.ApprovedBy),
			AddedBy: actor.Subject, AddedAt: s.clock.Now()}
		if err := s.conn(ctx).Create(&d).Error; err != nil {
			return Programme{}, err
		}
		p, err := s.assembled(ctx, r)
		if err != nil {
			return Programme{}, err
		}
		return p, s.record(ctx, r, "programme.document", audit.Diff(nil, d))
	})
}

// roleFor is the role in which the caller decides g of r: a decider the template names, held in
// the tenant it decides for (the programme's municipality or unit, or the council).
func roleFor(p identity.Principal, r row, g Gate) (tenant.Role, bool) {
	for _, role := range g.Deciders {
		var t tenant.ID
		switch role {
		case tenant.Signatory:
			t = tenant.ForMunicipality(r.Municipality)
		case tenant.UnitAdmin:
			t = tenant.ForUnit(r.Unit)
		case tenant.CouncilRole:
			t = tenant.CouncilID
		default:
			continue
		}
		if p.Acting == t && p.HasRole(role) {
			return role, true
		}
	}
	return "", false
}

// Decide records the caller's decision on a gate of programme id, in the role the template
// names for it. Gates are decided in order; an approval needs the gate's documents, and a
// refusal records what the gate lacks. Each decision joins the council's register.
func (s *Service) Decide(ctx context.Context, id string, in NewDecision) (Programme, error) {
	if err := validation.Check(in); err != nil {
		return Programme{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "programme.decide", in, func(ctx context.Context) (Programme, error) {
		r, err := s.load(ctx, id, true)
		if err != nil {
			return Programme{}, err
		}
		g, err := gate(r, in.Gate)
		if err != nil {
			return Programme{}, err
		}
		if g.Proof != "" {
			return Programme{}, apperr.Newf(apperr.Conflict, "the gate %s passes by its proof (%s), not by a decision: %s", g.ID, g.Proof, howToProve[g.Proof])
		}
		role, ok := roleFor(actor, r, g)
		if !ok {
			deciders := make([]string, len(g.Deciders))
			for i, d := range g.Deciders {
				deciders[i] = string(d)
			}
			return Programme{}, apperr.Newf(apperr.Forbidden, "the gate %s is decided by: %s (of the programme's municipality or unit, or the council)",
				g.ID, strings.Join(deciders, ", "))
		}
		before, err := s.assembled(ctx, r)
		if err != nil {
			return Programme{}, err
		}
		i := slices.IndexFunc(before.Gates, func(gs GateStatus) bool { return gs.ID == g.ID })
		st := before.Gates[i]
		switch {
		case st.State == Locked:
			return Programme{}, apperr.Newf(apperr.Conflict, "the gate %s waits for the gates before it: %s", g.ID, before.Gates[firstOpen(before.Gates)].ID)
		case st.State == Passed:
			return Programme{}, apperr.Newf(apperr.Conflict, "the gate %s is passed already", g.ID)
		case in.Outcome == Approved && len(st.Missing) > 0:
			e := apperr.Newf(apperr.Conflict, "the gate %s lacks documents: %s; attach them, or refuse the gate saying so", g.ID, strings.Join(st.Missing, ", "))
			e.Extra = map[string]any{"missing": st.Missing}
			return Programme{}, e
		}
		now := s.clock.Now()
		d, err := review.Record(ctx, s.db, review.KindGate, id+"/"+g.ID, review.Input{Outcome: in.Outcome, Reason: in.Reason}, now)
		if err != nil {
			return Programme{}, err
		}
		missing, _ := json.Marshal(st.Missing)
		dr := decisionRow{ID: uuid.NewString(), ProgrammeID: id, Gate: g.ID, Role: role, Outcome: in.Outcome, Reason: d.Reason, Missing: missing,
			DecisionID: d.ID, DecidedBy: actor.Subject, DecidedAt: now}
		if err := s.conn(ctx).Create(&dr).Error; err != nil {
			return Programme{}, err
		}
		p, err := s.assembled(ctx, r)
		if err != nil {
			return Programme{}, err
		}
		return p, s.record(ctx, r, "programme.decide", map[string]any{"decision": d, "gate": g.ID, "role": role, "missing": st.Missing,
			"state": map[string]any{"before": before.State, "after": p.State}})
	})
}

// howToProve says how each proof is given.
var howToProve = map[string]string{
	ProofMailbox: "register the infrastructure mailbox (PUT /api/v1/municipalities/{code}/mailbox) and confirm it with the link sent to it",
	ProofTerms:   "a signatory accepts the terms of use (POST /api/v1/municipalities/{code}/terms-acceptances)",
	ProofROS:     "register the risk assessment, with its document and approver (POST /api/v1/municipalities/{code}/risk-assessments)",
}

// firstOpen is the index of the first gate not passed.
func firstOpen(gs []GateStatus) int {
	for i, g := range gs {
		if g.State != Passed {
			return i
		}
	}
	return 0
}

// Found is whether a municipality has passed a gate, and what was found, in words.
type Found struct {
	Passed bool
	Detail string
}

// Passed tells, for each of municipalities codes, whether gate is passed in one of its
// programmes: the evidence of a task that points at the gate.
func (s *Service) Passed(ctx context.Context, gate string, codes []string) (map[string]Found, error) {
	var rows []row
	if err := s.conn(ctx).Where("municipality IN ?", codes).Order("started_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	ps, err := s.assembleAll(ctx, rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Found, len(codes))
	for _, code := range codes {
		out[code] = Found{Detail: "no onboarding programme is started"}
	}
	for _, p := range ps {
		i := slices.IndexFunc(p.Gates, func(g GateStatus) bool { return g.ID == gate })
		if i < 0 {
			out[p.Municipality] = Found{Detail: "the onboarding programme has no gate " + gate}
			continue
		}
		g, f := p.Gates[i], Found{}
		switch {
		case g.State == Passed:
			f = Found{Passed: true, Detail: fmt.Sprintf("gate %s passed in the programme with %s", gate, p.Unit)}
		case g.State == Locked:
			f.Detail = fmt.Sprintf("gate %s waits for the gates before it in the programme with %s", gate, p.Unit)
		case len(g.Missing) > 0:
			f.Detail = fmt.Sprintf("gate %s is %s in the programme with %s; it lacks %s", gate, g.State, p.Unit, strings.Join(g.Missing, ", "))
		default:
			f.Detail = fmt.Sprintf("gate %s is %s in the programme with %s; waiting for %s", gate, g.State, p.Unit, strings.Join(g.Waiting, ", "))
		}
		if !out[p.Municipality].Passed {
			out[p.Municipality] = f
		}
	}
	return out, nil
}

// OrderGates are the template's gates a unit may accept no order before: the activation gate's
// prerequisites, each with its proof.
func (s *Service) OrderGates(ctx context.Context) ([]Gate, error) {
	v, err := catalog.Get[catalog.Vocabulary](ctx, s.catalog, catalog.KindVocabulary, TemplateID)
	if err != nil {
		return nil, err
	}
	var out []Gate
	for _, g := range gatesOf(v) {
		if g.BeforeOrders {
			out = append(out, g)
		}
	}
	return out, nil
}
