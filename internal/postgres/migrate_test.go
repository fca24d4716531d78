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
