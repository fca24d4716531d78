package task

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes tasks, their versions, assignments and comments.
type store struct {
	db *postgres.DB
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

type row struct {
	ID              string
	Number          int
	Title           string
	Project         string
	Type            Type
	DurationDays    int
	StartOn         time.Time `gorm:"type:date"`
	EndOn           time.Time `gorm:"type:date"`
	Goal            string
	Description     string
	Method          postgres.TextArray
	ResultCriterion string
	Performer       string
	Parties         postgres.TextArray
	Contact         string
	Evidence        Evidence
	ExampleData     bool
	IssuedBy        string
	IssuedAt        time.Time
	UpdatedAt       time.Time
	Version         int
	Recipients      int `gorm:"->;-:migration"` // counted when read
}

func (row) TableName() string { return "tasks" }

func (r row) task() Task {
	return Task{ID: r.ID, Number: r.Number, Fields: Fields{Title: r.Title, Project: r.Project, Type: r.Type, DurationDays: r.DurationDays,
		StartOn: r.StartOn.Format(time.DateOnly), EndOn: r.EndOn.Format(time.DateOnly), Goal: r.Goal, Description: r.Description,
		Method: nonNil(r.Method), ResultCriterion: r.ResultCriterion, Performer: r.Performer, Parties: nonNil(r.Parties), Contact: r.Contact,
		Evidence: r.Evidence}, ExampleData: r.ExampleData, Recipients: r.Recipients, IssuedBy: r.IssuedBy, IssuedAt: r.IssuedAt,
		UpdatedAt: r.UpdatedAt, Version: r.Version}
}

// set puts f, already checked, on r.
func (r *row) set(f Fields, start, end time.Time) {
	r.Title, r.Project, r.Type, r.DurationDays, r.StartOn, r.EndOn = f.Title, f.Project, f.Type, f.DurationDays, start, end
	r.Goal, r.Description, r.Method, r.ResultCriterion = f.Goal, f.Description, f.Method, f.ResultCriterion
	r.Performer, r.Parties, r.Contact, r.Evidence = f.Performer, f.Parties, f.Contact, f.Evidence
}

func nonNil(a postgres.TextArray) []string {
	if a == nil {
		return []string{}
	}
	return []string(a)
}

// withRecipients selects tasks with the number of municipalities each was issued to.
func (st store) withRecipients(ctx context.Context) *gorm.DB {
	return st.conn(ctx).Model(&row{}).
		Select("tasks.*, (SELECT count(*) FROM task_assignments a WHERE a.task_id = tasks.id) AS recipients")
}

func (st store) insert(ctx context.Context, r row, codes []string) error {
	if err := postgres.Translate(st.conn(ctx).Omit("Recipients").Create(&r).Error); err != nil {
		return err
	}
	return st.conn(ctx).Exec(`INSERT INTO task_assignments (task_id, municipality, status, updated_at)
		SELECT ?, code, ?, ? FROM unnest(?::text[]) AS code`, r.ID, NotStarted, r.IssuedAt, postgres.TextArray(codes)).Error
}

// get loads a task, locked for change when lock is set.
func (st store) get(ctx context.Context, id string, lock bool) (row, error) {
	var r row
	q := st.withRecipients(ctx).Where("id = ?", id)
	if lock {
		q = st.conn(ctx).Model(&row{}).Where("id = ?", id)
	}
	return r, postgres.Take(q, lock, &r, "task")
}

func (st store) save(ctx context.Context, r row) error {
	return st.conn(ctx).Select("*").Omit("id", "number", "example_data", "issued_by", "issued_at", "Recipients").Where("id = ?", r.ID).Updates(&r).Error
}

// list returns one page of tasks, by number.
func (st store) list(ctx context.Context, p page.Request) (page.Page[Task], error) {
	rows, err := postgres.Page(st.withRecipients(ctx), p, func(r row) []string { return []string{strconv.Itoa(r.Number)} },
		page.Col{Expr: "number", Kind: page.Int})
	return page.Map(rows, row.task), err
}

type versionRow struct {
	TaskID    string
	Version   int
	Task      []byte `gorm:"type:jsonb"`
	Reason    string
	ChangedBy string
	ChangedAt time.Time
}

func (versionRow) TableName() string { return "task_versions" }

func (st store) addVersion(ctx context.Context, t Task, reason, by string) error {
	doc, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return st.conn(ctx).Create(&versionRow{TaskID: t.ID, Version: t.Version, Task: doc, Reason: reason, ChangedBy: by, ChangedAt: t.UpdatedAt}).Error
}

func (st store) versions(ctx context.Context, id string) ([]Version, error) {
	var rows []versionRow
	if err := st.conn(ctx).Where("task_id = ?", id).Order("version").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Version, len(rows))
	for i, r := range rows {
		out[i] = Version{Version: r.Version, Reason: r.Reason, ChangedBy: r.ChangedBy, ChangedAt: r.ChangedAt}
		if err := json.Unmarshal(r.Task, &out[i].Task); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type assignmentRow struct {
	TaskID         string
	Municipality   string
	Status         Status
	StartedAt      *time.Time
	CompletedAt    *time.Time
	ConfirmedAt    *time.Time
	ExpectedOn     *time.Time `gorm:"type:date"`
	ExpectedReason string
	RemindedAt     *time.Time
	OverdueAt      *time.Time
	UpdatedAt      time.Time
	Version        int
}

func (assignmentRow) TableName() string { return "task_assignments" }

func (r assignmentRow) assignment(end, today time.Time) Assignment {
	a := Assignment{TaskID: r.TaskID, Municipality: r.Municipality, Status: r.Status, StartedAt: r.StartedAt, CompletedAt: r.CompletedAt,
		ConfirmedAt: r.ConfirmedAt, ExpectedReason: r.ExpectedReason, Overdue: overdue(r.Status, end, today), UpdatedAt: r.UpdatedAt,
		Version: r.Version}
	if r.ExpectedOn != nil {
		d := r.ExpectedOn.Format(time.DateOnly)
		a.ExpectedOn = &d
	}
	return a
}

func (a Assignment) row() assignmentRow {
	r := assignmentRow{TaskID: a.TaskID, Municipality: a.Municipality, Status: a.Status, StartedAt: a.StartedAt, CompletedAt: a.CompletedAt,
		ConfirmedAt: a.ConfirmedAt, ExpectedReason: a.ExpectedReason, UpdatedAt: a.UpdatedAt, Version: a.Version}
	if a.ExpectedOn != nil {
		d, _ := time.Parse(time.DateOnly, *a.ExpectedOn)
		r.ExpectedOn = &d
	}
	return r
}

// assignment loads a municipality's assignment of a task, locked for change when lock is set.
func (st store) assignment(ctx context.Context, id, code string, lock bool) (assignmentRow, error) {
	var r assignmentRow
	return r, postgres.Take(st.conn(ctx).Where("task_id = ? AND municipality = ?", id, code), lock, &r, "task")
}

func (st store) saveAssignment(ctx context.Context, r assignmentRow) error {
	return st.conn(ctx).Select("*").Omit("task_id", "municipality", "reminded_at", "overdue_at").
		Where("task_id = ? AND municipality = ?", r.TaskID, r.Municipality).Updates(&r).Error
}

// Filter selects a task's assignments: by status, and those overdue on Today.
type Filter struct {
	Status  string
	Overdue bool
	Today   time.Time
}

// assignments returns one page of a task's assignments, by municipality code.
func (st store) assignments(ctx context.Context, t row, f Filter, p page.Request) (page.Page[assignmentRow], error) {
	q := st.conn(ctx).Model(&assignmentRow{}).Where("task_id = ?", t.ID)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Overdue {
		q = q.Where("status IN ? AND ? > ?", []Status{NotStarted, Started}, f.Today, t.EndOn)
	}
	return postgres.Page(q, p, func(r assignmentRow) []string { return []string{r.Municipality} }, byMunicipality)
}

// byMunicipality is the order of a task's assignments.
var byMunicipality = page.Col{Expr: "municipality", Kind: page.Text}

// municipalityTasks returns one page of the tasks issued to a municipality, by number, with its
// assignment of each.
func (st store) municipalityTasks(ctx context.Context, code string, p page.Request) (page.Page[row], map[string]assignmentRow, error) {
	rows, err := postgres.Page(st.withRecipients(ctx).Where("id IN (SELECT task_id FROM task_assignments WHERE municipality = ?)", code), p,
		func(r row) []string { return []string{strconv.Itoa(r.Number)} }, page.Col{Expr: "number", Kind: page.Int})
	if err != nil || len(rows.Items) == 0 {
		return rows, nil, err
	}
	ids := make([]string, len(rows.Items))
	for i, r := range rows.Items {
		ids[i] = r.ID
	}
	var as []assignmentRow
	if err := st.conn(ctx).Where("municipality = ? AND task_id IN ?", code, ids).Find(&as).Error; err != nil {
		return rows, nil, err
	}
	byTask := make(map[string]assignmentRow, len(as))
	for _, a := range as {
		byTask[a.TaskID] = a
	}
	return rows, byTask, nil
}

type commentRow struct {
	ID           string
	TaskID       string
	Municipality string
	Body         string
	Author       string
	AuthorName   string
	AuthorTenant string
	CreatedAt    time.Time
}

func (commentRow) TableName() string { return "task_comments" }

func (r commentRow) comment() Comment {
	return Comment{ID: r.ID, Body: r.Body, Author: r.AuthorName, AuthorTenant: r.AuthorTenant, CreatedAt: r.CreatedAt}
}

func (st store) addComment(ctx context.Context, r commentRow) error {
	return st.conn(ctx).Create(&r).Error
}

func (st store) comments(ctx context.Context, id, code string) ([]Comment, error) {
	var rows []commentRow
	if err := st.conn(ctx).Where("task_id = ? AND municipality = ?", id, code).Order("n").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Comment, len(rows))
	for i, r := range rows {
		out[i] = r.comment()
	}
	return out, nil
}

// due is an open assignment to remind: of a task that ends within ReminderDays of today and
// has not been reminded of, or that ended before today and has not been told it is overdue.
type due struct {
	TaskID       string
	Municipality string
	Status       Status
	Number       int
	Title        string
	Type         Type
	EndOn        time.Time
	Overdue      bool
}

// lockDue locks the open assignments due a reminder or an overdue notice on today.
func (st store) lockDue(ctx context.Context, today time.Time) ([]due, error) {
	var out []due
	return out, st.conn(ctx).Raw(`SELECT a.task_id, a.municipality, a.status, t.number, t.title, t.type, t.end_on, t.end_on < ? AS overdue
		  FROM task_assignments a JOIN tasks t ON t.id = a.task_id
		 WHERE a.status IN ? AND (t.end_on < ? AND a.overdue_at IS NULL
		       OR t.end_on >= ? AND t.end_on <= ?::date + ?::integer AND a.reminded_at IS NULL)
		 ORDER BY t.number, a.municipality FOR UPDATE OF a SKIP LOCKED`,
		today, []Status{NotStarted, Started}, today, today, today, ReminderDays).Scan(&out).Error
}

// markReminded records that the assignments were reminded (or told they are overdue) at now.
func (st store) markReminded(ctx context.Context, ds []due, now time.Time) error {
	for _, d := range ds {
		col := "reminded_at"
		if d.Overdue {
			col = "overdue_at"
		}
		if err := st.conn(ctx).Model(&assignmentRow{}).Where("task_id = ? AND municipality = ?", d.TaskID, d.Municipality).
			Update(col, now).Error; err != nil {
			return err
		}
	}
	return nil
}
