-- AI re-checks (智能核查): when a case reaches reported, the server asks the
-- edge that found it to look at the zone again. A pending row is wanted
-- state: whichever replica holds the device's control stream sends it until
-- an answer or the deadline finishes it, once (state goes pending → done
-- under a WHERE state = 'pending').

CREATE TABLE rechecks (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    case_version   INTEGER NOT NULL,
    device_id      TEXT NOT NULL,
    camera_id      TEXT NOT NULL,
    zone_id        TEXT NOT NULL DEFAULT '',
    violation_type TEXT NOT NULL DEFAULT '',
    box_class      TEXT,
    box_x          REAL,
    box_y          REAL,
    box_w          REAL,
    box_h          REAL,
    frame_width    INTEGER NOT NULL DEFAULT 0,
    frame_height   INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    deadline       TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'pending',
    attempts       INTEGER NOT NULL DEFAULT 0,
    sent_at        TEXT NOT NULL DEFAULT '',
    outcome        TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    done_at        TEXT NOT NULL DEFAULT '',
    -- One re-check per time a case reaches reported.
    UNIQUE (case_id, case_version)
) STRICT;

CREATE INDEX rechecks_case ON rechecks (case_id, created_at);
-- Streams look for their device's pending re-checks, the sweeper for
-- pending ones past their deadline.
CREATE INDEX rechecks_device_pending ON rechecks (device_id) WHERE state = 'pending';
CREATE INDEX rechecks_deadline_pending ON rechecks (deadline) WHERE state = 'pending';
