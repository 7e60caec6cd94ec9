-- A case's place in words (address hook or nearest named street), found
-- when it is opened and kept, so that lists never call out for it
-- (docs/map.md). As SQLite's 0017_case_address.sql.
ALTER TABLE cases ADD COLUMN IF NOT EXISTS address TEXT NOT NULL DEFAULT '';
