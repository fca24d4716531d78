// Package council keeps the secretariat's recommendations (indstillinger) to the architecture
// council: each case with its background, recommendation and attachments by reference, put on a
// meeting's agenda, and the council's discussion notes and decision, which joins the register of
// all its decisions.
package council

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/date"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/review"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// State is where a case stands.
type State string

// The states of a case.
const (
	Submitted State = "submitted" // on the agenda
	Decided   State = "decided"
)

// Attachment is a document of a case, by reference.
type Attachment struct {
	Title  string `json:"title" validate:"required,max=200" example:"Udkast til fælles logpolitik"`
	Ref    string `json:"ref" validate:"required,max=300" example:"ESDH 2026-5120"`
	SHA256 string `json:"sha256" validate:"required,len=64,hexadecimal" example:"9c1e7d2b4a6f8e0c3d5b7a9f1e3c5d7b9a1f3e5c7d9b1a3f5e7c9d1b3a5f7e9c"`
}

// NewCase is a recommendation the secretariat puts to the council.
type NewCase struct {
	Title          string       `json:"title" validate:"required,max=200" example:"Fælles logpolitik for alle driftsenheder"`
	Background     string       `json:"background" validate:"required,max=20000" example:"The units log to their own SIEMs; the common level asks for one logging foundation."`
	Recommendation string       `json:"recommendation" validate:"required,max=5000" example:"The council adopts the common logging policy from 1 March 2027."`
	Attachments    []Attachment `json:"attachments" validate:"max=20,dive"`
	MeetingOn      string       `json:"meeting_on" validate:"required" format:"date" example:"2026-12-10"` // the meeting it is for
}

// Case is a recommendation to the council, and its decision once made.
type Case struct {
	ID             string       `json:"id" format:"uuid"`
	Number         int          `json:"number" example:"12"`
	Title          string       `json:"title"`
	Background     string       `json:"background"`
	Recommendation string       `json:"recommendation"`
	Attachments    []Attachment `json:"attachments"`
	MeetingOn      string       `json:"meeting_on" format:"date"`
	State          State        `json:"state" enums:"submitted,decided"`
	SubmittedBy    string       `json:"submitted_by"`
	SubmittedAt    time.Time    `json:"submitted_at" format:"date-time"`
	Notes          string       `json:"notes"` // the council's discussion
	Decision       *string      `json:"decision" format:"uuid" extensions:"x-nullable"`
	Version        int          `json:"version" example:"1"`
}

// NewDecision is the council's decision on a case: approved as recommended or rejected, the
// decision in words, and the notes of its discussion.
type NewDecision struct {
	Outcome string `json:"outcome" validate:"required,oneof=approved rejected" example:"approved"`
	// Reason is the decision in words.
	Reason string `json:"reason" validate:"required,min=3,max=2000" example:"Adopted as recommended, from 1 March 2027."`
	Notes  string `json:"notes" validate:"max=20000" example:"Midt asked for a transition period; agreed to 1 March."`
}

// Service is the council's cases.
type Service struct {
	db    *postgres.DB
	audit *audit.Log
	clock clock.Clock
}

// NewService returns the cases service.
func NewService(db *postgres.DB, log *audit.Log, c clock.Clock) *Service {
	return &Service{db: db, audit: log, clock: c}
}

type row struct {
	ID             string
	Number         int
	Title          string
	Background     string
	Recommendation string
	Attachments    []byte    `gorm:"type:jsonb"`
	MeetingOn      time.Time `gorm:"type:date"`
	State          State
	SubmittedBy    string
	SubmittedAt    time.Time
	Notes          string
	DecisionID     *string
	Version        int
}

func (row) TableName() string { return "council_cases" }

func (r row) toCase() Case {
	c := Case{ID: r.ID, Number: r.Number, Title: r.Title, Background: r.Background, Recommendation: r.Recommendation, Attachments: []Attachment{},
		MeetingOn: r.MeetingOn.Format(time.DateOnly), State: r.State, SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt, Notes: r.Notes,
		Decision: r.DecisionID, Version: r.Version}
	_ = json.Unmarshal(r.Attachments, &c.Attachments) // written by this package from []Attachment
	return c
}

func (s *Service) conn(ctx context.Context) *gorm.DB { return s.db.Conn(ctx) }

// Submit puts a case on the agenda of the meeting it names.
func (s *Service) Submit(ctx context.Context, in NewCase) (Case, error) {
	if err := validation.Check(in); err != nil {
		return Case{}, err
	}
	meeting, err := date.Parse(in.MeetingOn)
	if err != nil {
		return Case{}, apperr.Field("/meeting_on", "must be a date such as 2026-12-10")
	}
	if meeting.Before(clock.Today(s.clock.Now())) {
		return Case{}, apperr.Field("/meeting_on", "is in the past: put the case to a coming meeting")
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "council.case.submit", in, func(ctx context.Context) (Case, error) {
		atts := in.Attachments
		if atts == nil {
			atts = []Attachment{}
		}
		for i := range atts {
			atts[i].SHA256 = strings.ToLower(atts[i].SHA256)
		}
		b, err := json.Marshal(atts)
		if err != nil {
			return Case{}, err
		}
		r := row{ID: uuid.NewString(), Title: strings.TrimSpace(in.Title), Background: strings.TrimSpace(in.Background),
			Recommendation: strings.TrimSpace(in.Recommendation), Attachments: b, MeetingOn: meeting, State: Submitted,
			SubmittedBy: actor.Subject, SubmittedAt: s.clock.Now(), Version: 1}
		// Numbered in the order submitted; the advisory lock makes two submissions take turns.
		if err := s.conn(ctx).Exec(`SELECT pg_advisory_xact_lock(hashtext('council_cases.number'))`).Error; err != nil {
			return Case{}, err
		}
		if err := s.conn(ctx).Raw(`SELECT coalesce(max(number), 0) + 1 FROM council_cases`).Scan(&r.Number).Error; err != nil {
			return Case{}, err
		}
		if err := s.conn(ctx).Create(&r).Error; err != nil {
			return Case{}, err
		}
		c := r.toCase()
		return c, s.audit.Record(ctx, audit.Change{Tenant: tenant.CouncilID, Action: "council.case.submit", ObjectType: review.KindCase,
			ObjectID: c.ID, Diff: audit.Diff(nil, c)})
	})
}

// Get returns case id.
func (s *Service) Get(ctx context.Context, id string) (Case, error) {
	var r row
	err := postgres.Take(s.conn(ctx).Where("id = ?", id), false, &r, "case")
	return r.toCase(), err
}

// List returns one page of the cases, by meeting and number: of one meeting, in one state,
// when set.
func (s *Service) List(ctx context.Context, meeting string, state State, p page.Request) (page.Page[Case], error) {
	q := s.conn(ctx).Model(&row{})
	if meeting != "" {
		d, err := date.Parse(meeting)
		if err != nil {
			return page.Page[Case]{}, apperr.Param("meeting_on", "must be a date such as 2026-12-10")
		}
		q = q.Where("meeting_on = ?", d)
	}
	switch state {
	case "":
	case Submitted, Decided:
		q = q.Where("state = ?", state)
	default:
		return page.Page[Case]{}, apperr.Param("state", "must be submitted or decided")
	}
	rows, err := postgres.OldestFirst(q, p, "submitted_at", "id", func(r row) (time.Time, string) { return r.SubmittedAt, r.ID })
	return page.Map(rows, row.toCase), err
}

// Decide records the council's decision on case id at version, with the notes of its discussion.
func (s *Service) Decide(ctx context.Context, id string, version int, in NewDecision) (Case, error) {
	if err := validation.Check(in); err != nil {
		return Case{}, err
	}
	var out Case
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r row
		if err := postgres.Take(s.conn(ctx).Where("id = ?", id), true, &r, "case"); err != nil {
			return err
		}
		if err := apperr.CheckVersion(r.Version, version); err != nil {
			return err
		}
		if r.State == Decided {
			return apperr.New(apperr.Conflict, "the case is decided already")
		}
		d, err := review.Record(ctx, s.db, review.KindCase, id, review.Input{Outcome: in.Outcome, Reason: in.Reason}, s.clock.Now())
		if err != nil {
			return err
		}
		before := r.toCase()
		r.State, r.Notes, r.DecisionID, r.Version = Decided, strings.TrimSpace(in.Notes), &d.ID, r.Version+1
		if err := s.conn(ctx).Select("state", "notes", "decision_id", "version").Where("id = ?", id).Updates(&r).Error; err != nil {
			return err
		}
		out = r.toCase()
		return s.audit.Record(ctx, audit.Change{Tenant: tenant.CouncilID, Action: "council.case.decide", ObjectType: review.KindCase,
			ObjectID: id, Diff: map[string]any{"decision": d, "case": audit.Diff(before, out)}})
	})
	return out, err
}
