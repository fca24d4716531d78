// Package incident keeps the security incidents the units record under the Danish NIS2 act: the
// deadlines of the reports to the CSIRT in calendar time from awareness (early warning,
// notification, final or progress report), the reports submitted, and the affected
// municipalities, who are told at once by a high-priority SIKKERHED notice that they
// acknowledge, and who, where personal data is involved, are the controllers with their own
// 72-hour clock under GDPR Article 33.
package incident

import (
	"slices"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/clock"
)

// Severity is how grave an incident is, in the unit's judgement.
type Severity string

// The severities.
const (
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// Severities lists the severities, least grave first.
var Severities = []Severity{Low, Medium, High, Critical}

// ReportKind is a report to the CSIRT.
type ReportKind string

// The reports of a significant incident.
const (
	EarlyWarning ReportKind = "early_warning"
	Notification ReportKind = "notification"
	Progress     ReportKind = "progress"
	Final        ReportKind = "final"
)

// ReportKinds lists the reports, in the order they fall due.
var ReportKinds = []ReportKind{EarlyWarning, Notification, Progress, Final}

// ControllerHours is the controller's deadline under GDPR Article 33: 72 hours after it became
// aware of a personal data breach, which for a municipality is when its unit told it.
const ControllerHours = 72

// NewIncident is an incident as the unit records it.
type NewIncident struct {
	Title       string `json:"title" validate:"required,max=150" example:"Ransomware on a file server in Aarhus"`
	Description string `json:"description" validate:"max=5000" example:"Files on one storage cluster encrypted; the cluster is isolated."`
	// AwareAt is when the unit became aware of it: the clocks start there.
	AwareAt     time.Time `json:"aware_at" validate:"required" format:"date-time" example:"2026-10-24T10:00:00+02:00"`
	Severity    Severity  `json:"severity" validate:"required" enums:"low,medium,high,critical" example:"high"`
	Significant bool      `json:"significant"` // under NIS2: the reports are due
	// PersonalData: personal data is involved, so the affected municipalities, the controllers,
	// have their own 72-hour clock.
	PersonalData bool `json:"personal_data"`
	// Offerings, Subscriptions and Municipalities are what it affects: the municipalities holding
	// the offerings or the subscriptions, and those named, are affected.
	Offerings      []string `json:"offerings" validate:"max=100,dive,uuid" example:"3f0c9a52-8d1e-4b7a-9a51-2f4b8c6d7e10"`
	Subscriptions  []string `json:"subscriptions" validate:"max=500,dive,uuid"`
	Municipalities []string `json:"municipalities" validate:"max=98,dive,max=3" example:"751"`
}

// check checks what a struct tag cannot.
func (in NewIncident) check(now time.Time) error {
	e := &apperr.Error{Kind: apperr.Invalid, Msg: "the incident is not valid"}
	if strings.TrimSpace(in.Title) == "" {
		e.Fields = append(e.Fields, apperr.FieldError{Pointer: "/title", Reason: "must not be blank"})
	}
	if in.AwareAt.After(now) {
		e.Fields = append(e.Fields, apperr.FieldError{Pointer: "/aware_at", Reason: "is in the future: when did the unit become aware of it?"})
	}
	if !validSeverity(in.Severity) {
		e.Fields = append(e.Fields, apperr.FieldError{Pointer: "/severity", Reason: "must be low, medium, high or critical"})
	}
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

func validSeverity(s Severity) bool { return slices.Contains(Severities, s) }

// Incident is a recorded security incident, with its deadlines as they stand.
type Incident struct {
	ID             string     `json:"id" format:"uuid"`
	Unit           string     `json:"unit" example:"midt"`
	Title          string     `json:"title" example:"Ransomware on a file server in Aarhus"`
	Description    string     `json:"description"`
	AwareAt        time.Time  `json:"aware_at" format:"date-time"`
	Severity       Severity   `json:"severity" enums:"low,medium,high,critical"`
	Significant    bool       `json:"significant"`
	PersonalData   bool       `json:"personal_data"`
	HandledAt      *time.Time `json:"handled_at" format:"date-time" extensions:"x-nullable"`
	Offerings      []string   `json:"offerings"`
	Subscriptions  []string   `json:"subscriptions"`
	Municipalities []string   `json:"municipalities"` // named
	Affected       []string   `json:"affected" example:"751"`
	// Notice is the SIKKERHED notice that told the affected municipalities; null when none is.
	Notice *string `json:"notice" format:"uuid" extensions:"x-nullable"`
	// PersonalDataToldAt is when the affected were told that personal data is involved.
	PersonalDataToldAt *time.Time `json:"personal_data_told_at" format:"date-time" extensions:"x-nullable"`
	Deadlines          []Deadline `json:"deadlines"`
	Overdue            bool       `json:"overdue"` // a report is due and not submitted
	Reports            []Report   `json:"reports"`
	RecordedBy         string     `json:"recorded_by"`
	RecordedAt         time.Time  `json:"recorded_at" format:"date-time"`
	UpdatedAt          time.Time  `json:"updated_at" format:"date-time"`
	Version            int        `json:"version" example:"1"`
}

// Change changes what the unit knows of an incident; what it leaves out stays.
type Change struct {
	Severity     *Severity `json:"severity" enums:"low,medium,high,critical" extensions:"x-nullable"`
	Significant  *bool     `json:"significant" extensions:"x-nullable"`
	PersonalData *bool     `json:"personal_data" extensions:"x-nullable"`
	// HandledAt is when the incident was handled; once set it is corrected, not removed.
	HandledAt   *time.Time `json:"handled_at" format:"date-time" extensions:"x-nullable"`
	Description *string    `json:"description" validate:"omitempty,max=5000" extensions:"x-nullable"`
}

// Report is a report submitted to the CSIRT.
type Report struct {
	ID          string     `json:"id" format:"uuid"`
	Kind        ReportKind `json:"kind" enums:"early_warning,notification,progress,final"`
	SubmittedAt time.Time  `json:"submitted_at" format:"date-time"`
	Reference   string     `json:"reference" example:"CFCS-2026-0142"`
	Summary     string     `json:"summary"`
	RecordedBy  string     `json:"recorded_by"`
	RecordedAt  time.Time  `json:"recorded_at" format:"date-time"`
}

// NewReport records a report the unit submitted.
type NewReport struct {
	Kind ReportKind `json:"kind" validate:"required" enums:"early_warning,notification,progress,final" example:"early_warning"`
	// SubmittedAt is when it was submitted; now, when left out.
	SubmittedAt *time.Time `json:"submitted_at" format:"date-time" extensions:"x-nullable"`
	Reference   string     `json:"reference" validate:"max=100" example:"CFCS-2026-0142"` // the CSIRT's case number
	Summary     string     `json:"summary" validate:"required,max=5000" example:"Early warning: suspected criminal act, cross-border impact not expected."`
}

// Affecting is an incident as a municipality it affects reads it: what happened, and its own
// clock as a controller where personal data is involved.
type Affecting struct {
	ID           string     `json:"id" format:"uuid"`
	Unit         string     `json:"unit" example:"midt"`
	Title        string     `json:"title"`
	Description  string     `json:"description"`
	AwareAt      time.Time  `json:"aware_at" format:"date-time"`
	Severity     Severity   `json:"severity" enums:"low,medium,high,critical"`
	PersonalData bool       `json:"personal_data"`
	HandledAt    *time.Time `json:"handled_at" format:"date-time" extensions:"x-nullable"`
	Notice       *string    `json:"notice" format:"uuid" extensions:"x-nullable"`
	// ToldAt is when the unit told the municipality of the personal data; ControllerDeadline, 72
	// hours later, is when the municipality's own notification to Datatilsynet is due (GDPR
	// Article 33), unless the breach is unlikely to result in a risk to people.
	ToldAt             *time.Time `json:"told_at" format:"date-time" extensions:"x-nullable"`
	ControllerDeadline *time.Time `json:"controller_deadline" format:"date-time" extensions:"x-nullable"`
}

func (i Incident) affecting() Affecting {
	a := Affecting{ID: i.ID, Unit: i.Unit, Title: i.Title, Description: i.Description, AwareAt: i.AwareAt, Severity: i.Severity,
		PersonalData: i.PersonalData, HandledAt: i.HandledAt, Notice: i.Notice}
	if i.PersonalData && i.PersonalDataToldAt != nil {
		told := i.PersonalDataToldAt.In(clock.Copenhagen)
		due := told.Add(ControllerHours * time.Hour)
		a.ToldAt, a.ControllerDeadline = &told, &due
	}
	return a
}
