-- Accounts belong to a responsible unit (责任单位, a code of cases.units):
-- a case dispatched to the unit without a named officer is its handlers'
-- to take. '' is no unit. As SQLite's 0018_units.sql.
-- (Numbered as the brief asked; whoever merges renumbers freely:
-- every statement here stands on its own.)
ALTER TABLE users ADD COLUMN IF NOT EXISTS unit TEXT NOT NULL DEFAULT '';
-- The 超期 view asks, per status, for the cases that entered it before a
-- cutoff: one range of this index per status.
CREATE INDEX IF NOT EXISTS cases_status_since ON cases (status, status_since);
