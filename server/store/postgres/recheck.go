package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xiuhua/xiuhua/server/store"
)

const recheckColumns = `id, case_id, case_version, device_id, camera_id, zone_id, violation_type,
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
	tag, err := s.pool.Exec(ctx, `INSERT INTO rechecks (id, case_id, case_version, device_id, camera_id, zone_id,
		violation_type, box_class, box_x, box_y, box_w, box_h, frame_width, frame_height, created_at, deadline)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING`,
		r.ID, r.CaseID, r.CaseVersion, r.DeviceID, r.CameraID, r.ZoneID, r.ViolationType,
		class, x, y, w, h, r.FrameWidth, r.FrameHeight, r.CreatedAt, r.Deadline)
	if err != nil {
		return false, fmt.Errorf("postgres: create re-check of case %s: %w", r.CaseID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// GetRecheck implements store.Store.
func (s *Store) GetRecheck(ctx context.Context, id string) (*store.Recheck, error) {
	rs, err := queryRechecks(ctx, s.pool, `SELECT `+recheckColumns+` FROM rechecks WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: re-check %s: %w", id, err)
	}
	if len(rs) == 0 {
		return nil, store.ErrNotFound
	}
	return &rs[0], nil
}

// CaseRechecks implements store.Store.
func (s *Store) CaseRechecks(ctx context.Context, caseID string) ([]store.Recheck, error) {
	rs, err := queryRechecks(ctx, s.pool, `SELECT `+recheckColumns+` FROM rechecks WHERE case_id = $1 ORDER BY created_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("postgres: re-checks of case %s: %w", caseID, err)
	}
	return rs, nil
}

// SendRechecks implements store.Store. Under READ COMMITTED a second
// concurrent UPDATE waits for the first's row locks, re-checks sent_at
// against the new rows and claims none of them.
func (s *Store) SendRechecks(ctx context.Context, deviceID string, now, notSince time.Time) ([]store.Recheck, error) {
	rs, err := queryRechecks(ctx, s.pool, `UPDATE rechecks SET sent_at = $1, attempts = attempts + 1
		WHERE device_id = $2 AND state = 'pending' AND deadline > $1 AND (sent_at IS NULL OR sent_at <= $3)
		RETURNING `+recheckColumns, now, deviceID, notSince)
	if err != nil {
		return nil, fmt.Errorf("postgres: re-checks to send to %s: %w", deviceID, err)
	}
	return rs, nil
}

// ExpiredRechecks implements store.Store.
func (s *Store) ExpiredRechecks(ctx context.Context, now time.Time, limit int) ([]store.Recheck, error) {
	rs, err := queryRechecks(ctx, s.pool, `SELECT `+recheckColumns+` FROM rechecks
		WHERE state = 'pending' AND deadline <= $1 ORDER BY deadline, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: expired re-checks: %w", err)
	}
	return rs, nil
}

// FinishRecheck implements store.Store. The re-check row's UPDATE … WHERE
// state = 'pending' lets one answer through; a concurrent one waits for
// its lock and then matches nothing.
func (s *Store) FinishRecheck(ctx context.Context, f store.RecheckFinish) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: finish re-check %s: begin: %w", f.ID, err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `UPDATE rechecks SET state = 'done', outcome = $1, detail = $2, done_at = $3
		WHERE id = $4 AND state = 'pending'`, f.Outcome, f.Detail, f.At, f.ID)
	if err != nil {
		return fmt.Errorf("postgres: finish re-check %s: %w", f.ID, err)
	}
	if tag.RowsAffected() == 0 {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM rechecks WHERE id = $1`, f.ID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("postgres: finish re-check %s: %w", f.ID, err)
		}
		return store.ErrRecheckDone
	}
	switch {
	case f.Transition != nil:
		t := *f.Transition
		tag, err := tx.Exec(ctx, `UPDATE cases SET status = $1, status_since = $2, updated_at = $2, version = version + 1
			WHERE id = $3 AND version = $4 AND status = $5`, t.To, t.At, t.CaseID, t.Version, t.From)
		if err != nil {
			return fmt.Errorf("postgres: finish re-check %s: case %s: %w", f.ID, t.CaseID, err)
		}
		if tag.RowsAffected() == 0 {
			return store.ErrConflict
		}
		if err := insertAudit(ctx, tx, t.CaseID, t.At, t.Actor, t.Role, t.Action, t.From, t.To, t.Comment, t.Attachment); err != nil {
			return fmt.Errorf("postgres: finish re-check %s: %w", f.ID, err)
		}
		for _, e := range t.Events {
			if err := enqueue(ctx, tx, e); err != nil {
				return fmt.Errorf("postgres: finish re-check %s: %w", f.ID, err)
			}
		}
	case f.Note != nil:
		n := f.Note
		if err := insertAudit(ctx, tx, n.CaseID, n.At, n.Actor, n.Role, n.Action, n.From, n.To, n.Comment, n.Attachment); err != nil {
			return fmt.Errorf("postgres: finish re-check %s: %w", f.ID, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: finish re-check %s: commit: %w", f.ID, err)
	}
	return nil
}

func insertAudit(ctx context.Context, tx pgx.Tx, caseID string, at time.Time, actor, role, action, from, to, comment string, att *store.Evidence) error {
	var (
		attSHA, attType *string
		attSize         *int64
	)
	if att != nil {
		attSHA, attType, attSize = &att.SHA256, &att.ContentType, &att.Size
	}
	if _, err := tx.Exec(ctx, `INSERT INTO case_audit (case_id, at, actor, role, action, from_status, to_status, comment,
		attachment_sha256, attachment_type, attachment_size)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, caseID, at, actor, role, action, from, to, comment,
		attSHA, attType, attSize); err != nil {
		return fmt.Errorf("audit of case %s: %w", caseID, err)
	}
	return nil
}

type rowQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func queryRechecks(ctx context.Context, q rowQuerier, query string, args ...any) ([]store.Recheck, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Recheck
	for rows.Next() {
		var (
			r          store.Recheck
			class      *string
			x, y, w, h *float32
			sent, done *time.Time
		)
		if err := rows.Scan(&r.ID, &r.CaseID, &r.CaseVersion, &r.DeviceID, &r.CameraID, &r.ZoneID, &r.ViolationType,
			&class, &x, &y, &w, &h, &r.FrameWidth, &r.FrameHeight, &r.CreatedAt, &r.Deadline,
			&r.State, &r.Attempts, &sent, &r.Outcome, &r.Detail, &done); err != nil {
			return nil, err
		}
		if x != nil && y != nil && w != nil && h != nil {
			r.Box = &store.Detection{X: *x, Y: *y, Width: *w, Height: *h}
			if class != nil {
				r.Box.ClassName = *class
			}
		}
		r.CreatedAt, r.Deadline = utc(r.CreatedAt), utc(r.Deadline)
		if sent != nil {
			r.SentAt = utc(*sent)
		}
		if done != nil {
			r.DoneAt = utc(*done)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CasesToRecheck implements store.Store.
func (s *Store) CasesToRecheck(ctx context.Context, status string, limit int) ([]store.CaseVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.id, c.version FROM cases c
		WHERE c.status = $1 AND c.device_id <> ''
		AND NOT EXISTS (SELECT 1 FROM rechecks r WHERE r.case_id = c.id AND r.case_version = c.version)
		ORDER BY c.status_since, c.id LIMIT $2`, status, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: cases to re-check: %w", err)
	}
	defer rows.Close()
	var out []store.CaseVersion
	for rows.Next() {
		var cv store.CaseVersion
		if err := rows.Scan(&cv.CaseID, &cv.Version); err != nil {
			return nil, fmt.Errorf("postgres: cases to re-check: %w", err)
		}
		out = append(out, cv)
	}
	return out, rows.Err()
}
