-- Service levels measured: an outage may name subscriptions besides offerings; every change of an
-- outage is a version; the council closes months; each subscription's month is kept as a roll-up
-- recomputed when its outages change, so that no report rescans them; a ticket keeps whether its
-- clocks met their targets when they stopped.

-- +goose Up
ALTER TABLE outages ADD COLUMN subscriptions uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(subscriptions) <= 1000);
ALTER TABLE outages DROP CONSTRAINT outages_offerings_check;
ALTER TABLE outages ADD CONSTRAINT outages_offerings_check CHECK (cardinality(offerings) <= 100);
ALTER TABLE outages ADD CONSTRAINT outages_affect_something CHECK (cardinality(offerings) + cardinality(subscriptions) > 0);
CREATE INDEX outages_subscriptions ON outages USING gin (subscriptions);
CREATE INDEX outages_open ON outages (started_at) WHERE ended_at IS NULL;

CREATE TABLE outage_versions (
    outage_id   uuid NOT NULL REFERENCES outages (id),
    version     integer NOT NULL,
    outage      jsonb NOT NULL,   -- the outage as this version left it
    action      text NOT NULL CHECK (action IN ('report', 'end', 'correct')),
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL,
    PRIMARY KEY (outage_id, version)
);
INSERT INTO outage_versions (outage_id, version, outage, action, changed_by, changed_at)
SELECT id, version,
       jsonb_build_object('id', id, 'unit', unit, 'kind', kind, 'planned', planned, 'started_at', started_at,
                          'ended_at', ended_at, 'offerings', to_jsonb(offerings), 'subscriptions', '[]'::jsonb,
                          'notice', notice_id, 'announced_at', announced_at, 'title', title, 'description', description,
                          'reported_by', reported_by, 'created_at', created_at, 'updated_at', updated_at, 'version', version),
       CASE WHEN version = 1 THEN 'report' ELSE 'end' END, reported_by, updated_at
FROM outages o;

CREATE TABLE closed_months (
    month      date PRIMARY KEY CHECK (extract(day FROM month) = 1),
    closed_by  text NOT NULL,
    closed_at  timestamptz NOT NULL,
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 2000)
);

CREATE TABLE availability_months (
    subscription_id               uuid NOT NULL REFERENCES subscriptions (id),
    month                         date NOT NULL CHECK (extract(day FROM month) = 1),
    municipality                  text NOT NULL,
    unit                          text NOT NULL,
    service_id                    text NOT NULL,
    level                         text NOT NULL,
    life_from                     date NOT NULL,  -- the subscription's life it was computed for
    life_to                       date,
    agreed_seconds                bigint NOT NULL,
    excluded_seconds              bigint NOT NULL,
    downtime_seconds              bigint NOT NULL,
    uptime_seconds                bigint NOT NULL,
    degraded_seconds              bigint NOT NULL,
    sli                           numeric(7, 4) NOT NULL,
    slo                           numeric(7, 4) NOT NULL,
    error_budget_seconds          bigint NOT NULL,
    outages                       integer NOT NULL,
    max_outages                   integer NOT NULL,
    longest_outage_seconds        bigint NOT NULL,
    longest_outage_limit_seconds  bigint NOT NULL,
    met                           boolean NOT NULL,
    warned                        boolean NOT NULL,  -- three quarters of the error budget spent
    breaches                      text[] NOT NULL,
    credit_percent                numeric(5, 2) NOT NULL,
    recurring                     numeric(14, 2) NOT NULL,  -- the month's recurring cost
    credit                        numeric(14, 2) NOT NULL,  -- credit_percent of it
    open                          boolean NOT NULL,
    computed_at                   timestamptz NOT NULL,
    PRIMARY KEY (subscription_id, month)
);
CREATE INDEX availability_months_month ON availability_months (month, unit);
CREATE INDEX availability_months_municipality ON availability_months (municipality, month);

ALTER TABLE tickets ADD COLUMN response_met boolean, ADD COLUMN restore_met boolean;  -- null while the clock runs
CREATE INDEX tickets_performance ON tickets (unit, escalated_at) WHERE escalated_at IS NOT NULL;

-- A person's short sign-in to the app's pages (the council dashboard), made from a bearer token:
-- the cookie holds the token whose hash is kept here.
CREATE TABLE sessions (
    token_hash    text PRIMARY KEY,
    kind          text NOT NULL,
    principal_id  text NOT NULL,
    name          text NOT NULL,
    subject       text NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
DROP INDEX tickets_performance;
ALTER TABLE tickets DROP COLUMN response_met, DROP COLUMN restore_met;
DROP TABLE availability_months;
DROP TABLE closed_months;
DROP TABLE outage_versions;
DROP INDEX outages_open;
DROP INDEX outages_subscriptions;
ALTER TABLE outages DROP CONSTRAINT outages_affect_something;
ALTER TABLE outages DROP CONSTRAINT outages_offerings_check;
ALTER TABLE outages ADD CONSTRAINT outages_offerings_check CHECK (cardinality(offerings) BETWEEN 1 AND 100);
ALTER TABLE outages DROP COLUMN subscriptions;
