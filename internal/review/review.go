// Package review is the architecture council's side of governance: its recorded decisions
// (who decided, when, why) and the queue of everything waiting for it.
package review

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
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
	DecidedAt   time.Time `json:"decided_at"`
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

// Item is one thing waiting for the council.
type Item struct {
	Kind        string    `json:"kind" enums:"offering_version,proposal,waiver"`
	ID          string    `json:"id"`   // the subject's id (offering versions: <offering id>/<number>)
	Path        string    `json:"path"` // where to read it and decide on it
	Title       string    `json:"title"`
	Submitter   string    `json:"submitter" example:"unit:midt"`
	SubmittedAt time.Time `json:"submitted_at"`
	AgeHours    int       `json:"age_hours"`
}

// Queue lists everything waiting for the council, oldest first: submitted offering versions,
// submitted catalogue proposals and requested waivers.
func Queue(ctx context.Context, db *postgres.DB, now time.Time) ([]Item, error) {
	var items []Item
	err := db.Conn(ctx).Raw(`
		SELECT 'offering_version' AS kind, v.offering_id || '/' || v.number AS id,
		       '/api/v1/offerings/' || v.offering_id AS path,
		       o.service_id || ' from unit ' || o.unit || ', version ' || v.number AS title,
		       'unit:' || o.unit AS submitter, v.submitted_at
		  FROM offering_versions v JOIN offerings o ON o.id = v.offering_id
		 WHERE v.state = 'submitted'
		UNION ALL
		SELECT 'proposal', p.id::text, '/api/v1/catalog/proposals/' || p.id,
		       p.change || ' standard service ' || p.service_id, p.proposer, p.submitted_at
		  FROM catalog_proposals p WHERE p.state = 'submitted'
		UNION ALL
		SELECT 'waiver', w.id::text, '/api/v1/waivers/' || w.id,
		       'waiver for ' || w.service_id || ' at ' || w.level || ' until ' || w.expires_on, 'unit:' || w.unit, w.requested_at
		  FROM waivers w WHERE w.state = 'requested'
		 ORDER BY submitted_at, id`).Scan(&items).Error
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []Item{}
	}
	for i := range items {
		items[i].AgeHours = int(now.Sub(items[i].SubmittedAt).Hours())
	}
	return items, nil
}
