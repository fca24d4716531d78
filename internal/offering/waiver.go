package offering

import (
	"fmt"
	"slices"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/date"
)

// WaiverState is where a waiver request stands.
type WaiverState string

// The states of a waiver.
const (
	WaiverRequested WaiverState = "requested"
	WaiverGranted   WaiverState = "granted"
	WaiverRejected  WaiverState = "rejected"
)

// WaiverStates lists the states of a waiver.
var WaiverStates = []WaiverState{WaiverRequested, WaiverGranted, WaiverRejected}

// MaxWaiverDays is how far ahead a waiver may run.
const MaxWaiverDays = 730

// Waiver excuses a unit from offering a mandatory service at a level until it expires.
type Waiver struct {
	ID          string      `json:"id" format:"uuid"`
	Unit        string      `json:"unit" example:"midt"`
	ServiceID   string      `json:"service_id" example:"SEC-02"`
	Level       string      `json:"level" example:"plus"`
	Reason      string      `json:"reason"`
	State       WaiverState `json:"state"`
	ExpiresOn   string      `json:"expires_on" example:"2027-12-31"`
	RequestedBy string      `json:"requested_by"`
	RequestedAt time.Time   `json:"requested_at" format:"date-time"`
	Version     int         `json:"version"`
}

// NewWaiver is a unit's request for a waiver.
type NewWaiver struct {
	ServiceID string `json:"service_id" validate:"required,max=20" example:"SEC-02"`
	Level     string `json:"level" validate:"required,max=40" example:"plus"`
	Reason    string `json:"reason" validate:"required,min=3,max=2000" example:"SOC contract starts in Q3."`
	// ExpiresOn is the waiver's last day, YYYY-MM-DD: after today and at most two years ahead.
	ExpiresOn string `json:"expires_on" validate:"required" format:"date" example:"2027-06-30"`
}

// check: a waiver is for a mandatory level of a mandatory service, expiring within two years.
func (in NewWaiver) check(s catalog.StandardService, today time.Time) (time.Time, error) {
	if !s.Mandatory || !slices.Contains(s.MandatoryLevels, in.Level) {
		return time.Time{}, apperr.Field("/level", fmt.Sprintf("%s is not mandatory at %q; nothing to waive", s.ID, in.Level))
	}
	exp, err := date.Parse(in.ExpiresOn)
	if err != nil {
		return exp, apperr.Field("/expires_on", err.Error())
	}
	if !exp.After(today) || exp.After(today.AddDate(0, 0, MaxWaiverDays)) {
		return exp, apperr.Field("/expires_on", fmt.Sprintf("must be after today and at most %d days ahead", MaxWaiverDays))
	}
	return exp, nil
}

// decide applies the council's outcome to a requested waiver.
func (w *Waiver) decide(approved bool) error {
	if w.State != WaiverRequested {
		return apperr.Newf(apperr.Conflict, "the waiver is %s already", w.State)
	}
	w.State = WaiverRejected
	if approved {
		w.State = WaiverGranted
	}
	return nil
}

// Conformance statuses.
const (
	StatusPublished = "published"
	StatusWaived    = "waived"
	StatusMissing   = "missing"
)

// ConformanceRow is one unit × mandatory standard service × required level.
type ConformanceRow struct {
	Unit       string `json:"unit" example:"midt"`
	ServiceID  string `json:"service_id" example:"CMP-01"`
	Level      string `json:"level" example:"standard"`
	Status     string `json:"status" enums:"published,waived,missing"`
	OfferingID string `json:"offering_id,omitempty"`
	WaiverID   string `json:"waiver_id,omitempty"`
	WaivedTill string `json:"waived_until,omitempty"`
}

// Conformance is a conformance report with its totals.
type Conformance struct {
	Rows      []ConformanceRow `json:"rows"`
	Published int              `json:"published"`
	Waived    int              `json:"waived"`
	Missing   int              `json:"missing"`
}

// liveOffer is a unit's live offering of a service at some levels.
type liveOffer struct {
	Unit, ServiceID, OfferingID string
	Levels                      []string
}

// conformance builds the report for units from the mandatory services, the live offerings and
// the granted, unexpired waivers.
func conformance(units []string, services []catalog.StandardService, live []liveOffer, waivers []Waiver) Conformance {
	rep := Conformance{Rows: []ConformanceRow{}}
	for _, u := range units {
		for _, s := range services {
			if !s.Mandatory {
				continue
			}
			for _, level := range s.MandatoryLevels {
				row := ConformanceRow{Unit: u, ServiceID: s.ID, Level: level, Status: StatusMissing}
				for _, o := range live {
					if o.Unit == u && o.ServiceID == s.ID && slices.Contains(o.Levels, level) {
						row.Status, row.OfferingID = StatusPublished, o.OfferingID
					}
				}
				if row.Status == StatusMissing {
					for _, w := range waivers {
						if w.Unit == u && w.ServiceID == s.ID && w.Level == level {
							row.Status, row.WaiverID, row.WaivedTill = StatusWaived, w.ID, w.ExpiresOn
						}
					}
				}
				switch row.Status {
				case StatusPublished:
					rep.Published++
				case StatusWaived:
					rep.Waived++
				default:
					rep.Missing++
				}
				rep.Rows = append(rep.Rows, row)
			}
		}
	}
	return rep
}
