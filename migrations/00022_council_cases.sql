-- The secretariat's recommendations (indstillinger) to the architecture council, with the
-- council's notes and decision; the decision is one of the council's decisions, and every
-- decision is found with the audit record written with it.

-- +goose Up
CREATE TABLE council_cases (
    id              uuid PRIMARY KEY,
    number          integer NOT NULL UNIQUE,  -- the case's number, as the agenda gives it
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    background      text NOT NULL CHECK (length(background) BETWEEN 1 AND 20000),
    recommendation  text NOT NULL CHECK (length(recommendation) BETWEEN 1 AND 5000),
    attachments     jsonb NOT NULL DEFAULT '[]',  -- by reference: title, ref, sha256
    meeting_on      date NOT NULL,
    state           text NOT NULL CHECK (state IN ('submitted', 'decided')),
    submitted_by    text NOT NULL,
    submitted_at    timestamptz NOT NULL,
    notes           text NOT NULL DEFAULT '' CHECK (length(notes) <= 20000),  -- the council's discussion
    decision_id     uuid,
    version         integer NOT NULL
);
CREATE INDEX council_cases_meeting ON council_cases (meeting_on, number);

ALTER TABLE decisions DROP CONSTRAINT decisions_subject_type_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_subject_type_check
    CHECK (subject_type IN ('offering_version', 'proposal', 'waiver', 'compliance_attestation', 'council_case'));
CREATE INDEX decisions_at ON decisions (decided_at, id);

-- Every decision's audit record carries it as diff.decision: found by its id.
CREATE INDEX audit_records_decision ON audit_records ((diff -> 'decision' ->> 'id')) WHERE (diff -> 'decision' ->> 'id') IS NOT NULL;

-- +goose Down
DROP INDEX audit_records_decision;
DROP INDEX decisions_at;
DELETE FROM decisions WHERE subject_type = 'council_case';
ALTER TABLE decisions DROP CONSTRAINT decisions_subject_type_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_subject_type_check
    CHECK (subject_type IN ('offering_version', 'proposal', 'waiver', 'compliance_attestation'));
DROP TABLE council_cases;
