-- The common catalogue (synced from catalog/), units' offerings with their versions, council
-- decisions, waivers and catalogue proposals.

-- +goose Up
CREATE TABLE catalog_entries (
    kind        text NOT NULL CHECK (kind IN ('family', 'level', 'calendar', 'service', 'vocabulary')),
    id          text NOT NULL,
    doc         jsonb NOT NULL,
    hash        bytea NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    retired_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, id)
);

CREATE TABLE offerings (
    id          uuid PRIMARY KEY,
    unit        text NOT NULL REFERENCES units (slug),
    service_id  text NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit, service_id)
);

-- An offering version is what the council reviews and subscriptions pin. number counts the
-- offering's versions; version is the row's concurrency version (ETag).
CREATE TABLE offering_versions (
    offering_id        uuid NOT NULL REFERENCES offerings (id),
    number             integer NOT NULL CHECK (number > 0),
    state              text NOT NULL CHECK (state IN ('draft', 'submitted', 'published', 'superseded', 'retired')),
    levels             text[] NOT NULL,
    terms              jsonb NOT NULL,
    rejection_reason   text NOT NULL DEFAULT '',
    submitted_at       timestamptz,
    published_at       timestamptz,
    retire_on          date,
    version            integer NOT NULL DEFAULT 1,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (offering_id, number)
);
-- At most one version in the making and one live (published or retiring) per offering.
CREATE UNIQUE INDEX offering_versions_one_open ON offering_versions (offering_id) WHERE state IN ('draft', 'submitted');
CREATE UNIQUE INDEX offering_versions_one_live ON offering_versions (offering_id) WHERE state IN ('published', 'retired');
CREATE INDEX offering_versions_state ON offering_versions (state, submitted_at);

-- Council decisions on offering versions, proposals and waivers: who, when, why.
CREATE TABLE decisions (
    id            uuid PRIMARY KEY,
    seq           bigint GENERATED ALWAYS AS IDENTITY,  -- the order decisions were made in
    subject_type  text NOT NULL CHECK (subject_type IN ('offering_version', 'proposal', 'waiver')),
    subject_id    text NOT NULL,
    outcome       text NOT NULL CHECK (outcome IN ('approved', 'rejected')),
    reason        text NOT NULL,
    decided_by    text NOT NULL,
    decided_at    timestamptz NOT NULL
);
CREATE INDEX decisions_subject ON decisions (subject_type, subject_id, seq);

CREATE TABLE waivers (
    id            uuid PRIMARY KEY,
    unit          text NOT NULL REFERENCES units (slug),
    service_id    text NOT NULL,
    level         text NOT NULL,
    reason        text NOT NULL,
    state         text NOT NULL CHECK (state IN ('requested', 'granted', 'rejected')),
    expires_on    date NOT NULL,
    requested_by  text NOT NULL,
    requested_at  timestamptz NOT NULL,
    version       integer NOT NULL DEFAULT 1
);
CREATE INDEX waivers_unit ON waivers (unit, service_id, level, state);

CREATE TABLE catalog_proposals (
    id              uuid PRIMARY KEY,
    proposer        text NOT NULL,  -- tenant: unit:<slug> or council
    proposed_by     text NOT NULL,
    change          text NOT NULL CHECK (change IN ('new', 'change')),
    service_id      text NOT NULL,
    doc             jsonb NOT NULL,
    rationale       text NOT NULL,
    state           text NOT NULL CHECK (state IN ('submitted', 'accepted', 'rejected')),
    submitted_at    timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX catalog_proposals_state ON catalog_proposals (state, submitted_at);

-- +goose Down
DROP TABLE catalog_proposals;
DROP TABLE waivers;
DROP TABLE decisions;
DROP TABLE offering_versions;
DROP TABLE offerings;
DROP TABLE catalog_entries;
