package incident

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes the incidents and their reports.
type store struct{ db *postgres.DB }

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type row struct {
	ID                 string
	Unit               string
	Title              string
	Description        string
	AwareAt            time.Time
	Severity           Severity
	Significant        bool
	PersonalData       bool
	HandledAt          *time.Time
	Offerings          postgres.TextArray `gorm:"type:uuid[]"`
	Subscriptions      postgres.TextArray `gorm:"type:uuid[]"`
	Municipalities     postgres.TextArray `gorm:"type:text[]"`
	Affected           postgres.TextArray `gorm:"type:text[]"`
	NoticeID           *string
	PersonalDataToldAt *time.Time
	Reminded           postgres.TextArray `gorm:"type:text[]"` // the reminders sent: report:soon, report:overdue
	RecordedBy         string
	RecordedAt         time.Time
	UpdatedAt          time.Time
	Version            int
}

func (row) TableName() string { return "security_incidents" }

func (r row) incident() Incident {
	return Incident{ID: r.ID, Unit: r.Unit, Title: r.Title, Description: r.Description, AwareAt: r.AwareAt, Severity: r.Severity,
		Significant: r.Significant, PersonalData: r.PersonalData, HandledAt: r.HandledAt, Offerings: nonNil(r.Offerings),
		Subscriptions: nonNil(r.Subscriptions), Municipalities: nonNil(r.Municipalities), Affected: nonNil(r.Affected), Notice: r.NoticeID,
		PersonalDataToldAt: r.PersonalDataToldAt, Reports: []Report{}, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt,
		UpdatedAt: r.UpdatedAt, Version: r.Version}
}

func nonNil(a postgres.TextArray) []string {
	if a == nil {
		return []string{}
	}
	return []string(a)
}

type reportRow struct {
	ID          string
	IncidentID  string
	Kind        ReportKind
	SubmittedAt time.Time
	Reference   string
	Summary     string
	RecordedBy  string
	RecordedAt  time.Time
}

func (reportRow) TableName() string { return "security_incident_reports" }

func (r reportRow) report() Report {
	return Report{ID: r.ID, Kind: r.Kind, SubmittedAt: r.SubmittedAt, Reference: r.Reference, Summary: r.Summary, RecordedBy: r.RecordedBy,
		RecordedAt: r.RecordedAt}
}

func (st store) insert(ctx context.Context, r row) error { return st.conn(ctx).Create(&r).Error }

// save writes a changed incident whole.
func (st store) save(ctx context.Context, r row) error {
	return st.conn(ctx).Select("*").Omit("id", "unit", "recorded_by", "recorded_at").Where("id = ?", r.ID).Updates(&r).Error
}

// get loads an incident of unit, locked for change when lock is set.
func (st store) get(ctx context.Context, unit, id string, lock bool) (row, error) {
	var r row
	return r, postgres.Take(st.conn(ctx).Where("id = ? AND unit = ?", id, unit), lock, &r, "incident")
}

// affecting loads an incident that affects municipality code.
func (st store) affecting(ctx context.Context, code, id string) (row, error) {
	var r row
	return r, postgres.Take(st.conn(ctx).Where("id = ? AND ? = ANY(affected)", id, code), false, &r, "incident")
}

func (st store) list(ctx context.Context, q *gorm.DB, p page.Request) (page.Page[row], error) {
	return postgres.OldestFirst(q, p, "aware_at", "id", func(r row) (time.Time, string) { return r.AwareAt, r.ID })
}

// ofUnit is the incidents of unit, for one page.
func (st store) ofUnit(ctx context.Context, unit string, p page.Request) (page.Page[row], error) {
	return st.list(ctx, st.conn(ctx).Model(&row{}).Where("unit = ?", unit), p)
}

// ofMunicipality is the incidents that affect municipality code, for one page.
func (st store) ofMunicipality(ctx context.Context, code string, p page.Request) (page.Page[row], error) {
	return st.list(ctx, st.conn(ctx).Model(&row{}).Where("? = ANY(affected)", code), p)
}

// owing is the significant incidents without a final report: those a report may still be due
// of; locked, skipping those another sweep holds, when lock is set.
func (st store) owing(ctx context.Context, lock bool) ([]row, error) {
	var rows []row
	q := st.conn(ctx)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
	}
	err := q.Where(`significant AND NOT EXISTS (SELECT 1 FROM security_incident_reports r
		WHERE r.incident_id = security_incidents.id AND r.kind = ?)`, Final).Order("aware_at, id").Find(&rows).Error
	return rows, err
}

// setReminded records the reminders sent of incident id.
func (st store) setReminded(ctx context.Context, id string, reminded []string) error {
	return st.conn(ctx).Model(&row{}).Where("id = ?", id).Update("reminded", postgres.TextArray(reminded)).Error
}

func (st store) addReport(ctx context.Context, r reportRow) error {
	return postgres.Translate(st.conn(ctx).Create(&r).Error)
}

// reports returns the reports of incidents ids, by incident, as submitted.
func (st store) reports(ctx context.Context, ids []string) (map[string][]Report, error) {
	var rows []reportRow
	if err := st.conn(ctx).Where("incident_id IN ?", ids).Order("submitted_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string][]Report{}
	for _, r := range rows {
		out[r.IncidentID] = append(out[r.IncidentID], r.report())
	}
	return out, nil
}
