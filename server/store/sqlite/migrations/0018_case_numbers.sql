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

-- The statistics (docs/statistics.md) start from the cases filed in a
-- range: the 'filed' entries of the audit trail by time.
CREATE INDEX case_audit_filed ON case_audit (at) WHERE to_status = 'filed';
