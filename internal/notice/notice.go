// Package notice publishes notices to the municipalities' infrastructure mailboxes: a unit about
// its offerings, the secretariat about the common infrastructure. A notice carries tags from the
// catalogue's vocabulary in one stable subject format that mail rules route on, a high-priority
// mark for what needs action now, and a Markdown body; its recipients are the municipalities that
// subscribe to what it affects (or all), each through its mailbox's address, routes and cover.
// Updates and the closure are notices in the same thread. A high-priority notice must be
// acknowledged within its tags' limit, or it escalates to the cover and the SPOCs.
package notice

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
)

// Kind is a notice's place in its thread.
type Kind string

// The kinds of notice.
const (
	First   Kind = "notice"  // opens a thread
	Update  Kind = "update"  // says what changed
	Closure Kind = "closure" // ends the thread: the outage is over, the work done
)

// Kinds lists the kinds of notice.
var Kinds = []Kind{First, Update, Closure}

// Scope is what a notice is about, and so who receives it.
type Scope struct {
	// All sends it to every municipality (the secretariat), or to every customer of the unit.
	All bool `json:"all"`
	// Services are standard services (CMP-01) whose subscribers receive it.
	Services []string `json:"services,omitempty" example:"CMP-01"`
	// Offerings are offerings whose subscribers receive it.
	Offerings []string `json:"offerings,omitempty"`
	// Municipalities receive it by their codes: for a unit, customers of its own.
	Municipalities []string `json:"municipalities,omitempty" validate:"max=98,dive,max=3" example:"101"`
}

// Notice is a published notice.
type Notice struct {
	ID           string     `json:"id" format:"uuid"`
	ThreadID     string     `json:"thread_id" format:"uuid"` // the first notice's id
	Seq          int        `json:"seq" example:"1"`         // its place in the thread
	Kind         Kind       `json:"kind"`
	Sender       string     `json:"sender" example:"unit:midt"`
	SenderName   string     `json:"sender_name" example:"Fælles IT Midt"`
	Tags         []string   `json:"tags" example:"NEDBRUD"`
	HighPriority bool       `json:"high_priority"`
	Emergency    bool       `json:"emergency"`
	EmergencyWhy string     `json:"emergency_reason,omitempty"`
	Title        string     `json:"title" example:"File service down in Aarhus data centre"`
	Body         string     `json:"body" example:"Users cannot reach their S: drive. We are restoring the storage controller."`
	Subject      string     `json:"subject" example:"[NEDBRUD] ! File service down in Aarhus data centre (midt)"`
	PlannedStart *time.Time `json:"planned_start,omitempty" format:"date-time"`
	PlannedEnd   *time.Time `json:"planned_end,omitempty" format:"date-time"`
	Scope        Scope      `json:"scope"`
	Recipients   []string   `json:"recipients" example:"101"` // the municipalities
	TagsVersion  int        `json:"tags_version" example:"2"`
	AckMinutes   int        `json:"ack_minutes,omitempty" example:"30"` // for a high-priority notice
	AckDueAt     *time.Time `json:"ack_due_at,omitempty" format:"date-time"`
	PublishedBy  string     `json:"published_by"`
	PublishedAt  time.Time  `json:"published_at" format:"date-time"`
}

// NewNotice is a notice to publish.
type NewNotice struct {
	Tags         []string `json:"tags" validate:"required,min=1,max=3,dive,max=12" example:"NEDBRUD"`
	HighPriority bool     `json:"high_priority"`
	Title        string   `json:"title" validate:"required,max=150" example:"File service down in Aarhus data centre"`
	// Body is Markdown; raw HTML in it is dropped.
	Body  string `json:"body" validate:"required,max=20000" example:"Users cannot reach their **S: drive**. We are restoring the storage controller; next update at 11:00."`
	Scope Scope  `json:"scope"`
	// PlannedStart and PlannedEnd are required with PLANLAGT: the maintenance window (RFC 3339).
	PlannedStart *time.Time `json:"planned_start" format:"date-time" extensions:"x-nullable"`
	PlannedEnd   *time.Time `json:"planned_end" format:"date-time" extensions:"x-nullable"`
	// Emergency allows planned maintenance at shorter notice than the level's; EmergencyReason
	// says why.
	Emergency       bool   `json:"emergency"`
	EmergencyReason string `json:"emergency_reason" validate:"max=500"`
}

// NewFollowUp is an update to a thread, or its closure.
type NewFollowUp struct {
	Kind         Kind   `json:"kind" validate:"required,oneof=update closure" example:"update"`
	HighPriority bool   `json:"high_priority"`
	Body         string `json:"body" validate:"required,max=20000" example:"The storage controller is replaced; the S: drive is back for most users."`
}

// Planned is the tag whose notices announce planned maintenance.
const Planned = "PLANLAGT"

// MinNoticeDays is the least notice planned maintenance gets, whatever the levels say.
const MinNoticeDays = 10

// check checks a new notice against the tags of the vocabulary and the rules of planned
// maintenance, which needs noticeDays' notice from now unless it is an emergency with a reason.
// It returns the acknowledgement limit of a high-priority notice: the shortest of its tags'.
func (in NewNotice) check(tags catalog.Vocabulary, now time.Time, noticeDays int) (ackMinutes int, err error) {
	e := &apperr.Error{Kind: apperr.Invalid, Msg: "the notice is not valid"}
	field := func(ptr, reason string) { e.Fields = append(e.Fields, apperr.FieldError{Pointer: ptr, Reason: reason}) }
	for i, t := range in.Tags {
		entry, ok := tags.Tag(t)
		switch {
		case !ok:
			field(fmt.Sprintf("/tags/%d", i), "is not a notice tag (tags: "+strings.Join(tagIDs(tags), ", ")+")")
		case slices.Index(in.Tags, t) != i:
			field(fmt.Sprintf("/tags/%d", i), "is named twice")
		default:
			if m := limit(entry); ackMinutes == 0 || m < ackMinutes {
				ackMinutes = m
			}
		}
	}
	if strings.TrimSpace(in.Title) == "" || strings.ContainsAny(in.Title, "\r\n") {
		field("/title", "must be one line of text")
	}
	if !in.Scope.All && len(in.Scope.Services) == 0 && len(in.Scope.Offerings) == 0 && len(in.Scope.Municipalities) == 0 {
		field("/scope", "must name services, offerings or municipalities, or be all")
	}
	planned := slices.Contains(in.Tags, Planned)
	switch {
	case planned && (in.PlannedStart == nil || in.PlannedEnd == nil):
		field("/planned_start", "is required with "+Planned+", with planned_end")
	case planned && !in.PlannedEnd.After(*in.PlannedStart):
		field("/planned_end", "must be after planned_start")
	case planned && in.PlannedStart.Before(now.AddDate(0, 0, noticeDays)) && !in.Emergency:
		field("/planned_start", fmt.Sprintf("gives %s notice; planned maintenance needs at least %d days (the affected levels') unless marked emergency with a reason",
			in.PlannedStart.Sub(now).Round(time.Hour), noticeDays))
	case !planned && (in.PlannedStart != nil || in.PlannedEnd != nil):
		field("/planned_start", "belongs to notices tagged "+Planned)
	}
	if in.Emergency && strings.TrimSpace(in.EmergencyReason) == "" {
		field("/emergency_reason", "is required for an emergency")
	}
	if len(e.Fields) > 0 {
		return 0, e
	}
	return ackMinutes, nil
}

func tagIDs(v catalog.Vocabulary) []string {
	out := make([]string, len(v.Entries))
	for i, e := range v.Entries {
		out[i] = e.ID
	}
	return out
}

// limit is a tag's acknowledgement limit in minutes.
func limit(e catalog.Entry) int {
	if m, ok := e.Attributes["ack_minutes"].(float64); ok {
		return int(m)
	}
	return 24 * 60
}

// Subject is the one subject format mail rules match: the tags in brackets, "!" when high
// priority, the title and the sender's short name: "[NEDBRUD][SIKKERHED] ! Title (midt)". A
// thread keeps its first notice's subject.
func Subject(tags []string, high bool, title, sender string) string {
	var b strings.Builder
	for _, t := range tags {
		b.WriteString("[" + t + "]")
	}
	if high {
		b.WriteString(" !")
	}
	b.WriteString(" " + strings.TrimSpace(title) + " (" + sender + ")")
	return b.String()
}

// threadIndex is Outlook's Thread-Index of the seq-th notice in a thread: 22 bytes of the thread's
// start (the high part of its FILETIME) and its id, then five bytes per reply for the time since
// the start, base64-encoded.
func threadIndex(thread string, start time.Time, replies []time.Time) string {
	const fileTimeEpoch = 116444736000000000 // 1601-01-01 to 1970-01-01 in 100 ns
	ft := func(t time.Time) uint64 { return uint64(t.UnixNano()/100) + fileTimeEpoch }
	b := make([]byte, 8, 22+5*len(replies))
	binary.BigEndian.PutUint64(b, ft(start))
	b = b[:6]
	id := uuid.MustParse(thread)
	b = append(b, id[:]...)
	for _, r := range replies {
		d := (ft(r) - ft(start)) >> 18
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], d&0x7fffffffff)
		b = append(b, c[3:]...)
	}
	return base64.StdEncoding.EncodeToString(b)
}
