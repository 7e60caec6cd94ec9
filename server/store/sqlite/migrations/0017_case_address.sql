-- A case's place in words (address hook or nearest named street), found
-- when it is opened and kept, so that lists never call out for it
-- (docs/map.md). As PostgreSQL's 0014_case_address.sql.
ALTER TABLE cases ADD COLUMN address TEXT NOT NULL DEFAULT '';
