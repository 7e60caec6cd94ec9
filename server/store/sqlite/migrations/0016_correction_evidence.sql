-- The pictures of a violation corrected after warning (自治) are in the blob
-- store like a case's, but warn_corrections kept them only inside its JSON,
-- where the orphan sweeper could not see them: they were deleted as
-- orphans. One row per file, so that a blob still needed is found by its
-- sha256, and retention can purge them (outcome "corrected") like a case's.
CREATE TABLE warn_correction_evidence (
    id        INTEGER PRIMARY KEY,
    event_id  TEXT NOT NULL REFERENCES warn_corrections (event_id),
    kind      TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    purged_at TEXT
) STRICT;
CREATE INDEX warn_correction_evidence_sha256 ON warn_correction_evidence (sha256);
CREATE INDEX warn_correction_evidence_event ON warn_correction_evidence (event_id);

INSERT INTO warn_correction_evidence (event_id, kind, sha256)
    SELECT w.event_id, json_extract(j.value, '$.Kind'), json_extract(j.value, '$.SHA256')
    FROM warn_corrections w, json_each(w.evidence) j
    WHERE json_extract(j.value, '$.SHA256') IS NOT NULL
    ORDER BY w.event_id, j.key;
