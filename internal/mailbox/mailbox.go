// Package mailbox keeps each municipality's infrastructure mailbox, the functional address that
// notices go to: the address and its verification by a confirmation link, the routing rules that
// copy notices with a tag to more addresses, and the cover that adds deputies while someone is
// away. It decides who receives a notice; the notice package writes and sends it.
//
// Only a verified address receives notices and counts for the activation gate: a mistyped
// address must not receive security notices meant for a municipality. A new address stays
// pending, and the verified one in use, until the link sent to the new one is confirmed.
package mailbox

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// Mailbox is a municipality's infrastructure mailbox.
type Mailbox struct {
	Municipality string `json:"municipality" example:"101"`
	// Address is the verified address notices go to; null until one is confirmed.
	Address    *string    `json:"address" example:"it-drift@kk.example" extensions:"x-nullable"`
	VerifiedAt *time.Time `json:"verified_at" format:"date-time" extensions:"x-nullable"`
	// Pending is an address waiting for its confirmation link to be used.
	Pending *Pending `json:"pending" extensions:"x-nullable"`
	Version int      `json:"version"`
}

// Verified reports whether the mailbox has a confirmed address.
func (m Mailbox) Verified() bool { return m.Address != nil }

// Pending is an address waiting for confirmation.
type Pending struct {
	Address     string     `json:"address" example:"it-drift@kk.example"`
	RequestedBy string     `json:"requested_by"`
	RequestedAt time.Time  `json:"requested_at" format:"date-time"`
	LinkSentAt  *time.Time `json:"link_sent_at" format:"date-time" extensions:"x-nullable"`
	ExpiresAt   *time.Time `json:"expires_at" format:"date-time" extensions:"x-nullable"`
}

// LinkValidity is how long a confirmation link works.
const LinkValidity = 72 * time.Hour

// Input sets the infrastructure mailbox.
type Input struct {
	Address string `json:"address" validate:"required,email,max=320" example:"it-drift@kk.example"`
}

// plainAddress checks that s is one plain address (not a display-name form), for the field at
// ptr.
func plainAddress(ptr, s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || len(s) > 320 {
		return apperr.Field(ptr, "must be a plain email address such as it-drift@kk.example")
	}
	return nil
}

// addresses checks a list of 1 to 20 plain, distinct addresses for the field at ptr.
func addresses(ptr string, list []string) error {
	if len(list) == 0 || len(list) > 20 {
		return apperr.Field(ptr, "must name 1 to 20 addresses")
	}
	e := &apperr.Error{Kind: apperr.Invalid, Msg: "the addresses are not valid"}
	seen := map[string]bool{}
	for i, a := range list {
		p := fmt.Sprintf("%s/%d", ptr, i)
		if err := plainAddress(p, a); err != nil {
			e.Fields = append(e.Fields, apperr.FieldError{Pointer: p, Reason: "must be a plain email address such as vagt@kk.example"})
		} else if seen[strings.ToLower(a)] {
			e.Fields = append(e.Fields, apperr.FieldError{Pointer: p, Reason: "is named twice"})
		}
		seen[strings.ToLower(a)] = true
	}
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

// Route copies the notices with a tag to more addresses.
type Route struct {
	ID           string    `json:"id" format:"uuid"`
	Municipality string    `json:"municipality" example:"101"`
	Tag          string    `json:"tag" example:"SIKKERHED"`
	Addresses    []string  `json:"addresses" example:"it-sikkerhed@kk.example"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at" format:"date-time"`
	UpdatedAt    time.Time `json:"updated_at" format:"date-time"`
	Version      int       `json:"version"`
}

// NewRoute is a routing rule to add.
type NewRoute struct {
	Tag       string   `json:"tag" validate:"required,max=12" example:"SIKKERHED"`
	Addresses []string `json:"addresses" validate:"required,min=1,max=20,dive,max=320" example:"it-sikkerhed@kk.example"`
}

// RoutePatch replaces a rule's addresses.
type RoutePatch struct {
	Addresses []string `json:"addresses" validate:"required,min=1,max=20,dive,max=320" example:"it-sikkerhed@kk.example,soc@kk.example"`
}

// Cover adds deputies to a municipality's notices while someone is away.
type Cover struct {
	ID           string    `json:"id" format:"uuid"`
	Municipality string    `json:"municipality" example:"101"`
	Covering     string    `json:"covering" example:"Lise Holm (IT-drift)"` // who is away
	Deputies     []string  `json:"deputies" example:"vagt@kk.example"`
	From         time.Time `json:"from" format:"date-time"`
	To           time.Time `json:"to" format:"date-time"`
	TimeZone     string    `json:"time_zone" example:"Europe/Copenhagen"`
	Reason       string    `json:"reason" example:"Juleferie"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at" format:"date-time"`
	Version      int       `json:"version"`
}

// Active reports whether the cover is in force at t.
func (c Cover) Active(t time.Time) bool { return !t.Before(c.From) && t.Before(c.To) }

// NewCover is a cover period to add. From and To are local times in TimeZone (YYYY-MM-DDTHH:MM).
type NewCover struct {
	Covering string   `json:"covering" validate:"required,max=200" example:"Lise Holm (IT-drift)"`
	Deputies []string `json:"deputies" validate:"required,min=1,max=20,dive,max=320" example:"vagt@kk.example"`
	From     string   `json:"from" validate:"required,max=16" example:"2026-12-21T08:00"`
	To       string   `json:"to" validate:"required,max=16" example:"2027-01-04T08:00"`
	TimeZone string   `json:"time_zone" validate:"required,max=64" example:"Europe/Copenhagen"`
	Reason   string   `json:"reason" validate:"max=500" example:"Juleferie"`
}

// MaxCover is the longest cover period: a longer absence is a new address, not cover.
const MaxCover = 92 * 24 * time.Hour

// period reads the cover's local times in its time zone; it must end after it starts, within
// MaxCover, and not before now.
func (in NewCover) period(now time.Time) (from, to time.Time, err error) {
	loc, lerr := time.LoadLocation(in.TimeZone)
	if lerr != nil || in.TimeZone == "" || in.TimeZone == "Local" {
		return from, to, apperr.Field("/time_zone", "must be an IANA time zone such as Europe/Copenhagen")
	}
	const layout = "2006-01-02T15:04"
	if from, err = time.ParseInLocation(layout, in.From, loc); err != nil {
		return from, to, apperr.Field("/from", "must be a local time such as 2026-12-21T08:00")
	}
	if to, err = time.ParseInLocation(layout, in.To, loc); err != nil {
		return from, to, apperr.Field("/to", "must be a local time such as 2027-01-04T08:00")
	}
	switch {
	case !to.After(from):
		return from, to, apperr.Field("/to", "must be after from")
	case to.Sub(from) > MaxCover:
		return from, to, apperr.Field("/to", "must be within 92 days of from; register a new address for a longer absence")
	case !to.After(now):
		return from, to, apperr.Field("/to", "is in the past")
	case from.Year() < 2000 || to.Year() > 2099:
		return from, to, apperr.Field("/from", "must be between 2000 and 2099")
	}
	return from.UTC(), to.UTC(), nil
}

// Recipient is an address a notice goes to, and why.
type Recipient struct {
	Address string `json:"address"`
	Why     string `json:"why" example:"mailbox"` // mailbox, route SIKKERHED, cover for Lise Holm
}

// recipients lists who receives a notice with tags at t: the verified address, the addresses of
// the routes for those tags, and the deputies of the covers in force; each address once, in that
// order. An unverified mailbox receives nothing.
func recipients(mb Mailbox, routes []Route, covers []Cover, tags []string, at time.Time) []Recipient {
	if !mb.Verified() {
		return nil
	}
	out := []Recipient{{Address: *mb.Address, Why: "mailbox"}}
	seen := map[string]bool{strings.ToLower(*mb.Address): true}
	add := func(addr, why string) {
		if !seen[strings.ToLower(addr)] {
			seen[strings.ToLower(addr)] = true
			out = append(out, Recipient{Address: addr, Why: why})
		}
	}
	for _, r := range routes {
		if slices.Contains(tags, r.Tag) {
			for _, a := range r.Addresses {
				add(a, "route "+r.Tag)
			}
		}
	}
	for _, c := range covers {
		if c.Active(at) {
			for _, a := range c.Deputies {
				add(a, "cover for "+c.Covering)
			}
		}
	}
	return out
}
