package postgres_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

// Every migration can be undone: down to nothing and up again leaves the schema as it was.
func TestMigrationsGoDownAndUpAgain(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	schema := func() string {
		var cols []string
		if err := db.Conn(ctx).Raw(`SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
			WHERE table_schema = 'public' ORDER BY 1`).Scan(&cols).Error; err != nil {
			t.Fatal(err)
		}
		return strings.Join(cols, "\n")
	}
	before := schema()
	var out bytes.Buffer
	if err := db.MigrateDownTo(ctx, 0, &out); err != nil {
		t.Fatalf("down: %v\n%s", err, out.String())
	}
	if left := schema(); strings.Contains(left, "river_job") || strings.Contains(left, "tickets.") {
		t.Errorf("down to 0 left tables:\n%s", left)
	}
	if err := db.Migrate(ctx, io.Discard); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if after := schema(); after != before {
		t.Errorf("the schema after down and up differs")
	}
	if !strings.Contains(out.String(), "undid 00006 (Go") || !strings.Contains(out.String(), "undid 00001_foundation.sql") {
		t.Errorf("down reported:\n%s", out.String())
	}
}

// Migration 00028 rewrites the delivery jobs queued in the earlier form, one delivery and River
// counting its attempts, to the form that names its deliveries and the attempt it makes; down
// writes them back.
func TestDeliveryJobsQueuedBeforeTheBatchesAreKept(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if err := db.MigrateDownTo(ctx, 27, io.Discard); err != nil {
		t.Fatal(err)
	}
	const id = "0b7c3f0e-52c1-5a53-9f0c-3f5d0c1f7a11"
	for _, q := range []string{
		`INSERT INTO deliveries (id, subject_type, subject_id, channel, recipient, tenant, sender, message, state, created_at, updated_at)
			VALUES ('` + id + `', 'test', 'x', 'mail', 'it@kk.example', 'municipality:101', 'platform', '{}', 'retrying', now(), now())`,
		`INSERT INTO river_job (kind, args, attempt, max_attempts, state, scheduled_at)
			VALUES ('delivery.send', '{"id": "` + id + `", "channel": "mail"}', 2, 10, 'retryable', now() + interval '1 minute')`,
	} {
		if err := db.Conn(ctx).Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	args := func() string {
		var s string
		if err := db.Conn(ctx).Raw(`SELECT args::text FROM river_job WHERE kind = 'delivery.send'`).Row().Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if err := db.Migrate(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got, want := args(), `{"ids": ["`+id+`"], "attempt": 3}`; got != want {
		t.Errorf("up: %s, want %s", got, want)
	}
	if err := db.MigrateDownTo(ctx, 27, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got, want := args(), `{"id": "`+id+`", "channel": "mail"}`; got != want {
		t.Errorf("down: %s, want %s", got, want)
	}
}
