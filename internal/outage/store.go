package outage

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/money"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes the outages.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type row struct {
	ID            string
	Unit          string
	Kind          availability.Kind
	Planned       bool
	StartedAt     time.Time
	EndedAt       *time.Time
	Offerings     postgres.TextArray `gorm:"type:uuid[]"`
	Subscriptions postgres.TextArray `gorm:"type:uuid[]"`
	NoticeID      *string
	AnnouncedAt   *time.Time
	Title         string
	Description   string
	ReportedBy    string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

func (row) TableName() string { return "outages" }

func (r row) outage() Outage {
	return Outage{ID: r.ID, Unit: r.Unit, Kind: r.Kind, Planned: r.Planned, StartedAt: r.StartedAt, EndedAt: r.EndedAt,
		Offerings: nonNil(r.Offerings), Subscriptions: nonNil(r.Subscriptions), Notice: r.NoticeID, AnnouncedAt: r.AnnouncedAt, Title: r.Title, Description: r.Description,
		ReportedBy: r.ReportedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

func rowOf(o Outage) row {
	return row{ID: o.ID, Unit: o.Unit, Kind: o.Kind, Planned: o.Planned, StartedAt: o.StartedAt, EndedAt: o.EndedAt,
		Offerings: o.Offerings, Subscriptions: o.Subscriptions, NoticeID: o.Notice, AnnouncedAt: o.AnnouncedAt, Title: o.Title,
		Description: o.Description, ReportedBy: o.ReportedBy, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
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

func nonNil(a postgres.TextArray) []string {
	if a == nil {
		return []string{}
	}
	return []string(a)
}

// save writes a changed outage whole.
func (st store) save(ctx context.Context, r row) error {
	return st.conn(ctx).Select("*").Omit("id", "unit", "reported_by", "created_at").Where("id = ?", r.ID).Updates(&r).Error
}

type versionRow struct {
	OutageID  string
	Version   int
	Outage    []byte `gorm:"type:jsonb"`
	Action    string
	Reason    string
	ChangedBy string
	ChangedAt time.Time
}

func (versionRow) TableName() string { return "outage_versions" }

func (st store) addVersion(ctx context.Context, o Outage, action, reason, by string) error {
	doc, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return st.conn(ctx).Create(&versionRow{OutageID: o.ID, Version: o.Version, Outage: doc, Action: action,
		Reason: reason, ChangedBy: by, ChangedAt: o.UpdatedAt}).Error
}

func (st store) versions(ctx context.Context, id string) ([]Version, error) {
	var rows []versionRow
	if err := st.conn(ctx).Where("outage_id = ?", id).Order("version").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Version, len(rows))
	for i, r := range rows {
		out[i] = Version{Version: r.Version, Action: r.Action, Reason: r.Reason, ChangedBy: r.ChangedBy, ChangedAt: r.ChangedAt}
		if err := json.Unmarshal(r.Outage, &out[i].Outage); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type closedRow struct {
	Month    time.Time `gorm:"type:date"`
	ClosedBy string
	ClosedAt time.Time
	Note     string
}

func (closedRow) TableName() string { return "closed_months" }

func (r closedRow) closed() ClosedMonth {
	return ClosedMonth{Month: r.Month.Format("2006-01"), ClosedBy: r.ClosedBy, ClosedAt: r.ClosedAt, Note: r.Note}
}

// close records a closed month; false when it was closed already.
func (st store) close(ctx context.Context, r closedRow) (bool, error) {
	res := st.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	return res.RowsAffected == 1, res.Error
}

// closedAmong returns which of months (first days) are closed.
func (st store) closedAmong(ctx context.Context, months []time.Time) ([]time.Time, error) {
	var out []time.Time
	return out, st.conn(ctx).Model(&closedRow{}).Where("month IN ?", months).Order("month").Pluck("month", &out).Error
}

func (st store) closedMonths(ctx context.Context) ([]ClosedMonth, error) {
	var rows []closedRow
	if err := st.conn(ctx).Order("month").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]ClosedMonth, len(rows))
	for i, r := range rows {
		out[i] = r.closed()
	}
	return out, nil
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

// affecting returns the outages that overlap [from, to) and touch one of offerings or of the
// subscriptions ids.
func (st store) affecting(ctx context.Context, offerings, ids []string, from, to time.Time) ([]Outage, error) {
	return st.outages(st.conn(ctx).Where("(offerings && ?::uuid[] OR subscriptions && ?::uuid[]) AND started_at < ? AND (ended_at IS NULL OR ended_at > ?)",
		postgres.TextArray(offerings), postgres.TextArray(ids), to, from))
}

// open returns the outages that last.
func (st store) open(ctx context.Context) ([]Outage, error) {
	return st.outages(st.conn(ctx).Where("ended_at IS NULL"))
}

func (st store) outages(q *gorm.DB) ([]Outage, error) {
	var rows []row
	err := q.Order("started_at, id").Find(&rows).Error
	out := make([]Outage, len(rows))
	for i, r := range rows {
		out[i] = r.outage()
	}
	return out, err
}

// monthRow is a subscription's month as kept: the availability report and its credit.
type monthRow struct {
	SubscriptionID            string
	Month                     time.Time `gorm:"type:date"`
	Municipality              string
	Unit                      string
	ServiceID                 string
	Level                     string
	LifeFrom                  time.Time  `gorm:"type:date"`
	LifeTo                    *time.Time `gorm:"type:date"`
	AgreedSeconds             int64
	ExcludedSeconds           int64
	DowntimeSeconds           int64
	UptimeSeconds             int64
	DegradedSeconds           int64
	SLI                       decimal.Decimal `gorm:"column:sli"`
	SLO                       decimal.Decimal `gorm:"column:slo"`
	ErrorBudgetSeconds        int64
	Outages                   int
	MaxOutages                int
	LongestOutageSeconds      int64
	LongestOutageLimitSeconds int64
	Met                       bool
	Warned                    bool
	Breaches                  postgres.TextArray
	CreditPercent             decimal.Decimal
	Recurring                 money.Amount
	Credit                    money.Amount
	Open                      bool
	ComputedAt                time.Time
}

func (monthRow) TableName() string { return "availability_months" }

func (r monthRow) report() availability.Report {
	return availability.Report{Month: r.Month.Format("2006-01"), AgreedSeconds: r.AgreedSeconds, ExcludedSeconds: r.ExcludedSeconds,
		DowntimeSeconds: r.DowntimeSeconds, UptimeSeconds: r.UptimeSeconds, DegradedSeconds: r.DegradedSeconds,
		SLI: r.SLI.StringFixed(4), SLO: r.SLO.String(), ErrorBudget: r.ErrorBudgetSeconds, Outages: r.Outages, MaxOutages: r.MaxOutages,
		LongestSeconds: r.LongestOutageSeconds, LongestLimit: r.LongestOutageLimitSeconds, Met: r.Met, Warning: r.Warned,
		Breaches: nonNil(r.Breaches), CreditPercent: r.CreditPercent.String(), Open: r.Open}
}

// saveMonths writes roll-up rows over what was kept, in batches that stay within PostgreSQL's
// limit of parameters.
func (st store) saveMonths(ctx context.Context, rows []monthRow) error {
	if len(rows) == 0 {
		return nil
	}
	return st.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "subscription_id"}, {Name: "month"}}, UpdateAll: true}).
		CreateInBatches(rows, 1000).Error
}

type monthKey struct {
	SubscriptionID string
	Month          time.Time
}

type monthState struct {
	SubscriptionID string
	Month          time.Time
	Met, Warned    bool
}

// states returns whether the kept months [from, to) of the subscriptions ids were met and warned.
func (st store) states(ctx context.Context, ids []string, from, to time.Time) (map[monthKey]monthState, error) {
	var rows []monthState
	if err := st.conn(ctx).Model(&monthRow{}).Select("subscription_id, month, met, warned").
		Where("subscription_id IN ? AND month >= ? AND month < ?", ids, from, to).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[monthKey]monthState, len(rows))
	for _, r := range rows {
		out[monthKey{r.SubscriptionID, dateOf(r.Month)}] = r
	}
	return out, nil
}

// lives returns, for every row kept for month, what it was computed for.
func (st store) lives(ctx context.Context, month time.Time) (map[string]life, error) {
	var rows []struct {
		SubscriptionID, Level string
		LifeFrom              time.Time
		LifeTo                *time.Time
	}
	if err := st.conn(ctx).Model(&monthRow{}).Select("subscription_id, level, life_from, life_to").Where("month = ?", month).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]life, len(rows))
	for _, r := range rows {
		l := life{Level: r.Level, From: r.LifeFrom.Format(time.DateOnly)}
		if r.LifeTo != nil {
			l.To = r.LifeTo.Format(time.DateOnly)
		}
		out[r.SubscriptionID] = l
	}
	return out, nil
}

// month returns the kept month of a subscription, and whether there is one.
func (st store) month(ctx context.Context, id string, month time.Time) (availability.Report, bool, error) {
	var rows []monthRow
	if err := st.conn(ctx).Where("subscription_id = ? AND month = ?", id, month).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return availability.Report{}, false, err
	}
	return rows[0].report(), true, nil
}

// credits returns the credit percent each of a municipality's subscriptions earned in month, where
// it earned one.
func (st store) credits(ctx context.Context, code string, month time.Time) (map[string]decimal.Decimal, error) {
	var rows []struct {
		SubscriptionID string
		CreditPercent  decimal.Decimal
	}
	if err := st.conn(ctx).Model(&monthRow{}).Select("subscription_id, credit_percent").
		Where("municipality = ? AND month = ? AND credit_percent > 0", code, month).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]decimal.Decimal, len(rows))
	for _, r := range rows {
		out[r.SubscriptionID] = r.CreditPercent
	}
	return out, nil
}

// selecting narrows q to the subscription-months f selects.
func selecting(q *gorm.DB, f Filter) *gorm.DB {
	q = q.Where("month BETWEEN ? AND ?", firstDay(f.From), firstDay(f.To))
	for col, v := range map[string]string{"unit": f.Unit, "municipality": f.Municipality, "service_id": f.ServiceID, "subscription_id": f.Subscription} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.Flagged {
		q = q.Where("NOT met OR warned")
	}
	return q
}

func (st store) lines(ctx context.Context, f Filter) ([]monthRow, error) {
	var rows []monthRow
	return rows, selecting(st.conn(ctx).Model(&monthRow{}), f).Order("month, municipality, subscription_id").Find(&rows).Error
}

// summaries sums the subscription-months f selects per by (a column among Groupings) and month.
func (st store) summaries(ctx context.Context, f Filter, by string) ([]summaryRow, error) {
	if !slices.Contains(Groupings, by) {
		return nil, apperr.New(apperr.Invalid, "a summary is by unit, municipality or service_id")
	}
	var rows []summaryRow
	return rows, selecting(st.conn(ctx).Model(&monthRow{}), f).Select(by + ` AS key, month, count(*) AS subscriptions,
		count(*) FILTER (WHERE met) AS met, count(*) FILTER (WHERE warned) AS warned, sum(agreed_seconds) AS agreed_seconds,
		sum(excluded_seconds) AS excluded_seconds, sum(downtime_seconds) AS downtime_seconds, sum(uptime_seconds) AS uptime_seconds,
		sum(outages) AS outages, sum(recurring) AS recurring, sum(credit) AS credit`).Group(by + ", month").Order(by + ", month").
		Scan(&rows).Error
}
