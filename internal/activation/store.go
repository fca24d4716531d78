package activation

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes the terms acceptances and the risk assessments.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type rosRow struct {
	ID           string
	Municipality string
	Family       string
	DocumentRef  string
	SHA256       string    `gorm:"column:sha256"`
	AssessedOn   time.Time `gorm:"type:date"`
	ApprovedBy   string
	RegisteredBy string
	RegisteredAt time.Time
}

func (rosRow) TableName() string { return "risk_assessments" }

func (r rosRow) assessment() RiskAssessment {
	return RiskAssessment{ID: r.ID, Municipality: r.Municipality, Family: r.Family, DocumentRef: r.DocumentRef, SHA256: r.SHA256,
		AssessedOn: r.AssessedOn.Format(time.DateOnly), ApprovedBy: r.ApprovedBy, RegisteredBy: r.RegisteredBy, RegisteredAt: r.RegisteredAt}
}

// TableName is the acceptances' table.
func (TermsAcceptance) TableName() string { return "terms_acceptances" }

// terms returns the municipality's acceptance of version, nil when there is none.
func (st store) terms(ctx context.Context, code, version string) (*TermsAcceptance, error) {
	var terms []TermsAcceptance
	if err := st.conn(ctx).Where("municipality = ? AND terms_version = ?", code, version).Limit(1).Find(&terms).Error; err != nil || len(terms) == 0 {
		return nil, err
	}
	return &terms[0], nil
}

// insertTerms records an acceptance; a second one of the same version is a Conflict.
func (st store) insertTerms(ctx context.Context, a *TermsAcceptance) error {
	return postgres.Translate(st.conn(ctx).Create(a).Error)
}

// riskAssessments returns the municipality's assessments by family, the latest first.
func (st store) riskAssessments(ctx context.Context, code string) ([]RiskAssessment, error) {
	var rows []rosRow
	if err := st.conn(ctx).Where("municipality = ?", code).Order("family, assessed_on DESC, registered_at DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]RiskAssessment, len(rows))
	for i, r := range rows {
		out[i] = r.assessment()
	}
	return out, nil
}

func (st store) insertRiskAssessment(ctx context.Context, r *rosRow) error {
	return st.conn(ctx).Create(r).Error
}
