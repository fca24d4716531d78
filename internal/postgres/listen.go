package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen calls changed whenever a transaction that called pg_notify(channel) commits, on any
// instance, until ctx ends. It also calls it on every (re)connection, since notifications may
// have been missed while the connection was down, and reconnects a second after a failure.
func (db *DB) Listen(ctx context.Context, channel string, log *slog.Logger, changed func(ctx context.Context) error) {
	for ctx.Err() == nil {
		if err := db.listenOnce(ctx, channel, changed); err != nil && ctx.Err() == nil {
			log.Warn("listener", "channel", channel, "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

func (db *DB) listenOnce(ctx context.Context, channel string, changed func(ctx context.Context) error) error {
	conn, err := pgx.Connect(ctx, db.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	for {
		if err := changed(ctx); err != nil {
			return err
		}
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
	}
}

// Notify announces a change on channel within the transaction of ctx; PostgreSQL delivers it
// to the listeners only if the transaction commits.
func (db *DB) Notify(ctx context.Context, channel string) error {
	return db.Conn(ctx).Exec(`SELECT pg_notify(?, '')`, channel).Error
}
