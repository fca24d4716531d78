-- The IT-system usage mapping (seed 002): per municipality and system an answer, kept with its
-- whole history; the systems municipalities propose, which the secretariat accepts into the list
-- every municipality maps; and the municipality's submission of its mapping.

-- +goose Up
CREATE TABLE usage_system_proposals (
    id            uuid PRIMARY KEY,
    municipality  text NOT NULL REFERENCES municipalities (code),
    domain        text NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    state         text NOT NULL CHECK (state IN ('proposed', 'accepted', 'rejected')),
    system_id     text UNIQUE CHECK (system_id ~ '^SYS-[A-Z0-9-]{2,30}$'),  -- the accepted system's id
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    proposed_by   text NOT NULL,
    proposed_at   timestamptz NOT NULL,
    decided_by    text,
    decided_at    timestamptz,
    version       integer NOT NULL DEFAULT 1
);
CREATE INDEX usage_system_proposals_state ON usage_system_proposals (state, proposed_at);

-- The spreadsheets municipalities uploaded, whole, with what they changed.
CREATE TABLE usage_uploads (
    id            uuid PRIMARY KEY,
    municipality  text NOT NULL REFERENCES municipalities (code),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    bytes         integer NOT NULL,
    rows          integer NOT NULL,  -- the systems the sheet answered
    changed       integer NOT NULL,  -- the answers it changed
    file          bytea NOT NULL,
    uploaded_by   text NOT NULL,
    uploaded_at   timestamptz NOT NULL,
    UNIQUE (municipality, sha256)
);

-- Append-only: a municipality's current answer for a system is its latest row.
CREATE TABLE usage_answers (
    n             bigserial PRIMARY KEY,
    municipality  text NOT NULL REFERENCES municipalities (code),
    system_id     text NOT NULL,
    answer        text NOT NULL CHECK (answer IN ('primary', 'secondary', 'not_used')),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    answered_by   text NOT NULL,
    answered_at   timestamptz NOT NULL,
    source        text NOT NULL CHECK (source IN ('api', 'sheet')),
    upload_id     uuid REFERENCES usage_uploads (id)  -- the sheet it came from
);
CREATE INDEX usage_answers_current ON usage_answers (municipality, system_id, n DESC);

CREATE TABLE usage_submissions (
    id            uuid PRIMARY KEY,
    municipality  text NOT NULL REFERENCES municipalities (code),
    answered      integer NOT NULL,  -- of the systems mapped then
    systems       integer NOT NULL,
    submitted_by  text NOT NULL,
    submitted_at  timestamptz NOT NULL
);
CREATE INDEX usage_submissions_municipality ON usage_submissions (municipality, submitted_at);

-- +goose Down
DROP TABLE usage_submissions;
DROP TABLE usage_answers;
DROP TABLE usage_uploads;
DROP TABLE usage_system_proposals;
