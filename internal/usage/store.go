package usage

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes the answers, proposals and submissions.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type answerRow struct {
	N            int64 `gorm:"primaryKey;->"`
	Municipality string
	SystemID     string
	Answer       Answer
	Note         string
	AnsweredBy   string
	AnsweredAt   time.Time
	Source       Source
	UploadID     *string
}

func (answerRow) TableName() string { return "usage_answers" }

func (r answerRow) given() Given {
	return Given{System: r.SystemID, Answer: r.Answer, Note: r.Note, AnsweredBy: r.AnsweredBy, AnsweredAt: r.AnsweredAt, Source: r.Source, Seq: r.N}
}

// current returns each system's latest answer of the municipality.
func (st store) current(ctx context.Context, code string) (map[string]answerRow, error) {
	var rows []answerRow
	if err := st.conn(ctx).Raw(`SELECT DISTINCT ON (system_id) * FROM usage_answers WHERE municipality = ? ORDER BY system_id, n DESC`, code).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]answerRow, len(rows))
	for _, r := range rows {
		out[r.SystemID] = r
	}
	return out, nil
}

// currentOf returns, for each of municipalities codes, each system's latest answer.
func (st store) currentOf(ctx context.Context, codes []string) (map[string]map[string]answerRow, error) {
	var rows []answerRow
	if err := st.conn(ctx).Raw(`SELECT DISTINCT ON (municipality, system_id) * FROM usage_answers WHERE municipality IN ?
		ORDER BY municipality, system_id, n DESC`, codes).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]map[string]answerRow, len(codes))
	for _, r := range rows {
		if out[r.Municipality] == nil {
			out[r.Municipality] = map[string]answerRow{}
		}
		out[r.Municipality][r.SystemID] = r
	}
	return out, nil
}

func (st store) addAnswers(ctx context.Context, rows []answerRow) error {
	if len(rows) == 0 {
		return nil
	}
	return st.conn(ctx).Omit("N").CreateInBatches(rows, 500).Error
}

// history returns one page of a municipality's answers, oldest first, of one system when set.
func (st store) history(ctx context.Context, code, system string, p page.Request) (page.Page[Given], error) {
	q := st.conn(ctx).Model(&answerRow{}).Where("municipality = ?", code)
	if system != "" {
		q = q.Where("system_id = ?", system)
	}
	rows, err := postgres.Page(q, p, func(r answerRow) []string { return []string{strconv.FormatInt(r.N, 10)} }, page.Col{Expr: "n", Kind: page.Int})
	return page.Map(rows, answerRow.given), err
}

type uploadRow struct {
	ID           string
	Municipality string
	SHA256       string `gorm:"column:sha256"`
	Bytes        int
	Rows         int
	Changed      int
	Proposed     int
	File         []byte
	UploadedBy   string
	UploadedAt   time.Time
}

func (uploadRow) TableName() string { return "usage_uploads" }

func (r uploadRow) upload() Upload {
	return Upload{ID: r.ID, SHA256: r.SHA256, Bytes: r.Bytes, Rows: r.Rows, Changed: r.Changed, Proposed: r.Proposed, UploadedBy: r.UploadedBy, UploadedAt: r.UploadedAt}
}

func (st store) insertUpload(ctx context.Context, r uploadRow) error {
	return st.conn(ctx).Create(&r).Error
}

// setOutcome records what an upload changed and proposed.
func (st store) setOutcome(ctx context.Context, id string, changed, proposed int) error {
	return st.conn(ctx).Model(&uploadRow{}).Where("id = ?", id).Updates(map[string]any{"changed": changed, "proposed": proposed}).Error
}

// upload returns the municipality's upload of the file with digest, and whether there is one.
func (st store) upload(ctx context.Context, code, digest string) (Upload, bool, error) {
	var rows []uploadRow
	if err := st.conn(ctx).Omit("file").Where("municipality = ? AND sha256 = ?", code, digest).Limit(1).Find(&rows).Error; err != nil ||
		len(rows) == 0 {
		return Upload{}, false, err
	}
	return rows[0].upload(), true, nil
}

type proposalRow struct {
	ID           string
	Municipality string
	Domain       string
	Name         string
	Description  string
	State        State
	SystemID     *string
	Reason       string
	ProposedBy   string
	ProposedAt   time.Time
	DecidedBy    *string
	DecidedAt    *time.Time
	Version      int
}

func (proposalRow) TableName() string { return "usage_system_proposals" }

func (r proposalRow) proposal() Proposal { return Proposal(r) }

func (st store) insertProposal(ctx context.Context, r proposalRow) error {
	return st.conn(ctx).Create(&r).Error
}

func (st store) proposal(ctx context.Context, id string, lock bool) (proposalRow, error) {
	var r proposalRow
	return r, postgres.Take(st.conn(ctx).Where("id = ?", id), lock, &r, "proposal")
}

func (st store) saveProposal(ctx context.Context, r proposalRow) error {
	return postgres.Translate(st.conn(ctx).Select("*").Where("id = ?", r.ID).Updates(&r).Error)
}

// proposals returns one page of proposals, oldest first: of a municipality, in a state, when set.
func (st store) proposals(ctx context.Context, code string, state State, p page.Request) (page.Page[Proposal], error) {
	q := st.conn(ctx).Model(&proposalRow{})
	if code != "" {
		q = q.Where("municipality = ?", code)
	}
	if state != "" {
		q = q.Where("state = ?", state)
	}
	rows, err := postgres.OldestFirst(q, p, "proposed_at", "id", func(r proposalRow) (time.Time, string) { return r.ProposedAt, r.ID })
	return page.Map(rows, proposalRow.proposal), err
}

// proposalsOf returns every proposal of municipality code, oldest first.
func (st store) proposalsOf(ctx context.Context, code string) ([]Proposal, error) {
	var rows []proposalRow
	err := st.conn(ctx).Where("municipality = ?", code).Order("proposed_at, id").Find(&rows).Error
	out := make([]Proposal, len(rows))
	for i, r := range rows {
		out[i] = r.proposal()
	}
	return out, err
}

// accepted returns the systems of the accepted proposals.
func (st store) accepted(ctx context.Context) ([]System, error) {
	var rows []struct{ SystemID, Domain, Name string }
	if err := st.conn(ctx).Model(&proposalRow{}).Select("system_id, domain, name").Where("state = ?", Accepted).Order("system_id").
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]System, len(rows))
	for i, r := range rows {
		out[i] = System{ID: r.SystemID, Domain: r.Domain, Name: catalog.Text{DA: r.Name, EN: r.Name}, Proposed: true}
	}
	return out, nil
}

type submissionRow struct {
	ID           string
	Municipality string
	Answered     int
	Systems      int
	SubmittedBy  string
	SubmittedAt  time.Time
}

func (submissionRow) TableName() string { return "usage_submissions" }

func (r submissionRow) submission() Submission {
	return Submission{ID: r.ID, Answered: r.Answered, Systems: r.Systems, SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt}
}

func (st store) insertSubmission(ctx context.Context, r submissionRow) error {
	return st.conn(ctx).Create(&r).Error
}

// latestSubmissions returns the latest submission of each of municipalities codes that has one.
func (st store) latestSubmissions(ctx context.Context, codes []string) (map[string]Submission, error) {
	var rows []submissionRow
	if err := st.conn(ctx).Raw(`SELECT DISTINCT ON (municipality) * FROM usage_submissions WHERE municipality IN ?
		ORDER BY municipality, submitted_at DESC, id`, codes).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]Submission, len(rows))
	for _, r := range rows {
		out[r.Municipality] = r.submission()
	}
	return out, nil
}

type figureRow struct {
	Municipality string    `json:"municipality"`
	Domain       string    `json:"domain"`
	Systems      int       `json:"systems"`
	Answered     int       `json:"answered"`
	Used         int       `json:"used"`
	Primary      int       `json:"primary" gorm:"column:primary"`
	ComputedAt   time.Time `json:"computed_at"`
}

func (figureRow) TableName() string { return "adoption_figures" }

// saveFigures writes the rows whose counts differ from those kept, and those not kept yet, in one
// statement, and returns how many municipalities' figures it changed. A row whose counts are the
// same is left as it is, its computed_at with it: the periodic refresh rewrites nothing unchanged.
func (st store) saveFigures(ctx context.Context, rows []figureRow) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	doc, err := json.Marshal(rows)
	if err != nil {
		return 0, err
	}
	var changed int
	err = st.conn(ctx).Raw(`WITH r AS (
			SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(municipality text, domain text, systems int, answered int, used int,
				"primary" int, computed_at timestamptz)),
		w AS (
			INSERT INTO adoption_figures (municipality, domain, systems, answered, used, "primary", computed_at)
			SELECT municipality, domain, systems, answered, used, "primary", computed_at FROM r
			ON CONFLICT (municipality, domain) DO UPDATE SET systems = excluded.systems, answered = excluded.answered,
				used = excluded.used, "primary" = excluded."primary", computed_at = excluded.computed_at
			WHERE (adoption_figures.systems, adoption_figures.answered, adoption_figures.used, adoption_figures."primary")
				IS DISTINCT FROM (excluded.systems, excluded.answered, excluded.used, excluded."primary")
			RETURNING municipality)
		SELECT count(DISTINCT municipality) FROM w`, string(doc)).Scan(&changed).Error
	return changed, err
}

// figures returns the kept figures of municipalities codes, by municipality and domain.
// They are read row by row, without reflection: a region's are some 450 rows on every read.
func (st store) figures(ctx context.Context, codes []string) (map[string]map[string]figureRow, error) {
	rows, err := st.conn(ctx).Raw(`SELECT municipality, domain, systems, answered, used, "primary", computed_at FROM adoption_figures
		WHERE municipality = ANY(?)`, postgres.TextArray(codes)).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]figureRow{}
	for rows.Next() {
		var r figureRow
		if err := rows.Scan(&r.Municipality, &r.Domain, &r.Systems, &r.Answered, &r.Used, &r.Primary, &r.ComputedAt); err != nil {
			return nil, err
		}
		if out[r.Municipality] == nil {
			out[r.Municipality] = map[string]figureRow{}
		}
		out[r.Municipality][r.Domain] = r
	}
	return out, rows.Err()
}

type targetRow struct {
	Domain        string
	TargetPercent decimal.Decimal
	SetBy         string
	SetAt         time.Time
	Version       int
}

func (targetRow) TableName() string { return "adoption_targets" }

func (r targetRow) target() Target {
	return Target{Domain: r.Domain, TargetPercent: r.TargetPercent.String(), SetBy: r.SetBy, SetAt: r.SetAt, Version: r.Version}
}

func (st store) targetList(ctx context.Context) ([]Target, error) {
	var rows []targetRow
	if err := st.conn(ctx).Order("domain").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Target, len(rows))
	for i, r := range rows {
		out[i] = r.target()
	}
	return out, nil
}

func (st store) targets(ctx context.Context) (map[string]decimal.Decimal, error) {
	var rows []targetRow
	if err := st.conn(ctx).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]decimal.Decimal, len(rows))
	for _, r := range rows {
		out[r.Domain] = r.TargetPercent
	}
	return out, nil
}

// target returns domain's target locked for change, and whether there is one.
func (st store) target(ctx context.Context, domain string) (targetRow, bool, error) {
	var rows []targetRow
	if err := st.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("domain = ?", domain).Limit(1).Find(&rows).Error; err != nil ||
		len(rows) == 0 {
		return targetRow{}, false, err
	}
	return rows[0], true, nil
}

func (st store) saveTarget(ctx context.Context, r targetRow) error {
	return st.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "domain"}}, UpdateAll: true}).Create(&r).Error
}
