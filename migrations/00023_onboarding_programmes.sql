-- Onboarding programmes: a municipality taking a unit's shared service into use and establishing
-- its management, through the decision gates of the catalogue's template, each with the documents
-- it requires (by reference and SHA-256) and the decisions of the roles that decide it.

-- +goose Up
CREATE TABLE programmes (
    id                uuid PRIMARY KEY,
    municipality      text NOT NULL REFERENCES municipalities (code),
    unit              text NOT NULL REFERENCES units (slug),
    template          text NOT NULL,
    template_version  integer NOT NULL,
    gates             jsonb NOT NULL,  -- the template's gates as the programme started with them
    started_by        text NOT NULL,
    started_at        timestamptz NOT NULL,
    UNIQUE (municipality, unit, template)
);

CREATE TABLE programme_documents (
    id            uuid PRIMARY KEY,
    programme_id  uuid NOT NULL REFERENCES programmes (id),
    gate          text NOT NULL,
    type          text NOT NULL,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    ref           text NOT NULL CHECK (length(ref) BETWEEN 1 AND 300),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    dated         date NOT NULL,
    approved_by   text NOT NULL CHECK (length(approved_by) BETWEEN 1 AND 200),
    added_by      text NOT NULL,
    added_at      timestamptz NOT NULL
);
CREATE INDEX programme_documents_programme ON programme_documents (programme_id, gate, added_at);

CREATE TABLE programme_decisions (
    id            uuid PRIMARY KEY,
    seq           bigint GENERATED ALWAYS AS IDENTITY,  -- the order decided in: a decider's latest counts
    programme_id  uuid NOT NULL REFERENCES programmes (id),
    gate          text NOT NULL,
    role          text NOT NULL,
    outcome       text NOT NULL CHECK (outcome IN ('approved', 'rejected')),
    reason        text NOT NULL,
    missing       jsonb NOT NULL DEFAULT '[]',  -- what the gate lacked when it was decided
    decision_id   uuid NOT NULL,                -- in the council's register of decisions
    decided_by    text NOT NULL,
    decided_at    timestamptz NOT NULL
);
CREATE INDEX programme_decisions_programme ON programme_decisions (programme_id, seq);

ALTER TABLE decisions DROP CONSTRAINT decisions_subject_type_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_subject_type_check
    CHECK (subject_type IN ('offering_version', 'proposal', 'waiver', 'compliance_attestation', 'council_case', 'programme_gate'));

-- +goose Down
DELETE FROM decisions WHERE subject_type = 'programme_gate';
ALTER TABLE decisions DROP CONSTRAINT decisions_subject_type_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_subject_type_check
    CHECK (subject_type IN ('offering_version', 'proposal', 'waiver', 'compliance_attestation', 'council_case'));
DROP TABLE programme_decisions;
DROP TABLE programme_documents;
DROP TABLE programmes;
