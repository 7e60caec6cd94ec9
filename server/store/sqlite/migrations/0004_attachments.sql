-- A transition may carry one attachment (the handler's photo): a blob,
-- named in the audit entry that it belongs to.

ALTER TABLE case_audit ADD COLUMN attachment_sha256 TEXT;
ALTER TABLE case_audit ADD COLUMN attachment_type TEXT;
ALTER TABLE case_audit ADD COLUMN attachment_size INTEGER;

CREATE INDEX case_audit_attachment ON case_audit (attachment_sha256) WHERE attachment_sha256 IS NOT NULL;
