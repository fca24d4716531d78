// Package review is the architecture council's side of governance: its recorded decisions
// (who decided, when, why) and the queue of everything waiting for it. The queue's items come from
// the capabilities that submit to the council (offerings and waivers, catalogue proposals)
// through Source; it reads no table of theirs.
package review

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// The outcomes of a decision.
const (
	Approved = "approved"
	Rejected = "rejected"
)

// Input is the council's decision on one item.
type Input struct {
	Outcome string `json:"outcome" validate:"required,oneof=approved rejected" example:"approved"`
	Reason  string `json:"reason" validate:"required,min=3,max=2000" example:"Meets the common service level."`
}

// Decision is a recorded decision.
type Decision struct {
	ID          string    `json:"id" format:"uuid"`
	SubjectType string    `json:"subject_type" example:"offering_version"`
	SubjectID   string    `json:"subject_id"`
	Outcome     string    `json:"outcome" example:"approved"`
	Reason      string    `json:"reason"`
	DecidedBy   string    `json:"decided_by"`
	DecidedAt   time.Time `json:"decided_at" format:"date-time"`
	Seq         int64     `json:"-" gorm:"->"` // assigned by the database: the order of decisions
}

// Record stores the decision of the principal of ctx on a subject, in the transaction of ctx.
func Record(ctx context.Context, db *postgres.DB, subjectType, subjectID string, in Input, at time.Time) (Decision, error) {
	if strings.TrimSpace(in.Reason) == "" {
		return Decision{}, apperr.Field("/reason", "is required")
	}
	p, _ := identity.FromContext(ctx)
	d := Decision{ID: uuid.NewString(), SubjectType: subjectType, SubjectID: subjectID, Outcome: in.Outcome,
		Reason: strings.TrimSpace(in.Reason), DecidedBy: p.Subject, DecidedAt: at}
	return d, db.Conn(ctx).Create(&d).Error
}

// The kinds of thing the council decides on.
const (
	KindOfferingVersion = "offering_version"
	KindProposal        = "proposal"
	KindWaiver          = "waiver"
)

// Submitter is who put an item before the council, as a person reads it.
type Submitter struct {
	Name   string `json:"name" example:"Anne Holm"`
	Tenant string `json:"tenant" example:"unit:midt"`
}

// Item is one thing waiting for the council. ID is what its decision takes: the offering's id
// for an offering version (Version says which), the proposal's or the waiver's id.
type Item struct {
	Kind        string    `json:"kind" enums:"offering_version,proposal,waiver" example:"offering_version"`
	ID          string    `json:"id" format:"uuid" example:"f860a1c2-3b4d-4e5f-8a9b-0c1d2e3f4e52"`
	Version     int       `json:"version,omitempty" example:"1"` // the offering version under review
	Title       string    `json:"title" example:"CMP-01 from unit midt, version 1"`
	Submitter   Submitter `json:"submitter"`
	SubmittedAt time.Time `json:"submitted_at" example:"2026-11-23T08:31:12Z" format:"date-time"`
	AgeHours    int       `json:"age_hours" example:"26"`
	Actor       string    `json:"-"`
}

// Decisions returns the decisions on subjects of a type whose id starts with prefix, oldest first.
func Decisions(ctx context.Context, db *postgres.DB, subjectType, prefix string) ([]Decision, error) {
	out := []Decision{}
	return out, db.Conn(ctx).Where("subject_type = ? AND starts_with(subject_id, ?)", subjectType, prefix).Order("seq").Find(&out).Error
}

// Source is a capability with items waiting for the council: each item's Actor says who
// submitted it, and its Submitter.Tenant for whom.
type Source interface {
	Waiting(ctx context.Context) ([]Item, error)
}

// Names gives the names people read for actors (user:…, apikey:…); actors it does not know are
// left out.
type Names interface {
	ActorNames(ctx context.Context, actors []string) (map[string]string, error)
}

// Service is the council's queue over the capabilities that submit to it.
type Service struct {
	names   Names
	sources []Source
	clock   clock.Clock
}

// NewService returns the queue over sources, naming submitters through names.
func NewService(names Names, c clock.Clock, sources ...Source) *Service {
	return &Service{names: names, sources: sources, clock: c}
}

// Queue lists everything waiting for the council, oldest first (then by id), each with who
// submitted it and how long ago.
func (s *Service) Queue(ctx context.Context) ([]Item, error) {
	items := []Item{}
	for _, src := range s.sources {
		more, err := src.Waiting(ctx)
		if err != nil {
			return nil, err
		}
		items = append(items, more...)
	}
	actors := make([]string, len(items))
	for i, it := range items {
		actors[i] = it.Actor
	}
	names, err := s.names.ActorNames(ctx, actors)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	for i := range items {
		it := &items[i]
		it.Submitter.Name = cmp.Or(names[it.Actor], it.Actor)
		it.AgeHours = int(now.Sub(it.SubmittedAt).Hours())
	}
	slices.SortStableFunc(items, func(a, b Item) int {
		return cmp.Or(a.SubmittedAt.Compare(b.SubmittedAt), strings.Compare(a.ID, b.ID))
	})
	return items, nil
}
