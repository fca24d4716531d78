package mailbox

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes mailboxes, their routing rules and their cover.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type row struct {
	Municipality       string
	Address            *string
	VerifiedAt         *time.Time
	PendingAddress     *string
	PendingRequestedBy *string
	PendingRequestedAt *time.Time
	LinkTokenHash      []byte
	LinkSentAt         *time.Time
	LinkExpiresAt      *time.Time
	Version            int
	UpdatedAt          time.Time
}

func (row) TableName() string { return "mailboxes" }

func (r row) mailbox() Mailbox {
	m := Mailbox{Municipality: r.Municipality, Address: r.Address, VerifiedAt: r.VerifiedAt, Version: r.Version}
	if r.PendingAddress != nil {
		m.Pending = &Pending{Address: *r.PendingAddress, RequestedAt: *r.PendingRequestedAt, LinkSentAt: r.LinkSentAt,
			ExpiresAt: r.LinkExpiresAt}
		if r.PendingRequestedBy != nil {
			m.Pending.RequestedBy = *r.PendingRequestedBy
		}
	}
	return m
}

// get loads a municipality's mailbox, locked for change when lock is set; a municipality that
// registered none has the empty mailbox at version 1.
// mailboxes returns the mailboxes of municipalities codes that have one.
func (st store) mailboxes(ctx context.Context, codes []string) (map[string]row, error) {
	var rows []row
	if err := st.conn(ctx).Where("municipality IN ?", codes).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]row, len(rows))
	for _, r := range rows {
		out[r.Municipality] = r
	}
	return out, nil
}

func (st store) get(ctx context.Context, code string, lock bool) (row, bool, error) {
	q := st.conn(ctx).Where("municipality = ?", code)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var rows []row
	if err := q.Limit(1).Find(&rows).Error; err != nil {
		return row{}, false, err
	}
	if len(rows) == 0 {
		return row{Municipality: code, Version: 1}, false, nil
	}
	return rows[0], true, nil
}

func (st store) byToken(ctx context.Context, hash []byte, lock bool) (row, error) {
	var r row
	return r, postgres.Take(st.conn(ctx).Where("link_token_hash = ?", hash), lock, &r, "confirmation link")
}

// save writes r, creating the mailbox when exists is false.
func (st store) save(ctx context.Context, r row, exists bool) error {
	if !exists {
		return st.conn(ctx).Create(&r).Error
	}
	return st.conn(ctx).Model(&row{}).Where("municipality = ?", r.Municipality).Select("*").Omit("municipality").Updates(&r).Error
}

// unsent returns the mailboxes with a pending address but no link sent, locked, skipping those
// another writer holds.
func (st store) unsent(ctx context.Context) ([]row, error) {
	var rows []row
	return rows, st.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
		Where("pending_address IS NOT NULL AND link_token_hash IS NULL").Order("municipality").Limit(100).Find(&rows).Error
}

func (st store) verified(ctx context.Context, codes []string) ([]row, error) {
	var rows []row
	return rows, st.conn(ctx).Where("municipality IN ? AND address IS NOT NULL", codes).Find(&rows).Error
}

type routeRow struct {
	ID           string
	Municipality string
	Tag          string
	Addresses    postgres.TextArray
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

func (routeRow) TableName() string { return "mailbox_routes" }

func (r routeRow) route() Route {
	return Route{ID: r.ID, Municipality: r.Municipality, Tag: r.Tag, Addresses: r.Addresses, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

func (st store) insertRoute(ctx context.Context, r routeRow) error {
	return postgres.Translate(st.conn(ctx).Create(&r).Error)
}

func (st store) route(ctx context.Context, code, id string, lock bool) (routeRow, error) {
	var r routeRow
	return r, postgres.Take(st.conn(ctx).Where("id = ? AND municipality = ?", id, code), lock, &r, "routing rule")
}

func (st store) saveRoute(ctx context.Context, r routeRow) error {
	return st.conn(ctx).Model(&routeRow{}).Where("id = ?", r.ID).Updates(map[string]any{"addresses": r.Addresses,
		"updated_at": r.UpdatedAt, "version": r.Version}).Error
}

func (st store) deleteRoute(ctx context.Context, id string) error {
	return st.conn(ctx).Exec(`DELETE FROM mailbox_routes WHERE id = ?`, id).Error
}

// routes returns the routing rules of the municipalities, by tag.
func (st store) routes(ctx context.Context, codes ...string) ([]Route, error) {
	var rows []routeRow
	if err := st.conn(ctx).Where("municipality IN ?", codes).Order("municipality, tag").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Route, len(rows))
	for i, r := range rows {
		out[i] = r.route()
	}
	return out, nil
}

type coverRow struct {
	ID           string
	Municipality string
	Covering     string
	Deputies     postgres.TextArray
	StartsAt     time.Time
	EndsAt       time.Time
	TimeZone     string
	Reason       string
	CreatedBy    string
	CreatedAt    time.Time
	Version      int
}

func (coverRow) TableName() string { return "mailbox_covers" }

func (r coverRow) cover() Cover {
	return Cover{ID: r.ID, Municipality: r.Municipality, Covering: r.Covering, Deputies: r.Deputies, From: r.StartsAt, To: r.EndsAt,
		TimeZone: r.TimeZone, Reason: r.Reason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, Version: r.Version}
}

func (st store) insertCover(ctx context.Context, r coverRow) error {
	return st.conn(ctx).Create(&r).Error
}

func (st store) cover(ctx context.Context, code, id string) (coverRow, error) {
	var r coverRow
	return r, postgres.Take(st.conn(ctx).Where("id = ? AND municipality = ?", id, code), true, &r, "cover")
}

func (st store) deleteCover(ctx context.Context, id string) error {
	return st.conn(ctx).Exec(`DELETE FROM mailbox_covers WHERE id = ?`, id).Error
}

// covers returns the municipalities' covers that have not ended by since, soonest first.
func (st store) covers(ctx context.Context, since time.Time, codes ...string) ([]Cover, error) {
	var rows []coverRow
	if err := st.conn(ctx).Where("municipality IN ? AND ends_at > ?", codes, since).Order("municipality, starts_at, id").
		Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Cover, len(rows))
	for i, r := range rows {
		out[i] = r.cover()
	}
	return out, nil
}
