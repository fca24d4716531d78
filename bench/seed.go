package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// seed loads the benchmark's deterministic data straight into the database the product has
// migrated and demo-seeded: 25 more units so that there are ~500 published offerings (every unit
// offers every standard service), ~20 users per tenant, ~10,000 subscriptions, 2,000 tickets, the
// activation gate met for municipality 101, and the baseline's insert table. It analyses the
// tables, then tells the running product to reload its authorisation snapshot.
func seed(ctx context.Context, url string) (seeded, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return seeded{}, err
	}
	defer conn.Close(ctx)
	steps := []string{
		`CREATE TABLE bench_rows (id uuid PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz NOT NULL)`,
		`INSERT INTO units (slug, name, region, demo) SELECT 'bench-' || lpad(n::text, 2, '0'), 'Bench unit ' || n, 'Region Midtjylland', true
		   FROM generate_series(1, 25) n`,
		`INSERT INTO offerings (id, unit, service_id, created_by, created_at)
		   SELECT md5(u.slug || s.id)::uuid, u.slug, s.id, 'bench', now() FROM units u CROSS JOIN catalog_entries s WHERE s.kind = 'service'`,
		`INSERT INTO offering_versions (offering_id, number, state, levels, terms, submitted_at, published_at, created_by, created_at, updated_at)
		   SELECT o.id, 1, 'published', ARRAY(SELECT jsonb_array_elements_text(s.doc->'levels')),
		          jsonb_build_object('levels', (SELECT jsonb_agg(jsonb_build_object('level', l, 'monthly_price', '690.00', 'one_off_fee', '1200.00'))
		                                          FROM jsonb_array_elements_text(s.doc->'levels') l),
		                             'capacity_limit', 100000, 'lead_time_days', 5, 'delivery', 'own', 'delivery_notes', '',
		                             'contact', 'servicedesk@bench.example', 'claims_conformance', false),
		          now(), now(), 'bench', now(), now()
		     FROM offerings o JOIN catalog_entries s ON s.kind = 'service' AND s.id = o.service_id`,
		`INSERT INTO users (id, username, subject, name, email, home_tenant, demo)
		   SELECT md5(t.tenant || n)::uuid, 'bench.' || replace(t.tenant, ':', '.') || '.' || n, 'bench.' || replace(t.tenant, ':', '.') || '.' || n,
		          'Bench user', 'bench@bench.example', t.tenant, true
		     FROM (SELECT 'municipality:' || code AS tenant, 'first_line' AS role FROM municipalities
		           UNION ALL SELECT 'unit:' || slug, 'second_line' FROM units) t CROSS JOIN generate_series(1, 20) n`,
		`INSERT INTO role_assignments (id, user_id, role, tenant, created_by)
		   SELECT md5('ra' || u.id)::uuid, u.id, CASE WHEN u.home_tenant LIKE 'unit:%' THEN 'second_line' ELSE 'first_line' END, u.home_tenant, 'bench'
		     FROM users u WHERE u.username LIKE 'bench.%'`,
		// The first bench user of each municipality is also its SPOC: the orders spread over many.
		`INSERT INTO role_assignments (id, user_id, role, tenant, created_by)
		   SELECT md5('spoc' || u.id)::uuid, u.id, 'spoc', u.home_tenant, 'bench'
		     FROM users u WHERE u.username LIKE 'bench.municipality.%.1'`,
		`INSERT INTO mailboxes (municipality, address, verified_at, updated_at)
		   SELECT code, 'it-drift@' || code || '.example', now(), now() FROM municipalities`,
		`INSERT INTO terms_acceptances (id, municipality, terms_version, accepted_by, accepted_name, accepted_at)
		   SELECT md5('terms' || code)::uuid, code, '2026-1', 'bench', 'bench', now() FROM municipalities`,
		`INSERT INTO risk_assessments (id, municipality, family, document_ref, sha256, assessed_on, approved_by, registered_by, registered_at)
		   SELECT md5('ros' || m.code || f.id)::uuid, m.code, f.id, 'BENCH', repeat('ab', 32), current_date, 'bench', 'bench', now()
		     FROM municipalities m CROSS JOIN catalog_entries f WHERE f.kind = 'family'`,
		`INSERT INTO orders (id, municipality, unit, state, created_by, created_at, updated_at)
		   SELECT md5('order' || code)::uuid, code, owner_unit, 'completed', 'bench', now(), now() FROM municipalities`,
		`INSERT INTO subscriptions (id, municipality, unit, offering_id, offering_version, service_id, family, level, quantity, parameters,
		                           monthly_price, one_off_fee, state, started_on, order_id, created_at, updated_at)
		   SELECT md5('sub' || m.code || n)::uuid, m.code, m.owner_unit, o.id, 1, o.service_id, s.doc->>'family',
		          s.doc->'levels'->>0, 1 + n % 5, '{}', 690, 1200, 'active', current_date, md5('order' || m.code)::uuid, now(), now()
		     FROM municipalities m CROSS JOIN generate_series(1, 102) n
		     JOIN LATERAL (SELECT id, service_id FROM offerings WHERE unit = m.owner_unit ORDER BY service_id OFFSET n % 17 LIMIT 1) o ON true
		     JOIN catalog_entries s ON s.kind = 'service' AND s.id = o.service_id`,
		`INSERT INTO tickets (id, municipality, subscription_id, title, description, priority, category, reporter, state, created_by, created_at, updated_at)
		   SELECT md5('ticket' || s.id)::uuid, s.municipality, s.id, 'Bench ticket', '', 'P' || (1 + n % 4), 'incident', 'bench', 'open', 'bench', now(), now()
		     FROM (SELECT id, municipality, row_number() OVER (ORDER BY id) AS n FROM subscriptions) s WHERE s.n <= 2000`,
	}
	steps = append(steps, slaSeed...)
	steps = append(steps, usageSeed...)
	steps = append(steps, historySeed...)
	steps = append(steps,
		`ANALYZE`, // both sides plan with current statistics, not whenever autovacuum gets to it
		`SELECT pg_notify('servicekatalog_authz', '')`)
	if err := seedAudit(ctx, url, 11000); err != nil {
		return seeded{}, fmt.Errorf("seed audit records: %w", err)
	}
	for i, sql := range steps {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return seeded{}, fmt.Errorf("seed step %d (%s…): %w", i+1, strings.Fields(sql)[0], err)
		}
	}
	var s seeded
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM offerings`: &s.offerings, `SELECT count(*) FROM subscriptions`: &s.subscriptions,
		`SELECT count(*) FROM users`: &s.users, `SELECT count(*) FROM tickets`: &s.tickets,
	} {
		if err := conn.QueryRow(ctx, q).Scan(dst); err != nil {
			return s, err
		}
	}
	err = conn.QueryRow(ctx, `SELECT o.id FROM offerings o WHERE o.unit = 'hovedstaden' AND o.service_id = 'CMP-01'`).Scan(&s.orderOffering)
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT id FROM subscriptions WHERE municipality = '101' ORDER BY id LIMIT 1`).Scan(&s.ticketSubscription)
	}
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT id FROM offerings ORDER BY id OFFSET 250 LIMIT 1`).Scan(&s.readOffering)
	}
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT md5('hovedstaden' || 'STO-01')::uuid`).Scan(&s.outageOffering)
	}
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT count(*) FROM availability_months`).Scan(&s.rollups)
	}
	if err != nil {
		return s, err
	}
	// The municipalities the spread orders come from, each ordering its owner unit's CMP-01.
	rows, err := conn.Query(ctx, `SELECT m.code, o.id FROM municipalities m JOIN offerings o ON o.unit = m.owner_unit AND o.service_id = 'CMP-01'
		ORDER BY m.code LIMIT $1`, spreadOver)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var o spreadOrder
		if err := rows.Scan(&o.municipality, &o.offering); err != nil {
			return s, err
		}
		s.spread = append(s.spread, o)
	}
	return s, rows.Err()
}

// spreadOver is how many municipalities the spread orders come from: as many audit chains.
const spreadOver = 24

// spreadOrder is a municipality of the spread orders and the offering it orders.
type spreadOrder struct{ municipality, offering, token string }

// seeded is what the scenarios need to know of the seed.
type seeded struct {
	offerings, subscriptions, users, tickets, rollups int
	readOffering, orderOffering, outageOffering       string
	ticketSubscription                                string
	spread                                            []spreadOrder
}
