-- Dispatch names who is responsible for a case: the unit (cases.unit,
-- which a new case takes from its grid cell and dispatch may change) and
-- the handling officer's user name (empty: the unit decides). The audit
-- trail keeps what each dispatch assigned; NULL for steps that assigned
-- nothing.
ALTER TABLE cases ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE case_audit ADD COLUMN assign_unit TEXT;
ALTER TABLE case_audit ADD COLUMN assign_officer TEXT;

-- A handler's "my cases".
CREATE INDEX cases_assignee ON cases (assignee, id);
