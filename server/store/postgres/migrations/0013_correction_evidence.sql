-- The pictures of corrected-after-warning records, one row per file, as
-- SQLite's 0016_correction_evidence.sql.
CREATE TABLE warn_correction_evidence (
    id        bigserial PRIMARY KEY,
    event_id  text NOT NULL REFERENCES warn_corrections (event_id),
    kind      text NOT NULL,
    sha256    text NOT NULL,
    purged_at timestamptz
);
CREATE INDEX warn_correction_evidence_sha256 ON warn_correction_evidence (sha256);
CREATE INDEX warn_correction_evidence_event ON warn_correction_evidence (event_id);

INSERT INTO warn_correction_evidence (event_id, kind, sha256)
    SELECT w.event_id, e.value->>'Kind', e.value->>'SHA256'
    FROM warn_corrections w, jsonb_array_elements(w.evidence::jsonb) WITH ORDINALITY AS e(value, n)
    WHERE e.value->>'SHA256' IS NOT NULL
    ORDER BY w.event_id, e.n;
