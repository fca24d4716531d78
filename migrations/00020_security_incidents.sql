-- Security incidents a unit records, with the reports it submits to the CSIRT; the deadlines
-- are derived from the NIS2-DK clock profile when read, so a changed profile or a report
-- submitted moves them without a stored copy to keep in step.

-- +goose Up
CREATE TABLE security_incidents (
    id               uuid PRIMARY KEY,
    unit             text NOT NULL REFERENCES units (slug),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    aware_at         timestamptz NOT NULL,
    severity         text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    significant      boolean NOT NULL,
    personal_data    boolean NOT NULL,
    handled_at       timestamptz CHECK (handled_at >= aware_at),
    offerings        uuid[] NOT NULL DEFAULT '{}',
    subscriptions    uuid[] NOT NULL DEFAULT '{}',
    municipalities   text[] NOT NULL DEFAULT '{}',  -- named by the unit
    affected         text[] NOT NULL DEFAULT '{}',  -- every municipality affected: named, or holding what is named
    notice_id        uuid REFERENCES notices (id),  -- the SIKKERHED notice to the affected
    personal_data_told_at timestamptz,              -- when the affected (the controllers) were told of personal data
    recorded_by      text NOT NULL,
    recorded_at      timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          integer NOT NULL DEFAULT 1
);
CREATE INDEX security_incidents_unit ON security_incidents (unit, aware_at, id);
CREATE INDEX security_incidents_affected ON security_incidents USING gin (affected);
CREATE INDEX security_incidents_open ON security_incidents (aware_at) WHERE significant;

CREATE TABLE security_incident_reports (
    id            uuid PRIMARY KEY,
    incident_id   uuid NOT NULL REFERENCES security_incidents (id),
    kind          text NOT NULL CHECK (kind IN ('early_warning', 'notification', 'progress', 'final')),
    submitted_at  timestamptz NOT NULL,
    reference     text NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    summary       text NOT NULL CHECK (length(summary) BETWEEN 1 AND 5000),
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL
);
CREATE INDEX security_incident_reports_incident ON security_incident_reports (incident_id, submitted_at);
-- One report of each kind but progress, of which there may be several.
CREATE UNIQUE INDEX security_incident_reports_once ON security_incident_reports (incident_id, kind) WHERE kind <> 'progress';

-- +goose Down
DROP TABLE security_incident_reports;
DROP TABLE security_incidents;
