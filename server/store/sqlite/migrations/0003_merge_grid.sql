-- Merging and the grid: a report that repeats a rejected violation is kept
-- as a suppressed repeat; a case has a position and belongs to one grid
-- cell and its responsible unit.

ALTER TABLE reports ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;

ALTER TABLE cases ADD COLUMN lat REAL;
ALTER TABLE cases ADD COLUMN lon REAL;
ALTER TABLE cases ADD COLUMN grid_code TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN unit TEXT NOT NULL DEFAULT '';

-- Finding the open case a report joins: same camera, zone and type.
CREATE INDEX cases_place ON cases (camera_id, zone_id, violation_type, id);
CREATE INDEX cases_grid_code ON cases (grid_code, id);
