// Package usage keeps the IT-system usage mapping of seed 002: for each municipality and each IT
// system of the municipal domains (the catalogue's example lists, and the systems municipalities
// proposed that the secretariat accepted), whether the municipality uses it as its primary
// system, as a secondary one (limited use, such as read-only access to old cases) or not at all,
// with who answered and when, and every earlier answer; and the municipality's submissions.
package usage

import (
	"slices"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
)

// Answer is how a municipality uses an IT system.
type Answer string

// The answers.
const (
	Primary   Answer = "primary"   // the municipality's system for the domain's work
	Secondary Answer = "secondary" // limited use, e.g. read-only access to old cases
	NotUsed   Answer = "not_used"
)

// Answers lists the answers.
var Answers = []Answer{Primary, Secondary, NotUsed}

// Source says where an answer came from.
type Source string

// The sources of answers.
const (
	FromAPI   Source = "api"
	FromSheet Source = "sheet"
)

// State is where a proposed system stands.
type State string

// The states of a proposed system.
const (
	Proposed State = "proposed"
	Accepted State = "accepted"
	Rejected State = "rejected"
)

// States lists the states of a proposal.
var States = []State{Proposed, Accepted, Rejected}

// System is an IT system of the mapping.
type System struct {
	ID     string       `json:"id" example:"SYS-ESDH"`
	Domain string       `json:"domain" example:"DOM-12"`
	Name   catalog.Text `json:"name"`
	// Proposed: a system a municipality added, which the secretariat accepted.
	Proposed bool `json:"proposed"`
}

// Mapped is a system with the municipality's current answer: none while it has not answered.
type Mapped struct {
	System
	Answer     *Answer    `json:"answer" enums:"primary,secondary,not_used" extensions:"x-nullable"`
	Note       string     `json:"note"`
	AnsweredBy string     `json:"answered_by"`
	AnsweredAt *time.Time `json:"answered_at" format:"date-time" extensions:"x-nullable"`
	Source     *Source    `json:"source" enums:"api,sheet" extensions:"x-nullable"`
}

// Domain is a municipal domain and its systems.
type Domain struct {
	ID      string       `json:"id" example:"DOM-12"`
	Name    catalog.Text `json:"name"`
	Systems []Mapped     `json:"systems"`
}

// Mapping is a municipality's usage mapping as it stands.
type Mapping struct {
	Municipality string   `json:"municipality" example:"101"`
	Domains      []Domain `json:"domains"`
	Systems      int      `json:"systems" example:"9"`
	Answered     int      `json:"answered" example:"7"`
	// ExampleData: the domains and systems are the catalogue's example lists, not the official ones.
	ExampleData bool        `json:"example_data"`
	Submitted   *Submission `json:"submitted" extensions:"x-nullable"` // the latest submission
}

// NewAnswers are answers a municipality gives, up to a whole mapping at once.
type NewAnswers struct {
	Answers []NewAnswer `json:"answers" validate:"required,min=1,max=1000,dive"`
}

// NewAnswer is one answer.
type NewAnswer struct {
	System string `json:"system" validate:"required,max=40" example:"SYS-ESDH"`
	Answer Answer `json:"answer" validate:"required" example:"primary"`
	Note   string `json:"note" validate:"max=500" example:""`
}

// Given is an answer as it was given: the history.
type Given struct {
	System     string    `json:"system" example:"SYS-ESDH"`
	Answer     Answer    `json:"answer"`
	Note       string    `json:"note"`
	AnsweredBy string    `json:"answered_by"`
	AnsweredAt time.Time `json:"answered_at" format:"date-time"`
	Source     Source    `json:"source"`
	Seq        int64     `json:"seq"`
}

// Submission is a municipality's report that its mapping is done, with how complete it was.
type Submission struct {
	ID          string    `json:"id" format:"uuid"`
	Answered    int       `json:"answered" example:"9"`
	Systems     int       `json:"systems" example:"9"`
	SubmittedBy string    `json:"submitted_by"`
	SubmittedAt time.Time `json:"submitted_at" format:"date-time"`
}

// Upload is a workbook a municipality uploaded: its SHA-256 and what it did.
type Upload struct {
	ID         string    `json:"id" format:"uuid"`
	SHA256     string    `json:"sha256" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	Bytes      int       `json:"bytes" example:"8412"`
	Rows       int       `json:"rows" example:"8"`     // the systems it answered
	Changed    int       `json:"changed" example:"3"`  // the answers it changed
	Proposed   int       `json:"proposed" example:"1"` // the new systems it proposed
	UploadedBy string    `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at" format:"date-time"`
	// Replayed: this very file was uploaded before, and nothing changed now.
	Replayed bool `json:"replayed"`
}

// Proposal is a system a municipality proposes for the list.
type Proposal struct {
	ID           string     `json:"id" format:"uuid"`
	Municipality string     `json:"municipality" example:"101"`
	Domain       string     `json:"domain" example:"DOM-03"`
	Name         string     `json:"name" example:"KMD Momentum"`
	Description  string     `json:"description"`
	State        State      `json:"state"`
	SystemID     *string    `json:"system_id" example:"SYS-MOMENTUM" extensions:"x-nullable"` // once accepted
	Reason       string     `json:"reason"`
	ProposedBy   string     `json:"proposed_by"`
	ProposedAt   time.Time  `json:"proposed_at" format:"date-time"`
	DecidedBy    *string    `json:"decided_by" extensions:"x-nullable"`
	DecidedAt    *time.Time `json:"decided_at" format:"date-time" extensions:"x-nullable"`
	Version      int        `json:"version"`
}

// status is the proposal's state as the sheet shows it.
func (p Proposal) status() string {
	switch p.State {
	case Accepted:
		return "optaget som / accepted as " + *p.SystemID
	case Rejected:
		return "afvist / rejected: " + p.Reason
	}
	return "foreslået / proposed " + p.ProposedAt.In(clock.Copenhagen).Format(time.DateOnly)
}

// NewProposal is a system to add to the list.
type NewProposal struct {
	Domain      string `json:"domain" validate:"required,max=20" example:"DOM-02"`
	Name        string `json:"name" validate:"required,max=200" example:"KMD Momentum"`
	Description string `json:"description" validate:"max=2000" example:"Case management for employment; we use it as our primary system."`
}

// Decision is the secretariat's on a proposed system: accepted under an id of its own, or
// rejected with the reason.
type Decision struct {
	Outcome  State  `json:"outcome" validate:"required" enums:"accepted,rejected" example:"accepted"`
	SystemID string `json:"system_id" validate:"max=34" example:"SYS-MOMENTUM"`
	Reason   string `json:"reason" validate:"max=2000" example:"Used by several municipalities; added for everyone."`
}

// known reports whether id is among systems.
func known(systems []System, id string) bool {
	return slices.ContainsFunc(systems, func(s System) bool { return s.ID == id })
}
