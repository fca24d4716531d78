-- Events are announced without a job each: the change's transaction appends its event here (one
-- plain insert), and the dispatchers turn pending events into deliveries in batches, with one read
-- of the recipients and one insert of the deliveries for many events. A dispatched event stays as
-- the record of what was announced, and its key keeps a second announcement from being queued.

-- +goose Up
CREATE TABLE notice_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key           text NOT NULL UNIQUE,
    event         jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    dispatched_at timestamptz,
    attempts      int NOT NULL DEFAULT 0,
    next_at       timestamptz NOT NULL DEFAULT now(),
    last_error    text NOT NULL DEFAULT ''
);
CREATE INDEX notice_events_pending ON notice_events (id) WHERE dispatched_at IS NULL;

-- The events still queued as jobs of the kind this replaces are moved, not lost.
INSERT INTO notice_events (key, event, created_at)
SELECT args->>'key', args, created_at FROM river_job
WHERE kind = 'notice.announce' AND state IN ('available', 'pending', 'retryable', 'scheduled', 'running')
ORDER BY id
ON CONFLICT (key) DO NOTHING;
DELETE FROM river_job WHERE kind = 'notice.announce' AND state IN ('available', 'pending', 'retryable', 'scheduled', 'running');

-- +goose Down
DROP TABLE notice_events;
