// Package validation_test: the services check their input themselves, so the command line, the
// seed and background jobs, which call them without HTTP, are refused what HTTP is refused.
package validation_test

import (
	"slices"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/order"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/ticket"
)

func TestServicesCheckTheirInputWhoeverCalls(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := env.System()
	tests := []struct {
		name string
		call func() error
		want []string // the pointers named
	}{
		{"a unit without a name or region", func() error {
			_, err := env.App.Directory.CreateUnit(ctx, directory.NewUnit{Slug: "vest"})
			return err
		}, []string{"/name", "/region"}},
		{"a user with a bad email", func() error {
			_, err := env.App.Directory.CreateUser(ctx, tenant.ForMunicipality("101"), directory.NewUser{Username: "ida", Name: "Ida", Email: "not an address"})
			return err
		}, []string{"/email"}},
		{"a ticket with no title and an unknown priority", func() error {
			_, err := env.App.Tickets.Create(ctx, "101", ticket.NewTicket{Priority: "P9", Category: "incident"})
			return err
		}, []string{"/title", "/priority"}},
		{"an order without items", func() error {
			_, err := env.App.Orders.Create(ctx, "101", order.NewOrder{})
			return err
		}, []string{"/items"}},
		{"an offering of terms without levels or contact", func() error {
			_, err := env.App.Offerings.Create(ctx, "midt", offering.NewOffering{ServiceID: "CMP-01", Terms: offering.Terms{Delivery: "own"}})
			return err
		}, []string{"/terms/levels", "/terms/contact"}},
		{"a mailbox that is not an address", func() error {
			_, err := env.App.Mailboxes.Set(ctx, "101", 1, mailbox.Input{Address: "it-drift"})
			return err
		}, []string{"/address"}},
	}
	before := env.Fingerprint(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			e, ok := err.(*apperr.Error)
			if !ok || e.Kind != apperr.Invalid {
				t.Fatalf("got %v, want invalid fields", err)
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Pointer)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("names %v, want %v", got, want)
			}
		})
	}
	env.Unchanged(t, before, "refused service calls")
}
