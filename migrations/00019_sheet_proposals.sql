-- A municipality proposes the systems the list lacks in its sheet too: each upload keeps how
-- many it proposed.

-- +goose Up
ALTER TABLE usage_uploads ADD COLUMN proposed integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE usage_uploads DROP COLUMN proposed;
