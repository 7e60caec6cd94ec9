-- Warn first (先劝导、后立案), as SQLite's 0012_warn_first.sql.
-- (Numbered after the last migration on this branch; whoever merges renumbers
-- freely: every statement here stands on its own.)

ALTER TABLE reports ADD COLUMN warn_outcome text NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN warn text; -- store.Warn as JSON
CREATE INDEX reports_warned ON reports (observed_at) WHERE warn_outcome = 'not_corrected';

CREATE TABLE warn_corrections (
    event_id           text PRIMARY KEY,
    device_id          text NOT NULL,
    camera_id          text NOT NULL,
    zone_id            text NOT NULL DEFAULT '',
    rule_id            text NOT NULL DEFAULT '',
    violation_type     text NOT NULL,
    grid_code          text NOT NULL DEFAULT '',
    observed_at        timestamptz NOT NULL,
    warn               text NOT NULL,
    evidence           text NOT NULL DEFAULT '[]',
    signature          bytea,
    signed             bytea,
    signature_verified boolean NOT NULL DEFAULT false,
    received_at        timestamptz NOT NULL
);
CREATE INDEX warn_corrections_observed ON warn_corrections (observed_at);
