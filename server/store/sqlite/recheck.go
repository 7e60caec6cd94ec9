package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// SendRechecks implements store.Store. SQLite has one writer at a time, so
// the UPDATE … RETURNING claims each row for one caller.
func (s *Store) SendRechecks(ctx context.Context, deviceID string, now, notSince time.Time) ([]store.Recheck, error) {
	// Not yet sent is '' here (the column is NOT NULL), NULL on PostgreSQL.
	rs, err := sqlstore.QueryRechecks(ctx, s.q, `UPDATE rechecks SET sent_at = $1, attempts = attempts + 1
		WHERE device_id = $2 AND state = 'pending' AND deadline > $1 AND (sent_at = '' OR sent_at <= $3)
		RETURNING `+sqlstore.RecheckColumns, now, deviceID, notSince)
	if err != nil {
		return nil, fmt.Errorf("sqlite: re-checks to send to %s: %w", deviceID, err)
	}
	return rs, nil
}
