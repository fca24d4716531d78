// Package postgres opens the connection pool, carries transactions in the context, translates
// database errors into apperr kinds and runs the embedded migrations.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	gormpg "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// DB is the application's database handle.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	url     string
	direct  string
	replica *replica // nil without ReplicaURL
}

// Options tune the pool.
type Options struct {
	MaxConns int
	// MaxIdle is how many connections the pool keeps open while unused. 0: MaxConns, so a
	// burst's connections are reused rather than closed on return and reopened by the next
	// request (each reopening costs a PostgreSQL backend's start and the TLS and auth
	// exchange); the idle time below sheds them once the burst is over.
	MaxIdle          int
	StatementTimeout time.Duration
	// DirectURL reaches PostgreSQL itself when url goes through a pooler that pools by
	// transaction (PgBouncer): what needs one server session for longer than a transaction
	// (LISTEN, the migrations' session lock) uses it. Empty: url.
	DirectURL string
	// ReplicaURL is a streaming replica of the same database, for the reads given to Stale.
	// Empty: none, every read on url.
	ReplicaURL string
}

// Open connects to url and checks the connection.
func Open(ctx context.Context, url string, opt Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if opt.StatementTimeout > 0 {
		cfg.RuntimeParams["statement_timeout"] = fmt.Sprint(opt.StatementTimeout.Milliseconds())
	}
	cfg.RuntimeParams["application_name"] = "servicekatalog"
	cfg.RuntimeParams["timezone"] = "UTC"
	sqlDB := pool(cfg, opt)
	g, err := gorm.Open(dialector{&gormpg.Dialector{Config: &gormpg.Config{Conn: sqlDB}}}, &gorm.Config{
		SkipDefaultTransaction: true,
		DisableAutomaticPing:   true, // callers decide whether to wait for the database
		PrepareStmt:            false,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	})
	if err != nil {
		return nil, err
	}
	db := &DB{gorm: g, sql: sqlDB, url: url, direct: url}
	if opt.DirectURL != "" {
		db.direct = opt.DirectURL
	}
	if opt.ReplicaURL != "" {
		rcfg, err := pgx.ParseConfig(opt.ReplicaURL)
		if err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("DATABASE_REPLICA_URL: %w", err)
		}
		for k, v := range cfg.RuntimeParams {
			rcfg.RuntimeParams[k] = v
		}
		db.replica = &replica{sql: pool(rcfg, opt)}
		err = g.Use(dbresolver.Register(dbresolver.Config{Replicas: []gorm.Dialector{gormpg.New(gormpg.Config{Conn: db.replica.sql})}},
			replicaResolver))
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// pool opens a database/sql pool of the size opt gives.
func pool(cfg *pgx.ConnConfig, opt Options) *sql.DB {
	p := stdlib.OpenDB(*cfg)
	if opt.MaxConns > 0 {
		p.SetMaxOpenConns(opt.MaxConns)
	}
	idle := opt.MaxIdle
	if idle <= 0 {
		idle = opt.MaxConns
	}
	if idle > 0 {
		p.SetMaxIdleConns(idle)
	}
	p.SetConnMaxIdleTime(5 * time.Minute)
	return p
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// SQL is the underlying pool, for migrations and pool metrics.
func (db *DB) SQL() *sql.DB { return db.sql }

// DirectURL reaches PostgreSQL without a transaction pooler between: for LISTEN and session locks.
func (db *DB) DirectURL() string { return db.direct }

// Close closes the pools.
func (db *DB) Close() error {
	if db.replica != nil {
		db.replica.sql.Close()
	}
	return db.sql.Close()
}

// dialector is gorm's PostgreSQL dialect, except that Explain leaves a statement's arguments out
// of its text. gorm's Scan has every statement it runs explained for the logger, whatever the
// log level (and ours discards everything), which formatted each argument into the text: a
// notice's deliveries, a JSON document of hundreds of kilobytes, were escaped and copied on every
// publish. Nothing else asks for the text.
type dialector struct{ *gormpg.Dialector }

func (dialector) Explain(sql string, _ ...any) string { return sql }

type txKey struct{}

// Conn returns the transaction carried by ctx, or the pool (the replica's, in a read Stale gives
// it), bound to ctx.
func (db *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	if ctx.Value(replicaKey{}) != nil {
		return onReplica(db.gorm.WithContext(ctx))
	}
	return db.gorm.WithContext(ctx)
}

// SQLTx returns the database/sql transaction carried by ctx, for libraries that take one.
func (db *DB) SQLTx(ctx context.Context) (*sql.Tx, bool) {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return nil, false
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	return sqlTx, ok
}

// InTx runs fn in a transaction carried by the context handed to fn, then the statements fn
// deferred (Defer), then commits. A nested call joins the outer transaction. Serialization
// failures and deadlocks are retried a few times; every other error rolls back and is returned
// translated.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	var err error
	var after []func()
	for attempt := 0; attempt < 3; attempt++ {
		after = nil
		err = db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var held []deferred
			ctx := context.WithValue(context.WithValue(context.WithValue(ctx, txKey{}, tx), afterKey{}, &after), deferKey{}, &held)
			ctx = context.WithValue(ctx, changedKey{}, map[any]bool{})
			if err := fn(ctx); err != nil {
				return err
			}
			return db.flush(ctx, held)
		})
		if !retryable(err) {
			break
		}
	}
	if err == nil {
		for _, f := range after {
			f()
		}
	}
	return Translate(err)
}

type afterKey struct{}

// AfterCommit runs f once the transaction of ctx has committed (never if it rolls back); without
// a transaction, at once.
func AfterCommit(ctx context.Context, f func()) {
	if after, ok := ctx.Value(afterKey{}).(*[]func()); ok {
		*after = append(*after, f)
		return
	}
	f()
}

type changedKey struct{}

// Changed records that the transaction of ctx changes what (what a cache holds, say), so that
// its reads can tell its own uncommitted change from what everyone reads. Without a transaction
// it does nothing, as the change commits at once.
func Changed(ctx context.Context, what any) {
	if m, ok := ctx.Value(changedKey{}).(map[any]bool); ok {
		m[what] = true
	}
}

// Changes reports whether the transaction of ctx changed what (Changed).
func Changes(ctx context.Context, what any) bool {
	m, _ := ctx.Value(changedKey{}).(map[any]bool)
	return m[what]
}

func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}

// Translate maps database errors to apperr kinds; apperr errors and nil pass through.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.Wrap(apperr.NotFound, "not found", err)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "23505":
			return apperr.Wrap(apperr.Conflict, "conflicts with an existing record", err)
		case pg.Code == "23503":
			return apperr.Wrap(apperr.Conflict, "refers to a record that does not exist or is still referenced", err)
		case pg.Code == "23514" || pg.Code[:2] == "22": // check violations and the data-exception class
			return apperr.Wrap(apperr.Invalid, "a value is out of range or malformed", err)
		case pg.Code == "40001" || pg.Code == "40P01":
			return apperr.Wrap(apperr.Conflict, "a concurrent request changed the same data; retry", err)
		case pg.Code == "57014":
			return apperr.Wrap(apperr.Unavailable, "the database took too long to answer", err)
		case pg.Code[:2] == "08" || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03" || pg.Code == "53300":
			return apperr.Wrap(apperr.Unavailable, "the database is unavailable", err)
		}
		return err
	}
	if unavailable(err) {
		return apperr.Wrap(apperr.Unavailable, "the database is unavailable", err)
	}
	return err
}

func unavailable(err error) bool {
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err)
}

// Take loads the first row q selects into dst, locked for update when lock is set; no row is
// apperr.NotFound for what.
func Take(q *gorm.DB, lock bool, dst any, what string) error {
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return NotFound(q.Take(dst).Error, what)
}

// NotFound names a missing row: gorm's record-not-found becomes apperr.NotFound for what;
// other errors pass through.
func NotFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFoundf(what)
	}
	return err
}
