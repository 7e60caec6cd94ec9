-- Readable case numbers, YYYYMMDD-NNNN (server/store/casenum): the day the
-- case was opened and its place in that day's sequence. case_number_days
-- holds each day's last sequence number; OpenCase takes the next in its
-- own transaction.
ALTER TABLE cases ADD COLUMN number TEXT NOT NULL DEFAULT '';

CREATE TABLE case_number_days (
    day  TEXT PRIMARY KEY,       -- YYYYMMDD
    last INTEGER NOT NULL
) STRICT;

-- Cases from before numbers existed are numbered in creation order, by
-- their day in China Standard Time (UTC+8, no daylight saving): the
-- default web.time_zone. A migration cannot read the configuration.
UPDATE cases SET number = n.number FROM (
    SELECT id, strftime('%Y%m%d', created_at, '+8 hours') || '-' ||
        printf('%04d', ROW_NUMBER() OVER (PARTITION BY date(created_at, '+8 hours') ORDER BY created_at, id)) AS number
    FROM cases) AS n
WHERE n.id = cases.id;

INSERT INTO case_number_days (day, last)
    SELECT substr(number, 1, 8), COUNT(*) FROM cases GROUP BY 1;

CREATE UNIQUE INDEX cases_number ON cases (number);

-- Each case's time in each stage of the workflow (docs/statistics.md), kept
-- as its audit trail grows, so that the statistics read a row per case
-- instead of walking every audit entry: for stage i (pending_review, filed,
-- dispatched, handling, reported, verified) n<i> finished visits, s<i>
-- their seconds, m<i> the longest; filed_at the first entry to 'filed';
-- last_at and last_status the current visit (the latest entry).
CREATE TABLE case_stage_times (
    case_id     TEXT PRIMARY KEY,
    filed_at    TEXT,
    last_at     TEXT NOT NULL,
    last_status TEXT NOT NULL,
    n0 INTEGER NOT NULL DEFAULT 0, s0 REAL NOT NULL DEFAULT 0, m0 REAL NOT NULL DEFAULT 0, -- pending_review
    n1 INTEGER NOT NULL DEFAULT 0, s1 REAL NOT NULL DEFAULT 0, m1 REAL NOT NULL DEFAULT 0, -- filed
    n2 INTEGER NOT NULL DEFAULT 0, s2 REAL NOT NULL DEFAULT 0, m2 REAL NOT NULL DEFAULT 0, -- dispatched
    n3 INTEGER NOT NULL DEFAULT 0, s3 REAL NOT NULL DEFAULT 0, m3 REAL NOT NULL DEFAULT 0, -- handling
    n4 INTEGER NOT NULL DEFAULT 0, s4 REAL NOT NULL DEFAULT 0, m4 REAL NOT NULL DEFAULT 0, -- reported
    n5 INTEGER NOT NULL DEFAULT 0, s5 REAL NOT NULL DEFAULT 0, m5 REAL NOT NULL DEFAULT 0  -- verified
) STRICT;
CREATE INDEX case_stage_times_filed ON case_stage_times (filed_at);

-- Each new audit entry ends the visit the previous one began.
CREATE TRIGGER case_stage_times_follow AFTER INSERT ON case_audit BEGIN
    INSERT INTO case_stage_times AS t (case_id, filed_at, last_at, last_status)
        VALUES (NEW.case_id, CASE WHEN NEW.to_status = 'filed' THEN NEW.at END, NEW.at, NEW.to_status)
    ON CONFLICT (case_id) DO UPDATE SET
        n0 = t.n0 + CASE WHEN t.last_status = 'pending_review' THEN 1 ELSE 0 END,
        s0 = t.s0 + CASE WHEN t.last_status = 'pending_review' THEN ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0) ELSE 0 END,
        m0 = CASE WHEN t.last_status = 'pending_review' THEN max(t.m0, ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0)) ELSE t.m0 END,
        n1 = t.n1 + CASE WHEN t.last_status = 'filed' THEN 1 ELSE 0 END,
        s1 = t.s1 + CASE WHEN t.last_status = 'filed' THEN ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0) ELSE 0 END,
        m1 = CASE WHEN t.last_status = 'filed' THEN max(t.m1, ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0)) ELSE t.m1 END,
        n2 = t.n2 + CASE WHEN t.last_status = 'dispatched' THEN 1 ELSE 0 END,
        s2 = t.s2 + CASE WHEN t.last_status = 'dispatched' THEN ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0) ELSE 0 END,
        m2 = CASE WHEN t.last_status = 'dispatched' THEN max(t.m2, ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0)) ELSE t.m2 END,
        n3 = t.n3 + CASE WHEN t.last_status = 'handling' THEN 1 ELSE 0 END,
        s3 = t.s3 + CASE WHEN t.last_status = 'handling' THEN ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0) ELSE 0 END,
        m3 = CASE WHEN t.last_status = 'handling' THEN max(t.m3, ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0)) ELSE t.m3 END,
        n4 = t.n4 + CASE WHEN t.last_status = 'reported' THEN 1 ELSE 0 END,
        s4 = t.s4 + CASE WHEN t.last_status = 'reported' THEN ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0) ELSE 0 END,
        m4 = CASE WHEN t.last_status = 'reported' THEN max(t.m4, ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0)) ELSE t.m4 END,
        n5 = t.n5 + CASE WHEN t.last_status = 'verified' THEN 1 ELSE 0 END,
        s5 = t.s5 + CASE WHEN t.last_status = 'verified' THEN ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0) ELSE 0 END,
        m5 = CASE WHEN t.last_status = 'verified' THEN max(t.m5, ((julianday(excluded.last_at) - julianday(t.last_at)) * 86400.0)) ELSE t.m5 END,
        filed_at = COALESCE(t.filed_at, excluded.filed_at),
        last_at = excluded.last_at, last_status = excluded.last_status;
END;

-- The cases already there, from their trails: every entry paired with the
-- next by a window function.
INSERT INTO case_stage_times (case_id, filed_at, last_at, last_status, n0, s0, m0, n1, s1, m1, n2, s2, m2, n3, s3, m3, n4, s4, m4, n5, s5, m5)
WITH v AS (
    SELECT case_id, to_status AS stage, at AS since, LEAD(at) OVER (PARTITION BY case_id ORDER BY id) AS until
    FROM case_audit),
d AS (
    SELECT case_id, stage, since, until, CASE WHEN until IS NOT NULL THEN ((julianday(until) - julianday(since)) * 86400.0) END AS secs FROM v)
SELECT case_id, MIN(CASE WHEN stage = 'filed' THEN since END),
    MAX(CASE WHEN until IS NULL THEN since END), MAX(CASE WHEN until IS NULL THEN stage END),
    SUM(CASE WHEN stage = 'pending_review' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'pending_review' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'pending_review' AND until IS NOT NULL THEN secs END), 0),
    SUM(CASE WHEN stage = 'filed' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'filed' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'filed' AND until IS NOT NULL THEN secs END), 0),
    SUM(CASE WHEN stage = 'dispatched' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'dispatched' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'dispatched' AND until IS NOT NULL THEN secs END), 0),
    SUM(CASE WHEN stage = 'handling' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'handling' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'handling' AND until IS NOT NULL THEN secs END), 0),
    SUM(CASE WHEN stage = 'reported' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'reported' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'reported' AND until IS NOT NULL THEN secs END), 0),
    SUM(CASE WHEN stage = 'verified' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'verified' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'verified' AND until IS NOT NULL THEN secs END), 0)
FROM d GROUP BY case_id;
