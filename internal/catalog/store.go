package catalog

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes the catalogue's entries and the proposals to change it.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type entry struct {
	Kind      string
	ID        string
	Doc       []byte `gorm:"type:jsonb"`
	Hash      []byte
	Version   int
	RetiredAt *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (entry) TableName() string { return "catalog_entries" }

// lockAll takes the sync lock for the transaction of ctx and returns every entry, retired or not.
func (st store) lockAll(ctx context.Context) ([]entry, error) {
	if err := st.conn(ctx).Exec(`SELECT pg_advisory_xact_lock(hashtext('servicekatalog.catalog_sync'))`).Error; err != nil {
		return nil, err
	}
	var all []entry
	return all, st.conn(ctx).Find(&all).Error
}

func (st store) insert(ctx context.Context, e entry) error { return st.conn(ctx).Create(&e).Error }

// save writes an entry's document, version and retirement.
func (st store) save(ctx context.Context, e entry) error {
	return st.conn(ctx).Model(&entry{}).Where("kind = ? AND id = ?", e.Kind, e.ID).Updates(map[string]any{
		"doc": e.Doc, "hash": e.Hash, "version": e.Version, "retired_at": e.RetiredAt, "updated_at": e.UpdatedAt}).Error
}

// entry loads one entry, retired or not.
func (st store) entry(ctx context.Context, kind, id string) (entry, error) {
	var e entry
	return e, st.conn(ctx).Where("kind = ? AND id = ?", kind, id).Take(&e).Error
}

// current returns the entries not retired, by kind and id.
func (st store) current(ctx context.Context) ([]entry, error) {
	var rows []entry
	return rows, st.conn(ctx).Where("retired_at IS NULL").Order("kind, id").Find(&rows).Error
}

func (st store) ids(ctx context.Context, kind string) ([]string, error) {
	ids := []string{}
	return ids, st.conn(ctx).Model(&entry{}).Where("kind = ? AND retired_at IS NULL", kind).Order("id").Pluck("id", &ids).Error
}

// list returns one page of the current entries of a kind, by id.
func (st store) list(ctx context.Context, kind string, p page.Request) (page.Page[entry], error) {
	return byID(st.conn(ctx).Model(&entry{}).Where("kind = ? AND retired_at IS NULL", kind), p)
}

// services returns one page of the standard services f selects, by id.
func (st store) services(ctx context.Context, f ServiceFilter, p page.Request) (page.Page[entry], error) {
	q := st.conn(ctx).Model(&entry{}).Where("kind = ?", KindService)
	if !f.IncludeRetired {
		q = q.Where("retired_at IS NULL")
	}
	if f.Family != "" {
		q = q.Where("doc->>'family' = ?", f.Family)
	}
	if f.Level != "" {
		q = q.Where("doc->'levels' @> jsonb_build_array(?::text)", f.Level)
	}
	if f.Mandatory != nil {
		q = q.Where("(doc->>'mandatory')::boolean = ?", *f.Mandatory)
	}
	if f.Query != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Query) + "%"
		q = q.Where("(doc->'name'->>'da' ILIKE ? OR doc->'name'->>'en' ILIKE ?)", like, like)
	}
	return byID(q, p)
}

func byID(q *gorm.DB, p page.Request) (page.Page[entry], error) {
	return postgres.Page(q, p, func(e entry) []string { return []string{e.ID} }, page.Col{Expr: "id", Kind: page.Text})
}

type proposalRow struct {
	ID          string
	Proposer    string
	ProposedBy  string
	Change      string
	ServiceID   string
	Doc         []byte `gorm:"type:jsonb"`
	Rationale   string
	State       ProposalState
	SubmittedAt time.Time
	Version     int
}

func (proposalRow) TableName() string { return "catalog_proposals" }

func (r proposalRow) proposal() Proposal {
	return Proposal{ID: r.ID, Proposer: r.Proposer, ProposedBy: r.ProposedBy, Change: r.Change, ServiceID: r.ServiceID,
		Service: r.Doc, Rationale: r.Rationale, State: r.State, SubmittedAt: r.SubmittedAt, Version: r.Version}
}

func (st store) insertProposal(ctx context.Context, r proposalRow) error {
	return st.conn(ctx).Create(&r).Error
}

// proposal loads one proposal, locked for change when lock is set.
func (st store) proposal(ctx context.Context, id string, lock bool) (proposalRow, error) {
	var r proposalRow
	return r, postgres.Take(st.conn(ctx).Where("id = ?", id), lock, &r, "proposal")
}

func (st store) saveProposal(ctx context.Context, r proposalRow) error {
	return st.conn(ctx).Model(&proposalRow{}).Where("id = ?", r.ID).Updates(map[string]any{"state": r.State, "version": r.Version}).Error
}

// proposals returns one page of the proposals of proposer (everyone's for ""), oldest first.
func (st store) proposals(ctx context.Context, proposer string, p page.Request) (page.Page[Proposal], error) {
	q := st.conn(ctx).Model(&proposalRow{})
	if proposer != "" {
		q = q.Where("proposer = ?", proposer)
	}
	rows, err := postgres.OldestFirst(q, p, "submitted_at", "id", func(r proposalRow) (time.Time, string) { return r.SubmittedAt, r.ID })
	return page.Map(rows, proposalRow.proposal), err
}

func (st store) submittedProposals(ctx context.Context) ([]proposalRow, error) {
	var rows []proposalRow
	return rows, st.conn(ctx).Where("state = ?", ProposalSubmitted).Find(&rows).Error
}
