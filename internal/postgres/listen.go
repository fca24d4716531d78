package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen calls the handler of a channel whenever a transaction that called pg_notify on it
// commits, on any instance, until ctx ends. It calls every handler on each (re)connection, since
// notifications may have been missed while the connection was down, and reconnects a second
// after a failure. One connection serves every channel, to PostgreSQL itself (DirectURL): a
// transaction pooler would not keep a LISTEN.
func (db *DB) Listen(ctx context.Context, log *slog.Logger, handlers map[string]func(ctx context.Context) error) {
	for ctx.Err() == nil {
		if err := db.listenOnce(ctx, handlers); err != nil && ctx.Err() == nil {
			log.Warn("listener", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

func (db *DB) listenOnce(ctx context.Context, handlers map[string]func(ctx context.Context) error) error {
	conn, err := pgx.Connect(ctx, db.direct)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for channel := range handlers {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
			return err
		}
	}
	for _, changed := range handlers {
		if err := changed(ctx); err != nil {
			return err
		}
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if changed, ok := handlers[n.Channel]; ok {
			if err := changed(ctx); err != nil {
				return err
			}
		}
	}
}

// Notify announces a change on channel within the transaction of ctx; PostgreSQL delivers it
// to the listeners only if the transaction commits.
func (db *DB) Notify(ctx context.Context, channel string) error {
	return db.Conn(ctx).Exec(`SELECT pg_notify(?, '')`, channel).Error
}
