-- A delivery job names the deliveries it attempts and which attempt of theirs it makes
-- ({"ids": [...], "attempt": n}): the first attempts of a set go five to a job, a retry is its
-- delivery's own job. The jobs still queued in the earlier form ({"id": ..., "channel": ...},
-- River counting the attempts) are rewritten, not lost: the attempt they make next is the one
-- after those River made.

-- +goose Up
UPDATE river_job
   SET args = jsonb_build_object('ids', jsonb_build_array(args->>'id'), 'attempt', attempt + 1)
 WHERE kind = 'delivery.send' AND args ? 'id' AND state IN ('available', 'pending', 'retryable', 'scheduled', 'running');

-- +goose Down
INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, scheduled_at, tags, metadata)
SELECT jsonb_build_object('id', d.id, 'channel', d.channel), j.kind, j.max_attempts, j.priority, j.queue, 'available', j.scheduled_at,
       j.tags, j.metadata
  FROM river_job j
  CROSS JOIN LATERAL jsonb_array_elements_text(j.args->'ids') AS i(id)
  JOIN deliveries d ON d.id = i.id::uuid
 WHERE j.kind = 'delivery.send' AND j.args ? 'ids' AND j.state IN ('available', 'pending', 'retryable', 'scheduled', 'running');
DELETE FROM river_job
 WHERE kind = 'delivery.send' AND args ? 'ids' AND state IN ('available', 'pending', 'retryable', 'scheduled', 'running');
