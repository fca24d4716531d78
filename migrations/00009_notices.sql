-- Notices to the infrastructure mailboxes, in threads, and each recipient municipality's
-- acknowledgement of the high-priority ones.

-- +goose Up
CREATE TABLE notices (
    id               uuid PRIMARY KEY,
    thread_id        uuid NOT NULL,
    seq              integer NOT NULL CHECK (seq >= 1),
    kind             text NOT NULL CHECK (kind IN ('notice', 'update', 'closure')),
    sender           text NOT NULL,            -- unit:SLUG or platform
    sender_name      text NOT NULL,
    tags             text[] NOT NULL CHECK (cardinality(tags) BETWEEN 1 AND 3),
    high_priority    boolean NOT NULL,
    emergency        boolean NOT NULL DEFAULT false,
    emergency_reason text NOT NULL DEFAULT '' CHECK (length(emergency_reason) <= 500),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    body             text NOT NULL CHECK (length(body) <= 20000),
    subject          text NOT NULL,
    planned_start    timestamptz,
    planned_end      timestamptz CHECK (planned_end > planned_start),
    scope            jsonb NOT NULL,
    recipients       text[] NOT NULL,           -- municipality codes
    tags_version     integer NOT NULL,
    ack_minutes      integer,
    ack_due_at       timestamptz,
    published_by     text NOT NULL,
    published_at     timestamptz NOT NULL,
    UNIQUE (thread_id, seq)
);
CREATE INDEX notices_sender ON notices (sender, published_at, id);
CREATE INDEX notices_recipients ON notices USING gin (recipients);

CREATE TABLE notice_acks (
    notice_id         uuid NOT NULL REFERENCES notices (id),
    municipality      text NOT NULL REFERENCES municipalities (code),
    link_token_hash   bytea NOT NULL UNIQUE,   -- SHA-256 of the acknowledgement link's token
    due_at            timestamptz NOT NULL,
    acknowledged_at   timestamptz,
    acknowledged_by   text,
    escalation_jobs   bigint[] NOT NULL DEFAULT '{}',  -- River jobs cancelled by the acknowledgement
    escalated_steps   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (notice_id, municipality)
);
CREATE INDEX notice_acks_open ON notice_acks (municipality, due_at) WHERE acknowledged_at IS NULL;

-- +goose Down
DROP TABLE notice_acks;
DROP TABLE notices;
