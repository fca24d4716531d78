-- The infrastructure mailbox becomes a capability of its own: the address notices go to, verified
-- by a confirmation link, with routing rules and cover. An address registered before
-- verification existed moves over as pending: it is sent a link, and it counts for the
-- activation gate once confirmed.

-- +goose Up
CREATE TABLE mailboxes (
    municipality          text PRIMARY KEY REFERENCES municipalities (code),
    address               text CHECK (length(address) <= 320),  -- the verified address in use
    verified_at           timestamptz,
    pending_address       text CHECK (length(pending_address) <= 320),
    pending_requested_by  text,
    pending_requested_at  timestamptz,
    link_token_hash       bytea,        -- SHA-256 of the confirmation link's token
    link_sent_at          timestamptz,
    link_expires_at       timestamptz,
    version               integer NOT NULL DEFAULT 2,  -- 1 is the mailbox before anything is registered
    updated_at            timestamptz NOT NULL,
    CHECK ((address IS NULL) = (verified_at IS NULL)),
    CHECK ((pending_address IS NULL) = (pending_requested_at IS NULL))
);
CREATE UNIQUE INDEX mailboxes_link ON mailboxes (link_token_hash) WHERE link_token_hash IS NOT NULL;
CREATE INDEX mailboxes_unsent ON mailboxes (municipality) WHERE pending_address IS NOT NULL AND link_token_hash IS NULL;

INSERT INTO mailboxes (municipality, pending_address, pending_requested_by, pending_requested_at, updated_at)
SELECT code, infrastructure_mailbox, 'migration 00008 (registered before verification)', now(), now()
  FROM municipalities WHERE infrastructure_mailbox <> '';
ALTER TABLE municipalities DROP COLUMN infrastructure_mailbox;

CREATE TABLE mailbox_routes (
    id            uuid PRIMARY KEY,
    municipality  text NOT NULL REFERENCES municipalities (code),
    tag           text NOT NULL,
    addresses     text[] NOT NULL CHECK (cardinality(addresses) BETWEEN 1 AND 20),
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       integer NOT NULL DEFAULT 1,
    UNIQUE (municipality, tag)
);

CREATE TABLE mailbox_covers (
    id            uuid PRIMARY KEY,
    municipality  text NOT NULL REFERENCES municipalities (code),
    covering      text NOT NULL CHECK (length(covering) BETWEEN 1 AND 200),
    deputies      text[] NOT NULL CHECK (cardinality(deputies) BETWEEN 1 AND 20),
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL CHECK (ends_at > starts_at),
    time_zone     text NOT NULL,
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL,
    version       integer NOT NULL DEFAULT 1
);
CREATE INDEX mailbox_covers_municipality ON mailbox_covers (municipality, ends_at);

-- +goose Down
DROP TABLE mailbox_covers;
DROP TABLE mailbox_routes;
ALTER TABLE municipalities ADD COLUMN infrastructure_mailbox text NOT NULL DEFAULT '' CHECK (length(infrastructure_mailbox) <= 320);
UPDATE municipalities m SET infrastructure_mailbox = COALESCE(b.address, b.pending_address, '')
  FROM mailboxes b WHERE b.municipality = m.code;
DROP TABLE mailboxes;
