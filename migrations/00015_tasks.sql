-- Tasks the secretariat (or the council) issues to municipalities, KLIK style: what to do, by
-- when, and how completion is known; per municipality its execution status, an expected date when
-- it is late, and comments both ways. An edit after issue is a version.

-- +goose Up
CREATE TABLE tasks (
    id                uuid PRIMARY KEY,
    number            integer NOT NULL UNIQUE CHECK (number > 0),  -- the master task id the issuer gives
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    project           text NOT NULL DEFAULT '' CHECK (length(project) <= 200),
    type              text NOT NULL CHECK (type IN ('mandatory', 'optional')),
    duration_days     integer NOT NULL CHECK (duration_days BETWEEN 1 AND 365),
    start_on          date NOT NULL,
    end_on            date NOT NULL CHECK (end_on >= start_on),
    goal              text NOT NULL DEFAULT '' CHECK (length(goal) <= 2000),
    description       text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    method            text[] NOT NULL DEFAULT '{}' CHECK (cardinality(method) <= 30),
    result_criterion  text NOT NULL DEFAULT '' CHECK (length(result_criterion) <= 2000),
    performer         text NOT NULL DEFAULT '' CHECK (length(performer) <= 200),
    parties           text[] NOT NULL DEFAULT '{}' CHECK (cardinality(parties) <= 30),
    contact           text NOT NULL DEFAULT '' CHECK (length(contact) <= 320),
    evidence          text NOT NULL DEFAULT '',  -- the platform check that proves completion, if any
    example_data      boolean NOT NULL DEFAULT false,
    issued_by         text NOT NULL,
    issued_at         timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           integer NOT NULL DEFAULT 1
);

CREATE TABLE task_versions (
    task_id     uuid NOT NULL REFERENCES tasks (id),
    version     integer NOT NULL,
    task        jsonb NOT NULL,  -- the task as this version left it
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL,
    PRIMARY KEY (task_id, version)
);

CREATE TABLE task_assignments (
    task_id           uuid NOT NULL REFERENCES tasks (id),
    municipality      text NOT NULL REFERENCES municipalities (code),
    status            text NOT NULL CHECK (status IN ('not_started', 'started', 'completed', 'confirmed')),
    started_at        timestamptz,
    completed_at      timestamptz,
    confirmed_at      timestamptz,
    expected_on       date,  -- when the municipality expects to be done, if not by the end date
    expected_reason   text NOT NULL DEFAULT '' CHECK (length(expected_reason) <= 2000),
    reminded_at       timestamptz,  -- the reminder before the end date
    overdue_at        timestamptz,  -- the notice that it is overdue
    updated_at        timestamptz NOT NULL,
    version           integer NOT NULL DEFAULT 1,
    PRIMARY KEY (task_id, municipality)
);
CREATE INDEX task_assignments_municipality ON task_assignments (municipality, task_id);
CREATE INDEX task_assignments_open ON task_assignments (task_id) WHERE status IN ('not_started', 'started');

CREATE TABLE task_comments (
    id             uuid PRIMARY KEY,
    n              bigserial,  -- the order they were written in
    task_id        uuid NOT NULL,
    municipality   text NOT NULL,
    body           text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    author         text NOT NULL,
    author_name    text NOT NULL,
    author_tenant  text NOT NULL,
    created_at     timestamptz NOT NULL,
    FOREIGN KEY (task_id, municipality) REFERENCES task_assignments (task_id, municipality)
);
CREATE INDEX task_comments_assignment ON task_comments (task_id, municipality, n);

-- +goose Down
DROP TABLE task_comments;
DROP TABLE task_assignments;
DROP TABLE task_versions;
DROP TABLE tasks;
