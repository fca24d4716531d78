package deliveries_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

func message(to, subject string) delivery.New {
	return delivery.New{SubjectType: "test", SubjectID: subject, Channel: delivery.Mail, Recipient: to, Tenant: "municipality:101",
		Sender: "platform", Message: delivery.Message{Subject: subject, Text: "Plain text.\n", HTML: "<p>Plain text.</p>",
			Headers: map[string]string{"List-Id": "Servicekatalog test <test.servicekatalog.test>"}}}
}

// enqueue records items in one transaction; fail rolls it back after enqueueing.
func enqueue(t *testing.T, env *apptest.Env, fail bool, items ...delivery.New) error {
	t.Helper()
	return env.App.DB.InTx(env.System(), func(ctx context.Context) error {
		if _, err := env.App.Deliveries.Enqueue(ctx, items...); err != nil {
			return err
		}
		if fail {
			return errors.New("the change fails")
		}
		return nil
	})
}

// settled waits until the delivery is delivered or dead.
func settled(t *testing.T, env *apptest.Env, id string) delivery.Delivery {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		d, err := env.App.Deliveries.Get(context.Background(), id)
		if err == nil && (d.State == delivery.Delivered || d.State == delivery.Dead) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s did not settle: %+v (%v)", id, d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A committed delivery arrives once, as a multipart mail whose Message-ID is the delivery's id;
// a rolled-back one never leaves.
func TestAMailIsDeliveredOnceWithTheDeliverysMessageID(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(4))
	if err := enqueue(t, env, true, message("rolled-back@kk.example", "Never")); err == nil {
		t.Fatal("the failing change committed")
	}
	if err := enqueue(t, env, false, message("it-drift@kk.example", "Hello")); err != nil {
		t.Fatal(err)
	}
	id := delivery.ID("test", "Hello", delivery.Mail, "it-drift@kk.example")
	d := settled(t, env, id)
	if d.State != delivery.Delivered || d.Attempts != 1 || len(d.History) != 1 || d.History[0].Outcome != "delivered" {
		t.Fatalf("delivery = %+v", d)
	}
	// Enqueueing the same subject for the same recipient again is the same delivery: nothing new.
	if err := enqueue(t, env, false, message("it-drift@kk.example", "Hello")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	got := env.MailsTo(t, "it-drift@kk.example", "", 1)
	if len(got) != 1 {
		t.Fatalf("received %d mails, want 1", len(got))
	}
	h := got[0].Header
	if mid, _ := h.MessageID(); mid != id+"@servicekatalog.test" {
		t.Errorf("Message-ID = %q, want the delivery's id", mid)
	}
	if subj, _ := h.Subject(); subj != "Hello" || h.Get("List-Id") != "Servicekatalog test <test.servicekatalog.test>" {
		t.Errorf("Subject %q, List-Id %q", subj, h.Get("List-Id"))
	}
	if strings.TrimSpace(got[0].Text) != "Plain text." || strings.TrimSpace(got[0].HTML) != "<p>Plain text.</p>" {
		t.Errorf("parts: text %q, html %q", got[0].Text, got[0].HTML)
	}
	if n := len(env.MailsTo(t, "rolled-back@kk.example", "", 0)); n != 0 {
		t.Errorf("the rolled-back delivery arrived %d times", n)
	}
}

// A 4xx is retried until the server accepts; a 5xx is dead at once and waits in the dead letter
// list until an administrator redrives it, when it arrives with the same Message-ID.
func TestFailuresAreRetriedOrDeadAndRedriven(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(4), apptest.FastRetries())
	var flaky, gone atomic.Int32
	env.Mail.Reject(func(rcpt string) error {
		switch {
		case rcpt == "flaky@kk.example" && flaky.Add(1) <= 2:
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
		case rcpt == "gone@kk.example" && gone.Load() == 0:
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
		case rcpt == "full@kk.example":
			return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full"}
		}
		return nil
	})
	if err := enqueue(t, env, false, message("flaky@kk.example", "Flaky"), message("gone@kk.example", "Gone"),
		message("full@kk.example", "Full")); err != nil {
		t.Fatal(err)
	}
	d := settled(t, env, delivery.ID("test", "Flaky", delivery.Mail, "flaky@kk.example"))
	var outcomes, log []string
	for _, a := range d.History {
		outcomes = append(outcomes, a.Outcome)
		log = append(log, fmt.Sprintf("#%d %s %.27s", a.N, a.Outcome, strings.TrimPrefix(a.Error, "send failed: sending SMTP RCPT TO command: ")))
	}
	t.Logf("flaky@: %s", strings.Join(log, "; "))
	if d.State != delivery.Delivered || strings.Join(outcomes, ",") != "temporary,temporary,delivered" ||
		!strings.Contains(d.History[0].Error, "451") {
		t.Errorf("flaky: %s after %v (%+v)", d.State, outcomes, d.History)
	}
	full := settled(t, env, delivery.ID("test", "Full", delivery.Mail, "full@kk.example"))
	if full.State != delivery.Dead || full.Attempts != delivery.MaxAttempts || !strings.Contains(full.LastError, "452") {
		t.Errorf("always 4xx: %s after %d attempts (%s), want dead after %d", full.State, full.Attempts, full.LastError, delivery.MaxAttempts)
	}
	t.Logf("full@: %s after %d attempts, last %.60q", full.State, full.Attempts, full.LastError)
	dead := settled(t, env, delivery.ID("test", "Gone", delivery.Mail, "gone@kk.example"))
	if dead.State != delivery.Dead || dead.Attempts != 1 || dead.History[0].Outcome != "permanent" || !strings.Contains(dead.LastError, "550") {
		t.Fatalf("5xx: %+v", dead)
	}
	page, err := env.App.Deliveries.List(context.Background(), delivery.Filter{State: delivery.Dead}, page.Request{Limit: 50})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("dead letter list = %d items (%v), want the 5xx and the exhausted one", len(page.Items), err)
	}
	gone.Store(1) // the mailbox exists now
	if _, err := env.App.Deliveries.Redrive(env.System(), dead.ID, dead.Version); err != nil {
		t.Fatal(err)
	}
	t.Logf("gone@: %s after %d attempt (%.60q), redriven", dead.State, dead.Attempts, dead.LastError)
	again := settled(t, env, dead.ID)
	if again.State != delivery.Delivered || again.Attempts != 2 {
		t.Errorf("redriven: %s after %d attempts", again.State, again.Attempts)
	}
	got := env.MailsTo(t, "gone@kk.example", "", 1)
	if len(got) != 1 {
		t.Fatalf("gone@ received %d mails", len(got))
	}
	if mid, _ := got[0].Header.MessageID(); mid != dead.ID+"@servicekatalog.test" {
		t.Errorf("the redriven mail's Message-ID %q is not the delivery's", mid)
	}
	if n := len(env.AuditOf(t, "delivery.redrive", dead.ID)); n != 1 {
		t.Errorf("redrive wrote %d audit records", n)
	}
	if _, err := env.App.Deliveries.Redrive(env.System(), again.ID, again.Version); err == nil {
		t.Error("a delivered delivery was redriven")
	}
}

// A set's first attempts share jobs, five deliveries to a job; an attempt that fails and may pass
// later is its delivery's own job, which makes the next attempt.
func TestFirstAttemptsShareJobsAndARetryIsItsOwn(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(4), apptest.FastRetries())
	flakyID := delivery.ID("test", "Batch", delivery.Mail, "flaky@kk.example")
	env.Mail.Reject(func(rcpt string) error { // flaky@ refuses until its first attempt is recorded
		if rcpt != "flaky@kk.example" {
			return nil
		}
		if d, err := env.App.Deliveries.Get(context.Background(), flakyID); err == nil && d.Attempts > 0 {
			return nil
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	})
	items := []delivery.New{message("flaky@kk.example", "Batch")}
	for i := range 11 {
		items = append(items, message(fmt.Sprintf("box%d@kk.example", i), "Batch"))
	}
	if err := enqueue(t, env, false, items...); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if d := settled(t, env, delivery.ID("test", "Batch", delivery.Mail, it.Recipient)); d.State != delivery.Delivered {
			t.Fatalf("%s: %s", it.Recipient, d.State)
		}
	}
	var jobs []struct {
		IDs     int
		Attempt int
	}
	if err := env.App.DB.Conn(context.Background()).Raw(`SELECT jsonb_array_length(args->'ids') AS ids, (args->>'attempt')::int AS attempt
		FROM river_job WHERE kind = 'delivery.send' ORDER BY id`).Scan(&jobs).Error; err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(jobs)
	if got != "[{5 1} {5 1} {2 1} {1 2}]" {
		t.Errorf("jobs {deliveries, attempt} = %s, want three first-attempt jobs of 5, 5 and 2, then the retry of one", got)
	}
	flakyD := settled(t, env, flakyID)
	if flakyD.Attempts != 2 || flakyD.History[0].Outcome != "temporary" || flakyD.History[1].Outcome != "delivered" {
		t.Errorf("flaky@: %+v", flakyD.History)
	}
}

// A delivery whose stored message does not decode is dead at once, with the reason, and the
// others of its job are sent.
func TestAnUndecodableMessageDoesNotHoldUpItsJob(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(4))
	bad := delivery.ID("test", "Mixed", delivery.Mail, "bad@kk.example")
	err := env.App.DB.InTx(env.System(), func(ctx context.Context) error {
		if _, err := env.App.Deliveries.Enqueue(ctx, message("bad@kk.example", "Mixed"), message("good@kk.example", "Mixed")); err != nil {
			return err
		}
		return env.App.DB.Conn(ctx).Exec(`UPDATE deliveries SET message = '[]' WHERE id = ?`, bad).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := settled(t, env, delivery.ID("test", "Mixed", delivery.Mail, "good@kk.example")); d.State != delivery.Delivered {
		t.Errorf("good@: %s (%s)", d.State, d.LastError)
	}
	var got struct { // read as stored: the record's message does not decode either
		State     delivery.State
		Attempts  int
		LastError string
	}
	if err := env.App.DB.Conn(context.Background()).Raw(`SELECT state, attempts, last_error FROM deliveries WHERE id = ?`, bad).
		Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if got.State != delivery.Dead || got.Attempts != 1 || !strings.Contains(got.LastError, "the stored message") {
		t.Errorf("bad@: %+v, want dead after one attempt, saying why", got)
	}
}
