-- The reminders sent of an incident's deadlines, each once: report:soon or report:overdue.

-- +goose Up
ALTER TABLE security_incidents ADD COLUMN reminded text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE security_incidents DROP COLUMN reminded;
