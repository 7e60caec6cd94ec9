-- The PostgreSQL schema, equal in meaning to the SQLite one after all its
-- migrations: devices, cases with their workflow columns, reports, their
-- evidence, and the append-only case audit trail. Times are timestamptz
-- (microseconds).

CREATE TABLE devices (
    id         text PRIMARY KEY,
    public_key bytea,                       -- ed25519, from Hello; NULL when none
    hostname   text NOT NULL DEFAULT '',
    version    text NOT NULL DEFAULT '',
    cameras    text NOT NULL DEFAULT '[]',  -- JSON, from Hello, kept as sent
    first_seen timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL,
    status     text                         -- JSON, the latest heartbeat
);

CREATE TABLE cases (
    id               text PRIMARY KEY,      -- sortable: newer ids are greater
    status           text NOT NULL,
    violation_type   text NOT NULL,
    device_id        text NOT NULL,
    camera_id        text NOT NULL,
    zone_id          text NOT NULL DEFAULT '',
    rule_id          text NOT NULL DEFAULT '',
    first_seen       timestamptz NOT NULL,
    last_seen        timestamptz NOT NULL,
    report_count     integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          integer NOT NULL DEFAULT 1,
    status_since     timestamptz NOT NULL,
    category_code    text NOT NULL DEFAULT '',
    subcategory_code text NOT NULL DEFAULT '',
    lat              double precision,
    lon              double precision,
    grid_code        text NOT NULL DEFAULT '',
    unit             text NOT NULL DEFAULT ''
);

CREATE INDEX cases_status_id ON cases (status, id);
-- Finding the open case a report joins: same camera, zone and type.
CREATE INDEX cases_place ON cases (camera_id, zone_id, violation_type, id);
CREATE INDEX cases_grid_code ON cases (grid_code, id);

-- Reports are not tied to devices by a foreign key: a box may report before
-- its first Hello reaches the server. event_id is UNIQUE: that constraint,
-- with INSERT ... ON CONFLICT, is what keeps several server replicas from
-- storing one report twice.
CREATE TABLE reports (
    id                 bigserial PRIMARY KEY,
    event_id           text NOT NULL UNIQUE,
    case_id            text NOT NULL REFERENCES cases (id),
    device_id          text NOT NULL,
    camera_id          text NOT NULL,
    zone_id            text NOT NULL DEFAULT '',
    rule_id            text NOT NULL DEFAULT '',
    violation_type     text NOT NULL,
    observed_at        timestamptz NOT NULL,
    started_at         timestamptz,
    dwell_seconds      double precision NOT NULL DEFAULT 0,
    detections         text NOT NULL DEFAULT '[]', -- JSON
    lat                double precision,
    lon                double precision,
    model_name         text NOT NULL DEFAULT '',
    model_version      text NOT NULL DEFAULT '',
    model_sha256       text NOT NULL DEFAULT '',
    frame_width        integer NOT NULL DEFAULT 0,
    frame_height       integer NOT NULL DEFAULT 0,
    signature          bytea,
    signed             bytea,                      -- the bytes the signature covers
    signature_verified boolean NOT NULL DEFAULT false,
    received_at        timestamptz NOT NULL,
    suppressed         boolean NOT NULL DEFAULT false -- repeats a rejected case
);

CREATE INDEX reports_case_id ON reports (case_id, id);

CREATE TABLE evidence (
    id           bigserial PRIMARY KEY,
    report_id    bigint NOT NULL REFERENCES reports (id),
    name         text NOT NULL,
    kind         text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    sha256       text NOT NULL,               -- the blob
    UNIQUE (report_id, name)
);

CREATE INDEX evidence_sha256 ON evidence (sha256);

CREATE TABLE case_audit (
    id          bigserial PRIMARY KEY,
    case_id     text NOT NULL REFERENCES cases (id),
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    role        text NOT NULL DEFAULT '',
    action      text NOT NULL,
    from_status text NOT NULL DEFAULT '',
    to_status   text NOT NULL,
    comment     text NOT NULL DEFAULT '',
    -- One attachment (the handler's photo), a blob.
    attachment_sha256 text,
    attachment_type   text,
    attachment_size   bigint
);

CREATE INDEX case_audit_case_id ON case_audit (case_id, id);
CREATE INDEX case_audit_attachment ON case_audit (attachment_sha256) WHERE attachment_sha256 IS NOT NULL;

-- The trail is evidence of who did what: nobody rewrites it, not even the
-- server through a bug.
CREATE FUNCTION case_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_audit is append-only';
END $$;
CREATE TRIGGER case_audit_no_change BEFORE UPDATE OR DELETE ON case_audit
    FOR EACH ROW EXECUTE FUNCTION case_audit_append_only();
