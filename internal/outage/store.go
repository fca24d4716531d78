package outage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes the outages.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type row struct {
	ID          string
	Unit        string
	Kind        availability.Kind
	Planned     bool
	StartedAt   time.Time
	EndedAt     *time.Time
	Offerings   postgres.TextArray `gorm:"type:uuid[]"`
	NoticeID    *string
	AnnouncedAt *time.Time
	Title       string
	Description string
	ReportedBy  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

func (row) TableName() string { return "outages" }

func (r row) outage() Outage {
	return Outage{ID: r.ID, Unit: r.Unit, Kind: r.Kind, Planned: r.Planned, StartedAt: r.StartedAt, EndedAt: r.EndedAt,
		Offerings: []string(r.Offerings), Notice: r.NoticeID, AnnouncedAt: r.AnnouncedAt, Title: r.Title, Description: r.Description,
		ReportedBy: r.ReportedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

func (st store) insert(ctx context.Context, r row) error { return st.conn(ctx).Create(&r).Error }

// get loads an outage of unit, locked for change when lock is set.
func (st store) get(ctx context.Context, unit, id string, lock bool) (Outage, error) {
	var r row
	if err := postgres.Take(st.conn(ctx).Where("unit = ? AND id = ?", unit, id), lock, &r, "outage"); err != nil {
		return Outage{}, err
	}
	return r.outage(), nil
}

func (st store) end(ctx context.Context, o Outage) error {
	return st.conn(ctx).Model(&row{}).Where("id = ?", o.ID).
		Updates(map[string]any{"ended_at": o.EndedAt, "updated_at": o.UpdatedAt, "version": o.Version}).Error
}

// list returns one page of a unit's outages, oldest first.
func (st store) list(ctx context.Context, unit string, p page.Request) (page.Page[Outage], error) {
	rows, err := postgres.OldestFirst(st.conn(ctx).Model(&row{}).Where("unit = ?", unit), p, "started_at", "id",
		func(r row) (time.Time, string) { return r.StartedAt, r.ID })
	if err != nil {
		return page.Page[Outage]{}, err
	}
	out := make([]Outage, len(rows.Items))
	for i, r := range rows.Items {
		out[i] = r.outage()
	}
	return page.Page[Outage]{Items: out, Next: rows.Next}, nil
}

// touching returns the outages of offering that overlap [from, to).
func (st store) touching(ctx context.Context, offering string, from, to time.Time) ([]Outage, error) {
	var rows []row
	err := st.conn(ctx).Where("offerings @> ARRAY[?]::uuid[] AND started_at < ? AND (ended_at IS NULL OR ended_at > ?)", offering, to, from).
		Order("started_at, id").Find(&rows).Error
	out := make([]Outage, len(rows))
	for i, r := range rows {
		out[i] = r.outage()
	}
	return out, err
}
