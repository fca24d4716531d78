-- The activation gate's prerequisites, orders with their items and history, subscriptions with
-- their priced periods.

-- +goose Up
ALTER TABLE municipalities ADD COLUMN infrastructure_mailbox text NOT NULL DEFAULT '' CHECK (length(infrastructure_mailbox) <= 320);

CREATE TABLE terms_acceptances (
    id             uuid PRIMARY KEY,
    municipality   text NOT NULL REFERENCES municipalities (code),
    terms_version  text NOT NULL,
    accepted_by    text NOT NULL,
    accepted_name  text NOT NULL,
    accepted_at    timestamptz NOT NULL,
    UNIQUE (municipality, terms_version)
);

CREATE TABLE risk_assessments (
    id             uuid PRIMARY KEY,
    municipality   text NOT NULL REFERENCES municipalities (code),
    family         text NOT NULL,
    document_ref   text NOT NULL CHECK (length(document_ref) BETWEEN 1 AND 500),
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    assessed_on    date NOT NULL,
    approved_by    text NOT NULL CHECK (length(approved_by) BETWEEN 1 AND 200),
    registered_by  text NOT NULL,
    registered_at  timestamptz NOT NULL
);
CREATE INDEX risk_assessments_municipality ON risk_assessments (municipality, family, assessed_on DESC);

CREATE TABLE orders (
    id            uuid PRIMARY KEY,
    municipality  text NOT NULL REFERENCES municipalities (code),
    unit          text NOT NULL REFERENCES units (slug),
    state         text NOT NULL CHECK (state IN ('acknowledged', 'accepted', 'rejected', 'in_progress', 'completed', 'failed', 'cancelled')),
    note          text NOT NULL DEFAULT '',
    reason        text NOT NULL DEFAULT '',  -- why it was rejected, failed or cancelled
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       integer NOT NULL DEFAULT 1
);
CREATE INDEX orders_municipality ON orders (municipality, created_at, id);
CREATE INDEX orders_unit ON orders (unit, created_at, id);

CREATE TABLE order_items (
    order_id          uuid NOT NULL REFERENCES orders (id),
    n                 integer NOT NULL CHECK (n > 0),
    action            text NOT NULL CHECK (action IN ('add', 'modify', 'terminate')),
    subscription_id   uuid,           -- modify, terminate; add once completed
    offering_id       uuid NOT NULL,
    offering_version  integer NOT NULL,
    service_id        text NOT NULL,
    family            text NOT NULL,
    level             text NOT NULL,
    quantity          integer NOT NULL CHECK (quantity > 0),
    parameters        jsonb NOT NULL DEFAULT '{}',
    monthly_price     numeric(14, 2) NOT NULL CHECK (monthly_price >= 0),
    one_off_fee       numeric(14, 2) NOT NULL CHECK (one_off_fee >= 0),
    PRIMARY KEY (order_id, n)
);

CREATE TABLE order_events (
    order_id   uuid NOT NULL REFERENCES orders (id),
    seq        integer NOT NULL,
    from_state text NOT NULL,
    to_state   text NOT NULL,
    reason     text NOT NULL DEFAULT '',
    actor      text NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (order_id, seq)
);

CREATE TABLE subscriptions (
    id                uuid PRIMARY KEY,
    municipality      text NOT NULL REFERENCES municipalities (code),
    unit              text NOT NULL REFERENCES units (slug),
    offering_id       uuid NOT NULL,
    offering_version  integer NOT NULL,
    service_id        text NOT NULL,
    family            text NOT NULL,
    level             text NOT NULL,
    quantity          integer NOT NULL CHECK (quantity > 0),
    parameters        jsonb NOT NULL DEFAULT '{}',
    monthly_price     numeric(14, 2) NOT NULL,
    one_off_fee       numeric(14, 2) NOT NULL,
    state             text NOT NULL CHECK (state IN ('active', 'terminating', 'terminated')),
    started_on        date NOT NULL,
    ends_on           date,
    order_id          uuid NOT NULL REFERENCES orders (id),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           integer NOT NULL DEFAULT 1,
    FOREIGN KEY (offering_id, offering_version) REFERENCES offering_versions (offering_id, number)
);
CREATE INDEX subscriptions_municipality ON subscriptions (municipality, created_at, id);
CREATE INDEX subscriptions_unit ON subscriptions (unit, created_at, id);
CREATE INDEX subscriptions_ending ON subscriptions (ends_on) WHERE state = 'terminating';

-- What a subscription cost over time: a new period starts at every change of level or quantity,
-- so that a month's cost is exact pro rata without rescanning orders.
CREATE TABLE subscription_periods (
    subscription_id  uuid NOT NULL REFERENCES subscriptions (id),
    from_day         date NOT NULL,
    to_day           date,        -- exclusive; open while current
    level            text NOT NULL,
    quantity         integer NOT NULL,
    monthly_price    numeric(14, 2) NOT NULL,
    one_off          numeric(14, 2) NOT NULL DEFAULT 0,  -- charged in from_day's month
    PRIMARY KEY (subscription_id, from_day)
);

-- +goose Down
DROP TABLE subscription_periods;
DROP TABLE subscriptions;
DROP TABLE order_events;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE risk_assessments;
DROP TABLE terms_acceptances;
ALTER TABLE municipalities DROP COLUMN infrastructure_mailbox;
