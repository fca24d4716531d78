-- The data the fair comparison of municipalities groups them by, besides their region: the
-- population and Danmarks Statistik's municipality group (1-5), filled in by the secretariat.

-- +goose Up
ALTER TABLE municipalities ADD COLUMN population integer CHECK (population > 0),
    ADD COLUMN municipality_group smallint CHECK (municipality_group BETWEEN 1 AND 5);

-- +goose Down
ALTER TABLE municipalities DROP COLUMN population, DROP COLUMN municipality_group;
