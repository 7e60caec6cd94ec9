package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// RecheckColumns are the columns QueryRechecks scans, in order.
const RecheckColumns = `id, case_id, case_version, device_id, camera_id, zone_id, violation_type,
	box_class, box_x, box_y, box_w, box_h, frame_width, frame_height, created_at, deadline,
	state, attempts, sent_at, outcome, detail, done_at`

// CreateRecheck implements store.Store.
func (s *Store) CreateRecheck(ctx context.Context, r store.NewRecheck) (bool, error) {
	var (
		class      *string
		x, y, w, h *float32
	)
	if b := r.Box; b != nil {
		class, x, y, w, h = &b.ClassName, &b.X, &b.Y, &b.Width, &b.Height
	}
	n, err := s.db.Exec(ctx, `INSERT INTO rechecks (id, case_id, case_version, device_id, camera_id, zone_id,
		violation_type, box_class, box_x, box_y, box_w, box_h, frame_width, frame_height, created_at, deadline)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING`,
		r.ID, r.CaseID, r.CaseVersion, r.DeviceID, r.CameraID, r.ZoneID, r.ViolationType,
		class, x, y, w, h, r.FrameWidth, r.FrameHeight, r.CreatedAt, r.Deadline)
	if err != nil {
		return false, s.errorf("create re-check of case %s: %w", r.CaseID, err)
	}
	return n == 1, nil
}

// GetRecheck implements store.Store.
func (s *Store) GetRecheck(ctx context.Context, id string) (*store.Recheck, error) {
	rs, err := QueryRechecks(ctx, s.db, `SELECT `+RecheckColumns+` FROM rechecks WHERE id = $1`, id)
	if err != nil {
		return nil, s.errorf("re-check %s: %w", id, err)
	}
	if len(rs) == 0 {
		return nil, store.ErrNotFound
	}
	return &rs[0], nil
}

// CaseRechecks implements store.Store.
func (s *Store) CaseRechecks(ctx context.Context, caseID string) ([]store.Recheck, error) {
	rs, err := QueryRechecks(ctx, s.db, `SELECT `+RecheckColumns+` FROM rechecks WHERE case_id = $1 ORDER BY created_at, id`, caseID)
	if err != nil {
		return nil, s.errorf("re-checks of case %s: %w", caseID, err)
	}
	return rs, nil
}

// ExpiredRechecks implements store.Store.
func (s *Store) ExpiredRechecks(ctx context.Context, now time.Time, limit int) ([]store.Recheck, error) {
	rs, err := QueryRechecks(ctx, s.db, `SELECT `+RecheckColumns+` FROM rechecks
		WHERE state = 'pending' AND deadline <= $1 ORDER BY deadline, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, s.errorf("expired re-checks: %w", err)
	}
	return rs, nil
}

// FinishRecheck implements store.Store. The re-check row's UPDATE … WHERE
// state = 'pending' lets one answer through: a concurrent one waits for the
// writer (SQLite) or the row lock (PostgreSQL) and then matches nothing.
func (s *Store) FinishRecheck(ctx context.Context, f store.RecheckFinish) error {
	err := s.db.InTx(ctx, func(tx Querier) error {
		n, err := tx.Exec(ctx, `UPDATE rechecks SET state = 'done', outcome = $1, detail = $2, done_at = $3
			WHERE id = $4 AND state = 'pending'`, f.Outcome, f.Detail, f.At, f.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM rechecks WHERE id = $1`, f.ID).Scan(&one)
			if errors.Is(err, ErrNoRows) {
				return store.ErrNotFound
			}
			if err != nil {
				return err
			}
			return store.ErrRecheckDone
		}
		switch {
		case f.Transition != nil:
			t := *f.Transition
			n, err := tx.Exec(ctx, `UPDATE cases SET status = $1, status_since = $2, updated_at = $2, version = version + 1
				WHERE id = $3 AND version = $4 AND status = $5`, t.To, t.At, t.CaseID, t.Version, t.From)
			if err != nil {
				return err
			}
			if n == 0 {
				return store.ErrConflict
			}
			if err := insertAudit(ctx, tx, transitionEntry(t, nil)); err != nil {
				return err
			}
			return enqueueAll(ctx, tx, t.Events)
		case f.Note != nil:
			note := *f.Note
			note.Assign = nil // a note assigns nothing
			return insertAudit(ctx, tx, note)
		}
		return nil
	})
	for _, e := range []error{store.ErrNotFound, store.ErrRecheckDone, store.ErrConflict} {
		if errors.Is(err, e) {
			return err
		}
	}
	if err != nil {
		return s.errorf("finish re-check %s: %w", f.ID, err)
	}
	return nil
}

// QueryRechecks runs a query that returns RecheckColumns.
func QueryRechecks(ctx context.Context, q Querier, query string, args ...any) ([]store.Recheck, error) {
	return queryAll(ctx, q, func(row Row) (store.Recheck, error) {
		var (
			r          store.Recheck
			class      *string
			x, y, w, h *float32
			sent, done *time.Time
		)
		if err := row.Scan(&r.ID, &r.CaseID, &r.CaseVersion, &r.DeviceID, &r.CameraID, &r.ZoneID, &r.ViolationType,
			&class, &x, &y, &w, &h, &r.FrameWidth, &r.FrameHeight, &r.CreatedAt, &r.Deadline,
			&r.State, &r.Attempts, &sent, &r.Outcome, &r.Detail, &done); err != nil {
			return r, err
		}
		if x != nil && y != nil && w != nil && h != nil {
			r.Box = &store.Detection{X: *x, Y: *y, Width: *w, Height: *h}
			if class != nil {
				r.Box.ClassName = *class
			}
		}
		if sent != nil {
			r.SentAt = *sent
		}
		if done != nil {
			r.DoneAt = *done
		}
		return r, nil
	}, query, args...)
}

// CasesToRecheck implements store.Store.
func (s *Store) CasesToRecheck(ctx context.Context, status string, limit int) ([]store.CaseVersion, error) {
	out, err := queryAll(ctx, s.db, func(row Row) (cv store.CaseVersion, err error) {
		return cv, row.Scan(&cv.CaseID, &cv.Version)
	}, `SELECT c.id, c.version FROM cases c
		WHERE c.status = $1 AND c.device_id <> ''
		AND NOT EXISTS (SELECT 1 FROM rechecks r WHERE r.case_id = c.id AND r.case_version = c.version)
		ORDER BY c.status_since, c.id LIMIT $2`, status, limit)
	if err != nil {
		return nil, s.errorf("cases to re-check: %w", err)
	}
	return out, nil
}
