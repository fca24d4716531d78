package review

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tabular"
)

// The kinds of decision besides those the queue holds: compliance reviews and council cases.
const (
	KindCompliance = "compliance_attestation"
	KindCase       = "council_case"
	KindGate       = "programme_gate"
)

// Kinds lists every kind of thing the council decides on.
var Kinds = []string{KindOfferingVersion, KindProposal, KindWaiver, KindCompliance, KindCase, KindGate}

// Entry is a decision in the register: what it decided, the object decided on and the audit
// record written with it.
type Entry struct {
	Decision
	DecidedByName string `json:"decided_by_name" example:"Council member Jens Berg"`
	// Object is where the object decided on is read.
	Object string `json:"object" example:"/api/v1/waivers/0d6f1c2a-7b8e-4f90-a1b2-c3d4e5f60718"`
	// Audit is the audit record of the change that recorded the decision.
	Audit *audit.Ref `json:"audit" extensions:"x-nullable"`
}

// RegisterFilter narrows the register.
type RegisterFilter struct {
	SubjectType string
	From, To    time.Time // decided at from (inclusive) to (exclusive); zero for no bound
}

// Register is the one register of the council's decisions, across every kind.
type Register struct {
	db    *postgres.DB
	names Names
	audit *audit.Log
}

// NewRegister returns the register over db's decisions.
func NewRegister(db *postgres.DB, names Names, log *audit.Log) *Register {
	return &Register{db: db, names: names, audit: log}
}

// List returns one page of the decisions that f keeps, oldest first.
func (r *Register) List(ctx context.Context, f RegisterFilter, p page.Request) (page.Page[Entry], error) {
	if f.SubjectType != "" && !slices.Contains(Kinds, f.SubjectType) {
		return page.Page[Entry]{}, apperr.Param("subject_type", "must be one of "+strings.Join(Kinds, ", "))
	}
	q := r.db.Conn(ctx).Model(&Decision{})
	if f.SubjectType != "" {
		q = q.Where("subject_type = ?", f.SubjectType)
	}
	if !f.From.IsZero() {
		q = q.Where("decided_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("decided_at < ?", f.To)
	}
	// In the order decided: the database's sequence, which two decisions in the same instant keep apart.
	ds, err := postgres.Page(q, p, func(d Decision) []string { return []string{strconv.FormatInt(d.Seq, 10)} }, page.Col{Expr: "seq", Kind: page.Int})
	if err != nil {
		return page.Page[Entry]{}, err
	}
	ids, actors := make([]string, len(ds.Items)), make([]string, len(ds.Items))
	for i, d := range ds.Items {
		ids[i], actors[i] = d.ID, d.DecidedBy
	}
	refs, err := r.audit.OfDecisions(ctx, ids)
	if err != nil {
		return page.Page[Entry]{}, err
	}
	names, err := r.names.ActorNames(ctx, actors)
	if err != nil {
		return page.Page[Entry]{}, err
	}
	return page.Map(ds, func(d Decision) Entry {
		e := Entry{Decision: d, DecidedByName: cmp.Or(names[d.DecidedBy], d.DecidedBy), Object: objectOf(d)}
		if ref, ok := refs[d.ID]; ok {
			e.Audit = &ref
		}
		return e
	}), nil
}

// All returns every decision that f keeps, oldest first: for an export.
func (r *Register) All(ctx context.Context, f RegisterFilter) (Entries, error) {
	out := Entries{}
	p := page.Request{Limit: page.MaxLimit}
	for {
		pg, err := r.List(ctx, f, p)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if pg.Next == "" {
			return out, nil
		}
		if p, err = page.Parse(strconv.Itoa(page.MaxLimit), pg.Next); err != nil {
			return nil, err
		}
	}
}

// objectOf is where the object of decision d is read.
func objectOf(d Decision) string {
	before, _, _ := strings.Cut(d.SubjectID, "/")
	switch d.SubjectType {
	case KindOfferingVersion: // offering/number
		return "/api/v1/offerings/" + before
	case KindProposal:
		return "/api/v1/catalog/proposals/" + d.SubjectID
	case KindWaiver:
		return "/api/v1/waivers/" + d.SubjectID
	case KindCompliance: // unit/control
		return "/api/v1/units/" + before + "/compliance"
	case KindCase:
		return "/api/v1/council/cases/" + d.SubjectID
	case KindGate: // programme/gate
		return "/api/v1/programmes/" + before
	}
	return ""
}

// Entries are a register's entries as a table.
type Entries []Entry

// FileName is the register's file's name, without its extension.
func (Entries) FileName() string { return "council-decisions" }

// Sheets are the register as one table.
func (es Entries) Sheets() []tabular.Sheet {
	t := tabular.Sheet{Name: "Decisions", Columns: tabular.Join(tabular.Texts("decided_at", "subject_type", "subject_id", "outcome", "reason",
		"decided_by", "object"), tabular.Of(tabular.Integer, "audit_record"))}
	for _, e := range es {
		rec := ""
		if e.Audit != nil {
			rec = strconv.FormatInt(e.Audit.ID, 10)
		}
		t.Rows = append(t.Rows, []string{e.DecidedAt.UTC().Format(time.RFC3339), e.SubjectType, e.SubjectID, e.Outcome, e.Reason,
			e.DecidedByName, e.Object, rec})
	}
	return []tabular.Sheet{t}
}
