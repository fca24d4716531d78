package task

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/date"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Check runs a platform check for municipalities codes: for each, whether it is met and what it
// found, in words.
type Check func(ctx context.Context, evidence Evidence, codes []string) (map[string]CheckResult, error)

// Service is the tasks' use cases.
type Service struct {
	db        *postgres.DB
	store     store
	audit     *audit.Log
	directory *directory.Service
	notices   *notice.Service
	clock     clock.Clock
	checks    map[Evidence]Check
}

// NewService returns the task service.
func NewService(db *postgres.DB, log *audit.Log, dir *directory.Service, ns *notice.Service, c clock.Clock) *Service {
	return &Service{db: db, store: store{db}, audit: log, directory: dir, notices: ns, clock: c, checks: map[Evidence]Check{}}
}

// UseCheck has the tasks that name evidence proved by c.
func (s *Service) UseCheck(e Evidence, c Check) { s.checks[e] = c }

// today is the date in Copenhagen, where the tasks' dates are kept.
func (s *Service) today() time.Time { return clock.Today(s.clock.Now()) }

// Issue issues a task to the municipalities named, or to every one: each gets it not started.
func (s *Service) Issue(ctx context.Context, in NewTask) (Task, error) {
	if err := validation.Check(in); err != nil {
		return Task{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "task.issue", in, func(ctx context.Context) (Task, error) {
		start, end, err := in.check()
		if err != nil {
			return Task{}, err
		}
		codes, err := s.recipients(ctx, in.Municipalities)
		if err != nil {
			return Task{}, err
		}
		now := s.clock.Now()
		r := row{ID: uuid.NewString(), Number: in.Number, ExampleData: in.ExampleData, IssuedBy: actor.Subject, IssuedAt: now, UpdatedAt: now,
			Version: 1, Recipients: len(codes)}
		r.set(in.Fields, start, end)
		if err := s.store.insert(ctx, r, codes); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return Task{}, apperr.Field("/number", fmt.Sprintf("task %d exists already: give the task a number of its own", in.Number))
			}
			return Task{}, err
		}
		t := r.task()
		if err := s.store.addVersion(ctx, t, "", actor.Subject); err != nil {
			return Task{}, err
		}
		return t, s.audit.Record(ctx, audit.Change{Tenant: tenant.PlatformID, Action: "task.issue", ObjectType: "task", ObjectID: t.ID,
			Diff: map[string]any{"task": audit.Diff(nil, t), "municipalities": codes}})
	})
}

// recipients are the municipalities named, each one that exists, or every one when none is.
func (s *Service) recipients(ctx context.Context, named []string) ([]string, error) {
	if len(named) == 0 {
		return s.directory.MunicipalityCodes(ctx)
	}
	known, err := s.directory.Municipalities(ctx, named)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for i, code := range named {
		if _, ok := known[code]; !ok {
			return nil, apperr.Field(fmt.Sprintf("/municipalities/%d", i), "is not the code of a municipality")
		}
		if !seen[code] {
			seen[code], out = true, append(out, code)
		}
	}
	return out, nil
}

// Edit changes an issued task, if it is still at version: a new version with the reason. The
// municipalities it was issued to keep their status.
func (s *Service) Edit(ctx context.Context, id string, version int, in Edit) (Task, error) {
	if err := validation.Check(in); err != nil {
		return Task{}, err
	}
	actor, _ := identity.FromContext(ctx)
	var t Task
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.get(ctx, id, true)
		if err != nil {
			return err
		}
		if r.Version != version {
			return apperr.New(apperr.PreconditionFailed, "the task has changed since you read it; read it again")
		}
		start, end, err := in.check()
		if err != nil {
			return err
		}
		before := r.task()
		r.set(in.Fields, start, end)
		r.UpdatedAt, r.Version = s.clock.Now(), r.Version+1
		if err := s.store.save(ctx, r); err != nil {
			return err
		}
		if r, err = s.store.get(ctx, id, false); err != nil {
			return err
		}
		t = r.task()
		if err := s.store.addVersion(ctx, t, strings.TrimSpace(in.Reason), actor.Subject); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Tenant: tenant.PlatformID, Action: "task.edit", ObjectType: "task", ObjectID: id,
			Diff: map[string]any{"reason": strings.TrimSpace(in.Reason), "task": audit.Diff(before, t)}})
	})
	return t, err
}

// Get returns a task.
func (s *Service) Get(ctx context.Context, id string) (Task, error) {
	r, err := s.store.get(ctx, id, false)
	return r.task(), err
}

// List returns one page of the tasks, by number.
func (s *Service) List(ctx context.Context, p page.Request) (page.Page[Task], error) {
	return s.store.list(ctx, p)
}

// Versions returns every version of a task, oldest first.
func (s *Service) Versions(ctx context.Context, id string) ([]Version, error) {
	if _, err := s.store.get(ctx, id, false); err != nil {
		return nil, err
	}
	return s.store.versions(ctx, id)
}

// Assignments returns one page of a task's municipalities and where each stands, with the
// task's platform check, for the issuer: those in a status, or overdue, when f says so.
func (s *Service) Assignments(ctx context.Context, id string, f Filter, p page.Request) (page.Page[Assignment], error) {
	if _, err := p.Key(byMunicipality); err != nil { // a bad cursor is the caller's mistake, whatever the task
		return page.Page[Assignment]{}, err
	}
	t, err := s.store.get(ctx, id, false)
	if err != nil {
		return page.Page[Assignment]{}, err
	}
	f.Today = s.today()
	rows, err := s.store.assignments(ctx, t, f, p)
	if err != nil {
		return page.Page[Assignment]{}, err
	}
	out := make([]Assignment, len(rows.Items))
	for i, r := range rows.Items {
		out[i] = r.assignment(t.EndOn, f.Today)
	}
	return page.Page[Assignment]{Items: out, Next: rows.Next}, s.check(ctx, t.Evidence, out)
}

// check puts the result of evidence's platform check on each of as.
func (s *Service) check(ctx context.Context, evidence Evidence, as []Assignment) error {
	c, ok := s.checks[evidence.kind()]
	if evidence == NoCheck || !ok || len(as) == 0 {
		return nil
	}
	codes := make([]string, len(as))
	for i, a := range as {
		codes[i] = a.Municipality
	}
	results, err := c(ctx, evidence, codes)
	if err != nil {
		return err
	}
	for i := range as {
		r := results[as[i].Municipality]
		r.Evidence = evidence
		as[i].Check = &r
	}
	return nil
}

// Assignment returns municipality code's execution of a task, with the task and its check; a
// task not issued to it is not found.
func (s *Service) Assignment(ctx context.Context, code, id string) (Assignment, error) {
	t, err := s.store.get(ctx, id, false)
	if err != nil {
		return Assignment{}, err
	}
	r, err := s.store.assignment(ctx, id, code, false)
	if err != nil {
		return Assignment{}, err
	}
	return s.view(ctx, t, r)
}

func (s *Service) view(ctx context.Context, t row, r assignmentRow) (Assignment, error) {
	task := t.task()
	as := []Assignment{r.assignment(t.EndOn, s.today())}
	as[0].Task = &task
	return as[0], s.check(ctx, t.Evidence, as)
}

// MunicipalityTasks returns one page of the tasks issued to municipality code, by number, each
// with where the municipality stands.
func (s *Service) MunicipalityTasks(ctx context.Context, code string, p page.Request) (page.Page[Assignment], error) {
	rows, byTask, err := s.store.municipalityTasks(ctx, code, p)
	if err != nil {
		return page.Page[Assignment]{}, err
	}
	out := make([]Assignment, len(rows.Items))
	for i, t := range rows.Items {
		if out[i], err = s.view(ctx, t, byTask[t.ID]); err != nil {
			return page.Page[Assignment]{}, err
		}
	}
	return page.Page[Assignment]{Items: out, Next: rows.Next}, nil
}

// Act changes municipality code's execution of a task: start and complete by the municipality
// (complete only once the task's platform check passes), confirm and return (with a reason, kept
// as a comment) by the issuer.
func (s *Service) Act(ctx context.Context, code, id string, action Action, reason string) (Assignment, error) {
	side := "municipality"
	if action == Confirm || action == Return {
		side = "issuer"
	}
	reason = strings.TrimSpace(reason)
	if action == Return && reason == "" {
		return Assignment{}, apperr.Field("/reason", "is required: say what the municipality still has to do")
	}
	var out Assignment
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		t, r, err := s.lockAssignment(ctx, id, code)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		a, err := s.view(ctx, t, r)
		if err != nil {
			return err
		}
		before := a
		if err := a.transition(action, side, now); err != nil {
			return err
		}
		if action == Complete && a.Check != nil && !a.Check.Met {
			return apperr.Newf(apperr.Conflict, "the task is completed when its check passes (%s), and it does not yet: %s", a.Check.Evidence, a.Check.Detail)
		}
		a.UpdatedAt, a.Version = now, a.Version+1
		if err := s.store.saveAssignment(ctx, a.row()); err != nil {
			return err
		}
		if reason != "" {
			if err := s.comment(ctx, id, code, reason, now); err != nil {
				return err
			}
		}
		out = a
		return s.record(ctx, code, "task."+string(action), id, map[string]any{"reason": reason, "assignment": audit.Diff(before, a)})
	})
	return out, err
}

// lockAssignment loads a task and locks municipality code's execution of it.
func (s *Service) lockAssignment(ctx context.Context, id, code string) (row, assignmentRow, error) {
	t, err := s.store.get(ctx, id, false)
	if err != nil {
		return row{}, assignmentRow{}, err
	}
	r, err := s.store.assignment(ctx, id, code, true)
	return t, r, err
}

// record audits a change of municipality code's execution of task id.
func (s *Service) record(ctx context.Context, code, action, id string, diff any) error {
	return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(code), Action: action, ObjectType: "task_assignment",
		ObjectID: id + "/" + code, Diff: diff})
}

// Expect records when municipality code expects to be done with a task, and why not by the end
// date; once the task is completed there is nothing to expect.
func (s *Service) Expect(ctx context.Context, code, id string, in Expectation) (Assignment, error) {
	if err := validation.Check(in); err != nil {
		return Assignment{}, err
	}
	on, err := date.Parse(in.ExpectedOn)
	if err != nil {
		return Assignment{}, apperr.Field("/expected_on", err.Error())
	}
	if on.Before(s.today()) {
		return Assignment{}, apperr.Field("/expected_on", "is in the past: give the day you now expect to be done")
	}
	var out Assignment
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		t, r, err := s.lockAssignment(ctx, id, code)
		if err != nil {
			return err
		}
		if !r.Status.open() {
			return apperr.Newf(apperr.Conflict, "the task is %s: there is no date to expect", r.Status)
		}
		before := r
		d := on.Format(time.DateOnly)
		a := r.assignment(t.EndOn, s.today())
		a.ExpectedOn, a.ExpectedReason, a.UpdatedAt, a.Version = &d, strings.TrimSpace(in.Reason), s.clock.Now(), a.Version+1
		if err := s.store.saveAssignment(ctx, a.row()); err != nil {
			return err
		}
		if out, err = s.view(ctx, t, a.row()); err != nil {
			return err
		}
		return s.record(ctx, code, "task.expect", id, audit.Diff(before.assignment(t.EndOn, s.today()), out))
	})
	return out, err
}

// AddComment adds a comment to municipality code's execution of a task, by the caller: the
// municipality or the issuer.
func (s *Service) AddComment(ctx context.Context, code, id string, in NewComment) (Comment, error) {
	if err := validation.Check(in); err != nil {
		return Comment{}, err
	}
	return idempotency.Run(ctx, s.db, "task.comment", in, func(ctx context.Context) (Comment, error) {
		if _, err := s.store.assignment(ctx, id, code, false); err != nil {
			return Comment{}, err
		}
		now := s.clock.Now()
		if err := s.comment(ctx, id, code, strings.TrimSpace(in.Body), now); err != nil {
			return Comment{}, err
		}
		cs, err := s.store.comments(ctx, id, code)
		if err != nil {
			return Comment{}, err
		}
		c := cs[len(cs)-1]
		return c, s.record(ctx, code, "task.comment", id, audit.Diff(nil, c))
	})
}

// comment stores body as the caller's comment at now.
func (s *Service) comment(ctx context.Context, id, code, body string, now time.Time) error {
	actor, _ := identity.FromContext(ctx)
	names, err := s.directory.ActorNames(ctx, []string{actor.Subject})
	if err != nil {
		return err
	}
	name := names[actor.Subject]
	if name == "" {
		name = actor.Name
	}
	return s.store.addComment(ctx, commentRow{ID: uuid.NewString(), TaskID: id, Municipality: code, Body: body, Author: actor.Subject,
		AuthorName: name, AuthorTenant: actor.Acting.String(), CreatedAt: now})
}

// Comments returns the comments on municipality code's execution of a task, oldest first.
func (s *Service) Comments(ctx context.Context, code, id string) ([]Comment, error) {
	if _, err := s.store.assignment(ctx, id, code, false); err != nil {
		return nil, err
	}
	return s.store.comments(ctx, id, code)
}

// Remind tells each municipality that has not completed a task, once, when the task's end date
// is ReminderDays away or nearer, and once when it has passed, through the notices pipeline (tag
// OPGAVE; a mandatory task's overdue notice is high priority). It returns the notices sent.
func (s *Service) Remind(ctx context.Context) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		today := s.today()
		ds, err := s.store.lockDue(ctx, today)
		if err != nil || len(ds) == 0 {
			return err
		}
		events := make([]notice.Event, len(ds))
		link := s.notices.SwaggerUI("tasks", "getMunicipalityTask")
		for i, d := range ds {
			events[i] = reminder(d, link)
		}
		if err := s.store.markReminded(ctx, ds, s.clock.Now()); err != nil {
			return err
		}
		n = len(ds)
		return s.notices.AnnounceAll(ctx, events)
	})
	return n, err
}

// reminder is what a municipality is told of a task it has not completed; link opens the task
// in Swagger UI.
func reminder(d due, link string) notice.Event {
	end := d.EndOn.Format("2.1.2006")
	kind, title, text := "reminder", fmt.Sprintf("Task %d %q ends on %s", d.Number, d.Title, end),
		fmt.Sprintf("Opgave / Task %d: %s\nSlutdato / End date: %s\nStatus: %s\n", d.Number, d.Title, end, d.Status)
	if d.Overdue {
		kind, title = "overdue", fmt.Sprintf("Task %d %q is overdue since %s", d.Number, d.Title, end)
	}
	text += fmt.Sprintf("Meld status eller en forventet dato / Report its status or an expected date: %s (kommune / code %s, opgave-id / task id %s)\n",
		link, d.Municipality, d.TaskID)
	return notice.Event{Tag: "OPGAVE", Key: fmt.Sprintf("task/%s/%s/%s", d.TaskID, d.Municipality, kind), Municipality: d.Municipality,
		HighPriority: d.Overdue && d.Type == Mandatory, Title: title, Text: text}
}
