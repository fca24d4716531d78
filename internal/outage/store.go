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
	SubscriptionID            string             `json:"subscription_id"`
	Month                     time.Time          `gorm:"type:date" json:"month"`
	Municipality              string             `json:"municipality"`
	Unit                      string             `json:"unit"`
	ServiceID                 string             `json:"service_id"`
	Level                     string             `json:"level"`
	LifeFrom                  time.Time          `gorm:"type:date" json:"life_from"`
	LifeTo                    *time.Time         `gorm:"type:date" json:"life_to"`
	AgreedSeconds             int64              `json:"agreed_seconds"`
	ExcludedSeconds           int64              `json:"excluded_seconds"`
	DowntimeSeconds           int64              `json:"downtime_seconds"`
	UptimeSeconds             int64              `json:"uptime_seconds"`
	DegradedSeconds           int64              `json:"degraded_seconds"`
	SLI                       decimal.Decimal    `gorm:"column:sli" json:"sli"`
	SLO                       decimal.Decimal    `gorm:"column:slo" json:"slo"`
	ErrorBudgetSeconds        int64              `json:"error_budget_seconds"`
	Outages                   int                `json:"outages"`
	MaxOutages                int                `json:"max_outages"`
	LongestOutageSeconds      int64              `json:"longest_outage_seconds"`
	LongestOutageLimitSeconds int64              `json:"longest_outage_limit_seconds"`
	Met                       bool               `json:"met"`
	Warned                    bool               `json:"warned"`
	Breaches                  postgres.TextArray `json:"breaches"`
	CreditPercent             decimal.Decimal    `json:"credit_percent"`
	Recurring                 money.Amount       `json:"recurring"`
	Credit                    money.Amount       `json:"credit"`
	Open                      bool               `json:"open"`
	ComputedAt                time.Time          `json:"computed_at"`
}

func (monthRow) TableName() string { return "availability_months" }

func (r monthRow) report() availability.Report {
	return availability.Report{Month: r.Month.Format("2006-01"), AgreedSeconds: r.AgreedSeconds, ExcludedSeconds: r.ExcludedSeconds,
		DowntimeSeconds: r.DowntimeSeconds, UptimeSeconds: r.UptimeSeconds, DegradedSeconds: r.DegradedSeconds,
		SLI: r.SLI.StringFixed(4), SLO: r.SLO.String(), ErrorBudget: r.ErrorBudgetSeconds, Outages: r.Outages, MaxOutages: r.MaxOutages,
		LongestSeconds: r.LongestOutageSeconds, LongestLimit: r.LongestOutageLimitSeconds, Met: r.Met, Warning: r.Warned,
		Breaches: nonNil(r.Breaches), CreditPercent: r.CreditPercent.String(), Open: r.Open}
}

// saveMonths writes roll-up rows over what was kept, in one statement whatever their number: the
// rows go as one JSON document, which costs less to send than a parameter per column and row.
func (st store) saveMonths(ctx context.Context, rows []monthRow) error {
	if len(rows) == 0 {
		return nil
	}
	doc, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	return st.conn(ctx).Exec(`INSERT INTO availability_months (`+monthColumns+`)
		SELECT `+monthColumns+` FROM jsonb_to_recordset(?::jsonb) AS x(`+monthRecord+`)
		ON CONFLICT (subscription_id, month) DO UPDATE SET `+monthUpdates, string(doc)).Error
}

// The roll-up's columns, their types in the JSON document, and what a recomputation replaces.
const (
	monthColumns = `subscription_id, month, municipality, unit, service_id, level, life_from, life_to, agreed_seconds,
		excluded_seconds, downtime_seconds, uptime_seconds, degraded_seconds, sli, slo, error_budget_seconds,
		outages, max_outages, longest_outage_seconds, longest_outage_limit_seconds, met, warned, breaches,
		credit_percent, recurring, credit, open, computed_at`
	monthRecord = `subscription_id uuid, month date, municipality text, unit text, service_id text, level text,
		life_from date, life_to date, agreed_seconds bigint, excluded_seconds bigint,
		downtime_seconds bigint, uptime_seconds bigint, degraded_seconds bigint, sli numeric, slo numeric,
		error_budget_seconds bigint, outages integer, max_outages integer, longest_outage_seconds bigint,
		longest_outage_limit_seconds bigint, met boolean, warned boolean, breaches text[],
		credit_percent numeric, recurring numeric, credit numeric, open boolean, computed_at timestamptz`
	monthUpdates = `municipality = EXCLUDED.municipality, unit = EXCLUDED.unit, service_id = EXCLUDED.service_id,
		level = EXCLUDED.level, life_from = EXCLUDED.life_from, life_to = EXCLUDED.life_to,
		agreed_seconds = EXCLUDED.agreed_seconds, excluded_seconds = EXCLUDED.excluded_seconds,
		downtime_seconds = EXCLUDED.downtime_seconds, uptime_seconds = EXCLUDED.uptime_seconds,
		degraded_seconds = EXCLUDED.degraded_seconds, sli = EXCLUDED.sli, slo = EXCLUDED.slo,
		error_budget_seconds = EXCLUDED.error_budget_seconds, outages = EXCLUDED.outages,
		max_outages = EXCLUDED.max_outages, longest_outage_seconds = EXCLUDED.longest_outage_seconds,
		longest_outage_limit_seconds = EXCLUDED.longest_outage_limit_seconds, met = EXCLUDED.met,
		warned = EXCLUDED.warned, breaches = EXCLUDED.breaches, credit_percent = EXCLUDED.credit_percent,
		recurring = EXCLUDED.recurring, credit = EXCLUDED.credit, open = EXCLUDED.open,
		computed_at = EXCLUDED.computed_at`
)

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
