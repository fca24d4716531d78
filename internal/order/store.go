package order

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes orders, their items and their events.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type orderRow struct {
	ID           string
	Municipality string
	Unit         string
	State        State
	Note         string
	Reason       string
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

func (orderRow) TableName() string { return "orders" }

type itemRow struct {
	OrderID string
	Item    `gorm:"embedded"`
}

func (itemRow) TableName() string { return "order_items" }

type eventRow struct {
	OrderID   string
	Seq       int
	FromState State
	ToState   State
	Reason    string
	Actor     string
	At        time.Time
}

func (eventRow) TableName() string { return "order_events" }

func (r orderRow) order() Order {
	return Order{ID: r.ID, Municipality: r.Municipality, Unit: r.Unit, State: r.State, Note: r.Note, Reason: r.Reason,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version, Items: []Item{}}
}

func rowOf(o Order) orderRow {
	return orderRow{ID: o.ID, Municipality: o.Municipality, Unit: o.Unit, State: o.State, Note: o.Note, Reason: o.Reason,
		CreatedBy: o.CreatedBy, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
}

func (sc Scope) where(q *gorm.DB) *gorm.DB {
	if sc.Municipality != "" {
		q = q.Where("municipality = ?", sc.Municipality)
	}
	if sc.Unit != "" {
		q = q.Where("unit = ?", sc.Unit)
	}
	return q
}

// insert writes a new order with its first event and its items (travelling as the JSON the API
// shows them in) among the transaction's deferred writes: nothing reads them back before the
// commit, so they cost no round trip of their own.
func (st store) insert(ctx context.Context, o Order) error {
	e := o.History[0]
	items, err := json.Marshal(o.Items)
	if err != nil {
		return err
	}
	if err := st.db.Defer(ctx, nil, `INSERT INTO orders (id, municipality, unit, state, note, created_by, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Municipality, o.Unit, o.State, o.Note, o.CreatedBy, o.CreatedAt, o.UpdatedAt, o.Version); err != nil {
		return err
	}
	if err := st.db.Defer(ctx, nil, `INSERT INTO order_events (order_id, seq, from_state, to_state, actor, at) VALUES (?, ?, ?, ?, ?, ?)`,
		o.ID, e.Seq, e.From, e.To, e.Actor, e.At); err != nil {
		return err
	}
	return st.db.Defer(ctx, nil, `INSERT INTO order_items (order_id, n, action, subscription_id, offering_id, offering_version,
			service_id, family, level, quantity, parameters, monthly_price, one_off_fee)
		SELECT ?, i.n, i.action, i.subscription_id, i.offering_id, i.offering_version, i.service_id, i.family, i.level,
			i.quantity, i.parameters, i.monthly_price, i.one_off_fee
		FROM jsonb_to_recordset(?::jsonb) AS i(n int, action text, subscription_id uuid, offering_id uuid, offering_version int,
			service_id text, family text, level text, quantity int, parameters jsonb, monthly_price numeric, one_off_fee numeric)`,
		o.ID, string(items))
}

// move writes o's new state if the order is still in from, and appends e to its history.
func (st store) move(ctx context.Context, o Order, from State, e Event) error {
	res := st.conn(ctx).Model(&orderRow{}).Where("id = ? AND state = ?", o.ID, from).
		Updates(map[string]any{"state": o.State, "reason": o.Reason, "version": o.Version, "updated_at": o.UpdatedAt})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return apperr.New(apperr.Conflict, "the order changed concurrently; read it again")
	}
	return st.conn(ctx).Create(&eventRow{OrderID: o.ID, Seq: e.Seq, FromState: e.From, ToState: e.To, Reason: e.Reason,
		Actor: e.Actor, At: e.At}).Error
}

// linkItem records the subscription that item n of the order created.
func (st store) linkItem(ctx context.Context, orderID string, n int, subscriptionID string) error {
	return st.conn(ctx).Model(&itemRow{}).Where("order_id = ? AND n = ?", orderID, n).Update("subscription_id", subscriptionID).Error
}

// get loads one order of the scope with its items and history, locked for change when lock is set.
func (st store) get(ctx context.Context, sc Scope, id string, lock bool) (Order, error) {
	var r orderRow
	if err := postgres.Take(sc.where(st.conn(ctx).Where("id = ?", id)), lock, &r, "order"); err != nil {
		return Order{}, err
	}
	o := r.order()
	var items []itemRow
	if err := st.conn(ctx).Where("order_id = ?", r.ID).Order("n").Find(&items).Error; err != nil {
		return o, err
	}
	for _, it := range items {
		o.Items = append(o.Items, it.Item)
	}
	var events []eventRow
	if err := st.conn(ctx).Where("order_id = ?", r.ID).Order("seq").Find(&events).Error; err != nil {
		return o, err
	}
	for _, e := range events {
		o.History = append(o.History, Event{Seq: e.Seq, From: e.FromState, To: e.ToState, Reason: e.Reason, Actor: e.Actor, At: e.At})
	}
	return o, nil
}

func (st store) list(ctx context.Context, sc Scope, state State, p page.Request) (page.Page[Order], error) {
	q := sc.where(st.conn(ctx).Model(&orderRow{}))
	if state != "" {
		q = q.Where("state = ?", state)
	}
	rows, err := postgres.OldestFirst(q, p, "created_at", "id", func(r orderRow) (time.Time, string) { return r.CreatedAt, r.ID })
	if err != nil {
		return page.Page[Order]{}, err
	}
	out := page.Map(rows, orderRow.order)
	if len(out.Items) == 0 {
		return out, nil
	}
	ids := make([]string, len(out.Items))
	at := map[string]int{}
	for i, o := range out.Items {
		ids[i], at[o.ID] = o.ID, i
	}
	var items []itemRow
	if err := st.conn(ctx).Where("order_id IN ?", ids).Order("order_id, n").Find(&items).Error; err != nil {
		return page.Page[Order]{}, err
	}
	for _, it := range items {
		o := &out.Items[at[it.OrderID]]
		o.Items = append(o.Items, it.Item)
	}
	return out, nil
}
