package compliance

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes the attestations.
type store struct{ db *postgres.DB }

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type row struct {
	Unit           string `gorm:"primaryKey"`
	Control        string `gorm:"primaryKey"`
	ControlSet     string
	Status         Status
	Reason         string
	EvidenceRef    string
	EvidenceSHA256 *string `gorm:"column:evidence_sha256"`
	AttestedBy     string
	AttestedOn     time.Time `gorm:"type:date"`
	ValidUntil     time.Time `gorm:"type:date"`
	Review         Review
	ReviewReason   string
	ReviewedBy     *string
	ReviewedAt     *time.Time
	RecordedBy     string
	RecordedAt     time.Time
	Reminded       string // the last reminder sent for this valid_until: "", expiring or expired
	Version        int
}

func (row) TableName() string { return "compliance_attestations" }

func (r row) attestation() Attestation {
	sum := ""
	if r.EvidenceSHA256 != nil {
		sum = *r.EvidenceSHA256
	}
	return Attestation{Unit: r.Unit, Control: r.Control, ControlSet: r.ControlSet, Status: r.Status, Reason: r.Reason,
		EvidenceRef: r.EvidenceRef, EvidenceSHA256: sum, AttestedBy: r.AttestedBy, AttestedOn: r.AttestedOn.Format(time.DateOnly),
		ValidUntil: r.ValidUntil.Format(time.DateOnly), Review: r.Review, ReviewReason: r.ReviewReason, ReviewedBy: r.ReviewedBy,
		ReviewedAt: r.ReviewedAt, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt, Version: r.Version}
}

// get loads unit's attestation of control, locked when lock is set; false when there is none.
func (st store) get(ctx context.Context, unit, control string, lock bool) (row, bool, error) {
	var rows []row
	q := st.conn(ctx).Where("unit = ? AND control = ?", unit, control).Limit(1)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Find(&rows).Error; err != nil || len(rows) == 0 {
		return row{}, false, err
	}
	return rows[0], true, nil
}

// save writes r whole, inserting it when it is new.
func (st store) save(ctx context.Context, r row) error {
	return st.conn(ctx).Save(&r).Error
}

// of returns the attestations of units (all when none), by unit and control.
func (st store) of(ctx context.Context, units ...string) (map[string]map[string]Attestation, error) {
	var rows []row
	q := st.conn(ctx)
	if len(units) > 0 {
		q = q.Where("unit IN ?", units)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]map[string]Attestation{}
	for _, r := range rows {
		if out[r.Unit] == nil {
			out[r.Unit] = map[string]Attestation{}
		}
		out[r.Unit][r.Control] = r.attestation()
	}
	return out, nil
}

// due locks the attestations owed a reminder on day: expiring within ExpiringDays and not yet
// reminded, or expired and not yet reminded of that.
func (st store) due(ctx context.Context, day time.Time) ([]row, error) {
	var rows []row
	err := st.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
		Where("(valid_until < ? AND reminded <> 'expired') OR (valid_until >= ? AND valid_until <= ? AND reminded = '')",
			day, day, day.AddDate(0, 0, ExpiringDays)).Order("unit, control").Find(&rows).Error
	return rows, err
}

// markReminded records the reminder sent of each of rows.
func (st store) markReminded(ctx context.Context, rows []row) error {
	for _, r := range rows {
		if err := st.conn(ctx).Model(&row{}).Where("unit = ? AND control = ?", r.Unit, r.Control).Update("reminded", r.Reminded).Error; err != nil {
			return err
		}
	}
	return nil
}
