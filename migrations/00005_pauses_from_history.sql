-- A ticket's pauses are read from its history (ticket_events: the action that stops the clocks,
-- with its reason, and the one that starts them again), so the separate pause table, which could
-- disagree with the history, goes.

-- +goose Up
DROP TABLE ticket_pauses;

-- +goose Down
CREATE TABLE ticket_pauses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   uuid NOT NULL REFERENCES tickets (id),
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz
);
CREATE INDEX ticket_pauses_ticket ON ticket_pauses (ticket_id, started_at);
INSERT INTO ticket_pauses (ticket_id, started_at, ended_at)
SELECT s.ticket_id, s.at,
       (SELECT min(e.at) FROM ticket_events e WHERE e.ticket_id = s.ticket_id AND e.seq > s.seq
           AND e.action IN ('provide_info', 'reopen', 'hand_back'))
  FROM ticket_events s WHERE s.action IN ('request_info', 'resolve');
