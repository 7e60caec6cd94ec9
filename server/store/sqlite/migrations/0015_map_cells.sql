-- The map's open cases per grid cell from the index alone, as
-- PostgreSQL's 0012_map_cells.sql.
-- (Numbered after the last migration on this branch; whoever merges renumbers
-- freely: every statement here stands on its own.)
CREATE INDEX IF NOT EXISTS cases_status_grid ON cases (status, grid_code);
