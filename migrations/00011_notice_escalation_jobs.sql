-- A notice escalates by one River job per step for all its municipalities, no longer one job per
-- municipality and step: the notice keeps its steps' jobs, and the last acknowledgement cancels
-- them. The acknowledgements of notices published before keep their own jobs, which still run.

-- +goose Up
ALTER TABLE notices ADD COLUMN escalation_jobs bigint[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE notices DROP COLUMN escalation_jobs;
