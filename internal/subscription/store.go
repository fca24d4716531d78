package subscription

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/money"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes subscriptions and their priced periods.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type row struct {
	ID           string
	Municipality string
	Unit         string
	Pinned       `gorm:"embedded"`
	State        State
	StartedOn    time.Time  `gorm:"type:date"`
	EndsOn       *time.Time `gorm:"type:date"`
	OrderID      string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

func (row) TableName() string { return "subscriptions" }

func (r row) subscription() Subscription {
	s := Subscription{ID: r.ID, Municipality: r.Municipality, Unit: r.Unit, Pinned: r.Pinned, State: r.State, StartedOn: r.StartedOn.Format(time.DateOnly),
		OrderID: r.OrderID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	if r.EndsOn != nil {
		d := r.EndsOn.Format(time.DateOnly)
		s.EndsOn = &d
	}
	return s
}

type period struct {
	SubscriptionID string
	FromDay        time.Time  `gorm:"type:date"`
	ToDay          *time.Time `gorm:"type:date"`
	Level          string
	Quantity       int
	MonthlyPrice   money.Amount
	OneOff         money.Amount
}

func (period) TableName() string { return "subscription_periods" }

func rowOf(s Subscription) row {
	r := row{ID: s.ID, Municipality: s.Municipality, Unit: s.Unit, Pinned: s.Pinned, State: s.State, OrderID: s.OrderID,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version}
	r.StartedOn, _ = time.Parse(time.DateOnly, s.StartedOn)
	if s.EndsOn != nil {
		end, _ := time.Parse(time.DateOnly, *s.EndsOn)
		r.EndsOn = &end
	}
	return r
}

type costPeriod struct {
	SubscriptionID string
	FromDay        time.Time
	ToDay          *time.Time
	Level          string
	Quantity       int
	MonthlyPrice   money.Amount
	OneOff         money.Amount
	ServiceID      string
	Unit           string
}

// insert writes a new subscription with its first period.
func (st store) insert(ctx context.Context, r row, p period) error {
	if err := st.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	return st.conn(ctx).Create(&p).Error
}

// get loads one subscription of a municipality (code) or of a unit (unit), either may be "",
// locked for change when lock is set.
func (st store) get(ctx context.Context, code, unit, id string, lock bool) (Subscription, error) {
	q := st.conn(ctx).Where("id = ?", id)
	if code != "" {
		q = q.Where("municipality = ?", code)
	}
	if unit != "" {
		q = q.Where("unit = ?", unit)
	}
	var r row
	if err := postgres.Take(q, lock, &r, "subscription"); err != nil {
		return Subscription{}, err
	}
	return r.subscription(), nil
}

// save writes what a change, a termination or an end alters: the terms, the state, the end, the
// version.
func (st store) save(ctx context.Context, sub Subscription) error {
	r := rowOf(sub)
	return st.conn(ctx).Model(&row{}).Where("id = ?", sub.ID).Updates(map[string]any{"level": r.Level, "quantity": r.Quantity,
		"monthly_price": r.MonthlyPrice, "one_off_fee": r.OneOffFee, "state": r.State, "ends_on": r.EndsOn,
		"version": r.Version, "updated_at": r.UpdatedAt}).Error
}

// closePeriod ends the subscription's open period on day.
func (st store) closePeriod(ctx context.Context, id string, day time.Time) error {
	return st.conn(ctx).Model(&period{}).Where("subscription_id = ? AND to_day IS NULL", id).Update("to_day", day).Error
}

// startPeriod opens a period. A second change on the same day replaces that day's period,
// keeping the one-off fees already charged in it.
func (st store) startPeriod(ctx context.Context, p period) error {
	return st.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "subscription_id"}, {Name: "from_day"}},
		DoUpdates: clause.Assignments(map[string]any{"to_day": nil, "level": p.Level, "quantity": p.Quantity, "monthly_price": p.MonthlyPrice,
			"one_off": gorm.Expr("subscription_periods.one_off + excluded.one_off")})}).Create(&p).Error
}

// lockEnding locks the subscriptions whose notice ran out by day, skipping those another writer
// holds.
func (st store) lockEnding(ctx context.Context, day time.Time) ([]Subscription, error) {
	var rows []row
	if err := st.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
		Where("state = ? AND ends_on <= ?", Terminating, day).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Subscription, len(rows))
	for i, r := range rows {
		out[i] = r.subscription()
	}
	return out, nil
}

func (st store) list(ctx context.Context, f Filter, p page.Request) (page.Page[Subscription], error) {
	q := st.conn(ctx).Model(&row{})
	for col, v := range map[string]string{"municipality": f.Municipality, "unit": f.Unit, "state": f.State, "service_id": f.ServiceID} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	rows, err := postgres.OldestFirst(q, p, "created_at", "id", func(r row) (time.Time, string) { return r.CreatedAt, r.ID })
	return page.Map(rows, row.subscription), err
}

// periods returns the municipality's priced periods that overlap [start, end), by subscription.
func (st store) periods(ctx context.Context, code string, start, end time.Time) ([]costPeriod, error) {
	var rows []costPeriod
	return rows, st.conn(ctx).Table("subscription_periods p").
		Select("p.subscription_id, p.from_day, p.to_day, p.level, p.quantity, p.monthly_price, p.one_off, s.service_id, s.unit").
		Joins("JOIN subscriptions s ON s.id = p.subscription_id").
		Where("s.municipality = ? AND p.from_day < ? AND (p.to_day IS NULL OR p.to_day > ?)", code, end, start).
		Order("s.created_at, s.id, p.from_day").Scan(&rows).Error
}

// periodsOf returns the priced periods of subscriptions ids that overlap [start, end).
func (st store) periodsOf(ctx context.Context, ids []string, start, end time.Time) ([]costPeriod, error) {
	var rows []costPeriod
	if len(ids) == 0 {
		return rows, nil
	}
	return rows, st.conn(ctx).Table("subscription_periods p").
		Select("p.subscription_id, p.from_day, p.to_day, p.level, p.quantity, p.monthly_price, p.one_off, s.service_id, s.unit").
		Joins("JOIN subscriptions s ON s.id = p.subscription_id").
		Where("p.subscription_id IN ? AND p.from_day < ? AND (p.to_day IS NULL OR p.to_day > ?)", ids, end, start).
		Order("p.subscription_id, p.from_day").Scan(&rows).Error
}

// touching returns the subscriptions whose life touches [from, to), to one of offerings or among
// ids (every one when both are empty).
func (st store) touching(ctx context.Context, offerings, ids []string, from, to time.Time) ([]Subscription, error) {
	q := eitherIn(st.conn(ctx).Where("started_on < ? AND (ends_on IS NULL OR ends_on > ?)", to, from), "offering_id", offerings, "id", ids)
	var rows []row
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Subscription, len(rows))
	for i, r := range rows {
		out[i] = r.subscription()
	}
	return out, nil
}

// holders returns each municipality and level with a subscription in force (active or in its
// notice period) of unit ("" any unit) to one of services or offerings (all when both are empty).
func (st store) holders(ctx context.Context, unit string, services, offerings []string) ([]Holder, error) {
	q := st.conn(ctx).Model(&row{}).Distinct("municipality", "level").Where("state IN ?", []State{Active, Terminating})
	if unit != "" {
		q = q.Where("unit = ?", unit)
	}
	var out []Holder
	return out, eitherIn(q, "service_id", services, "offering_id", offerings).Order("municipality, level").Scan(&out).Error
}

// eitherIn narrows q to the rows whose column a is among as or whose column b is among bs; both
// empty, it leaves q as it is.
func eitherIn(q *gorm.DB, a string, as []string, b string, bs []string) *gorm.DB {
	switch {
	case len(as) > 0 && len(bs) > 0:
		return q.Where("("+a+" IN ? OR "+b+" IN ?)", as, bs)
	case len(as) > 0:
		return q.Where(a+" IN ?", as)
	case len(bs) > 0:
		return q.Where(b+" IN ?", bs)
	}
	return q
}
