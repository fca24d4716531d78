-- A notice's deliveries carry its rendered mail, one copy per mailbox (98 of some kilobytes for a
-- notice to every municipality): lz4 compresses them several times faster than the default pglz,
-- at about the same size. Values written before keep pglz; a server built without lz4 keeps pglz.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE deliveries ALTER COLUMN message SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not supported by this server: deliveries.message keeps pglz';
END;
$$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE deliveries ALTER COLUMN message SET COMPRESSION pglz;
