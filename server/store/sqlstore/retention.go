package sqlstore

import (
	"context"
	"time"
)

// PurgeEvidence implements store.Retention.
func (s *Store) PurgeEvidence(ctx context.Context, kind, status string, before time.Time, limit int) ([]string, error) {
	var shas []string
	err := s.db.InTx(ctx, func(q Querier) error {
		shas = shas[:0]
		rows, err := q.Query(ctx, `UPDATE evidence SET purged_at = $1 WHERE id IN (
			SELECT e.id FROM evidence e
			JOIN reports r ON r.id = e.report_id
			JOIN cases c ON c.id = r.case_id
			WHERE e.kind = $2 AND c.status = $3 AND c.status_since < $4 AND e.purged_at IS NULL
			ORDER BY e.id LIMIT $5)
			RETURNING sha256`, time.Now().UTC(), kind, status, before.UTC(), limit)
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
		(SELECT COUNT(*) FROM (SELECT 1 FROM case_audit WHERE attachment_sha256 = $1 LIMIT 1) a) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM model_versions WHERE sha256 = $1 LIMIT 1) m)`, sha256).Scan(&n)
	if err != nil {
		return false, s.errorf("look up blob %s: %w", sha256, err)
	}
	return n > 0, nil
}
