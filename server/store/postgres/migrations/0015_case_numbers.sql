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

-- The statistics (docs/statistics.md) start from the cases filed in a
-- range: the 'filed' entries of the audit trail by time.
CREATE INDEX case_audit_filed ON case_audit (at) WHERE to_status = 'filed';
