// Package catalog is the common service catalogue: service families, standard services, service
// levels, holiday calendars and vocabularies, kept as YAML under catalog/ and owned by the
// architecture council. It loads and validates the files (without a database), syncs them into
// the database, serves them for reading, and handles catalogue proposals.
package catalog

import (
	"encoding/json"
	"slices"
)

// Text is a text in Danish and English.
type Text struct {
	DA string `json:"da" example:"Virtuelle servere"`
	EN string `json:"en" example:"Virtual servers"`
}

// Family groups standard services.
type Family struct {
	ID          string `json:"id" example:"compute"`
	Name        Text   `json:"name"`
	Description Text   `json:"description"`
}

// Span is a time span within a day, "HH:MM".
type Span struct {
	From string `json:"from" example:"08:00"`
	To   string `json:"to" example:"16:00"`
}

// SupportHours are when a level's support is staffed.
type SupportHours struct {
	Calendar string          `json:"calendar" example:"dk-public"`
	Always   bool            `json:"always"`                      // round the clock
	Weekly   map[string]Span `json:"weekly,omitempty"`            // weekday → span, when not always
	OnCall   string          `json:"on_call" enums:"none,p1,all"` // on-call outside support hours
}

// Availability is a level's availability promise.
type Availability struct {
	TargetPercent      float64 `json:"target_percent" example:"99.9"`
	Window             string  `json:"window" enums:"support_hours,24x7"`
	MaxOutagesPerMonth int     `json:"max_outages_per_month"`
	// LongestOutageMinutes is the longest single outage a month may hold; 0 sets no limit.
	LongestOutageMinutes int `json:"longest_outage_minutes,omitempty" example:"240"`
}

// Target is a level's response and restore target for one priority, each with its clock.
type Target struct {
	ResponseMinutes int    `json:"response_minutes" example:"30"`
	ResponseClock   string `json:"response_clock" enums:"business_hours,24x7"`
	RestoreMinutes  int    `json:"restore_minutes" example:"240"`
	RestoreClock    string `json:"restore_clock" enums:"business_hours,24x7"`
}

// Backup is a level's backup promise.
type Backup struct {
	Frequency     string `json:"frequency" enums:"none,hourly,daily,weekly"`
	RetentionDays int    `json:"retention_days"`
}

// MaintenanceWindow is the weekly window for planned maintenance.
type MaintenanceWindow struct {
	Day  string `json:"day" example:"tuesday"`
	From string `json:"from" example:"22:00"`
	To   string `json:"to" example:"02:00"`
}

// Maintenance is when and with how much notice planned maintenance happens.
type Maintenance struct {
	Window     MaintenanceWindow `json:"window"`
	NoticeDays int               `json:"notice_days" example:"10"`
}

// CreditTier grants credit_percent of the monthly price when availability falls below below_percent.
type CreditTier struct {
	BelowPercent  float64 `json:"below_percent"`
	CreditPercent float64 `json:"credit_percent"`
}

// ServiceCredits is a level's service-credit rule.
type ServiceCredits struct {
	Rule Text `json:"rule"`
	// CapPercent bounds a month's credit as a share of the monthly price; 0 sets no cap.
	CapPercent float64      `json:"cap_percent,omitempty" example:"20"`
	Tiers      []CreditTier `json:"tiers"`
}

// Level is a common service level (basis, standard, plus).
type Level struct {
	ID                    string            `json:"id" example:"standard"`
	Rank                  int               `json:"rank" example:"2"`
	Name                  Text              `json:"name"`
	Description           Text              `json:"description"`
	SupportHours          SupportHours      `json:"support_hours"`
	Availability          Availability      `json:"availability"`
	Priorities            map[string]Target `json:"priorities"` // P1-P4
	Backup                Backup            `json:"backup"`
	RPOMinutes            int               `json:"rpo_minutes"`
	RTOMinutes            int               `json:"rto_minutes"`
	Redundancy            string            `json:"redundancy" enums:"none,n+1,geo"`
	Maintenance           Maintenance       `json:"maintenance"`
	Reporting             string            `json:"reporting" enums:"monthly,quarterly,yearly"`
	TerminationNoticeDays int               `json:"termination_notice_days"`
	ServiceCredits        ServiceCredits    `json:"service_credits"`
}

// Holiday is a fixed-date holiday.
type Holiday struct {
	Month     int    `json:"month"`
	Day       int    `json:"day"`
	Name      string `json:"name"`
	FromYear  int    `json:"from_year,omitempty"`
	UntilYear int    `json:"until_year,omitempty"`
}

// EasterHoliday is a holiday a number of days after Easter Sunday.
type EasterHoliday struct {
	Offset    int    `json:"offset"`
	Name      string `json:"name"`
	FromYear  int    `json:"from_year,omitempty"`
	UntilYear int    `json:"until_year,omitempty"`
}

// Calendar says which days are holidays, in a time zone.
type Calendar struct {
	ID             string          `json:"id" example:"dk-public"`
	Name           Text            `json:"name"`
	TimeZone       string          `json:"time_zone" example:"Europe/Copenhagen"`
	Fixed          []Holiday       `json:"fixed"`
	EasterRelative []EasterHoliday `json:"easter_relative"`
}

// StandardService is a standard service of the common catalogue (services/<id>.yaml).
type StandardService struct {
	ID              string          `json:"id" example:"CMP-01"`
	Family          string          `json:"family" example:"compute"`
	Name            Text            `json:"name"`
	Description     Text            `json:"description"`
	UnitOfMeasure   string          `json:"unit_of_measure" example:"VM"`
	Levels          []string        `json:"levels" example:"basis,standard,plus"`
	Mandatory       bool            `json:"mandatory"`
	MandatoryLevels []string        `json:"mandatory_levels,omitempty" example:"basis,standard"`
	Dependencies    []string        `json:"dependencies"`
	RelatedControls []string        `json:"related_controls"`
	OrderParameters json.RawMessage `json:"order_parameters" swaggertype:"object"` // a JSON Schema
}

// Offers reports whether the service may be offered at level.
func (s StandardService) Offers(level string) bool { return slices.Contains(s.Levels, level) }

// Entry is one term of a vocabulary.
type Entry struct {
	ID          string         `json:"id" example:"NEDBRUD"`
	Name        Text           `json:"name"`
	Description *Text          `json:"description,omitempty"`
	Attributes  map[string]any `json:"attributes,omitempty"`
}

// Vocabulary is a versioned list of terms: notice tags, priorities, clock profiles, a control
// set, municipal domains or IT systems.
type Vocabulary struct {
	ID          string  `json:"id" example:"notice-tags"`
	Kind        string  `json:"kind" enums:"notice_tags,priorities,clock_profiles,control_set,municipal_domains,it_systems,onboarding_programme,document_types"`
	Version     int     `json:"version"`
	Name        Text    `json:"name"`
	ExampleData bool    `json:"example_data,omitempty"`
	Placeholder bool    `json:"placeholder,omitempty"`
	Entries     []Entry `json:"entries"`
}

// Catalogue is the whole catalogue.
type Catalogue struct {
	Families     []Family
	Levels       []Level
	Calendars    []Calendar
	Services     []StandardService
	Vocabularies []Vocabulary
}

// Service returns the standard service with id.
func (c *Catalogue) Service(id string) (StandardService, bool) {
	i := slices.IndexFunc(c.Services, func(s StandardService) bool { return s.ID == id })
	if i < 0 {
		return StandardService{}, false
	}
	return c.Services[i], true
}

// Level returns the level with id.
func (c *Catalogue) Level(id string) (Level, bool) {
	i := slices.IndexFunc(c.Levels, func(l Level) bool { return l.ID == id })
	if i < 0 {
		return Level{}, false
	}
	return c.Levels[i], true
}

// controls returns every control id of every control set.
func (c *Catalogue) controls() map[string]bool {
	out := map[string]bool{}
	for _, v := range c.Vocabularies {
		if v.Kind == "control_set" {
			for _, e := range v.Entries {
				out[e.ID] = true
			}
		}
	}
	return out
}

// NoticeTagsID is the vocabulary of the tags in notices' subjects.
const NoticeTagsID = "notice-tags"

// Tag returns the entry with id, if the vocabulary has it.
func (v Vocabulary) Tag(id string) (Entry, bool) {
	for _, e := range v.Entries {
		if e.ID == id {
			return e, true
		}
	}
	return Entry{}, false
}
