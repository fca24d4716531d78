-- Each unit's security compliance, per control of the catalogue's control sets: the status, its
-- evidence, who attested it and until when, and the council's review, which is one of its
-- decisions.

-- +goose Up
CREATE TABLE compliance_attestations (
    unit             text NOT NULL REFERENCES units (slug),
    control          text NOT NULL,
    control_set      text NOT NULL,
    status           text NOT NULL CHECK (status IN ('implemented', 'partial', 'not_implemented', 'not_applicable')),
    reason           text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    evidence_ref     text NOT NULL DEFAULT '' CHECK (length(evidence_ref) <= 300),
    evidence_sha256  text CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
    attested_by      text NOT NULL CHECK (length(attested_by) BETWEEN 1 AND 200),
    attested_on      date NOT NULL,
    valid_until      date NOT NULL CHECK (valid_until >= attested_on),
    review           text NOT NULL CHECK (review IN ('pending', 'accepted', 'changes_requested')),
    review_reason    text NOT NULL DEFAULT '',
    reviewed_by      text,
    reviewed_at      timestamptz,
    recorded_by      text NOT NULL,
    recorded_at      timestamptz NOT NULL,
    reminded         text NOT NULL DEFAULT '' CHECK (reminded IN ('', 'expiring', 'expired')),  -- for this valid_until
    version          integer NOT NULL,
    PRIMARY KEY (unit, control)
);
CREATE INDEX compliance_attestations_valid_until ON compliance_attestations (valid_until);

ALTER TABLE decisions DROP CONSTRAINT decisions_subject_type_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_subject_type_check
    CHECK (subject_type IN ('offering_version', 'proposal', 'waiver', 'compliance_attestation'));

-- +goose Down
DELETE FROM decisions WHERE subject_type = 'compliance_attestation';
ALTER TABLE decisions DROP CONSTRAINT decisions_subject_type_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_subject_type_check CHECK (subject_type IN ('offering_version', 'proposal', 'waiver'));
DROP TABLE compliance_attestations;
