-- Adoption key figures of the usage mapping: the council's target per domain, and each
-- municipality's counts per domain (and '' for all domains), kept current when its answers or
-- the list change, so that no read recomputes them.

-- +goose Up
CREATE TABLE adoption_targets (
    domain          text PRIMARY KEY,
    target_percent  numeric(5, 2) NOT NULL CHECK (target_percent BETWEEN 0 AND 100),
    set_by          text NOT NULL,
    set_at          timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1
);

CREATE TABLE adoption_figures (
    municipality  text NOT NULL REFERENCES municipalities (code),
    domain        text NOT NULL,  -- '' for all domains together
    systems       integer NOT NULL,
    answered      integer NOT NULL,
    used          integer NOT NULL,  -- primary or secondary
    "primary"     integer NOT NULL,
    computed_at   timestamptz NOT NULL,
    PRIMARY KEY (municipality, domain)
);

-- +goose Down
DROP TABLE adoption_figures;
DROP TABLE adoption_targets;
