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
}

// Queue lists everything waiting for the council, oldest first: submitted offering versions,
// submitted catalogue proposals and requested waivers, each with who submitted it. It reads the
// tables of the offering and catalog packages, and users and API keys for the names.
func Queue(ctx context.Context, db *postgres.DB, now time.Time) ([]Item, error) {
	var rows []struct {
		Kind, ID, Title                string
		Version                        int
		SubmittedAt                    time.Time
		SubmitterName, SubmitterTenant string
	}
	err := db.Conn(ctx).Raw(`
		WITH waiting AS (
			SELECT 'offering_version' AS kind, v.offering_id::text AS id, v.number AS version,
			       o.service_id || ' from unit ' || o.unit || ', version ' || v.number AS title,
			       v.created_by AS actor, 'unit:' || o.unit AS tenant, v.submitted_at
			  FROM offering_versions v JOIN offerings o ON o.id = v.offering_id
			 WHERE v.state = 'submitted'
			UNION ALL
			SELECT 'proposal', p.id::text, 0, initcap(p.change) || ' standard service ' || p.service_id,
			       p.proposed_by, p.proposer, p.submitted_at
			  FROM catalog_proposals p WHERE p.state = 'submitted'
			UNION ALL
			SELECT 'waiver', w.id::text, 0, 'Waiver for ' || w.service_id || ' at ' || w.level || ' until ' || w.expires_on,
			       w.requested_by, 'unit:' || w.unit, w.requested_at
			  FROM waivers w WHERE w.state = 'requested')
		SELECT w.kind, w.id, w.version, w.title, w.submitted_at, w.tenant AS submitter_tenant,
		       COALESCE(u.name, 'API key ' || k.name, w.actor) AS submitter_name
		  FROM waiting w
		  LEFT JOIN users u ON w.actor = 'user:' || u.id::text
		  LEFT JOIN api_keys k ON w.actor = 'apikey:' || k.id::text
		 ORDER BY w.submitted_at, w.id`).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(rows))
	for i, r := range rows {
		items[i] = Item{Kind: r.Kind, ID: r.ID, Version: r.Version, Title: r.Title, SubmittedAt: r.SubmittedAt,
			Submitter: Submitter{Name: r.SubmitterName, Tenant: r.SubmitterTenant}, AgeHours: int(now.Sub(r.SubmittedAt).Hours())}
	}
	return items, nil
}
