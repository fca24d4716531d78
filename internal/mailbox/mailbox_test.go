package mailbox

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

func TestWhoReceivesANotice(t *testing.T) {
	addr := "it-drift@kk.example"
	verified := Mailbox{Address: &addr}
	now := time.Date(2026, 12, 23, 10, 0, 0, 0, time.UTC)
	routes := []Route{{Tag: "SIKKERHED", Addresses: []string{"soc@kk.example", "IT-DRIFT@kk.example"}}, {Tag: "PLANLAGT", Addresses: []string{"cab@kk.example"}}}
	covers := []Cover{
		{Covering: "Lise Holm", Deputies: []string{"vagt@kk.example"}, From: now.Add(-time.Hour), To: now.Add(time.Hour)},
		{Covering: "Ole Berg", Deputies: []string{"later@kk.example"}, From: now.Add(time.Hour), To: now.Add(2 * time.Hour)},
	}
	tests := []struct {
		name string
		mb   Mailbox
		tags []string
		want string
	}{
		{"an unverified mailbox receives nothing", Mailbox{Pending: &Pending{Address: addr}}, []string{"SIKKERHED"}, ""},
		{"the mailbox and the cover in force", verified, []string{"DRIFT"}, "it-drift@kk.example (mailbox), vagt@kk.example (cover for Lise Holm)"},
		{"a tag's route, each address once whatever its case", verified, []string{"NEDBRUD", "SIKKERHED"},
			"it-drift@kk.example (mailbox), soc@kk.example (route SIKKERHED), vagt@kk.example (cover for Lise Holm)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range recipients(tc.mb, routes, covers, tc.tags, now) {
				got = append(got, r.Address+" ("+r.Why+")")
			}
			if s := strings.Join(got, ", "); s != tc.want {
				t.Errorf("recipients = %s, want %s", s, tc.want)
			}
		})
	}
}

func TestACoverPeriodIsReadInItsTimeZone(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		in       NewCover
		from, to string // UTC
		problem  string
	}{
		{"Copenhagen in winter is UTC+1", NewCover{From: "2026-12-21T08:00", To: "2027-01-04T08:00", TimeZone: "Europe/Copenhagen"},
			"2026-12-21T07:00:00Z", "2027-01-04T07:00:00Z", ""},
		{"across the change to summer time", NewCover{From: "2027-03-27T12:00", To: "2027-03-29T12:00", TimeZone: "Europe/Copenhagen"},
			"2027-03-27T11:00:00Z", "2027-03-29T10:00:00Z", ""},
		{"no such time zone", NewCover{From: "2026-12-21T08:00", To: "2026-12-22T08:00", TimeZone: "Europe/Aarhus"}, "", "", "/time_zone"},
		{"the machine's zone is not a zone", NewCover{From: "2026-12-21T08:00", To: "2026-12-22T08:00", TimeZone: "Local"}, "", "", "/time_zone"},
		{"ends before it starts", NewCover{From: "2026-12-22T08:00", To: "2026-12-21T08:00", TimeZone: "UTC"}, "", "", "/to"},
		{"longer than 92 days", NewCover{From: "2026-12-21T08:00", To: "2027-06-21T08:00", TimeZone: "UTC"}, "", "", "/to"},
		{"over already", NewCover{From: "2026-11-01T08:00", To: "2026-11-02T08:00", TimeZone: "UTC"}, "", "", "/to"},
		{"a date without a time", NewCover{From: "2026-12-21", To: "2026-12-22T08:00", TimeZone: "UTC"}, "", "", "/from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from, to, err := tc.in.period(now)
			if tc.problem != "" {
				if err == nil || !strings.Contains(errString(err), tc.problem) {
					t.Errorf("err = %v, want a problem at %s", err, tc.problem)
				}
				return
			}
			if err != nil || from.Format(time.RFC3339) != tc.from || to.Format(time.RFC3339) != tc.to {
				t.Errorf("period = %s – %s (%v), want %s – %s", from.Format(time.RFC3339), to.Format(time.RFC3339), err, tc.from, tc.to)
			}
		})
	}
}

func TestAddressListsArePlainAndDistinct(t *testing.T) {
	tests := []struct {
		list []string
		want string
	}{
		{[]string{"a@kk.example", "b@kk.example"}, ""},
		{nil, "must name 1 to 20 addresses"},
		{[]string{"Lise <lise@kk.example>"}, "/x/0"},
		{[]string{"a@kk.example", "A@KK.example"}, "/x/1"},
	}
	for _, tc := range tests {
		err := addresses("/x", tc.list)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(errString(err), tc.want)) {
			t.Errorf("addresses(%q) = %v, want %q", tc.list, err, tc.want)
		}
	}
}

// errString is the error with the pointers of its fields.
func errString(err error) string {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err.Error()
	}
	s := ae.Msg
	for _, f := range ae.Fields {
		s += " " + f.Pointer + ": " + f.Reason
	}
	return s
}
