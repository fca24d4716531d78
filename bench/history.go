package main

import (
	"context"
	"fmt"

	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// historySeed is what a year of use leaves in the tables the write path appends to: an order for
// every subscription, with its event, its two mails (the mailbox and the unit's admin) and their
// attempts, and a day of finished sending jobs. Started from empty tables, the bench's own writes
// grew them from nothing to tens of thousands of rows within a minute, and PostgreSQL kept the
// plans it had made while they were nearly empty (sequential scans: of the deliveries, 12.8 ms a
// statement by the end of a run) until autovacuum analysed them; a platform in use has these rows.
var historySeed = []string{
	`CREATE TEMP TABLE history AS
	   SELECT md5('history' || s.id)::uuid AS id, s.municipality, s.unit, now() - interval '1 year' + n * interval '45 minutes' AS at
	     FROM (SELECT id, municipality, unit, row_number() OVER (ORDER BY id) AS n FROM subscriptions) s`,
	`INSERT INTO orders (id, municipality, unit, state, created_by, created_at, updated_at)
	   SELECT id, municipality, unit, 'completed', 'bench', at, at FROM history`,
	`INSERT INTO order_events (order_id, seq, from_state, to_state, actor, at) SELECT id, 1, '', 'acknowledged', 'bench', at FROM history`,
	`INSERT INTO notice_events (key, event, created_at, dispatched_at, next_at)
	   SELECT 'order/' || id || '/1', jsonb_build_object('tag', 'ORDRE', 'key', 'order/' || id || '/1', 'municipality', municipality,
	          'unit', unit, 'title', 'Order ' || left(id::text, 8) || ' is acknowledged', 'text', repeat('Bestilling / Order ', 12)), at, at, at
	     FROM history`,
	`INSERT INTO deliveries (id, subject_type, subject_id, channel, recipient, tenant, sender, message, state, attempts, created_at,
	                         updated_at, delivered_at)
	   SELECT md5(to_ || h.id)::uuid, 'event', 'order/' || h.id || '/1', 'mail', to_ || '@' || h.municipality || '.example',
	          'municipality:' || h.municipality, 'platform',
	          jsonb_build_object('subject', '[ORDRE] Order ' || left(h.id::text, 8) || ' is acknowledged',
	                             'text', repeat('Bestilling / Order: ' || h.id || E'\n', 20), 'html', repeat('<p>Bestilling / Order: ' || h.id || '</p>', 20)),
	          'delivered', 1, h.at, h.at, h.at
	     FROM history h CROSS JOIN unnest(ARRAY['it-drift', 'admin']) AS to_`,
	`INSERT INTO delivery_attempts (delivery_id, n, at, outcome, duration_ms, worker)
	   SELECT md5(to_ || h.id)::uuid, 1, h.at, 'delivered', 3, 'bench' FROM history h CROSS JOIN unnest(ARRAY['it-drift', 'admin']) AS to_`,
	`INSERT INTO river_job (kind, args, attempt, max_attempts, state, attempted_at, created_at, scheduled_at, finalized_at)
	   SELECT 'delivery.send', jsonb_build_object('ids', jsonb_build_array(gen_random_uuid(), gen_random_uuid()), 'attempt', 1), 1, 10,
	          'completed', now() - n * interval '10 seconds', now() - n * interval '10 seconds', now() - n * interval '10 seconds',
	          now() - n * interval '10 seconds'
	     FROM generate_series(1, 8000) n`,
}

// seedAudit writes n audit records of orders through the audit log, as the changes' own
// transactions do (real digests, so that audit verify holds), a hundred to a transaction; the
// running product's sequencer seals them.
func seedAudit(ctx context.Context, url string, n int) error {
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	var codes []string
	if err := db.Conn(ctx).Raw(`SELECT code FROM municipalities ORDER BY code`).Scan(&codes).Error; err != nil {
		return err
	}
	log := audit.New(db, clock.System{})
	ctx = identity.WithPrincipal(ctx, identity.System("bench"))
	for i := 0; i < n; i += 100 {
		err := db.InTx(ctx, func(ctx context.Context) error {
			for j := i; j < min(i+100, n); j++ {
				code := codes[j%len(codes)]
				if err := log.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(code), Action: "order.create", ObjectType: "order",
					ObjectID: fmt.Sprintf("history-%d", j), Diff: map[string]any{"municipality": code, "state": "acknowledged"}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
