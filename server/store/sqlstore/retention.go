package sqlstore

import (
	"context"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// PurgeEvidence implements store.Retention.
func (s *Store) PurgeEvidence(ctx context.Context, kind, status string, before time.Time, limit int) ([]string, error) {
	args := []any{time.Now().UTC(), kind, status, before.UTC(), limit}
	query := `UPDATE evidence SET purged_at = $1 WHERE id IN (
			SELECT e.id FROM evidence e
			JOIN reports r ON r.id = e.report_id
			JOIN cases c ON c.id = r.case_id
			WHERE e.kind = $2 AND c.status = $3 AND c.status_since < $4 AND e.purged_at IS NULL
			ORDER BY e.id LIMIT $5)
			RETURNING sha256`
	if status == store.WarnCorrected {
		// Corrected after warning: no case, so no status; the record's
		// age is that of the violation's observation.
		query = `UPDATE warn_correction_evidence SET purged_at = $1 WHERE id IN (
			SELECT e.id FROM warn_correction_evidence e
			JOIN warn_corrections w ON w.event_id = e.event_id
			WHERE e.kind = $2 AND w.observed_at < $3 AND e.purged_at IS NULL
			ORDER BY e.id LIMIT $4)
			RETURNING sha256`
		args = []any{args[0], kind, before.UTC(), limit}
	}
	var shas []string
	err := s.db.InTx(ctx, func(q Querier) error {
		shas = shas[:0]
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sha string
			if err := rows.Scan(&sha); err != nil {
				return err
			}
			shas = append(shas, sha)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, s.errorf("purge %s evidence of %s cases: %w", kind, status, err)
	}
	return shas, nil
}

// BlobReferenced implements store.Retention.
func (s *Store) BlobReferenced(ctx context.Context, sha256 string) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM (SELECT 1 FROM evidence WHERE sha256 = $1 AND purged_at IS NULL LIMIT 1) e) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM warn_correction_evidence WHERE sha256 = $1 AND purged_at IS NULL LIMIT 1) w) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM case_audit WHERE attachment_sha256 = $1 LIMIT 1) a) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM model_versions WHERE sha256 = $1 LIMIT 1) m)`, sha256).Scan(&n)
	if err != nil {
		return false, s.errorf("look up blob %s: %w", sha256, err)
	}
	return n > 0, nil
}
