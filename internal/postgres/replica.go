package postgres

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// replicaResolver names the dbresolver configuration that holds the replica: statements reach it
// only when they ask for it (Conn of a context Stale marked); every other statement stays on the
// primary.
const replicaResolver = "replica"

// replicaWait is how long a read waits for the replica to replay what the primary has written
// before it goes to the primary instead: streaming replication on a local network is a
// millisecond or two behind.
const replicaWait = 20 * time.Millisecond

// replicaRest is how long a replica that failed is left alone before it is tried again.
const replicaRest = 5 * time.Second

// replica is a streaming replica (pg_basebackup -R) that serves the reads that accept data a
// moment old, while it has replayed what the caller may have seen.
type replica struct {
	sql       *sql.DB
	restUntil atomic.Int64 // unix nanoseconds: not tried before then
	served    atomic.Int64 // reads the replica answered
	primary   atomic.Int64 // reads Stale gave the primary: the replica behind, failed or resting
}

type replicaKey struct{}

// StaleReads counts the reads Stale gave to the replica and to the primary.
func (db *DB) StaleReads() (replica, primary int64) {
	if db.replica == nil {
		return 0, 0
	}
	return db.replica.served.Load(), db.replica.primary.Load()
}

// Stale runs read, which accepts data a moment old, on the replica if db has one and it has
// replayed the primary's write-ahead log up to where it stood when Stale was called. So a caller
// reads its own writes, on any instance, and every write whose answer anyone had before the read
// began: the read is as fresh as on the primary, only elsewhere. Otherwise, and when the replica
// fails meanwhile, read runs on the primary; a failed replica rests for replicaRest.
func Stale[T any](ctx context.Context, db *DB, read func(ctx context.Context) (T, error)) (T, error) {
	r := db.replica
	if r == nil || ctx.Value(txKey{}) != nil {
		return read(ctx)
	}
	if r.caughtUp(ctx, db.sql) {
		v, err := read(context.WithValue(ctx, replicaKey{}, true))
		if !r.failed(err) {
			r.served.Add(1)
			return v, err
		}
	}
	r.primary.Add(1)
	return read(ctx)
}

// caughtUp reports whether the replica has replayed the primary's log as far as it had been
// written now, waiting up to replicaWait for it to get there (under a steady stream of writes it is
// always a moment behind); a replica that does not answer rests.
func (r *replica) caughtUp(ctx context.Context, primary *sql.DB) bool {
	if time.Now().UnixNano() < r.restUntil.Load() {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var lsn string
	if err := primary.QueryRowContext(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn); err != nil {
		return false
	}
	for deadline := time.Now().Add(replicaWait); ; time.Sleep(replicaWait / 10) {
		var ok bool
		err := r.sql.QueryRowContext(ctx, `SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, lsn).Scan(&ok)
		if err != nil {
			r.failed(err)
			return false
		}
		if ok || time.Now().After(deadline) {
			return ok
		}
	}
}

// failed reports whether err is the replica's failure rather than the read's answer: it cannot be
// reached (it then rests), or it refused the read as a standby does.
func (r *replica) failed(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	// 40001: cancelled for a conflict with recovery; 25006: a read that would write, which only
	// the primary may.
	var pg *pgconn.PgError
	if errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "25006") {
		return true
	}
	if apperr.Is(err, apperr.Unavailable) || unavailable(err) {
		r.restUntil.Store(time.Now().Add(replicaRest).UnixNano())
		return true
	}
	return false
}

// OnReplica reports whether reads through Conn(ctx) go to the replica, which may not yet have
// replayed the latest change.
func OnReplica(ctx context.Context) bool { return ctx.Value(replicaKey{}) != nil }

// onReplica is the pool's handle routed to the replica, for the reads of a Stale call.
func onReplica(g *gorm.DB) *gorm.DB {
	return g.Clauses(dbresolver.Use(replicaResolver), dbresolver.Read)
}
