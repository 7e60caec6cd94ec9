package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// SendRechecks implements store.Store. Under READ COMMITTED a second
// concurrent UPDATE waits for the first's row locks, re-checks sent_at
// against the new rows and claims none of them.
func (s *Store) SendRechecks(ctx context.Context, deviceID string, now, notSince time.Time) ([]store.Recheck, error) {
	rs, err := sqlstore.QueryRechecks(ctx, s.q, `UPDATE rechecks SET sent_at = $1, attempts = attempts + 1
		WHERE device_id = $2 AND state = 'pending' AND deadline > $1 AND (sent_at IS NULL OR sent_at <= $3)
		RETURNING `+sqlstore.RecheckColumns, now, deviceID, notSince)
	if err != nil {
		return nil, fmt.Errorf("postgres: re-checks to send to %s: %w", deviceID, err)
	}
	return rs, nil
}
