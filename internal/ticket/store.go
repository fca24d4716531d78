package ticket

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes tickets, their events, notes and SLA events.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

func (sc Scope) where(q *gorm.DB) *gorm.DB {
	if sc.Unit != "" {
		return q.Where("unit = ? AND first_escalated_at IS NOT NULL", sc.Unit)
	}
	return q.Where("municipality = ?", sc.Municipality)
}

// insert writes a new ticket among the transaction's deferred writes: nothing reads it back
// before the commit. A new ticket has no unit, level or clock yet.
func (st store) insert(ctx context.Context, t *Ticket) error {
	return st.db.Defer(ctx, nil, `INSERT INTO tickets (id, municipality, subscription_id, title, description, priority, high_priority,
			category, reporter, state, created_by, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Municipality, t.SubscriptionID, t.Title, t.Description, t.Priority, t.HighPriority, t.Category, t.Reporter, t.State,
		t.CreatedBy, t.CreatedAt, t.UpdatedAt, t.Version)
}

// get loads a ticket in the scope, for change when lock is set; others are not found.
func (st store) get(ctx context.Context, sc Scope, id string, lock bool) (Ticket, error) {
	var t Ticket
	return t, postgres.Take(sc.where(st.conn(ctx).Where("id = ?", id)), lock, &t, "ticket")
}

// save writes every column of t that may change, among the transaction's deferred writes: the
// caller holds the row's lock, and nothing reads the row back before the commit.
func (st store) save(ctx context.Context, t *Ticket) error {
	return st.db.Defer(ctx, nil, `UPDATE tickets SET subscription_id = ?, unit = ?, title = ?, description = ?, priority = ?,
			high_priority = ?, category = ?, reporter = ?, state = ?, level = ?, first_escalated_at = ?, escalated_at = ?,
			acknowledged_at = ?, resolved_at = ?, resolved_by_unit = ?, closed_at = ?, due_at = ?, response_met = ?, restore_met = ?,
			updated_at = ?, version = ?
		WHERE id = ?`,
		t.SubscriptionID, t.Unit, t.Title, t.Description, t.Priority, t.HighPriority, t.Category, t.Reporter, t.State, t.Level,
		t.FirstEscalatedAt, t.EscalatedAt, t.AcknowledgedAt, t.ResolvedAt, t.ResolvedByUnit, t.ClosedAt, t.DueAt, t.ResponseMet,
		t.RestoreMet, t.UpdatedAt, t.Version, t.ID)
}

// addEvent appends e to the ticket's history, by the caller, among the transaction's deferred
// writes: its sequence number is taken in the insert itself, and the ticket's row lock orders
// writers. One event to a transaction: the deferred writes do not see each other's rows.
func (st store) addEvent(ctx context.Context, id string, e Event) error {
	actor, _ := identity.FromContext(ctx)
	return st.db.Defer(ctx, nil, `INSERT INTO ticket_events (ticket_id, seq, action, from_state, to_state, reason, actor, actor_tenant, at)
		SELECT ?, COALESCE(max(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM ticket_events WHERE ticket_id = ?`,
		id, e.Action, e.FromState, e.ToState, e.Reason, actor.Subject, actor.Acting.String(), e.At, id)
}

// events returns the ticket's events in order, those with one of actions when any are given,
// those from since on when it is set.
func (st store) events(ctx context.Context, id string, since *time.Time, actions ...Action) ([]Event, error) {
	q := st.conn(ctx).Where("ticket_id = ?", id)
	if len(actions) > 0 {
		q = q.Where("action IN ?", actions)
	}
	if since != nil {
		q = q.Where("at >= ?", *since)
	}
	out := []Event{}
	return out, q.Order("seq").Find(&out).Error
}

func (st store) list(ctx context.Context, sc Scope, f Filter, p page.Request) (page.Page[Ticket], error) {
	q := sc.where(st.conn(ctx).Model(&Ticket{}))
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.Priority != "" {
		q = q.Where("priority = ?", f.Priority)
	}
	if f.Active {
		q = q.Where("state NOT IN ?", []State{Resolved, Closed})
	}
	if sc.Unit != "" {
		return postgres.Page(q, p, func(t Ticket) []string {
			due := page.Infinity
			if t.DueAt != nil {
				due = page.Format(*t.DueAt)
			}
			return []string{due, t.ID}
		}, page.Col{Expr: "COALESCE(due_at, 'infinity'::timestamptz)", Kind: page.TimeOrInfinity}, page.Col{Expr: "id", Kind: page.UUID})
	}
	return postgres.OldestFirst(q, p, "created_at", "id", func(t Ticket) (time.Time, string) { return t.CreatedAt, t.ID })
}

func (st store) insertNote(ctx context.Context, n *Note) error { return st.conn(ctx).Create(n).Error }

// notes returns the ticket's public notes and the internal ones of author, from since on when it
// is set.
func (st store) notes(ctx context.Context, id, author string, since *time.Time) ([]Note, error) {
	q := st.conn(ctx).Where("ticket_id = ? AND (visibility = 'public' OR author_tenant = ?)", id, author)
	if since != nil {
		q = q.Where("created_at >= ?", *since)
	}
	out := []Note{}
	return out, q.Order("seq").Find(&out).Error
}

// lockRunning locks the tickets whose clocks may run, skipping those another writer holds.
func (st store) lockRunning(ctx context.Context) ([]Ticket, error) {
	var ts []Ticket
	return ts, st.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
		Where("state IN ?", []State{Escalated, Acknowledged, PendingCustomer}).Find(&ts).Error
}

// addSLAEvent records that clock target reached kind during the escalation; false when it was
// recorded before.
func (st store) addSLAEvent(ctx context.Context, t Ticket, target, kind string, at time.Time) (bool, error) {
	res := st.conn(ctx).Exec(`INSERT INTO sla_events (ticket_id, escalated_at, target, kind, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, t.ID, *t.EscalatedAt, target, kind, at)
	return res.RowsAffected > 0, res.Error
}

func (st store) slaEvents(ctx context.Context, id string) ([]SLAEvent, error) {
	out := []SLAEvent{}
	return out, st.conn(ctx).Table("sla_events").Where("ticket_id = ?", id).Order("at, target, kind").Find(&out).Error
}

// performance counts the escalated tickets and their clocks' outcomes per unit, level, priority
// and Copenhagen month of escalation, for escalations in [from, to) to unit and from municipality
// code ("" for every one).
func (st store) performance(ctx context.Context, unit, code string, from, to time.Time) ([]Performance, error) {
	q := st.conn(ctx).Model(&Ticket{}).Select(`unit, level, priority,
		to_char(escalated_at AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM') AS month, count(*) AS escalated,
		count(response_met) AS responded, count(*) FILTER (WHERE response_met) AS response_met,
		count(restore_met) AS restored, count(*) FILTER (WHERE restore_met) AS restore_met`).
		Where("escalated_at IS NOT NULL AND escalated_at >= ? AND escalated_at < ?", from, to)
	if unit != "" {
		q = q.Where("unit = ?", unit)
	}
	if code != "" {
		q = q.Where("municipality = ?", code)
	}
	var out []Performance
	return out, q.Group("1, 2, 3, 4").Order("4, 1, 2, 3").Scan(&out).Error
}
