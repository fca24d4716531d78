-- Every message the platform sends, by mail or webhook: one row per recipient and channel is the
-- record of its delivery, and each attempt is kept. The job that sends it lives in River's tables.

-- +goose Up
CREATE TABLE deliveries (
    id              uuid PRIMARY KEY,  -- from subject, channel and recipient: the Message-ID / webhook-id
    subject_type    text NOT NULL,
    subject_id      text NOT NULL,
    channel         text NOT NULL CHECK (channel IN ('mail', 'webhook')),
    recipient       text NOT NULL CHECK (length(recipient) <= 2000),
    tenant          text NOT NULL,     -- whose delivery it is: the receiving municipality or unit
    sender          text NOT NULL,     -- on whose behalf it is sent
    message         jsonb NOT NULL,
    state           text NOT NULL CHECK (state IN ('pending', 'retrying', 'delivered', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX deliveries_subject ON deliveries (subject_type, subject_id);
CREATE INDEX deliveries_state ON deliveries (state, created_at, id);
CREATE INDEX deliveries_tenant ON deliveries (tenant, created_at, id);

CREATE TABLE delivery_attempts (
    delivery_id  uuid NOT NULL REFERENCES deliveries (id),
    n            integer NOT NULL,
    at           timestamptz NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('delivered', 'temporary', 'permanent')),
    error        text NOT NULL DEFAULT '',
    duration_ms  integer NOT NULL,
    worker       text NOT NULL,  -- the process that made the attempt
    PRIMARY KEY (delivery_id, n)
);

-- +goose Down
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
