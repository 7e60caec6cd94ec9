-- Readable case numbers, YYYYMMDD-NNNN (server/store/casenum): the day the
-- case was opened and its place in that day's sequence. case_number_days
-- holds each day's last sequence number; OpenCase takes the next with an
-- upsert in its own transaction, whose row lock makes concurrent openings
-- of one day take turns, so no two share a number.
ALTER TABLE cases ADD COLUMN number text NOT NULL DEFAULT '';

CREATE TABLE case_number_days (
    day  text PRIMARY KEY,       -- YYYYMMDD
    last bigint NOT NULL
);

-- Cases from before numbers existed are numbered in creation order, by
-- their day in Asia/Shanghai: the default web.time_zone. A migration cannot
-- read the configuration. The sequence widens past 9999 (lpad would cut it).
UPDATE cases c SET number = n.number FROM (
    SELECT id, to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' ||
        CASE WHEN rn < 10000 THEN lpad(rn::text, 4, '0') ELSE rn::text END AS number
    FROM (SELECT id, created_at, ROW_NUMBER() OVER (
            PARTITION BY (created_at AT TIME ZONE 'Asia/Shanghai')::date ORDER BY created_at, id) AS rn
        FROM cases) r) n
WHERE n.id = c.id;

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
    case_id     text PRIMARY KEY,
    filed_at    timestamptz,
    last_at     timestamptz NOT NULL,
    last_status text NOT NULL,
    n0 integer NOT NULL DEFAULT 0, s0 double precision NOT NULL DEFAULT 0, m0 double precision NOT NULL DEFAULT 0, -- pending_review
    n1 integer NOT NULL DEFAULT 0, s1 double precision NOT NULL DEFAULT 0, m1 double precision NOT NULL DEFAULT 0, -- filed
    n2 integer NOT NULL DEFAULT 0, s2 double precision NOT NULL DEFAULT 0, m2 double precision NOT NULL DEFAULT 0, -- dispatched
    n3 integer NOT NULL DEFAULT 0, s3 double precision NOT NULL DEFAULT 0, m3 double precision NOT NULL DEFAULT 0, -- handling
    n4 integer NOT NULL DEFAULT 0, s4 double precision NOT NULL DEFAULT 0, m4 double precision NOT NULL DEFAULT 0, -- reported
    n5 integer NOT NULL DEFAULT 0, s5 double precision NOT NULL DEFAULT 0, m5 double precision NOT NULL DEFAULT 0  -- verified
);
CREATE INDEX case_stage_times_filed ON case_stage_times (filed_at);

-- Each new audit entry ends the visit the previous one began. Entries of one
-- case are appended one transaction at a time (a step updates the case's
-- row first), so the upsert always sees the previous one.
CREATE FUNCTION case_stage_times_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_stage_times AS t (case_id, filed_at, last_at, last_status)
        VALUES (NEW.case_id, CASE WHEN NEW.to_status = 'filed' THEN NEW.at END, NEW.at, NEW.to_status)
    ON CONFLICT (case_id) DO UPDATE SET
        n0 = t.n0 + CASE WHEN t.last_status = 'pending_review' THEN 1 ELSE 0 END,
        s0 = t.s0 + CASE WHEN t.last_status = 'pending_review' THEN CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION) ELSE 0 END,
        m0 = CASE WHEN t.last_status = 'pending_review' THEN GREATEST(t.m0, CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION)) ELSE t.m0 END,
        n1 = t.n1 + CASE WHEN t.last_status = 'filed' THEN 1 ELSE 0 END,
        s1 = t.s1 + CASE WHEN t.last_status = 'filed' THEN CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION) ELSE 0 END,
        m1 = CASE WHEN t.last_status = 'filed' THEN GREATEST(t.m1, CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION)) ELSE t.m1 END,
        n2 = t.n2 + CASE WHEN t.last_status = 'dispatched' THEN 1 ELSE 0 END,
        s2 = t.s2 + CASE WHEN t.last_status = 'dispatched' THEN CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION) ELSE 0 END,
        m2 = CASE WHEN t.last_status = 'dispatched' THEN GREATEST(t.m2, CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION)) ELSE t.m2 END,
        n3 = t.n3 + CASE WHEN t.last_status = 'handling' THEN 1 ELSE 0 END,
        s3 = t.s3 + CASE WHEN t.last_status = 'handling' THEN CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION) ELSE 0 END,
        m3 = CASE WHEN t.last_status = 'handling' THEN GREATEST(t.m3, CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION)) ELSE t.m3 END,
        n4 = t.n4 + CASE WHEN t.last_status = 'reported' THEN 1 ELSE 0 END,
        s4 = t.s4 + CASE WHEN t.last_status = 'reported' THEN CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION) ELSE 0 END,
        m4 = CASE WHEN t.last_status = 'reported' THEN GREATEST(t.m4, CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION)) ELSE t.m4 END,
        n5 = t.n5 + CASE WHEN t.last_status = 'verified' THEN 1 ELSE 0 END,
        s5 = t.s5 + CASE WHEN t.last_status = 'verified' THEN CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION) ELSE 0 END,
        m5 = CASE WHEN t.last_status = 'verified' THEN GREATEST(t.m5, CAST(EXTRACT(EPOCH FROM (excluded.last_at - t.last_at)) AS DOUBLE PRECISION)) ELSE t.m5 END,
        filed_at = COALESCE(t.filed_at, excluded.filed_at),
        last_at = excluded.last_at, last_status = excluded.last_status;
    RETURN NULL;
END $$;
CREATE TRIGGER case_stage_times_follow AFTER INSERT ON case_audit
    FOR EACH ROW EXECUTE FUNCTION case_stage_times_follow();

-- The cases already there, from their trails: every entry paired with the
-- next by a window function.
INSERT INTO case_stage_times (case_id, filed_at, last_at, last_status, n0, s0, m0, n1, s1, m1, n2, s2, m2, n3, s3, m3, n4, s4, m4, n5, s5, m5)
WITH v AS (
    SELECT case_id, to_status AS stage, at AS since, LEAD(at) OVER (PARTITION BY case_id ORDER BY id) AS until
    FROM case_audit),
d AS (
    SELECT case_id, stage, since, until, CASE WHEN until IS NOT NULL THEN CAST(EXTRACT(EPOCH FROM (until - since)) AS DOUBLE PRECISION) END AS secs FROM v)
SELECT case_id, MIN(CASE WHEN stage = 'filed' THEN since END),
    MAX(CASE WHEN until IS NULL THEN since END), MAX(CASE WHEN until IS NULL THEN stage END),
    SUM(CASE WHEN stage = 'pending_review' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'pending_review' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'pending_review' AND until IS NOT NULL THEN secs END), 0),
    SUM(CASE WHEN stage = 'filed' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'filed' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'filed' AND until IS NOT NULL THEN secs END), 0),
    SUM(CASE WHEN stage = 'dispatched' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'dispatched' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'dispatched' AND until IS NOT NULL THEN secs END), 0),
    SUM(CASE WHEN stage = 'handling' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'handling' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'handling' AND until IS NOT NULL THEN secs END), 0),
    SUM(CASE WHEN stage = 'reported' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'reported' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'reported' AND until IS NOT NULL THEN secs END), 0),
    SUM(CASE WHEN stage = 'verified' AND until IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN stage = 'verified' AND until IS NOT NULL THEN secs END), 0), COALESCE(MAX(CASE WHEN stage = 'verified' AND until IS NOT NULL THEN secs END), 0)
FROM d GROUP BY case_id;
