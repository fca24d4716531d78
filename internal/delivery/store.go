package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes deliveries and their attempts.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type row struct {
	ID            string
	SubjectType   string
	SubjectID     string
	Channel       Channel
	Recipient     string
	Tenant        string
	Sender        string
	Message       []byte `gorm:"type:jsonb"`
	Secret        *string
	State         State
	Attempts      int
	NextAttemptAt *time.Time
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeliveredAt   *time.Time
	Version       int
}

func (row) TableName() string { return "deliveries" }

func (r row) delivery() (Delivery, error) {
	d := Delivery{ID: r.ID, SubjectType: r.SubjectType, SubjectID: r.SubjectID, Channel: r.Channel, Recipient: r.Recipient,
		Tenant: r.Tenant, Sender: r.Sender, State: r.State, Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt,
		LastError: r.LastError, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, DeliveredAt: r.DeliveredAt, Version: r.Version}
	return d, json.Unmarshal(r.Message, &d.Message)
}

// reveal is msg as it is sent: with the delivery's secret in its place.
func (r row) reveal(msg Message) Message {
	if r.Secret != nil {
		msg.Text = strings.ReplaceAll(msg.Text, SecretPlaceholder, *r.Secret)
		msg.HTML = strings.ReplaceAll(msg.HTML, SecretPlaceholder, *r.Secret)
	}
	return msg
}

func secret(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type attemptRow struct {
	DeliveryID string
	Attempt    `gorm:"embedded"`
}

func (attemptRow) TableName() string { return "delivery_attempts" }

// insert writes the deliveries that do not exist yet, in one statement, and returns the ids
// of those it wrote.
func (st store) insert(ctx context.Context, rows []row) ([]string, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	type in struct {
		ID          string  `json:"id"`
		SubjectType string  `json:"subject_type"`
		SubjectID   string  `json:"subject_id"`
		Channel     Channel `json:"channel"`
		Recipient   string  `json:"recipient"`
		Tenant      string  `json:"tenant"`
		Sender      string  `json:"sender"`
		Secret      *string `json:"secret"`
	}
	// The messages are JSON already: spliced in, not marshalled (and compacted) again.
	var b bytes.Buffer
	b.WriteByte('[')
	for i, r := range rows {
		head, err := json.Marshal(in{r.ID, r.SubjectType, r.SubjectID, r.Channel, r.Recipient, r.Tenant, r.Sender, r.Secret})
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(head[:len(head)-1])
		b.WriteString(`,"message":`)
		b.Write(r.Message)
		b.WriteByte('}')
	}
	b.WriteByte(']')
	var ids []string
	return ids, st.conn(ctx).Raw(`INSERT INTO deliveries (id, subject_type, subject_id, channel, recipient, tenant, sender, message,
			secret, state, created_at, updated_at)
		SELECT x.id, x.subject_type, x.subject_id, x.channel, x.recipient, x.tenant, x.sender, x.message, x.secret, ?, ?, ?
		  FROM jsonb_to_recordset(?::jsonb) AS x(id uuid, subject_type text, subject_id text, channel text, recipient text,
		       tenant text, sender text, message jsonb, secret text)
		ON CONFLICT (id) DO NOTHING RETURNING id`, Pending, rows[0].CreatedAt, rows[0].CreatedAt, b.String()).Scan(&ids).Error
}

// get loads a delivery, locked for change when lock is set.
func (st store) get(ctx context.Context, id string, lock bool) (row, error) {
	var r row
	return r, postgres.Take(st.conn(ctx).Where("id = ?", id), lock, &r, "delivery")
}

// some loads the deliveries of ids that exist, in the order of ids.
func (st store) some(ctx context.Context, ids []string) ([]row, error) {
	var rows []row
	if err := st.conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	slices.SortFunc(rows, func(a, b row) int { return at[a.ID] - at[b.ID] })
	return rows, nil
}

func (st store) save(ctx context.Context, r row) error {
	return st.conn(ctx).Model(&row{}).Where("id = ?", r.ID).Updates(map[string]any{"state": r.State, "attempts": r.Attempts,
		"next_attempt_at": r.NextAttemptAt, "last_error": r.LastError, "updated_at": r.UpdatedAt, "delivered_at": r.DeliveredAt,
		"version": r.Version}).Error
}

// attempted is one attempt at a delivery and what it leaves the delivery in.
type attempted struct {
	ID            string     `json:"id"`
	At            time.Time  `json:"at"`
	Outcome       string     `json:"outcome"`
	Error         string     `json:"error"`
	DurationMS    int        `json:"duration_ms"`
	Worker        string     `json:"worker"`
	State         State      `json:"state"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	LastError     string     `json:"last_error"`
	DeliveredAt   *time.Time `json:"delivered_at"`
}

// record adds the attempts to their deliveries and moves each to the state its attempt left it
// in, in one statement: the update locks the rows and rereads them, so a delivery delivered or
// dead by then (by an attempt of another job) is left as it is, and no attempt is added to it.
func (st store) record(ctx context.Context, as []attempted) error {
	if len(as) == 0 {
		return nil
	}
	b, err := json.Marshal(as)
	if err != nil {
		return err
	}
	return st.conn(ctx).Exec(`WITH a AS (
			SELECT * FROM jsonb_to_recordset(?::jsonb) AS a(id uuid, at timestamptz, outcome text, error text, duration_ms int,
				worker text, state text, next_attempt_at timestamptz, last_error text, delivered_at timestamptz)),
		d AS (
			UPDATE deliveries d SET attempts = d.attempts + 1, state = a.state, next_attempt_at = a.next_attempt_at,
				last_error = a.last_error, delivered_at = a.delivered_at, updated_at = a.at, version = d.version + 1
			FROM a WHERE d.id = a.id AND d.state NOT IN (?, ?) RETURNING d.id, d.attempts)
		INSERT INTO delivery_attempts (delivery_id, n, at, outcome, error, duration_ms, worker)
		SELECT d.id, d.attempts, a.at, a.outcome, a.error, a.duration_ms, a.worker FROM d JOIN a ON a.id = d.id`,
		string(b), Delivered, Dead).Error
}

func (st store) attempts(ctx context.Context, id string) ([]Attempt, error) {
	var rows []attemptRow
	if err := st.conn(ctx).Where("delivery_id = ?", id).Order("n").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Attempt, len(rows))
	for i, r := range rows {
		out[i] = r.Attempt
	}
	return out, nil
}

func (st store) list(ctx context.Context, f Filter, p page.Request) (page.Page[row], error) {
	q := st.conn(ctx).Model(&row{})
	for col, v := range map[string]string{"state": string(f.State), "tenant": f.Tenant, "sender": f.Sender,
		"subject_type": f.SubjectType, "subject_id": f.SubjectID} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	return postgres.OldestFirst(q, p, "created_at", "id", func(r row) (time.Time, string) { return r.CreatedAt, r.ID })
}

// counts returns how many deliveries of a subject are in each state.
func (st store) counts(ctx context.Context, subjectType, subjectID string) (map[State]int, error) {
	var rows []struct {
		State State
		N     int
	}
	if err := st.conn(ctx).Model(&row{}).Select("state, count(*) AS n").Where("subject_type = ? AND subject_id = ?", subjectType, subjectID).
		Group("state").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[State]int{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

type webhookRow struct {
	ID             string
	Tenant         string
	URL            string
	Secret         string
	PreviousSecret *string
	PreviousUntil  *time.Time
	CreatedBy      string
	CreatedAt      time.Time
	Version        int
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) webhook() Endpoint {
	return Endpoint{ID: r.ID, Tenant: r.Tenant, URL: r.URL, Rotating: r.PreviousUntil, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		Version: r.Version}
}

func (st store) insertWebhook(ctx context.Context, r webhookRow) error {
	return postgres.Translate(st.conn(ctx).Create(&r).Error)
}

func (st store) webhook(ctx context.Context, t, id string, lock bool) (webhookRow, error) {
	var r webhookRow
	return r, postgres.Take(st.conn(ctx).Where("id = ? AND tenant = ?", id, t), lock, &r, "webhook")
}

func (st store) webhookByID(ctx context.Context, id string) (webhookRow, error) {
	var r webhookRow
	return r, postgres.NotFound(st.conn(ctx).Where("id = ?", id).Take(&r).Error, "webhook")
}

func (st store) saveWebhook(ctx context.Context, r webhookRow) error {
	return st.conn(ctx).Model(&webhookRow{}).Where("id = ?", r.ID).Updates(map[string]any{"secret": r.Secret,
		"previous_secret": r.PreviousSecret, "previous_until": r.PreviousUntil, "version": r.Version}).Error
}

func (st store) deleteWebhook(ctx context.Context, id string) error {
	return st.conn(ctx).Exec(`DELETE FROM webhooks WHERE id = ?`, id).Error
}

func (st store) webhooks(ctx context.Context, t string) ([]webhookRow, error) {
	var rows []webhookRow
	return rows, st.conn(ctx).Where("tenant = ?", t).Order("created_at, id").Find(&rows).Error
}

func (st store) webhooksOf(ctx context.Context, tenants []string) ([]webhookRow, error) {
	var rows []webhookRow
	if len(tenants) == 0 {
		return nil, nil
	}
	return rows, st.conn(ctx).Where("tenant IN ?", tenants).Order("tenant, created_at, id").Find(&rows).Error
}
