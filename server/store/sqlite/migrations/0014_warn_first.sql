-- Warn first (先劝导、后立案): a report says how the edge's warning went, and
-- violations gone after a warning are kept as records without a case.
-- (Numbered after the last migration on this branch; whoever merges renumbers
-- freely: every statement here stands on its own.)

-- warn_outcome is '' for a report filed without warning first, else
-- not_corrected, warning_failed or quiet_hours; warn is the edge's warnings
-- and reason (store.Warn as JSON), NULL without.
ALTER TABLE reports ADD COLUMN warn_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN warn TEXT;
CREATE INDEX reports_warned ON reports (observed_at) WHERE warn_outcome = 'not_corrected';

-- Corrected after warning (自治): counted for the autonomy rate, never a
-- case. Signed like a report; its evidence is in the blob store.
CREATE TABLE warn_corrections (
    event_id           TEXT PRIMARY KEY,
    device_id          TEXT NOT NULL,
    camera_id          TEXT NOT NULL,
    zone_id            TEXT NOT NULL DEFAULT '',
    rule_id            TEXT NOT NULL DEFAULT '',
    violation_type     TEXT NOT NULL,
    grid_code          TEXT NOT NULL DEFAULT '',
    observed_at        TEXT NOT NULL,
    warn               TEXT NOT NULL,              -- store.Warn as JSON
    evidence           TEXT NOT NULL DEFAULT '[]', -- store.Evidence list as JSON
    signature          BLOB,
    signed             BLOB,
    signature_verified INTEGER NOT NULL DEFAULT 0,
    received_at        TEXT NOT NULL
) STRICT;
CREATE INDEX warn_corrections_observed ON warn_corrections (observed_at);
