-- The live-update poll (GET /api/v1/events) asks every second for cases
-- changed since a time: without this index it reads the whole table.
CREATE INDEX cases_updated ON cases (updated_at, id);
