package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/xiuhua/xiuhua/server/store"
)

// Transition implements store.Store. The UPDATE's WHERE carries the
// version and status the caller saw, so of two officers acting at once the
// second changes nothing and gets store.ErrConflict: on SQLite because
// writers take turns, on PostgreSQL because under READ COMMITTED the second
// UPDATE waits for the first's row lock and re-checks the WHERE against
// the new row.
func (s *Store) Transition(ctx context.Context, t store.Transition) error {
	err := s.db.InTx(ctx, func(tx Querier) error {
		unit, officer := assignArgs(t.Assign)
		n, err := tx.Exec(ctx, `UPDATE cases SET status = $1, status_since = $2, updated_at = $2, version = version + 1,
			unit = COALESCE($6, unit), assignee = COALESCE($7, assignee)
			WHERE id = $3 AND version = $4 AND status = $5`, t.To, t.At, t.CaseID, t.Version, t.From, unit, officer)
		if err != nil {
			return err
		}
		if n == 0 {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM cases WHERE id = $1`, t.CaseID).Scan(&one)
			if errors.Is(err, ErrNoRows) {
				return store.ErrNotFound
			}
			if err != nil {
				return err
			}
			return store.ErrConflict
		}
		if err := insertAudit(ctx, tx, transitionEntry(t, t.Assign)); err != nil {
			return err
		}
		return enqueueAll(ctx, tx, t.Events)
	})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return err
	}
	if err != nil {
		return s.errorf("transition case %s: %w", t.CaseID, err)
	}
	return nil
}

// transitionEntry is t's audit entry.
func transitionEntry(t store.Transition, assign *store.Assignee) store.AuditEntry {
	return store.AuditEntry{CaseID: t.CaseID, At: t.At, Actor: t.Actor, Role: t.Role, Action: t.Action,
		From: t.From, To: t.To, Comment: t.Comment, Attachment: t.Attachment, Assign: assign}
}

// assignArgs are a transition's unit and officer as SQL arguments: NULL
// for a step that assigns nothing, so that the UPDATE's COALESCE keeps the
// case's own and the audit entry records none.
func assignArgs(a *store.Assignee) (unit, officer *string) {
	if a == nil {
		return nil, nil
	}
	return &a.Unit, &a.Officer
}

// insertAudit appends e (its ID aside) to its case's trail.
func insertAudit(ctx context.Context, tx Querier, e store.AuditEntry) error {
	var (
		attSHA, attType *string
		attSize         *int64
	)
	if a := e.Attachment; a != nil {
		attSHA, attType, attSize = &a.SHA256, &a.ContentType, &a.Size
	}
	unit, officer := assignArgs(e.Assign)
	if _, err := tx.Exec(ctx, `INSERT INTO case_audit (case_id, at, actor, role, action, from_status, to_status, comment,
		attachment_sha256, attachment_type, attachment_size, assign_unit, assign_officer)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, e.CaseID, e.At, e.Actor, e.Role, e.Action,
		e.From, e.To, e.Comment, attSHA, attType, attSize, unit, officer); err != nil {
		return fmt.Errorf("audit of case %s: %w", e.CaseID, err)
	}
	return nil
}

// audit reads a case's trail, oldest first.
func audit(ctx context.Context, tx Querier, caseID string) ([]store.AuditEntry, error) {
	out, err := queryAll(ctx, tx, func(row Row) (store.AuditEntry, error) {
		var (
			e               store.AuditEntry
			attSHA, attType *string
			attSize         *int64
			unit, officer   *string
		)
		if err := row.Scan(&e.ID, &e.CaseID, &e.At, &e.Actor, &e.Role, &e.Action, &e.From, &e.To, &e.Comment,
			&attSHA, &attType, &attSize, &unit, &officer); err != nil {
			return e, err
		}
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
		return e, nil
	}, `SELECT id, case_id, at, actor, role, action, from_status, to_status, comment,
		attachment_sha256, attachment_type, attachment_size, assign_unit, assign_officer
		FROM case_audit WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("audit of case %s: %w", caseID, err)
	}
	return out, nil
}
