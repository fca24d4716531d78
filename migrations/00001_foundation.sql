-- Foundation: tenants, people, role assignments, API keys, signing keys, idempotency and audit.

-- +goose Up
CREATE TABLE units (
    slug        text PRIMARY KEY CHECK (slug ~ '^[a-z][a-z0-9-]{1,39}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    region      text NOT NULL CHECK (length(region) BETWEEN 1 AND 100),
    contact     text NOT NULL DEFAULT '' CHECK (length(contact) <= 320),
    demo        boolean NOT NULL DEFAULT false,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE municipalities (
    code         text PRIMARY KEY CHECK (code ~ '^[0-9]{3}$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    region       text NOT NULL,
    region_code  text NOT NULL,
    owner_unit   text REFERENCES units (slug),
    active       boolean NOT NULL DEFAULT true,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX municipalities_owner_unit ON municipalities (owner_unit);

CREATE TABLE users (
    id           uuid PRIMARY KEY,
    username     text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{1,99}$'),
    -- subject is the OIDC "sub" claim that identifies the user; the dev issuer uses the username.
    subject      text NOT NULL UNIQUE CHECK (length(subject) BETWEEN 1 AND 255),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email        text NOT NULL CHECK (length(email) <= 320),
    home_tenant  text NOT NULL,
    active       boolean NOT NULL DEFAULT true,
    demo         boolean NOT NULL DEFAULT false,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_home_tenant ON users (home_tenant, username);

CREATE TABLE role_assignments (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id),
    role        text NOT NULL,
    tenant      text NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1,
    UNIQUE (user_id, role, tenant)
);
CREATE INDEX role_assignments_tenant ON role_assignments (tenant, created_at, id);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    tenant       text NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    roles        text[] NOT NULL CHECK (cardinality(roles) > 0),
    prefix       text NOT NULL,
    secret_hash  bytea NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1
);
CREATE INDEX api_keys_tenant ON api_keys (tenant, created_at, id);

-- The dev issuer's signing keys (never used in production, where an external OIDC issuer signs).
CREATE TABLE signing_keys (
    kid          text PRIMARY KEY,
    algorithm    text NOT NULL,
    private_key  bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE idempotency_keys (
    subject       text NOT NULL,
    key           text NOT NULL,
    request_hash  bytea NOT NULL,
    result        json NOT NULL,  -- json, not jsonb: a replay answers the very bytes first sent
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Audit: one record per change, hash-chained per tenant. audit_heads holds each chain's last link
-- so that appends to one chain serialise on one row; prev_hash is the link before it, which the
-- append statement stores in the new record.
CREATE TABLE audit_heads (
    tenant     text PRIMARY KEY,
    seq        bigint NOT NULL,
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL
);

CREATE TABLE audit_records (
    id            bigserial PRIMARY KEY,
    tenant        text NOT NULL,
    seq           bigint NOT NULL,
    at            timestamptz NOT NULL,
    actor         text NOT NULL,
    actor_name    text NOT NULL,
    actor_tenant  text NOT NULL,
    roles         text[] NOT NULL,
    action        text NOT NULL,
    object_type   text NOT NULL,
    object_id     text NOT NULL,
    -- json, not jsonb: the hash covers the exact bytes written.
    diff          json NOT NULL,
    request_id    text NOT NULL,
    client_ip     text NOT NULL,
    prev_hash     bytea NOT NULL,
    hash          bytea NOT NULL,
    UNIQUE (tenant, seq)
);
CREATE INDEX audit_records_at ON audit_records (at, id);
CREATE INDEX audit_records_object ON audit_records (object_type, object_id, id);

-- +goose StatementBegin
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_records is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_records_no_update BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_records FROM PUBLIC;

-- +goose Down
DROP TABLE audit_records;
DROP FUNCTION audit_records_append_only();
DROP TABLE audit_heads;
DROP TABLE idempotency_keys;
DROP TABLE signing_keys;
DROP TABLE api_keys;
DROP TABLE role_assignments;
DROP TABLE users;
DROP TABLE municipalities;
DROP TABLE units;
