-- (PostgreSQL migrations are numbered on their own: this is 0007 in SQLite.)
-- AI re-checks (智能核查): when a case reaches reported, the server asks the
-- edge that found it to look at the zone again. A pending row is wanted
-- state: whichever replica holds the device's control stream sends it until
-- an answer or the deadline finishes it, once (state goes pending → done
-- under a WHERE state = 'pending').

CREATE TABLE rechecks (
    id             text PRIMARY KEY,
    case_id        text NOT NULL REFERENCES cases (id),
    case_version   integer NOT NULL,
    device_id      text NOT NULL,
    camera_id      text NOT NULL,
    zone_id        text NOT NULL DEFAULT '',
    violation_type text NOT NULL DEFAULT '',
    box_class      text,
    box_x          real,
    box_y          real,
    box_w          real,
    box_h          real,
    frame_width    integer NOT NULL DEFAULT 0,
    frame_height   integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL,
    deadline       timestamptz NOT NULL,
    state          text NOT NULL DEFAULT 'pending',
    attempts       integer NOT NULL DEFAULT 0,
    sent_at        timestamptz,
    outcome        text NOT NULL DEFAULT '',
    detail         text NOT NULL DEFAULT '',
    done_at        timestamptz,
    -- One re-check per time a case reaches reported.
    UNIQUE (case_id, case_version)
);

CREATE INDEX rechecks_case ON rechecks (case_id, created_at);
-- Streams look for their device's pending re-checks, the sweeper for
-- pending ones past their deadline.
CREATE INDEX rechecks_device_pending ON rechecks (device_id) WHERE state = 'pending';
CREATE INDEX rechecks_deadline_pending ON rechecks (deadline) WHERE state = 'pending';
