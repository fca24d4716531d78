-- Signed webhooks (Standard Webhooks) per municipality or unit: where notices and events are
-- posted besides the mailbox. The secret signs; during a rotation the previous one signs too,
-- until previous_until, so a receiver can switch without losing a message.

-- +goose Up
CREATE TABLE webhooks (
    id              uuid PRIMARY KEY,
    tenant          text NOT NULL,  -- municipality:CODE or unit:SLUG
    url             text NOT NULL CHECK (length(url) <= 2000),
    secret          text NOT NULL,
    previous_secret text,
    previous_until  timestamptz,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    UNIQUE (tenant, url)
);

-- +goose Down
DROP TABLE webhooks;
