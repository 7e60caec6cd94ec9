package sqlstore

import (
	"context"
	"fmt"

	"github.com/xiuhua/xiuhua/server/store"
)

// Enqueue writes one outbox row per sink of e inside tx. Claiming rows is
// the backends' own: the dialects lock differently.
func Enqueue(ctx context.Context, tx Querier, e store.OutboxEvent) error {
	for _, sink := range e.Sinks {
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (event_id, sink, kind, case_id, at, payload, next_at)
			VALUES ($1, $2, $3, $4, $5, $6, $5)`, e.ID, sink, e.Kind, e.CaseID, e.At, string(e.Payload)); err != nil {
			return fmt.Errorf("outbox event %s for %s: %w", e.ID, sink, err)
		}
	}
	return nil
}

func enqueueAll(ctx context.Context, tx Querier, events []store.OutboxEvent) error {
	for _, e := range events {
		if err := Enqueue(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// PendingOutbox implements store.Outbox.
func (s *Store) PendingOutbox(ctx context.Context) (map[string]int, error) {
	type count struct {
		sink string
		n    int
	}
	counts, err := queryAll(ctx, s.db, func(row Row) (c count, err error) {
		return c, row.Scan(&c.sink, &c.n)
	}, `SELECT sink, COUNT(*) FROM outbox WHERE delivered_at IS NULL GROUP BY sink`)
	if err != nil {
		return nil, s.errorf("pending outbox: %w", err)
	}
	out := map[string]int{}
	for _, c := range counts {
		out[c.sink] = c.n
	}
	return out, nil
}
