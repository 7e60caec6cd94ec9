package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

const recheckColumns = `id, case_id, case_version, device_id, camera_id, zone_id, violation_type,
	box_class, box_x, box_y, box_w, box_h, frame_width, frame_height, created_at, deadline,
	state, attempts, sent_at, outcome, detail, done_at`

// CreateRecheck implements store.Store.
func (s *Store) CreateRecheck(ctx context.Context, r store.NewRecheck) (bool, error) {
	var class, x, y, w, h any
	if b := r.Box; b != nil {
		class, x, y, w, h = b.ClassName, b.X, b.Y, b.Width, b.Height
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO rechecks (id, case_id, case_version, device_id, camera_id, zone_id,
		violation_type, box_class, box_x, box_y, box_w, box_h, frame_width, frame_height, created_at, deadline)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		r.ID, r.CaseID, r.CaseVersion, r.DeviceID, r.CameraID, r.ZoneID, r.ViolationType,
		class, x, y, w, h, r.FrameWidth, r.FrameHeight, formatTime(r.CreatedAt), formatTime(r.Deadline))
	if err != nil {
		return false, fmt.Errorf("sqlite: create re-check of case %s: %w", r.CaseID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlite: create re-check of case %s: %w", r.CaseID, err)
	}
	return n == 1, nil
}

// GetRecheck implements store.Store.
func (s *Store) GetRecheck(ctx context.Context, id string) (*store.Recheck, error) {
	rs, err := s.queryRechecks(ctx, s.db, `SELECT `+recheckColumns+` FROM rechecks WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: re-check %s: %w", id, err)
	}
	if len(rs) == 0 {
		return nil, store.ErrNotFound
	}
	return &rs[0], nil
}

// CaseRechecks implements store.Store.
func (s *Store) CaseRechecks(ctx context.Context, caseID string) ([]store.Recheck, error) {
	rs, err := s.queryRechecks(ctx, s.db, `SELECT `+recheckColumns+` FROM rechecks WHERE case_id = ? ORDER BY created_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: re-checks of case %s: %w", caseID, err)
	}
	return rs, nil
}

// SendRechecks implements store.Store. SQLite has one writer at a time, so
// the UPDATE … RETURNING claims each row for one caller.
func (s *Store) SendRechecks(ctx context.Context, deviceID string, now, notSince time.Time) ([]store.Recheck, error) {
	rs, err := s.queryRechecks(ctx, s.db, `UPDATE rechecks SET sent_at = ?, attempts = attempts + 1
		WHERE device_id = ? AND state = 'pending' AND deadline > ? AND (sent_at = '' OR sent_at <= ?)
		RETURNING `+recheckColumns, formatTime(now), deviceID, formatTime(now), formatTime(notSince))
	if err != nil {
		return nil, fmt.Errorf("sqlite: re-checks to send to %s: %w", deviceID, err)
	}
	return rs, nil
}

// ExpiredRechecks implements store.Store.
func (s *Store) ExpiredRechecks(ctx context.Context, now time.Time, limit int) ([]store.Recheck, error) {
	rs, err := s.queryRechecks(ctx, s.db, `SELECT `+recheckColumns+` FROM rechecks
		WHERE state = 'pending' AND deadline <= ? ORDER BY deadline, id LIMIT ?`, formatTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: expired re-checks: %w", err)
	}
	return rs, nil
}

// FinishRecheck implements store.Store.
func (s *Store) FinishRecheck(ctx context.Context, f store.RecheckFinish) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: finish re-check %s: begin: %w", f.ID, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE rechecks SET state = 'done', outcome = ?, detail = ?, done_at = ?
		WHERE id = ? AND state = 'pending'`, f.Outcome, f.Detail, formatTime(f.At), f.ID)
	if err != nil {
		return fmt.Errorf("sqlite: finish re-check %s: %w", f.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: finish re-check %s: %w", f.ID, err)
	} else if n == 0 {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM rechecks WHERE id = ?`, f.ID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("sqlite: finish re-check %s: %w", f.ID, err)
		}
		return store.ErrRecheckDone
	}
	switch {
	case f.Transition != nil:
		t := *f.Transition
		at := formatTime(t.At)
		res, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?, status_since = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ? AND status = ?`, t.To, at, at, t.CaseID, t.Version, t.From)
		if err != nil {
			return fmt.Errorf("sqlite: finish re-check %s: case %s: %w", f.ID, t.CaseID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: finish re-check %s: case %s: %w", f.ID, t.CaseID, err)
		} else if n == 0 {
			return store.ErrConflict
		}
		if err := insertAudit(ctx, tx, t.CaseID, t.At, t.Actor, t.Role, t.Action, t.From, t.To, t.Comment, t.Attachment); err != nil {
			return fmt.Errorf("sqlite: finish re-check %s: %w", f.ID, err)
		}
		for _, e := range t.Events {
			if err := enqueue(ctx, tx, e); err != nil {
				return fmt.Errorf("sqlite: finish re-check %s: %w", f.ID, err)
			}
		}
	case f.Note != nil:
		n := f.Note
		if err := insertAudit(ctx, tx, n.CaseID, n.At, n.Actor, n.Role, n.Action, n.From, n.To, n.Comment, n.Attachment); err != nil {
			return fmt.Errorf("sqlite: finish re-check %s: %w", f.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: finish re-check %s: commit: %w", f.ID, err)
	}
	return nil
}

func insertAudit(ctx context.Context, tx *sql.Tx, caseID string, at time.Time, actor, role, action, from, to, comment string, att *store.Evidence) error {
	var attSHA, attType, attSize any
	if att != nil {
		attSHA, attType, attSize = att.SHA256, att.ContentType, att.Size
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_audit (case_id, at, actor, role, action, from_status, to_status, comment,
		attachment_sha256, attachment_type, attachment_size)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, caseID, formatTime(at), actor, role, action, from, to, comment,
		attSHA, attType, attSize); err != nil {
		return fmt.Errorf("audit of case %s: %w", caseID, err)
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) queryRechecks(ctx context.Context, q querier, query string, args ...any) ([]store.Recheck, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Recheck
	for rows.Next() {
		var (
			r                 store.Recheck
			class             sql.NullString
			x, y, w, h        sql.NullFloat64
			created, deadline string
			sent, done        string
		)
		if err := rows.Scan(&r.ID, &r.CaseID, &r.CaseVersion, &r.DeviceID, &r.CameraID, &r.ZoneID, &r.ViolationType,
			&class, &x, &y, &w, &h, &r.FrameWidth, &r.FrameHeight, &created, &deadline,
			&r.State, &r.Attempts, &sent, &r.Outcome, &r.Detail, &done); err != nil {
			return nil, err
		}
		if x.Valid {
			r.Box = &store.Detection{ClassName: class.String, X: float32(x.Float64), Y: float32(y.Float64),
				Width: float32(w.Float64), Height: float32(h.Float64)}
		}
		for _, p := range []struct {
			s   string
			dst *time.Time
		}{{created, &r.CreatedAt}, {deadline, &r.Deadline}, {sent, &r.SentAt}, {done, &r.DoneAt}} {
			if p.s == "" {
				continue
			}
			if *p.dst, err = parseTime(p.s); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CasesToRecheck implements store.Store.
func (s *Store) CasesToRecheck(ctx context.Context, status string, limit int) ([]store.CaseVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.version FROM cases c
		WHERE c.status = ? AND c.device_id <> ''
		AND NOT EXISTS (SELECT 1 FROM rechecks r WHERE r.case_id = c.id AND r.case_version = c.version)
		ORDER BY c.status_since, c.id LIMIT ?`, status, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: cases to re-check: %w", err)
	}
	defer rows.Close()
	var out []store.CaseVersion
	for rows.Next() {
		var cv store.CaseVersion
		if err := rows.Scan(&cv.CaseID, &cv.Version); err != nil {
			return nil, fmt.Errorf("sqlite: cases to re-check: %w", err)
		}
		out = append(out, cv)
	}
	return out, rows.Err()
}
