package idempotency_test

import (
	"context"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

func once(ctx context.Context, db *postgres.DB, req string, fn func(ctx context.Context) (string, error)) (string, error) {
	return idempotency.Run(ctx, db, "test.op", req, fn)
}

func TestKeysReplayRefuseOtherRequestsAndNeverRunTwice(t *testing.T) {
	db := pgtest.New(t)
	ctx := idempotency.WithKey(context.Background(), "alice", "k1", "POST /things")
	runs := 0
	work := func(ctx context.Context) (string, error) { runs++; return "result", nil }

	if out, err := once(ctx, db, "a", work); err != nil || out != "result" {
		t.Fatalf("first: %q %v", out, err)
	}
	if out, err := once(ctx, db, "a", work); err != nil || out != "result" || runs != 1 {
		t.Fatalf("replay: %q %v, runs %d", out, err, runs)
	}
	if _, err := once(ctx, db, "b", work); !apperr.Is(err, apperr.Unprocessable) {
		t.Fatalf("same key, other request: %v", err)
	}
	// The same key and body sent to another object is another request.
	elsewhere := idempotency.WithKey(context.Background(), "alice", "k1", "POST /other-things")
	if _, err := once(elsewhere, db, "a", work); !apperr.Is(err, apperr.Unprocessable) || runs != 1 {
		t.Fatalf("same key and body, other target: %v, runs %d", err, runs)
	}
	// Another subject's key of the same name is its own.
	if _, err := once(idempotency.WithKey(context.Background(), "bob", "k1", "POST /things"), db, "b", work); err != nil || runs != 2 {
		t.Fatalf("other subject: %v, runs %d", err, runs)
	}

	// The lookup's snapshot can predate the commit of a request with the same key that released
	// its lock a moment before. Here such a row commits while the work runs: the late result is
	// refused (and its transaction rolled back), and the key keeps the first result.
	late := idempotency.WithKey(context.Background(), "alice", "k2", "POST /things")
	_, err := once(late, db, "a", func(ctx context.Context) (string, error) {
		err := db.Conn(context.Background()).Exec(`INSERT INTO idempotency_keys (subject, key, request_hash, result)
			SELECT subject, 'k2', request_hash, '"first"' FROM idempotency_keys WHERE subject = 'alice' AND key = 'k1'`).Error
		return "second", err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("late result: %v", err)
	}
	if out, err := once(late, db, "a", work); err != nil || out != "first" {
		t.Fatalf("after the late result: %q %v", out, err)
	}
}
