// Package idempotency makes creating requests safe to retry. The caller's Idempotency-Key travels
// in the context; the service method runs its work through Run, which claims the key as the
// first statement of the work's transaction, so the key's row and the work commit together. A
// replay returns the stored result; the same key with another request is refused; the same key
// while the first request is still running is a conflict.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// Retention is how long keys are kept; a key older than this may be reused.
const Retention = 24 * time.Hour

type state struct {
	subject, key, target string
	replayed             bool
}

type ctxKey struct{}

// WithKey returns ctx carrying the caller's key, scoped to the caller's subject, for a request
// to target (its method and path): the same key and body sent to another object is another
// request, refused rather than answered with the first object's result.
func WithKey(ctx context.Context, subject, key, target string) context.Context {
	return context.WithValue(ctx, ctxKey{}, &state{subject: subject, key: key, target: target})
}

// Replayed reports whether the request of ctx was answered from a stored result.
func Replayed(ctx context.Context) bool {
	s, ok := ctx.Value(ctxKey{}).(*state)
	return ok && s.replayed
}

// Run is how every creating use case runs: in a transaction (or the one ctx carries) whose
// first statement claims the caller's key, so that no check of data that may change since runs
// before a retry is recognised. fn runs unless the key has already been used for this operation
// and request, in which case the stored result is returned; without a key in ctx fn simply runs.
func Run[T any](ctx context.Context, db *postgres.DB, operation string, request any, fn func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = once(ctx, db, operation, request, fn)
		return err
	})
	return out, err
}

func once[T any](ctx context.Context, db *postgres.DB, operation string, request any, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	s, ok := ctx.Value(ctxKey{}).(*state)
	if !ok {
		return fn(ctx)
	}
	body, err := json.Marshal(struct {
		Op     string `json:"op"`
		Target string `json:"target"`
		Req    any    `json:"req"`
	}{operation, s.target, request})
	if err != nil {
		return zero, err
	}
	hash := sha256.Sum256(body)
	conn := db.Conn(ctx)
	var prev []struct {
		Locked      bool
		RequestHash []byte
		Result      []byte
	}
	if err := conn.Raw(lookup, s.subject+" "+s.key, s.subject, s.key, Retention.Seconds()).Scan(&prev).Error; err != nil {
		return zero, err
	}
	switch {
	case !prev[0].Locked:
		return zero, inProgress
	case prev[0].RequestHash == nil:
	case string(prev[0].RequestHash) != string(hash[:]):
		return zero, apperr.Header(apperr.Unprocessable, "Idempotency-Key", "this key was used with a different request")
	default:
		var out T
		if err := json.Unmarshal(prev[0].Result, &out); err != nil {
			return zero, err
		}
		s.replayed = true
		return out, nil
	}
	out, err := fn(ctx)
	if err != nil {
		return zero, err
	}
	result, err := json.Marshal(out)
	if err != nil {
		return zero, err
	}
	err = db.Defer(ctx, func(rows int64) error {
		if rows == 0 {
			return inProgress
		}
		return nil
	}, store, s.subject, s.key, hash[:], result, Retention.Seconds())
	return out, err
}

var inProgress = apperr.Header(apperr.Conflict, "Idempotency-Key", "a request with this key is still in progress")

// lookup takes the key's lock (held until the transaction ends) and reads a live row for the key
// in one round trip. The read's snapshot may predate the commit of a request that held the lock
// a moment ago; store then finds that request's row and refuses, so a key never runs twice.
const lookup = `SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0)) AS locked, k.request_hash, k.result
	FROM (SELECT 1) one LEFT JOIN idempotency_keys k
	ON k.subject = ? AND k.key = ? AND k.created_at > now() - make_interval(secs => ?)`

// store records the result; an expired row with the same key is replaced, a live one is not.
const store = `INSERT INTO idempotency_keys (subject, key, request_hash, result) VALUES (?, ?, ?, ?)
	ON CONFLICT (subject, key) DO UPDATE SET request_hash = excluded.request_hash, result = excluded.result, created_at = now()
	WHERE idempotency_keys.created_at <= now() - make_interval(secs => ?)`

// Purge deletes the keys older than Retention and returns how many.
func Purge(ctx context.Context, db *postgres.DB) (int64, error) {
	res := db.Conn(ctx).Exec(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => ?)`, Retention.Seconds())
	return res.RowsAffected, res.Error
}
