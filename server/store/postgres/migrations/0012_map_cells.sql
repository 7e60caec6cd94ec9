-- The map counts the open cases of every grid cell in one GROUP BY
-- (CountByCell, docs/scale.md): with status and grid code in one index
-- PostgreSQL answers it from the index alone (an index-only scan of the
-- open statuses' entries, about 30,000 of a year's million) instead of
-- fetching each open case's row for its grid code.
-- (Numbered after the last migration on this branch; whoever merges renumbers
-- freely: every statement here stands on its own.)
CREATE INDEX IF NOT EXISTS cases_status_grid ON cases (status, grid_code);
