package orders_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/order"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
)

func TestOrderThroughTheGateToSubscriptionAndCosts(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.Clock.Set(time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC))
	off := env.Publish(t, "hovedstaden", "CMP-01", map[string]string{"basis": "450.00", "standard": "690.00"})
	spoc, admin := env.Token("spoc.101"), env.Token("unit_admin.hovedstaden")
	mpath, upath := "/api/v1/municipalities/101/orders", "/api/v1/units/hovedstaden/orders"

	body := map[string]any{"note": "ESDH servers", "items": []any{apptest.VM(off.ID, 4)}}
	first := env.Do(apptest.Request{Method: "POST", Path: mpath, Token: spoc, Header: map[string]string{"Idempotency-Key": "order-1"}, Body: body})
	apptest.MustStatus(t, "order", first, 201)
	var o order.Order
	first.Decode(t, &o)
	if o.State != order.Acknowledged || o.Unit != "hovedstaden" || o.Items[0].MonthlyPrice.String() != "690.00" || o.Items[0].Family != "compute" {
		t.Fatalf("order = %+v", o)
	}
	replay := env.Do(apptest.Request{Method: "POST", Path: mpath, Token: spoc, Header: map[string]string{"Idempotency-Key": "order-1"}, Body: body})
	if replay.Status != 201 || replay.Header.Get("Idempotent-Replayed") != "true" || string(replay.Body) != string(first.Body) {
		t.Errorf("replay: %d %s", replay.Status, replay.Body)
	}
	apptest.MustStatus(t, "same key, other body", env.Do(apptest.Request{Method: "POST", Path: mpath, Token: spoc,
		Header: map[string]string{"Idempotency-Key": "order-1"}, Body: map[string]any{"items": []any{apptest.VM(off.ID, 5)}}}), 422)

	gate := env.Do(apptest.Request{Method: "POST", Path: upath + "/" + o.ID + "/accept", Token: admin})
	apptest.MustStatus(t, "accept before the gate", gate, 409)
	p := gate.Problem(t)
	missing, _ := p["missing"].([]any)
	var names []string
	for _, m := range missing {
		mm := m.(map[string]any)
		names = append(names, mm["prerequisite"].(string)+":"+func() string { f, _ := mm["family"].(string); return f }())
	}
	if strings.Join(names, ",") != "infrastructure_mailbox:,terms_of_use:,risk_assessment:compute" {
		t.Errorf("missing = %v (%s)", names, gate.Body)
	}
	apptest.MustStatus(t, "a SPOC cannot accept terms", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/terms-acceptances",
		Token: spoc, Header: apptest.Key(), Body: map[string]any{"terms_version": "2026-1"}}), 403)
	env.MeetGate(t)
	var st struct {
		Missing []any `json:"missing"`
		Terms   struct {
			AcceptedName string `json:"accepted_name"`
		} `json:"terms_acceptance"`
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/activation?family=compute", Token: spoc}).Decode(t, &st)
	if len(st.Missing) != 0 || st.Terms.AcceptedName != "signatory.101" {
		t.Errorf("activation after registering = %+v", st)
	}

	for _, step := range []string{"accept", "start", "complete"} {
		apptest.MustStatus(t, step, env.Do(apptest.Request{Method: "POST", Path: upath + "/" + o.ID + "/" + step, Token: admin}), 200)
	}
	var done order.Order
	env.Do(apptest.Request{Method: "GET", Path: mpath + "/" + o.ID, Token: spoc}).Decode(t, &done)
	if done.State != order.Completed || len(done.History) != 4 || done.Items[0].SubscriptionID == nil {
		t.Fatalf("completed order = %+v", done)
	}
	subID := *done.Items[0].SubscriptionID
	var sub subscription.Subscription
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + subID, Token: env.Token("first_line.101")}).Decode(t, &sub)
	if sub.State != subscription.Active || sub.Quantity != 4 || sub.OfferingVersion != 1 || sub.MonthlyPrice.String() != "690.00" || sub.StartedOn != "2026-11-10" {
		t.Fatalf("subscription = %+v", sub)
	}

	// Ten days later: six VMs instead of four.
	env.Clock.Set(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	spoc, admin = env.Token("spoc.101"), env.Token("unit_admin.hovedstaden")
	runOrder := func(item map[string]any) {
		t.Helper()
		var mo order.Order
		resp := env.Do(apptest.Request{Method: "POST", Path: mpath, Token: spoc, Header: apptest.Key(), Body: map[string]any{"items": []any{item}}})
		apptest.MustStatus(t, "order "+item["action"].(string), resp, 201)
		resp.Decode(t, &mo)
		for _, step := range []string{"accept", "start", "complete"} {
			apptest.MustStatus(t, step, env.Do(apptest.Request{Method: "POST", Path: upath + "/" + mo.ID + "/" + step, Token: admin}), 200)
		}
	}
	runOrder(map[string]any{"action": "modify", "subscription_id": subID, "quantity": 6})

	costs := func(month string) subscription.CostReport {
		var rep subscription.CostReport
		resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/costs?month=" + month, Token: env.Token("spoc.101")})
		apptest.MustStatus(t, "costs "+month, resp, 200)
		resp.Decode(t, &rep)
		return rep
	}
	// 690 × 4 × 10/30 + 690 × 6 × 11/30 = 920.00 + 1518.00; one-off 1200 × 4 + 1200 × 2.
	nov := costs("2026-11")
	if nov.Recurring.String() != "2438.00" || nov.OneOff.String() != "7200.00" || nov.Total.String() != "9638.00" ||
		len(nov.Lines) != 1 || nov.Lines[0].Days != 21 || nov.ByService[0].Key != "CMP-01" || nov.ByUnit[0].Key != "hovedstaden" {
		t.Errorf("November = %+v", nov)
	}

	env.Clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	spoc, admin = env.Token("spoc.101"), env.Token("unit_admin.hovedstaden")
	runOrder(map[string]any{"action": "terminate", "subscription_id": subID})
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + subID, Token: spoc}).Decode(t, &sub)
	if sub.State != subscription.Terminating || sub.EndsOn == nil || *sub.EndsOn != "2027-02-23" {
		t.Fatalf("terminated subscription = %+v (standard gives 90 days' notice)", sub)
	}
	if dec := costs("2026-12"); dec.Total.String() != "4140.00" {
		t.Errorf("December during notice = %+v", dec)
	}
	// 690 × 6 × 22/28 in February until the 23rd.
	if feb := costs("2027-02"); feb.Total.String() != "3252.86" || feb.Lines[0].Days != 22 {
		t.Errorf("February = %+v", feb)
	}
	if mar := costs("2027-03"); len(mar.Lines) != 0 || mar.Total.String() != "0.00" {
		t.Errorf("March after the end = %+v", mar)
	}

	env.Clock.Set(time.Date(2027, 2, 23, 9, 0, 0, 0, time.UTC))
	if n, err := env.App.Subscriptions.Sweep(env.System()); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	spoc = env.Token("spoc.101")
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + subID, Token: spoc}).Decode(t, &sub)
	if sub.State != subscription.Terminated {
		t.Errorf("after the notice period: %s", sub.State)
	}

	csv := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/costs?month=2026-11&format=csv", Token: spoc})
	apptest.MustStatus(t, "csv", csv, 200)
	if !strings.Contains(string(csv.Body), ",CMP-01,hovedstaden,standard,6,21,0,2438.00,7200.00,0.00,9638.00\n") ||
		!strings.Contains(string(csv.Body), "101,2026-11,TOTAL,,,,,,,2438.00,7200.00,0.00,9638.00") {
		t.Errorf("csv:\n%s", csv.Body)
	}
	xlsx := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/costs?month=2026-11&format=xlsx", Token: spoc})
	apptest.MustStatus(t, "xlsx", xlsx, 200)
	f, err := excelize.OpenReader(bytes.NewReader(xlsx.Body))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("Costs", "M2"); v != "9,638.00" {
		t.Errorf("xlsx total cell = %q", v)
	}
	if v, _ := f.GetCellValue("By unit", "A2"); v != "hovedstaden" {
		t.Errorf("xlsx by unit = %q", v)
	}
	if got := len(env.AuditOf(t, "subscription.modify", subID)); got != 1 {
		t.Errorf("modify audit records = %d", got)
	}
}

func TestConcurrentAcceptsLetExactlyOneWin(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	off := env.Publish(t, "hovedstaden", "CMP-01", map[string]string{"basis": "450.00", "standard": "690.00"})
	env.MeetGate(t)
	var o order.Order
	env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/orders", Token: env.Token("spoc.101"), Header: apptest.Key(),
		Body: map[string]any{"items": []any{apptest.VM(off.ID, 1)}}}).Decode(t, &o)
	admin := env.Token("unit_admin.hovedstaden")
	statuses := env.DoAtOnce(apptest.Repeat(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/orders/" + o.ID + "/accept", Token: admin}, 6)...)
	won := 0
	for _, s := range statuses {
		switch s {
		case 200:
			won++
		case 409:
		default:
			t.Errorf("status %d", s)
		}
	}
	if won != 1 {
		t.Errorf("statuses %v: %d accepts won, want exactly 1", statuses, won)
	}
	t.Logf("statuses of %d concurrent accepts: %v", len(statuses), statuses)
	if got := len(env.AuditOf(t, "order.accept", o.ID)); got != 1 {
		t.Errorf("accept audit records = %d", got)
	}
}

func TestOrdersAreCheckedAndIsolated(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	off := env.Publish(t, "hovedstaden", "CMP-01", map[string]string{"basis": "450.00", "standard": "690.00"})
	midt := env.Publish(t, "midt", "CMP-01", map[string]string{"basis": "400.00", "standard": "650.00"})
	spoc := env.Token("spoc.101")
	badParams := apptest.VM(off.ID, 1)
	badParams["parameters"] = map[string]any{"vcpu": 0, "memory_gb": 16, "disk_gb": 200, "os": "windows-95"}
	tests := []struct {
		name    string
		item    map[string]any
		pointer string
	}{
		{"parameters against the service's schema", badParams, "/items/0/parameters/vcpu"},
		{"an offering of another unit", apptest.VM(midt.ID, 1), "/items/0/offering_id"},
		{"a level the offering lacks", func() map[string]any { m := apptest.VM(off.ID, 1); m["level"] = "plus"; return m }(), "/items/0/level"},
		{"over capacity", apptest.VM(off.ID, 501), "/items/0/quantity"},
		{"add without quantity", apptest.VM(off.ID, 0), "/items/0/quantity"},
		{"modify without subscription", map[string]any{"action": "modify", "quantity": 2}, "/items/0/subscription_id"},
		{"terminate another's subscription", map[string]any{"action": "terminate", "subscription_id": "6f1c1a8e-56bb-4d7e-9d5b-2a54a6b7a0c1"}, "/items/0/subscription_id"},
		{"an unknown action", map[string]any{"action": "buy"}, "/items/0/action"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/orders", Token: spoc, Header: apptest.Key(),
				Body: map[string]any{"items": []any{tc.item}}})
			apptest.MustStatus(t, tc.name, resp, 400)
			if !strings.Contains(string(resp.Body), `"pointer":"`+tc.pointer) {
				t.Errorf("problem does not name %s: %s", tc.pointer, resp.Body)
			}
		})
	}
	var o order.Order
	env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/orders", Token: spoc, Header: apptest.Key(),
		Body: map[string]any{"items": []any{apptest.VM(off.ID, 2)}}}).Decode(t, &o)
	apptest.MustStatus(t, "another municipality's order through its own path", env.Do(apptest.Request{Method: "GET",
		Path: "/api/v1/municipalities/751/orders/" + o.ID, Token: env.Token("spoc.751")}), 404)
	apptest.MustStatus(t, "another unit's order through its own path", env.Do(apptest.Request{Method: "POST",
		Path: "/api/v1/units/midt/orders/" + o.ID + "/accept", Token: env.Token("unit_admin.midt")}), 404)
	apptest.MustStatus(t, "reject without a reason", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/orders/" + o.ID + "/reject",
		Token: env.Token("unit_admin.hovedstaden")}), 400)
	apptest.MustStatus(t, "cancel", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/orders/" + o.ID + "/cancel", Token: spoc,
		Body: map[string]any{"reason": "Ordered by mistake."}}), 200)
	apptest.MustStatus(t, "accept a cancelled order", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/orders/" + o.ID + "/accept",
		Token: env.Token("unit_admin.hovedstaden")}), 409)
	var l apptest.List[order.Order]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/hovedstaden/orders?state=cancelled", Token: env.Token("unit_admin.hovedstaden")}).Decode(t, &l)
	if len(l.Items) != 1 || l.Items[0].Reason != "Ordered by mistake." {
		t.Errorf("cancelled orders seen by the unit: %+v", l.Items)
	}
}

func TestASameDayChangeKeepsTheOneOffFeesAlreadyCharged(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.Clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	off := env.Publish(t, "hovedstaden", "CMP-01", map[string]string{"basis": "450.00", "standard": "690.00"})
	env.MeetGate(t)
	spoc, admin := env.Token("spoc.101"), env.Token("unit_admin.hovedstaden")
	run := func(item map[string]any) order.Order {
		t.Helper()
		var o order.Order
		resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/orders", Token: spoc, Header: apptest.Key(),
			Body: map[string]any{"items": []any{item}}})
		apptest.MustStatus(t, "order", resp, 201)
		resp.Decode(t, &o)
		for _, step := range []string{"accept", "start", "complete"} {
			apptest.MustStatus(t, step, env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/orders/" + o.ID + "/" + step, Token: admin}), 200)
		}
		env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/orders/" + o.ID, Token: spoc}).Decode(t, &o)
		return o
	}
	added := run(apptest.VM(off.ID, 4))
	run(map[string]any{"action": "modify", "subscription_id": *added.Items[0].SubscriptionID, "quantity": 6})
	var rep subscription.CostReport
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/costs?month=2026-11", Token: spoc}).Decode(t, &rep)
	// 690 × 6 × 8/30 recurring; 1200 × 4 at the add and 1200 × 2 at the change.
	if rep.Recurring.String() != "1104.00" || rep.OneOff.String() != "7200.00" {
		t.Errorf("costs after a same-day change = %+v", rep)
	}
}

func TestConcurrentDuplicateOrdersCreateExactlyOne(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	off := env.Publish(t, "hovedstaden", "CMP-01", map[string]string{"basis": "450.00", "standard": "690.00"})
	spoc := env.Token("spoc.101")
	statuses := env.DoAtOnce(apptest.Repeat(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/orders", Token: spoc,
		Header: map[string]string{"Idempotency-Key": "the-same-order"}, Body: map[string]any{"items": []any{apptest.VM(off.ID, 2)}}}, 8)...)
	for _, s := range statuses {
		if s != 201 && s != 409 {
			t.Fatalf("statuses %v: want only 201 (first or replay) and 409 (in flight)", statuses)
		}
	}
	var l apptest.List[order.Order]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/orders", Token: spoc}).Decode(t, &l)
	if len(l.Items) != 1 {
		t.Errorf("statuses %v created %d orders, want 1", statuses, len(l.Items))
	}
	t.Logf("statuses of %d concurrent identical requests: %v; orders created: %d", len(statuses), statuses, len(l.Items))
}
