-- Retention removes the files of finished cases (clips of rejected cases
-- after 30 days, say) but keeps their evidence rows, with the time the
-- file went, so that the case and its audit trail still say what there was.
ALTER TABLE evidence ADD COLUMN purged_at TEXT;
