-- Audit without a queue: a change's transaction appends its record unsealed (no seq, no links),
-- touching no shared row; the sequencer seals committed records in the order they committed and
-- advances audit_heads.

-- +goose Up
ALTER TABLE audit_records
    ALTER COLUMN seq DROP NOT NULL,
    ALTER COLUMN prev_hash DROP NOT NULL,
    ALTER COLUMN hash DROP NOT NULL,
    ADD CONSTRAINT audit_records_sealed_whole CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL));
CREATE INDEX audit_records_unsealed ON audit_records (id) WHERE seq IS NULL;

-- Append-only still: the one update allowed is sealing, which sets the chain's columns of an
-- unsealed record and nothing else.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (NEW.id, NEW.tenant, NEW.at, NEW.actor, NEW.actor_name, NEW.actor_tenant, NEW.roles, NEW.action,
            NEW.object_type, NEW.object_id, NEW.diff::text, NEW.request_id, NEW.client_ip)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.tenant, OLD.at, OLD.actor, OLD.actor_name, OLD.actor_tenant, OLD.roles, OLD.action,
            OLD.object_type, OLD.object_id, OLD.diff::text, OLD.request_id, OLD.client_ip) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_records is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_records is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
DROP INDEX audit_records_unsealed;
ALTER TABLE audit_records DROP CONSTRAINT audit_records_sealed_whole;
