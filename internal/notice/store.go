package notice

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes notices and their acknowledgements.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type row struct {
	ID              string
	ThreadID        string
	Seq             int
	Kind            Kind
	Sender          string
	SenderName      string
	Tags            postgres.TextArray
	HighPriority    bool
	Emergency       bool
	EmergencyReason string
	Title           string
	Body            string
	Subject         string
	PlannedStart    *time.Time
	PlannedEnd      *time.Time
	Scope           []byte `gorm:"type:jsonb"`
	Recipients      postgres.TextArray
	TagsVersion     int
	AckMinutes      *int
	AckDueAt        *time.Time
	PublishedBy     string
	PublishedAt     time.Time
	EscalationJobs  postgres.Int64Array // the steps' River jobs, for a high-priority notice
}

func (row) TableName() string { return "notices" }

func rowOf(n Notice) (row, error) {
	scope, err := json.Marshal(n.Scope)
	r := row{ID: n.ID, ThreadID: n.ThreadID, Seq: n.Seq, Kind: n.Kind, Sender: n.Sender, SenderName: n.SenderName, Tags: n.Tags,
		HighPriority: n.HighPriority, Emergency: n.Emergency, EmergencyReason: n.EmergencyWhy, Title: n.Title, Body: n.Body, Subject: n.Subject,
		PlannedStart: n.PlannedStart, PlannedEnd: n.PlannedEnd, Scope: scope, Recipients: n.Recipients, TagsVersion: n.TagsVersion,
		AckDueAt: n.AckDueAt, PublishedBy: n.PublishedBy, PublishedAt: n.PublishedAt}
	if n.AckMinutes > 0 {
		r.AckMinutes = &n.AckMinutes
	}
	return r, err
}

func (r row) notice() (Notice, error) {
	n := Notice{ID: r.ID, ThreadID: r.ThreadID, Seq: r.Seq, Kind: r.Kind, Sender: r.Sender, SenderName: r.SenderName, Tags: r.Tags,
		HighPriority: r.HighPriority, Emergency: r.Emergency, EmergencyWhy: r.EmergencyReason, Title: r.Title, Body: r.Body, Subject: r.Subject,
		PlannedStart: r.PlannedStart, PlannedEnd: r.PlannedEnd, Recipients: r.Recipients, TagsVersion: r.TagsVersion,
		AckDueAt: r.AckDueAt, PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt}
	if r.AckMinutes != nil {
		n.AckMinutes = *r.AckMinutes
	}
	if n.Recipients == nil {
		n.Recipients = []string{}
	}
	return n, json.Unmarshal(r.Scope, &n.Scope)
}

func notices(rows []row) ([]Notice, error) {
	out := make([]Notice, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.notice(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// insert writes notice n with the jobs of its escalation steps.
func (st store) insert(ctx context.Context, n Notice, escalation []int64) error {
	r, err := rowOf(n)
	if err != nil {
		return err
	}
	r.EscalationJobs = escalation
	return st.conn(ctx).Create(&r).Error
}

// lockEscalation locks notice id, so that its acknowledgements are counted one at a time, and
// returns its escalation's jobs.
func (st store) lockEscalation(ctx context.Context, id string) ([]int64, error) {
	var r row
	err := postgres.Take(st.conn(ctx).Select("escalation_jobs").Where("id = ?", id), true, &r, "notice")
	return r.EscalationJobs, err
}

// unacknowledgedCount is how many municipalities have not acknowledged notice id.
func (st store) unacknowledgedCount(ctx context.Context, id string) (int64, error) {
	var n int64
	return n, st.conn(ctx).Model(&ackRow{}).Where("notice_id = ? AND acknowledged_at IS NULL", id).Count(&n).Error
}

// toEscalate locks the acknowledgements of notice id that step has yet to escalate: not
// acknowledged, not escalated this far; of municipality only, unless it is "".
func (st store) toEscalate(ctx context.Context, id, municipality string, step int) ([]ackRow, error) {
	q := st.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("notice_id = ? AND acknowledged_at IS NULL AND escalated_steps < ?", id, step)
	if municipality != "" {
		q = q.Where("municipality = ?", municipality)
	}
	var rows []ackRow
	return rows, q.Order("municipality").Find(&rows).Error
}

// get loads a notice: of sender when it is not "", sent to municipality when that is not "".
func (st store) get(ctx context.Context, id, sender, municipality string) (Notice, error) {
	q := st.conn(ctx).Where("id = ?", id)
	if sender != "" {
		q = q.Where("sender = ?", sender)
	}
	if municipality != "" {
		q = q.Where("recipients @> ARRAY[?]::text[]", municipality)
	}
	var r row
	if err := q.Take(&r).Error; err != nil {
		return Notice{}, postgres.NotFound(err, "notice")
	}
	return r.notice()
}

// lockThread locks a thread's notices and returns them in order.
func (st store) lockThread(ctx context.Context, thread string) ([]Notice, error) {
	var rows []row
	if err := st.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("thread_id = ?", thread).Order("seq").Find(&rows).Error; err != nil {
		return nil, err
	}
	return notices(rows)
}

// list returns one page of notices, newest first: of sender ("" any), sent to municipality ("" any).
func (st store) list(ctx context.Context, sender, municipality string, p page.Request) (page.Page[Notice], error) {
	q := st.conn(ctx).Model(&row{})
	if sender != "" {
		q = q.Where("sender = ?", sender)
	}
	if municipality != "" {
		q = q.Where("recipients @> ARRAY[?]::text[]", municipality)
	}
	rows, err := postgres.OldestFirst(q, p, "published_at", "id", func(r row) (time.Time, string) { return r.PublishedAt, r.ID })
	if err != nil {
		return page.Page[Notice]{}, err
	}
	items, err := notices(rows.Items)
	return page.Page[Notice]{Items: items, Next: rows.Next}, err
}

type ackRow struct {
	NoticeID       string
	Municipality   string
	LinkTokenHash  []byte
	DueAt          time.Time
	AcknowledgedAt *time.Time
	AcknowledgedBy *string
	EscalationJobs postgres.Int64Array // for notices published before migration 00011; since, the notice keeps them
	EscalatedSteps int
}

func (ackRow) TableName() string { return "notice_acks" }

// insertAcks writes a new notice's open acknowledgements among the transaction's deferred writes,
// as one JSON document: nothing in the publishing transaction reads them back.
func (st store) insertAcks(ctx context.Context, rows []ackRow) error {
	if len(rows) == 0 {
		return nil
	}
	type in struct {
		Notice       string    `json:"notice_id"`
		Municipality string    `json:"municipality"`
		Hash         string    `json:"hash"` // hex: gorm would expand a []byte into a list
		Due          time.Time `json:"due_at"`
	}
	doc := make([]in, len(rows))
	for i, r := range rows {
		// Truncated as pgx sends a time; PostgreSQL would round the text's nanoseconds.
		doc[i] = in{r.NoticeID, r.Municipality, hex.EncodeToString(r.LinkTokenHash), r.DueAt.Truncate(time.Microsecond)}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return st.db.Defer(ctx, nil, `INSERT INTO notice_acks (notice_id, municipality, link_token_hash, due_at)
		SELECT x.notice_id, x.municipality, decode(x.hash, 'hex'), x.due_at
		FROM jsonb_to_recordset(?::jsonb) AS x(notice_id uuid, municipality text, hash text, due_at timestamptz)`, string(b))
}

// ack loads a municipality's acknowledgement of a notice, locked for change when lock is set.
func (st store) ack(ctx context.Context, notice, municipality string, lock bool) (ackRow, error) {
	var r ackRow
	return r, postgres.Take(st.conn(ctx).Where("notice_id = ? AND municipality = ?", notice, municipality), lock, &r, "acknowledgement")
}

func (st store) ackByToken(ctx context.Context, hash []byte) (ackRow, error) {
	var r ackRow
	return r, postgres.NotFound(st.conn(ctx).Where("link_token_hash = ?", hash).Take(&r).Error, "acknowledgement link")
}

func (st store) saveAck(ctx context.Context, r ackRow) error {
	return st.conn(ctx).Model(&ackRow{}).Where("notice_id = ? AND municipality = ?", r.NoticeID, r.Municipality).
		Updates(map[string]any{"acknowledged_at": r.AcknowledgedAt, "acknowledged_by": r.AcknowledgedBy, "escalated_steps": r.EscalatedSteps}).Error
}

// acks returns the acknowledgements of notices, by notice and municipality.
func (st store) acks(ctx context.Context, ids []string) ([]ackRow, error) {
	var rows []ackRow
	return rows, st.conn(ctx).Where("notice_id IN ?", ids).Order("notice_id, municipality").Find(&rows).Error
}

// overdue is one unacknowledged high-priority notice of a municipality, for the council.
type overdue struct {
	Municipality string
	NoticeID     string
	Subject      string
	Sender       string
	DueAt        time.Time
	PublishedAt  time.Time
	Steps        int
}

// unacknowledged returns the high-priority notices not acknowledged, by municipality, oldest
// first; only those past due when pastDue is set.
func (st store) unacknowledged(ctx context.Context, now time.Time, pastDue bool) ([]overdue, error) {
	q := st.conn(ctx).Table("notice_acks a").Joins("JOIN notices n ON n.id = a.notice_id").
		Select("a.municipality, a.notice_id, n.subject, n.sender, a.due_at, n.published_at, a.escalated_steps AS steps").
		Where("a.acknowledged_at IS NULL")
	if pastDue {
		q = q.Where("a.due_at <= ?", now)
	}
	var out []overdue
	return out, q.Order("a.municipality, a.due_at, a.notice_id").Scan(&out).Error
}
