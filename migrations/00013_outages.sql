-- Outages and maintenance a unit reports on its offerings: what the availability of the
-- subscriptions to them is measured from.

-- +goose Up
CREATE TABLE outages (
    id            uuid PRIMARY KEY,
    unit          text NOT NULL REFERENCES units (slug),
    kind          text NOT NULL CHECK (kind IN ('outage', 'degradation')),
    planned       boolean NOT NULL,
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz CHECK (ended_at > started_at),  -- null while it lasts
    offerings     uuid[] NOT NULL CHECK (cardinality(offerings) BETWEEN 1 AND 100),
    notice_id     uuid REFERENCES notices (id),  -- the unit's notice that announced it
    announced_at  timestamptz,                   -- that notice's publication
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    reported_by   text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       integer NOT NULL DEFAULT 1
);
CREATE INDEX outages_unit ON outages (unit, started_at, id);
CREATE INDEX outages_offerings ON outages USING gin (offerings);

-- +goose Down
DROP TABLE outages;
