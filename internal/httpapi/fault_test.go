package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// TestABackendKilledMidTransactionIsA503AndLeavesNothing: the database connection of a request is
// terminated while its transaction runs. The client gets 503 with Retry-After, nothing of the
// change is stored, and the retry with the same Idempotency-Key succeeds exactly once.
func TestABackendKilledMidTransactionIsA503AndLeavesNothing(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, env.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, sql := range []string{
		`CREATE FUNCTION slow_unit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$`,
		`CREATE TRIGGER slow_unit BEFORE INSERT ON units FOR EACH ROW EXECUTE FUNCTION slow_unit()`,
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	sec := env.Token("secretariat")
	req := apptest.Request{Method: "POST", Path: "/api/v1/units", Token: sec, Header: map[string]string{"Idempotency-Key": "unit-oest"},
		Body: map[string]any{"slug": "oest", "name": "Fælles IT Øst", "region": "Region Sjælland"}}
	done := make(chan apptest.Response, 1)
	go func() { done <- env.Do(req) }()

	var killed bool
	for deadline := time.Now().Add(4 * time.Second); time.Now().Before(deadline) && !killed; time.Sleep(20 * time.Millisecond) {
		if err := admin.QueryRow(ctx, `SELECT coalesce(bool_or(pg_terminate_backend(pid)), false) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%INSERT INTO "units"%'`).Scan(&killed); err != nil {
			t.Fatal(err)
		}
	}
	if !killed {
		t.Fatal("the request's backend was never seen running the insert")
	}
	resp := <-done
	if resp.Status != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("killed mid-transaction: %d Retry-After %q %s", resp.Status, resp.Header.Get("Retry-After"), resp.Body)
	}
	resp.Problem(t)
	var units, audits int
	admin.QueryRow(ctx, `SELECT count(*) FROM units WHERE slug = 'oest'`).Scan(&units)
	admin.QueryRow(ctx, `SELECT count(*) FROM audit_records WHERE object_id = 'oest'`).Scan(&audits)
	if units != 0 || audits != 0 {
		t.Fatalf("half-written: %d units, %d audit records", units, audits)
	}

	if _, err := admin.Exec(ctx, `DROP TRIGGER slow_unit ON units`); err != nil {
		t.Fatal(err)
	}
	first := env.Do(req)
	again := env.Do(req)
	if first.Status != 201 || again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retries: %d then %d (replayed %q): %s", first.Status, again.Status, again.Header.Get("Idempotent-Replayed"), first.Body)
	}
	admin.QueryRow(ctx, `SELECT count(*) FROM units WHERE slug = 'oest'`).Scan(&units)
	if units != 1 || !strings.Contains(string(first.Body), `"slug":"oest"`) {
		t.Errorf("after the retries: %d units", units)
	}
}
