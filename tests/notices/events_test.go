package notices_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// Events are queued in the change's transaction and dispatched in batches: an event announced
// twice is one event and one mail to each address; an event that cannot be dispatched holds the
// others of its batch back no longer than it takes to try each alone, and waits with its error.
func TestEventsAreDispatchedInBatchesAndABadOneHoldsNoneBack(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(2))
	env.VerifyMailbox(t, "101", "it-drift@kk.example")
	db := env.App.DB.Conn(context.Background())
	event := func(n string) notice.Event {
		return notice.Event{Tag: "ORDRE", Key: "test/" + n, Municipality: "101", Unit: "hovedstaden", Role: tenant.UnitAdmin,
			Title: "Event " + n, Text: "Event " + n + " happened.\n"}
	}
	good, _ := json.Marshal([]notice.Event{event("a"), event("b")})
	// One statement, so that the dispatcher finds the three in one batch: the first cannot be read.
	if err := db.Exec(`INSERT INTO notice_events (key, event) SELECT 'test/bad', '{"tag": 5}'
		UNION ALL SELECT e->>'key', e FROM jsonb_array_elements(?::jsonb) e`, string(good)).Error; err != nil {
		t.Fatal(err)
	}
	// Announced again while the first is pending or after it was dispatched: the same event.
	if err := env.App.Notices.AnnounceAll(env.System(), []notice.Event{event("a"), event("a")}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"it-drift@kk.example", "unit_admin.hovedstaden@demo.example"} {
		mails := env.MailsTo(t, to, "[ORDRE] Event", 2)
		var subjects []string
		for _, m := range mails {
			subjects = append(subjects, m.Subject())
		}
		if got := strings.Join(subjects, " | "); !strings.Contains(got, "Event a") || !strings.Contains(got, "Event b") {
			t.Errorf("%s received %q", to, got)
		}
	}
	time.Sleep(300 * time.Millisecond) // a second mail of event a would have come by now
	if n := len(env.MailsTo(t, "it-drift@kk.example", "[ORDRE] Event a", 1)); n != 1 {
		t.Errorf("event a was mailed %d times", n)
	}
	// A job of the kind an event was before (an instance of the earlier version enqueued it while
	// a rolling upgrade ran) is queued as an event and delivered.
	err := env.App.DB.InTx(env.System(), func(ctx context.Context) error {
		return env.App.Jobs.Enqueue(ctx, legacyEvent{event("old")}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(env.MailsTo(t, "unit_admin.hovedstaden@demo.example", "[ORDRE] Event old", 1)); n != 1 {
		t.Errorf("the event of the earlier version's job was mailed %d times", n)
	}
	var rows []struct {
		Key        string
		Dispatched bool
		Attempts   int
		LastError  string
	}
	db.Raw(`SELECT key, dispatched_at IS NOT NULL AS dispatched, attempts, last_error FROM notice_events WHERE key LIKE 'test/%' AND key <> 'test/old' ORDER BY key`).
		Scan(&rows)
	if len(rows) != 3 || !rows[0].Dispatched || !rows[1].Dispatched || rows[2].Key != "test/bad" || rows[2].Dispatched ||
		rows[2].Attempts < 1 || !strings.Contains(rows[2].LastError, "cannot unmarshal") {
		t.Errorf("the events: %+v", rows)
	}
}

type legacyEvent struct{ notice.Event }

func (legacyEvent) Kind() string { return "notice.announce" }
