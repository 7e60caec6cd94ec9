package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/xiuhua/xiuhua/server/store"
)

// Transition implements store.Store. The UPDATE's WHERE carries the
// version and status the caller saw; under READ COMMITTED a second
// concurrent UPDATE waits for the first, re-checks the WHERE against the
// new row, matches nothing and gets store.ErrConflict.
func (s *Store) Transition(ctx context.Context, t store.Transition) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: transition case %s: begin: %w", t.CaseID, err)
	}
	defer tx.Rollback(ctx)
	unit, officer := assignArgs(t.Assign)
	tag, err := tx.Exec(ctx, `UPDATE cases SET status = $1, status_since = $2, updated_at = $2, version = version + 1,
		unit = COALESCE($6, unit), assignee = COALESCE($7, assignee)
		WHERE id = $3 AND version = $4 AND status = $5`, t.To, t.At, t.CaseID, t.Version, t.From, unit, officer)
	if err != nil {
		return fmt.Errorf("postgres: transition case %s: %w", t.CaseID, err)
	}
	if tag.RowsAffected() == 0 {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM cases WHERE id = $1`, t.CaseID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("postgres: transition case %s: %w", t.CaseID, err)
		}
		return store.ErrConflict
	}
	var (
		attSHA, attType *string
		attSize         *int64
	)
	if a := t.Attachment; a != nil {
		attSHA, attType, attSize = &a.SHA256, &a.ContentType, &a.Size
	}
	if _, err := tx.Exec(ctx, `INSERT INTO case_audit (case_id, at, actor, role, action, from_status, to_status, comment,
		attachment_sha256, attachment_type, attachment_size, assign_unit, assign_officer)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, t.CaseID, t.At, t.Actor, t.Role, t.Action, t.From, t.To, t.Comment,
		attSHA, attType, attSize, unit, officer); err != nil {
		return fmt.Errorf("postgres: transition case %s: audit: %w", t.CaseID, err)
	}
	for _, e := range t.Events {
		if err := enqueue(ctx, tx, e); err != nil {
			return fmt.Errorf("postgres: transition case %s: %w", t.CaseID, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: transition case %s: commit: %w", t.CaseID, err)
	}
	return nil
}

// audit reads a case's trail, oldest first.
func audit(ctx context.Context, tx pgx.Tx, caseID string) ([]store.AuditEntry, error) {
	rows, err := tx.Query(ctx, `SELECT id, case_id, at, actor, role, action, from_status, to_status, comment,
		attachment_sha256, attachment_type, attachment_size, assign_unit, assign_officer
		FROM case_audit WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var (
			e               store.AuditEntry
			attSHA, attType *string
			attSize         *int64
			unit, officer   *string
		)
		if err := rows.Scan(&e.ID, &e.CaseID, &e.At, &e.Actor, &e.Role, &e.Action, &e.From, &e.To, &e.Comment,
			&attSHA, &attType, &attSize, &unit, &officer); err != nil {
			return nil, fmt.Errorf("postgres: audit of case %s: %w", caseID, err)
		}
		e.At = utc(e.At)
		if attSHA != nil {
			e.Attachment = &store.Evidence{Name: *attSHA, Kind: store.KindAttachment, ContentType: *attType,
				Size: *attSize, SHA256: *attSHA}
		}
		if unit != nil {
			e.Assign = &store.Assignee{Unit: *unit}
			if officer != nil {
				e.Assign.Officer = *officer
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: audit of case %s: %w", caseID, err)
	}
	return out, nil
}
