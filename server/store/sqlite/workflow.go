package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/xiuhua/xiuhua/server/store"
)

// Transition implements store.Store. The UPDATE's WHERE carries the
// version and status the caller saw, so of two officers acting at once the
// second changes nothing and gets store.ErrConflict.
func (s *Store) Transition(ctx context.Context, t store.Transition) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: transition case %s: begin: %w", t.CaseID, err)
	}
	defer tx.Rollback()
	at := formatTime(t.At)
	unit, officer := assignArgs(t.Assign)
	res, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?, status_since = ?, updated_at = ?, version = version + 1,
		unit = COALESCE(?, unit), assignee = COALESCE(?, assignee)
		WHERE id = ? AND version = ? AND status = ?`, t.To, at, at, unit, officer, t.CaseID, t.Version, t.From)
	if err != nil {
		return fmt.Errorf("sqlite: transition case %s: %w", t.CaseID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: transition case %s: %w", t.CaseID, err)
	}
	if n == 0 {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM cases WHERE id = ?`, t.CaseID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("sqlite: transition case %s: %w", t.CaseID, err)
		}
		return store.ErrConflict
	}
	var attSHA, attType, attSize any
	if a := t.Attachment; a != nil {
		attSHA, attType, attSize = a.SHA256, a.ContentType, a.Size
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_audit (case_id, at, actor, role, action, from_status, to_status, comment,
		attachment_sha256, attachment_type, attachment_size, assign_unit, assign_officer)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.CaseID, at, t.Actor, t.Role, t.Action, t.From, t.To, t.Comment,
		attSHA, attType, attSize, unit, officer); err != nil {
		return fmt.Errorf("sqlite: transition case %s: audit: %w", t.CaseID, err)
	}
	for _, e := range t.Events {
		if err := enqueue(ctx, tx, e); err != nil {
			return fmt.Errorf("sqlite: transition case %s: %w", t.CaseID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: transition case %s: commit: %w", t.CaseID, err)
	}
	return nil
}

// audit reads a case's trail, oldest first.
func audit(ctx context.Context, tx *sql.Tx, caseID string) ([]store.AuditEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, case_id, at, actor, role, action, from_status, to_status, comment,
		attachment_sha256, attachment_type, attachment_size, assign_unit, assign_officer
		FROM case_audit WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var (
			e               store.AuditEntry
			at              string
			attSHA, attType sql.NullString
			attSize         sql.NullInt64
			unit, officer   sql.NullString
		)
		if err := rows.Scan(&e.ID, &e.CaseID, &at, &e.Actor, &e.Role, &e.Action, &e.From, &e.To, &e.Comment,
			&attSHA, &attType, &attSize, &unit, &officer); err != nil {
			return nil, fmt.Errorf("sqlite: audit of case %s: %w", caseID, err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		if attSHA.Valid {
			e.Attachment = &store.Evidence{Name: attSHA.String, Kind: store.KindAttachment, ContentType: attType.String,
				Size: attSize.Int64, SHA256: attSHA.String}
		}
		if unit.Valid {
			e.Assign = &store.Assignee{Unit: unit.String, Officer: officer.String}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: audit of case %s: %w", caseID, err)
	}
	return out, nil
}
