// Package task keeps the tasks the secretariat (or the council) issues to municipalities, as
// KLIK's tasks are: what to do and why, by when, how, and how completion is known; per
// municipality its execution status, an expected date when it is late, and comments both ways;
// reminders before the end date and when overdue go through the notices pipeline. A task may
// name a platform check, data that proves completion (the mailbox's, from internal/mailbox).
package task

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/date"
)

// Type says whether a municipality must carry a task out.
type Type string

// The types of task.
const (
	Mandatory Type = "mandatory"
	Optional  Type = "optional"
)

// Types lists the types of task.
var Types = []Type{Mandatory, Optional}

// Status is where a municipality stands with a task.
type Status string

// The statuses of a task's execution.
const (
	NotStarted Status = "not_started"
	Started    Status = "started"
	Completed  Status = "completed" // by the municipality
	Confirmed  Status = "confirmed" // by the issuer
)

// Statuses lists the statuses in order.
var Statuses = []Status{NotStarted, Started, Completed, Confirmed}

// Evidence names a platform check that proves a task done from the platform's own data.
type Evidence string

// The platform checks.
const (
	// NoCheck: the municipality's word, which the issuer confirms.
	NoCheck Evidence = ""
	// MailboxReady: the infrastructure mailbox is verified and a cover is set (seed 000).
	MailboxReady Evidence = "mailbox_ready"
	// MappingSubmitted: the IT-system usage mapping is submitted (seed 002).
	MappingSubmitted Evidence = "usage_mapping_submitted"
)

// GateEvidence is the prefix of the checks that a gate of the municipality's onboarding programme
// has passed, such as gate:risk_assessment.
const GateEvidence Evidence = "gate:"

// Evidences lists the platform checks a task can name, besides a gate's.
var Evidences = []Evidence{NoCheck, MailboxReady, MappingSubmitted}

var gateEvidence = regexp.MustCompile(`^gate:[a-z_]{2,40}$`)

// kind is the check that evidence names: itself, or GateEvidence for a gate's.
func (e Evidence) kind() Evidence {
	if strings.HasPrefix(string(e), string(GateEvidence)) {
		return GateEvidence
	}
	return e
}

// Action is a change of a municipality's execution of a task.
type Action string

// The actions: the municipality starts and completes; the issuer confirms or returns.
const (
	Start    Action = "start"
	Complete Action = "complete"
	Confirm  Action = "confirm"
	Return   Action = "return"
)

// ReminderDays is how many days before its end date a task not completed is reminded of.
const ReminderDays = 3

// Fields are what a task says, as it is issued and edited.
type Fields struct {
	Title        string `json:"title" validate:"required,max=200" example:"Kortlæg hvilke it-systemer kommunen anvender/ikke anvender"`
	Project      string `json:"project" validate:"max=200" example:"Fælles it-infrastruktur"`
	Type         Type   `json:"type" validate:"required" enums:"mandatory,optional" example:"mandatory"`
	DurationDays int    `json:"duration_days" validate:"required,min=1,max=365" example:"5"`
	StartOn      string `json:"start_on" validate:"required" format:"date" example:"2027-01-04"`
	EndOn        string `json:"end_on" validate:"required" format:"date" example:"2027-01-29"`
	Goal         string `json:"goal" validate:"max=2000" example:"The units know which systems each municipality uses."`
	Description  string `json:"description" validate:"max=10000"`
	// Method is the numbered steps, in order.
	Method          []string `json:"method" validate:"max=30,dive,required,max=1000"`
	ResultCriterion string   `json:"result_criterion" validate:"max=2000" example:"Fuldført, når sekretariatet bekræfter modtagelsen."`
	// Performer is the role recommended to carry the task out; Parties those to involve.
	Performer string   `json:"performer" validate:"max=200" example:"IT-arkitekt"`
	Parties   []string `json:"parties" validate:"max=30,dive,required,max=200"`
	Contact   string   `json:"contact" validate:"max=320" example:"sekretariatet@servicekatalog.example"`
	// Evidence is the platform check that proves completion: the municipality can complete
	// the task only once it passes. mailbox_ready, usage_mapping_submitted, or gate: and a gate
	// of the onboarding programme (gate:risk_assessment) that must have passed.
	Evidence Evidence `json:"evidence" swaggertype:"string" pattern:"^(|mailbox_ready|usage_mapping_submitted|gate:[a-z_]{2,40})$" example:"mailbox_ready"`
}

// Task is a task as issued.
type Task struct {
	ID     string `json:"id" format:"uuid"`
	Number int    `json:"number" example:"7"` // the master task id
	Fields
	// ExampleData marks the tasks the demo ships (seeds 000 and 002).
	ExampleData bool      `json:"example_data"`
	Recipients  int       `json:"recipients" example:"98"` // the municipalities it was issued to
	IssuedBy    string    `json:"issued_by"`
	IssuedAt    time.Time `json:"issued_at" format:"date-time"`
	UpdatedAt   time.Time `json:"updated_at" format:"date-time"`
	Version     int       `json:"version"`
}

// NewTask is a task to issue: to the municipalities named, or to every one.
type NewTask struct {
	Number int `json:"number" validate:"required,min=1,max=1000000" example:"7"`
	Fields
	// Municipalities are the codes it is issued to; every municipality when empty.
	Municipalities []string `json:"municipalities" validate:"max=200,dive,required,max=10" example:"101"`
	ExampleData    bool     `json:"-"` // the demo's tasks, issued by the seed
}

// Edit is an issued task as it is to read, and why it changed.
type Edit struct {
	Fields
	Reason string `json:"reason" validate:"required,max=2000" example:"The end date moves a week: the spreadsheet came out late."`
}

// Version is one version of a task, as an edit left it.
type Version struct {
	Version   int       `json:"version" example:"2"`
	Reason    string    `json:"reason"`
	ChangedBy string    `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at" format:"date-time"`
	Task      Task      `json:"task"`
}

// check holds a task's fields to their rules: dates in range and in order, a duration that
// fits between them, a known type and check.
func (f Fields) check() (start, end time.Time, err error) {
	e := &apperr.Error{Kind: apperr.Invalid, Msg: "the request has invalid fields"}
	add := func(p, reason string) { e.Fields = append(e.Fields, apperr.FieldError{Pointer: p, Reason: reason}) }
	if !slices.Contains(Types, f.Type) {
		add("/type", "must be mandatory or optional")
	}
	if !slices.Contains(Evidences, f.Evidence) && !gateEvidence.MatchString(string(f.Evidence)) {
		add("/evidence", "must be empty, mailbox_ready, usage_mapping_submitted or gate: and a gate of the onboarding programme (gate:risk_assessment)")
	}
	start, serr := date.Parse(f.StartOn)
	if serr != nil {
		add("/start_on", serr.Error())
	}
	end, eerr := date.Parse(f.EndOn)
	if eerr != nil {
		add("/end_on", eerr.Error())
	}
	if serr == nil && eerr == nil {
		switch days := int(end.Sub(start).Hours()/24) + 1; {
		case end.Before(start):
			add("/end_on", "must not be before start_on")
		case f.DurationDays > days:
			add("/duration_days", fmt.Sprintf("is more than the %d days from start_on to end_on", days))
		}
	}
	if len(e.Fields) > 0 {
		return start, end, e
	}
	return start, end, nil
}

// Assignment is one municipality's execution of a task.
type Assignment struct {
	TaskID       string     `json:"task_id" format:"uuid"`
	Municipality string     `json:"municipality" example:"101"`
	Status       Status     `json:"status"`
	StartedAt    *time.Time `json:"started_at" format:"date-time" extensions:"x-nullable"`
	CompletedAt  *time.Time `json:"completed_at" format:"date-time" extensions:"x-nullable"`
	ConfirmedAt  *time.Time `json:"confirmed_at" format:"date-time" extensions:"x-nullable"`
	// ExpectedOn is when the municipality expects to be done, told when it cannot meet the end
	// date, with its reason.
	ExpectedOn     *string `json:"expected_on" format:"date" extensions:"x-nullable"`
	ExpectedReason string  `json:"expected_reason"`
	// Overdue: past the end date and not completed.
	Overdue bool `json:"overdue"`
	// Check is the task's platform check as it stands for the municipality; null when the task
	// names none.
	Check     *CheckResult `json:"check" extensions:"x-nullable"`
	UpdatedAt time.Time    `json:"updated_at" format:"date-time"`
	Version   int          `json:"version"`
	// Task is the task itself, in a municipality's list.
	Task *Task `json:"task,omitempty"`
}

// Comment is a remark on a municipality's execution of a task, by the municipality or the issuer.
type Comment struct {
	ID           string    `json:"id" format:"uuid"`
	Body         string    `json:"body" example:"We will send the sheet on Monday: two systems are still being checked."`
	Author       string    `json:"author" example:"Mette Hansen"`
	AuthorTenant string    `json:"author_tenant" example:"municipality:101"`
	CreatedAt    time.Time `json:"created_at" format:"date-time"`
}

// NewComment is a comment to add.
type NewComment struct {
	Body string `json:"body" validate:"required,max=5000" example:"We will send the sheet on Monday: two systems are still being checked."`
}

// Expectation is when a municipality expects to be done, and why not by the end date.
type Expectation struct {
	ExpectedOn string `json:"expected_on" validate:"required" format:"date" example:"2027-02-05"`
	Reason     string `json:"reason" validate:"required,max=2000" example:"The system owners are on holiday until 1 February."`
}

// Returning is why the issuer sends a completed task back.
type Returning struct {
	Reason string `json:"reason" validate:"required,max=2000" example:"The sheet has no answers for Records management."`
}

// CheckResult is what a platform check found.
type CheckResult struct {
	Evidence Evidence `json:"evidence" swaggertype:"string" pattern:"^(|mailbox_ready|usage_mapping_submitted|gate:[a-z_]{2,40})$" example:"mailbox_ready"`
	Met      bool     `json:"met"`
	Detail   string   `json:"detail" example:"it-drift@kk.example verified; 1 cover"`
}

// transition applies action by side ("municipality" or "issuer") at now.
func (a *Assignment) transition(action Action, side string, now time.Time) error {
	type rule struct {
		side string
		from []Status
		to   Status
	}
	rules := map[Action]rule{
		Start:    {"municipality", []Status{NotStarted}, Started},
		Complete: {"municipality", []Status{NotStarted, Started}, Completed},
		Confirm:  {"issuer", []Status{Completed}, Confirmed},
		Return:   {"issuer", []Status{Completed}, Started},
	}
	r, ok := rules[action]
	if !ok || r.side != side {
		return apperr.Newf(apperr.Forbidden, "the %s does not %s a task", side, action)
	}
	if !slices.Contains(r.from, a.Status) {
		names := make([]string, len(r.from))
		for i, s := range r.from {
			names[i] = string(s)
		}
		return apperr.Newf(apperr.Conflict, "the task is %s: it can be %s only when %s", a.Status, pastOf[action], strings.Join(names, " or "))
	}
	a.Status = r.to
	switch action {
	case Start:
		a.StartedAt = &now
	case Complete:
		if a.StartedAt == nil {
			a.StartedAt = &now
		}
		a.CompletedAt = &now
	case Confirm:
		a.ConfirmedAt = &now
	case Return:
		a.CompletedAt = nil
	}
	return nil
}

var pastOf = map[Action]string{Start: "started", Complete: "completed", Confirm: "confirmed", Return: "returned"}

// open reports whether the municipality has still to complete the task.
func (s Status) open() bool { return s == NotStarted || s == Started }

// overdue reports whether an assignment in status is past the task's end date on today.
func overdue(s Status, end, today time.Time) bool { return s.open() && today.After(end) }
