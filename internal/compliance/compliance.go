// Package compliance keeps each unit's security compliance at the one common cybersecurity
// level: per control of the catalogue's control sets (ISO 27001 Annex A, NIS2 Article 21, GDPR
// Article 32, STM-2024 and the common obligations) a status with its evidence, who attested it
// and until when, and the architecture council's review; what is missing, expiring soon or
// expired, per unit and across the fleet; and reminders to the unit before an attestation expires.
package compliance

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/date"
)

// Status is how far a unit has implemented a control.
type Status string

// The statuses.
const (
	Implemented    Status = "implemented"
	Partial        Status = "partial"
	NotImplemented Status = "not_implemented"
	NotApplicable  Status = "not_applicable" // with the reason why
)

// Statuses lists the statuses.
var Statuses = []Status{Implemented, Partial, NotImplemented, NotApplicable}

// Review is where the council's review of an attestation stands.
type Review string

// The reviews.
const (
	Pending          Review = "pending"
	Accepted         Review = "accepted"
	ChangesRequested Review = "changes_requested"
)

// Standing is where a control stands for a unit on a day.
type Standing string

// The standings.
const (
	Missing      Standing = "missing" // never attested
	Current      Standing = "current"
	ExpiringSoon Standing = "expiring_soon" // valid for ExpiringDays or fewer
	Expired      Standing = "expired"
)

// Standings lists the standings, as a filter takes them.
var Standings = []Standing{Missing, Current, ExpiringSoon, Expired}

// ExpiringDays is how long before its end an attestation is expiring soon, and reminded.
const ExpiringDays = 30

// NewAttestation is a unit's attestation of one control.
type NewAttestation struct {
	Status Status `json:"status" validate:"required" enums:"implemented,partial,not_implemented,not_applicable" example:"implemented"`
	// Reason is required for not_applicable: why the control does not apply to the unit.
	Reason string `json:"reason" validate:"max=2000" example:""`
	// EvidenceRef and EvidenceSHA256 name the evidence (a document in the unit's records system
	// and its digest); required unless the control is not applicable.
	EvidenceRef    string `json:"evidence_ref" validate:"max=300" example:"ESDH 2026-4411: Logpolitik og tilslutning til fælles SIEM"`
	EvidenceSHA256 string `json:"evidence_sha256" validate:"omitempty,len=64,hexadecimal" example:"5f2b8c0d9a1e4f3b6c7d8e9fa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9"`
	AttestedBy     string `json:"attested_by" validate:"required,max=200" example:"Karen Lund, informationssikkerhedschef"`
	AttestedOn     string `json:"attested_on" validate:"required" format:"date" example:"2026-11-20"`
	ValidUntil     string `json:"valid_until" validate:"required" format:"date" example:"2027-11-19"`
}

// check checks what a struct tag cannot, and returns the two dates.
func (in NewAttestation) check(today time.Time) (on, until time.Time, err error) {
	e := &apperr.Error{Kind: apperr.Invalid, Msg: "the attestation is not valid"}
	field := func(p, reason string) { e.Fields = append(e.Fields, apperr.FieldError{Pointer: p, Reason: reason}) }
	if !slices.Contains(Statuses, in.Status) {
		field("/status", "must be implemented, partial, not_implemented or not_applicable")
	}
	if in.Status == NotApplicable && strings.TrimSpace(in.Reason) == "" {
		field("/reason", "is required for not_applicable: say why the control does not apply to the unit")
	}
	if in.Status != NotApplicable {
		if strings.TrimSpace(in.EvidenceRef) == "" {
			field("/evidence_ref", "is required: name the evidence, such as the document in your records system")
		}
		if in.EvidenceSHA256 == "" {
			field("/evidence_sha256", "is required: the SHA-256 of the evidence (sha256sum FILE)")
		}
	}
	on, err1 := date.Parse(in.AttestedOn)
	until, err2 := date.Parse(in.ValidUntil)
	switch {
	case err1 != nil:
		field("/attested_on", "must be a date such as 2026-11-20")
	case on.After(today):
		field("/attested_on", "is in the future")
	}
	switch {
	case err2 != nil:
		field("/valid_until", "must be a date such as 2027-11-19")
	case err1 == nil && until.Before(on):
		field("/valid_until", "is before attested_on")
	case err1 == nil && until.After(on.AddDate(3, 0, 0)):
		field("/valid_until", "is more than three years after attested_on: attest again at least every three years")
	}
	if len(e.Fields) > 0 {
		return on, until, e
	}
	return on, until, nil
}

// Attestation is a unit's attestation of a control as it stands, with the council's review.
type Attestation struct {
	Unit           string     `json:"unit" example:"midt"`
	Control        string     `json:"control" example:"COMMON-LOG"`
	ControlSet     string     `json:"control_set" example:"controls-common"`
	Status         Status     `json:"status" enums:"implemented,partial,not_implemented,not_applicable"`
	Reason         string     `json:"reason"`
	EvidenceRef    string     `json:"evidence_ref"`
	EvidenceSHA256 string     `json:"evidence_sha256"`
	AttestedBy     string     `json:"attested_by"`
	AttestedOn     string     `json:"attested_on" format:"date"`
	ValidUntil     string     `json:"valid_until" format:"date"`
	Review         Review     `json:"review" enums:"pending,accepted,changes_requested"`
	ReviewReason   string     `json:"review_reason"`
	ReviewedBy     *string    `json:"reviewed_by" extensions:"x-nullable"`
	ReviewedAt     *time.Time `json:"reviewed_at" format:"date-time" extensions:"x-nullable"`
	RecordedBy     string     `json:"recorded_by"`
	RecordedAt     time.Time  `json:"recorded_at" format:"date-time"`
	Version        int        `json:"version" example:"1"`
}

// Control is a control of one of the catalogue's control sets.
type Control struct {
	ID          string       `json:"id" example:"COMMON-LOG"`
	Set         string       `json:"set" example:"controls-common"`
	Name        catalog.Text `json:"name"`
	Placeholder bool         `json:"placeholder"` // its title is a placeholder until the official text is filled in
}

// Line is a control as it stands for a unit: its standing on the day, and its attestation.
type Line struct {
	Control     Control      `json:"control"`
	Standing    Standing     `json:"standing" enums:"missing,current,expiring_soon,expired"`
	Attestation *Attestation `json:"attestation" extensions:"x-nullable"`
}

// Matrix is a unit's compliance: every control, with counts by standing.
type Matrix struct {
	Unit   string           `json:"unit" example:"midt"`
	On     string           `json:"on" format:"date" example:"2026-11-23"`
	Counts map[Standing]int `json:"counts"`
	Lines  []Line           `json:"lines"`
}

// standing is where an attestation valid until until stands on day.
func standing(a *Attestation, day time.Time) Standing {
	if a == nil {
		return Missing
	}
	until, _ := date.Parse(a.ValidUntil)
	switch {
	case until.Before(day):
		return Expired
	case !until.After(day.AddDate(0, 0, ExpiringDays)):
		return ExpiringSoon
	}
	return Current
}

// controls are every control of the catalogue's control sets, set by set.
func controls(c *catalog.Catalogue) []Control {
	var out []Control
	for _, v := range c.Vocabularies {
		if v.Kind != "control_set" {
			continue
		}
		for _, e := range v.Entries {
			out = append(out, Control{ID: e.ID, Set: v.ID, Name: e.Name, Placeholder: v.Placeholder})
		}
	}
	return out
}

// cell is how the fleet's matrix shows a unit's control in a sheet.
func (l Line) cell() string {
	if l.Attestation == nil {
		return string(Missing)
	}
	a := l.Attestation
	return fmt.Sprintf("%s, %s until %s (%s)", a.Status, l.Standing, a.ValidUntil, a.Review)
}
