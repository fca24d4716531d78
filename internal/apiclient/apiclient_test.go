//go:build apiclient

// Package apiclient_test runs a real scenario through the Go client that oapi-codegen generates
// from api-docs/openapi.json (make client), against the real server: if the published document
// does not describe what the server does, a typed body stays nil or a call fails here.
package apiclient_test

import (
	"context"
	"net/http"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apiclient"
	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// as is a client acting as one demo user.
func as(t *testing.T, env *apptest.Env, user string) *apiclient.ClientWithResponses {
	t.Helper()
	token := env.Token(user)
	c, err := apiclient.NewClientWithResponses(env.Server.URL, apiclient.WithRequestEditorFn(
		func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// filled fails t unless the typed body of a response was decoded.
func filled[T any](t *testing.T, what string, status int, body *T, raw []byte) *T {
	t.Helper()
	if body == nil {
		t.Fatalf("%s: status %d, typed body nil; raw %s", what, status, raw)
	}
	t.Logf("%s: %d, typed body filled", what, status)
	return body
}

func TestAGeneratedClientRunsTheOrderAndTicketScenario(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	admin, council, spoc := as(t, env, "unit_admin.hovedstaden"), as(t, env, "council"), as(t, env, "spoc.101")
	signatory, firstLine := as(t, env, "signatory.101"), as(t, env, "first_line.101")

	price := func(s string) *string { return &s }
	created, err := admin.CreateOfferingWithResponse(ctx, "hovedstaden", &apiclient.CreateOfferingParams{IdempotencyKey: uuid.NewString()},
		apiclient.OfferingNewOffering{ServiceId: "CMP-01", Terms: &apiclient.OfferingTerms{
			Levels:   []apiclient.OfferingLevelTerms{{Level: "standard", MonthlyPrice: price("690.00"), OneOffFee: price("1200.00")}},
			Delivery: "own", Contact: "servicedesk@hovedstaden.example"}})
	if err != nil {
		t.Fatal(err)
	}
	offering := filled(t, "create offering", created.StatusCode(), created.JSON201, created.Body)
	submitted, err := admin.SubmitOfferingWithResponse(ctx, "hovedstaden", *offering.Id)
	if err != nil {
		t.Fatal(err)
	}
	filled(t, "submit offering", submitted.StatusCode(), submitted.JSON200, submitted.Body)
	decided, err := council.DecideOfferingWithResponse(ctx, *offering.Id, apiclient.ReviewInput{Outcome: "approved", Reason: "Meets the standard level."})
	if err != nil {
		t.Fatal(err)
	}
	if v := filled(t, "approve offering", decided.StatusCode(), decided.JSON200, decided.Body); *v.State != "published" {
		t.Fatalf("approved version is %s", *v.State)
	}

	m, err := spoc.GetMunicipalityWithResponse(ctx, "101")
	if err != nil {
		t.Fatal(err)
	}
	filled(t, "read municipality", m.StatusCode(), m.JSON200, m.Body)
	box, err := spoc.GetMailboxWithResponse(ctx, "101")
	if err != nil {
		t.Fatal(err)
	}
	filled(t, "read mailbox", box.StatusCode(), box.JSON200, box.Body)
	mailbox, err := spoc.SetMailboxWithResponse(ctx, "101", &apiclient.SetMailboxParams{IfMatch: box.HTTPResponse.Header.Get("ETag")},
		apiclient.MailboxInput{Address: "it-drift@kk.example"})
	if err != nil {
		t.Fatal(err)
	}
	if v := filled(t, "set mailbox", mailbox.StatusCode(), mailbox.JSON200, mailbox.Body); v.Pending == nil {
		t.Fatalf("the new address is not pending: %s", mailbox.Body)
	}
	anonymous, err := apiclient.NewClientWithResponses(env.Server.URL)
	if err != nil {
		t.Fatal(err)
	}
	confirmed, err := anonymous.ConfirmMailboxWithFormdataBodyWithResponse(ctx,
		apiclient.ConfirmMailboxFormdataRequestBody{Token: env.LinkToken(t, "it-drift@kk.example", "mailbox_confirmation")})
	if err != nil {
		t.Fatal(err)
	}
	if v := filled(t, "confirm mailbox", confirmed.StatusCode(), confirmed.JSON200, confirmed.Body); v.Address == nil {
		t.Fatalf("the confirmed mailbox has no address: %s", confirmed.Body)
	}
	terms, err := signatory.AcceptTermsWithResponse(ctx, "101", &apiclient.AcceptTermsParams{IdempotencyKey: uuid.NewString()},
		apiclient.ActivationTermsInput{TermsVersion: "2026-1"})
	if err != nil {
		t.Fatal(err)
	}
	filled(t, "accept terms", terms.StatusCode(), terms.JSON201, terms.Body)
	ros, err := spoc.RegisterRiskAssessmentWithResponse(ctx, "101", &apiclient.RegisterRiskAssessmentParams{IdempotencyKey: uuid.NewString()},
		apiclient.ActivationNewRiskAssessment{Family: "compute", DocumentRef: "ESDH 2026-004711", ApprovedBy: "Kommunaldirektør Jens Hansen",
			Sha256:     "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			AssessedOn: openapi_types.Date{Time: env.Clock.Now().AddDate(0, 0, -30)}})
	if err != nil {
		t.Fatal(err)
	}
	filled(t, "register ROS", ros.StatusCode(), ros.JSON201, ros.Body)

	level, quantity := "standard", 2
	params := map[string]any{"vcpu": 4, "memory_gb": 16, "disk_gb": 200, "os": "rhel-9"}
	newOrder := apiclient.OrderNewOrder{Items: []apiclient.OrderNewItem{{Action: "add", OfferingId: offering.Id, Level: &level,
		Quantity: &quantity, Parameters: &params}}}
	key := &apiclient.CreateOrderParams{IdempotencyKey: uuid.NewString()}
	first, err := spoc.CreateOrderWithResponse(ctx, "101", key, newOrder)
	if err != nil {
		t.Fatal(err)
	}
	o := filled(t, "create order", first.StatusCode(), first.JSON201, first.Body)
	replay, err := spoc.CreateOrderWithResponse(ctx, "101", key, newOrder)
	if err != nil {
		t.Fatal(err)
	}
	again := filled(t, "replay order", replay.StatusCode(), replay.JSON201, replay.Body)
	if *again.Id != *o.Id || replay.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the replay answered order %s (Idempotent-Replayed %q), want %s", *again.Id, replay.HTTPResponse.Header.Get("Idempotent-Replayed"), *o.Id)
	}
	for _, step := range []func() (*apiclient.OrderOrder, int, []byte, error){
		func() (*apiclient.OrderOrder, int, []byte, error) {
			r, err := admin.AcceptOrderWithResponse(ctx, "hovedstaden", *o.Id, apiclient.OrderTransitionInput{})
			return r.JSON200, r.StatusCode(), r.Body, err
		},
		func() (*apiclient.OrderOrder, int, []byte, error) {
			r, err := admin.StartOrderWithResponse(ctx, "hovedstaden", *o.Id, apiclient.OrderTransitionInput{})
			return r.JSON200, r.StatusCode(), r.Body, err
		},
		func() (*apiclient.OrderOrder, int, []byte, error) {
			r, err := admin.CompleteOrderWithResponse(ctx, "hovedstaden", *o.Id, apiclient.OrderTransitionInput{})
			return r.JSON200, r.StatusCode(), r.Body, err
		},
	} {
		body, status, raw, err := step()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("the order is %s", *filled(t, "order transition", status, body, raw).State)
	}
	subs, err := spoc.ListMunicipalitySubscriptionsWithResponse(ctx, "101", &apiclient.ListMunicipalitySubscriptionsParams{})
	if err != nil {
		t.Fatal(err)
	}
	items := filled(t, "list subscriptions", subs.StatusCode(), subs.JSON200, subs.Body).Items
	if items == nil || len(*items) != 1 {
		t.Fatalf("subscriptions: %s", subs.Body)
	}
	sub := (*items)[0].Id

	title := "File server unreachable"
	tk, err := firstLine.CreateTicketWithResponse(ctx, "101", &apiclient.CreateTicketParams{IdempotencyKey: uuid.NewString()},
		apiclient.TicketNewTicket{Title: title, Priority: "P2", Category: "incident", SubscriptionId: sub})
	if err != nil {
		t.Fatal(err)
	}
	ticket := filled(t, "create ticket", tk.StatusCode(), tk.JSON201, tk.Body)
	reason := "Storage controller suspected"
	esc, err := firstLine.EscalateTicketWithResponse(ctx, "101", *ticket.Id, apiclient.TicketTransitionInput{Reason: &reason})
	if err != nil {
		t.Fatal(err)
	}
	filled(t, "escalate ticket", esc.StatusCode(), esc.JSON200, esc.Body)
	sla, err := firstLine.MunicipalTicketSLAWithResponse(ctx, "101", *ticket.Id)
	if err != nil {
		t.Fatal(err)
	}
	clocks := filled(t, "read SLA", sla.StatusCode(), sla.JSON200, sla.Body).Clocks
	if clocks == nil || len(*clocks) != 2 || (*clocks)[0].Deadline == nil {
		t.Fatalf("SLA clocks: %s", sla.Body)
	}
	t.Logf("SLA: response clock %s, deadline %s", *(*clocks)[0].State, *(*clocks)[0].Deadline)
}
