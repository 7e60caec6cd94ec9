-- The case workflow: an optimistic version, the time of the current status,
-- the platform's event codes, and the append-only audit trail.

ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cases ADD COLUMN status_since TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN category_code TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN subcategory_code TEXT NOT NULL DEFAULT '';
UPDATE cases SET status_since = created_at;

CREATE TABLE case_audit (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX case_audit_case_id ON case_audit (case_id, id);

-- Cases opened before the workflow existed get their opening entry.
INSERT INTO case_audit (case_id, at, actor, action, to_status)
    SELECT id, created_at, 'system', 'open', status FROM cases;

-- The trail is evidence of who did what: nobody rewrites it, not even the
-- server through a bug.
CREATE TRIGGER case_audit_no_update BEFORE UPDATE ON case_audit
BEGIN SELECT RAISE(ABORT, 'case_audit is append-only'); END;
CREATE TRIGGER case_audit_no_delete BEFORE DELETE ON case_audit
BEGIN SELECT RAISE(ABORT, 'case_audit is append-only'); END;
