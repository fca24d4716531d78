-- Support tickets across the split: the municipality's first line and the unit's second line,
-- with history, notes, pauses and the SLA events the sweep records.

-- +goose Up
CREATE TABLE tickets (
    id                  uuid PRIMARY KEY,
    municipality        text NOT NULL REFERENCES municipalities (code),
    subscription_id     uuid REFERENCES subscriptions (id),
    unit                text REFERENCES units (slug),  -- the unit it was escalated to
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description         text NOT NULL CHECK (length(description) <= 10000),
    priority            text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    high_priority       boolean NOT NULL DEFAULT false,
    category            text NOT NULL CHECK (category IN ('incident', 'request')),
    reporter            text NOT NULL CHECK (length(reporter) <= 200),
    state               text NOT NULL CHECK (state IN ('open', 'escalated', 'acknowledged', 'pending_customer', 'resolved', 'closed')),
    level               text,         -- the subscription's level at escalation
    first_escalated_at  timestamptz,  -- the unit sees the ticket's history from here
    escalated_at        timestamptz,  -- the SLA clocks start here
    acknowledged_at     timestamptz,
    resolved_at         timestamptz,
    resolved_by_unit    boolean NOT NULL DEFAULT false,
    closed_at           timestamptz,
    due_at              timestamptz,  -- the next SLA deadline, for the second line's queue
    created_by          text NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             integer NOT NULL DEFAULT 1
);
CREATE INDEX tickets_municipality ON tickets (municipality, created_at, id);
CREATE INDEX tickets_unit_queue ON tickets (unit, (COALESCE(due_at, 'infinity'::timestamptz)), id) WHERE first_escalated_at IS NOT NULL;
CREATE INDEX tickets_running ON tickets (state) WHERE state IN ('escalated', 'acknowledged', 'pending_customer');

CREATE TABLE ticket_events (
    ticket_id     uuid NOT NULL REFERENCES tickets (id),
    seq           integer NOT NULL,
    action        text NOT NULL,
    from_state    text NOT NULL,
    to_state      text NOT NULL,
    reason        text NOT NULL DEFAULT '',
    actor         text NOT NULL,
    actor_tenant  text NOT NULL,
    at            timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, seq)
);

CREATE TABLE ticket_notes (
    id             uuid PRIMARY KEY,
    seq            bigint GENERATED ALWAYS AS IDENTITY,  -- the order notes were written in
    ticket_id      uuid NOT NULL REFERENCES tickets (id),
    body           text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    visibility     text NOT NULL CHECK (visibility IN ('public', 'internal')),
    author         text NOT NULL,
    author_tenant  text NOT NULL,
    created_at     timestamptz NOT NULL
);
CREATE INDEX ticket_notes_ticket ON ticket_notes (ticket_id, seq);

-- Pending the customer: the SLA clocks pause.
CREATE TABLE ticket_pauses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   uuid NOT NULL REFERENCES tickets (id),
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz
);
CREATE INDEX ticket_pauses_ticket ON ticket_pauses (ticket_id, started_at);

-- Warnings (75 %) and breaches (100 %) of an escalation's clocks, recorded once each by the sweep.
CREATE TABLE sla_events (
    ticket_id     uuid NOT NULL REFERENCES tickets (id),
    escalated_at  timestamptz NOT NULL,
    target        text NOT NULL CHECK (target IN ('response', 'restore')),
    kind          text NOT NULL CHECK (kind IN ('warning', 'breach')),
    at            timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, escalated_at, target, kind)
);

-- +goose Down
DROP TABLE sla_events;
DROP TABLE ticket_pauses;
DROP TABLE ticket_notes;
DROP TABLE ticket_events;
DROP TABLE tickets;
