package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

func (c *caseTx) Enqueue(ctx context.Context, e store.OutboxEvent) error {
	if err := sqlstore.Enqueue(ctx, sqlQ{c.tx}, e); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// ClaimOutbox implements store.Outbox. One SQLite file has one server, but
// the lease still guards against a second dispatcher in the same process.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, sinks []string, now time.Time, lease time.Duration, limit int) ([]store.OutboxItem, error) {
	if len(sinks) == 0 || limit < 1 {
		return nil, nil
	}
	args := []any{owner, formatTime(now.Add(lease))}
	for _, k := range sinks {
		args = append(args, k)
	}
	args = append(args, formatTime(now), formatTime(now), limit)
	// Write transactions begin IMMEDIATE, so the select and the update
	// see no other writer in between.
	rows, err := s.db.QueryContext(ctx, `UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
		WHERE seq IN (SELECT seq FROM outbox
			WHERE delivered_at IS NULL AND sink IN (?`+strings.Repeat(", ?", len(sinks)-1)+`)
			AND next_at <= ? AND lease_until <= ?
			ORDER BY seq LIMIT ?)
		RETURNING seq, event_id, sink, kind, case_id, at, payload, attempts`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim outbox: %w", err)
	}
	defer rows.Close()
	var out []store.OutboxItem
	for rows.Next() {
		var (
			it      store.OutboxItem
			at, pay string
		)
		if err := rows.Scan(&it.Seq, &it.EventID, &it.Sink, &it.Kind, &it.CaseID, &at, &pay, &it.Attempts); err != nil {
			return nil, fmt.Errorf("sqlite: claim outbox: %w", err)
		}
		if it.At, err = parseTime(at); err != nil {
			return nil, err
		}
		it.Payload = []byte(pay)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: claim outbox: %w", err)
	}
	slices.SortFunc(out, func(a, b store.OutboxItem) int { return int(a.Seq - b.Seq) })
	return out, nil
}

// DeliveredOutbox implements store.Outbox.
func (s *Store) DeliveredOutbox(ctx context.Context, seq int64, owner string, at time.Time) error {
	// Whoever holds the lease now, the item did arrive.
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET delivered_at = ?, lease_owner = '', lease_until = '', last_error = ''
		WHERE seq = ? AND delivered_at IS NULL`, formatTime(at), seq); err != nil {
		return fmt.Errorf("sqlite: outbox %d delivered: %w", seq, err)
	}
	return nil
}

// FailedOutbox implements store.Outbox.
func (s *Store) FailedOutbox(ctx context.Context, seq int64, owner string, next time.Time, errMsg string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET next_at = ?, lease_owner = '', lease_until = '', last_error = ?
		WHERE seq = ? AND lease_owner = ? AND delivered_at IS NULL`, formatTime(next), errMsg, seq, owner); err != nil {
		return fmt.Errorf("sqlite: outbox %d failed: %w", seq, err)
	}
	return nil
}

// PruneOutbox implements store.Outbox.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?`, formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune outbox: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune outbox: %w", err)
	}
	return n, nil
}
