// Package offering keeps what the service units offer of the common catalogue: offerings and
// their versions (draft → submitted → published, or back to draft when the council rejects;
// retired with notice), the council's waivers, and the conformance report that compares what
// every unit must offer with what it publishes.
package offering

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/money"
	"github.com/servicekatalog/servicekatalog/internal/review"
)

// State is where an offering version stands in the council's review and after it.
type State string

// The states of an offering version.
const (
	Draft      State = "draft"
	Submitted  State = "submitted"
	Published  State = "published"
	Superseded State = "superseded" // a later version was published; subscriptions may still pin it
	Retired    State = "retired"    // published, but ends on retire_on
)

// States lists the states of a version, in the order of its life.
var States = []State{Draft, Submitted, Published, Superseded, Retired}

// LevelTerms is the price of one level: per unit of measure per month, and a one-off fee.
type LevelTerms struct {
	Level        string       `json:"level" validate:"required,max=40" example:"standard"`
	MonthlyPrice money.Amount `json:"monthly_price" swaggertype:"string" maxLength:"16" pattern:"^(0|[1-9][0-9]{0,12})([.][0-9]{1,2})?$" example:"1250.00"`
	OneOffFee    money.Amount `json:"one_off_fee" swaggertype:"string" maxLength:"16" pattern:"^(0|[1-9][0-9]{0,12})([.][0-9]{1,2})?$" example:"500.00"`
}

// Terms are what a unit offers: levels with prices, capacity, lead time, delivery and contact.
type Terms struct {
	Levels []LevelTerms `json:"levels" validate:"required,min=1,max=10,dive"`
	// CapacityLimit is the most units of measure the unit can deliver in all; null for no limit.
	CapacityLimit *int   `json:"capacity_limit" validate:"omitnil,min=1,max=100000000" example:"400" extensions:"x-nullable"`
	LeadTimeDays  int    `json:"lead_time_days" validate:"min=0,max=365" example:"10"`
	Delivery      string `json:"delivery" validate:"required,oneof=own outsourced mixed" example:"own"`
	DeliveryNotes string `json:"delivery_notes" validate:"max=2000" example:"Runs in the unit's two data centres."`
	Contact       string `json:"contact" validate:"required,email,max=320" example:"servicedesk@midt.example"`
	// ClaimsConformance says the offering counts towards the unit's mandatory catalogue: it must
	// then offer every mandatory level of the service.
	ClaimsConformance bool `json:"claims_conformance"`
}

// LevelIDs lists the offered levels.
func (t Terms) LevelIDs() []string {
	out := make([]string, len(t.Levels))
	for i, l := range t.Levels {
		out[i] = l.Level
	}
	return out
}

// Check applies the rules that tie terms to their standard service.
func (t Terms) Check(s catalog.StandardService) error {
	seen := map[string]bool{}
	for i, l := range t.Levels {
		ptr := fmt.Sprintf("/terms/levels/%d", i)
		switch {
		case seen[l.Level]:
			return apperr.Field(ptr+"/level", "is offered twice")
		case !s.Offers(l.Level):
			return apperr.Field(ptr+"/level", fmt.Sprintf("%s is not offered at %q (levels: %s)", s.ID, l.Level, strings.Join(s.Levels, ", ")))
		}
		if p := l.MonthlyPrice.Check(); p != "" {
			return apperr.Field(ptr+"/monthly_price", p)
		}
		if p := l.OneOffFee.Check(); p != "" {
			return apperr.Field(ptr+"/one_off_fee", p)
		}
		seen[l.Level] = true
	}
	if t.ClaimsConformance {
		for _, m := range s.MandatoryLevels {
			if !seen[m] {
				return apperr.Field("/terms/levels", fmt.Sprintf("claims conformance but lacks the mandatory level %q", m))
			}
		}
	}
	return nil
}

// Version is one version of an offering.
type Version struct {
	OfferingID      string     `json:"offering_id" format:"uuid"`
	Number          int        `json:"number" example:"1"`
	State           State      `json:"state"`
	Terms           Terms      `json:"terms"`
	RejectionReason string     `json:"rejection_reason,omitempty"`
	SubmittedAt     *time.Time `json:"submitted_at" extensions:"x-nullable" format:"date-time"`
	PublishedAt     *time.Time `json:"published_at" extensions:"x-nullable" format:"date-time"`
	RetireOn        *string    `json:"retire_on" example:"2027-06-30" extensions:"x-nullable"`
	Version         int        `json:"version"` // concurrency version (ETag)
	CreatedBy       string     `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at" format:"date-time"`
	UpdatedAt       time.Time  `json:"updated_at" format:"date-time"`
}

// Offering is a unit's offering of one standard service.
type Offering struct {
	ID        string    `json:"id" format:"uuid"`
	Unit      string    `json:"unit" example:"midt"`
	ServiceID string    `json:"service_id" example:"CMP-01"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at" format:"date-time"`
	// Live is the published (or retiring) version that municipalities order.
	Live *Version `json:"live" extensions:"x-nullable"`
	// Pending is the version in the making (draft or submitted); shown to the unit and the council.
	Pending *Version `json:"pending,omitempty"`
	// Decisions are the council's decisions on the offering's versions (single reads only).
	Decisions []review.Decision `json:"decisions,omitempty"`
}

// submit: only a draft can be submitted.
func (v *Version) submit(now time.Time) error {
	if v.State != Draft {
		return apperr.Newf(apperr.Conflict, "version %d is %s; only a draft can be submitted", v.Number, v.State)
	}
	v.State, v.SubmittedAt, v.RejectionReason = Submitted, &now, ""
	return nil
}

// decide applies the council's outcome to a submitted version.
func (v *Version) decide(approved bool, reason string, now time.Time) error {
	if v.State != Submitted {
		return apperr.Newf(apperr.Conflict, "version %d is %s; only a submitted version can be decided", v.Number, v.State)
	}
	if approved {
		v.State, v.PublishedAt = Published, &now
	} else {
		v.State, v.RejectionReason = Draft, reason
	}
	return nil
}

// edit replaces the terms of a draft.
func (v *Version) edit(t Terms) error {
	if v.State != Draft {
		return apperr.Newf(apperr.Conflict, "version %d is %s; only a draft can be edited", v.Number, v.State)
	}
	v.Terms = t
	return nil
}

// retire schedules the end of the live version. The date must respect the longest termination
// notice of the levels it offers, so subscribers get the notice their level promises.
func (v *Version) retire(on time.Time, levels []catalog.Level, today time.Time) error {
	if v.State != Published {
		return apperr.Newf(apperr.Conflict, "version %d is %s; only a published version can be retired", v.Number, v.State)
	}
	notice := 0
	for _, l := range levels {
		if slices.Contains(v.Terms.LevelIDs(), l.ID) && l.TerminationNoticeDays > notice {
			notice = l.TerminationNoticeDays
		}
	}
	earliest := today.AddDate(0, 0, notice)
	if on.Before(earliest) {
		return apperr.Field("/retire_on", fmt.Sprintf("must be on or after %s (%d days' notice for the levels offered)", earliest.Format(time.DateOnly), notice))
	}
	d := on.Format(time.DateOnly)
	v.State, v.RetireOn = Retired, &d
	return nil
}
