-- The first schema: devices, cases, reports and their evidence.
-- Times are UTC text in a fixed-width RFC 3339 form, so that they sort as
-- text. JSON columns hold what the server only displays.

CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    public_key BLOB,                      -- ed25519, from Hello; NULL when none
    hostname   TEXT NOT NULL DEFAULT '',
    version    TEXT NOT NULL DEFAULT '',
    cameras    TEXT NOT NULL DEFAULT '[]', -- JSON, from Hello
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    status     TEXT                       -- JSON, the latest heartbeat
) STRICT;

CREATE TABLE cases (
    id             TEXT PRIMARY KEY,      -- sortable: newer ids are greater
    status         TEXT NOT NULL,
    violation_type TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    camera_id      TEXT NOT NULL,
    zone_id        TEXT NOT NULL DEFAULT '',
    rule_id        TEXT NOT NULL DEFAULT '',
    first_seen     TEXT NOT NULL,
    last_seen      TEXT NOT NULL,
    report_count   INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

CREATE INDEX cases_status_id ON cases (status, id);

-- Reports are not tied to devices by a foreign key: a box may report before
-- its first Hello reaches the server.
CREATE TABLE reports (
    id                 INTEGER PRIMARY KEY,
    event_id           TEXT NOT NULL UNIQUE,
    case_id            TEXT NOT NULL REFERENCES cases (id),
    device_id          TEXT NOT NULL,
    camera_id          TEXT NOT NULL,
    zone_id            TEXT NOT NULL DEFAULT '',
    rule_id            TEXT NOT NULL DEFAULT '',
    violation_type     TEXT NOT NULL,
    observed_at        TEXT NOT NULL,
    started_at         TEXT,
    dwell_seconds      REAL NOT NULL DEFAULT 0,
    detections         TEXT NOT NULL DEFAULT '[]', -- JSON
    lat                REAL,
    lon                REAL,
    model_name         TEXT NOT NULL DEFAULT '',
    model_version      TEXT NOT NULL DEFAULT '',
    model_sha256       TEXT NOT NULL DEFAULT '',
    frame_width        INTEGER NOT NULL DEFAULT 0,
    frame_height       INTEGER NOT NULL DEFAULT 0,
    signature          BLOB,
    signed             BLOB,                       -- the bytes the signature covers
    signature_verified INTEGER NOT NULL DEFAULT 0,
    received_at        TEXT NOT NULL
) STRICT;

CREATE INDEX reports_case_id ON reports (case_id, id);

CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY,
    report_id    INTEGER NOT NULL REFERENCES reports (id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,              -- the blob
    UNIQUE (report_id, name)
) STRICT;

CREATE INDEX evidence_sha256 ON evidence (sha256);
