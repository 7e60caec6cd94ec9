package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

func (c *caseTx) Enqueue(ctx context.Context, e store.OutboxEvent) error {
	if err := sqlstore.Enqueue(ctx, pgQ{c.tx}, e); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// ClaimOutbox implements store.Outbox. SKIP LOCKED lets replicas claim at
// once without waiting on each other's rows; the lease keeps a claimed row
// from the others after the claim commits, while it is being delivered.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, sinks []string, now time.Time, lease time.Duration, limit int) ([]store.OutboxItem, error) {
	if len(sinks) == 0 || limit < 1 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
		WHERE seq IN (SELECT seq FROM outbox
			WHERE delivered_at IS NULL AND sink = ANY($3) AND next_at <= $4
			AND (lease_until IS NULL OR lease_until <= $4)
			ORDER BY seq LIMIT $5 FOR UPDATE SKIP LOCKED)
		RETURNING seq, event_id, sink, kind, case_id, at, payload, attempts`,
		owner, now.Add(lease), sinks, now, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim outbox: %w", err)
	}
	defer rows.Close()
	var out []store.OutboxItem
	for rows.Next() {
		var (
			it  store.OutboxItem
			pay string
		)
		if err := rows.Scan(&it.Seq, &it.EventID, &it.Sink, &it.Kind, &it.CaseID, &it.At, &pay, &it.Attempts); err != nil {
			return nil, fmt.Errorf("postgres: claim outbox: %w", err)
		}
		it.At = utc(it.At)
		it.Payload = []byte(pay)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: claim outbox: %w", err)
	}
	slices.SortFunc(out, func(a, b store.OutboxItem) int { return int(a.Seq - b.Seq) })
	return out, nil
}

// DeliveredOutbox implements store.Outbox.
func (s *Store) DeliveredOutbox(ctx context.Context, seq int64, owner string, at time.Time) error {
	// Whoever holds the lease now, the item did arrive.
	if _, err := s.pool.Exec(ctx, `UPDATE outbox SET delivered_at = $1, lease_owner = '', lease_until = NULL, last_error = ''
		WHERE seq = $2 AND delivered_at IS NULL`, at, seq); err != nil {
		return fmt.Errorf("postgres: outbox %d delivered: %w", seq, err)
	}
	return nil
}

// FailedOutbox implements store.Outbox.
func (s *Store) FailedOutbox(ctx context.Context, seq int64, owner string, next time.Time, errMsg string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE outbox SET next_at = $1, lease_owner = '', lease_until = NULL, last_error = $2
		WHERE seq = $3 AND lease_owner = $4 AND delivered_at IS NULL`, next, errMsg, seq, owner); err != nil {
		return fmt.Errorf("postgres: outbox %d failed: %w", seq, err)
	}
	return nil
}

// PruneOutbox implements store.Outbox.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("postgres: prune outbox: %w", err)
	}
	return tag.RowsAffected(), nil
}
