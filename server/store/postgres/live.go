package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// CasesChangedSince implements store.Live.
func (s *Store) CasesChangedSince(ctx context.Context, since time.Time, limit int) ([]store.Case, error) {
	limit = min(max(limit, 1), store.MaxLimit)
	rows, err := s.pool.Query(ctx, "SELECT "+caseColumns+
		" WHERE c.updated_at >= $1 ORDER BY c.updated_at, c.id LIMIT $2", since.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: cases changed since %s: %w", since.Format(time.RFC3339), err)
	}
	defer rows.Close()
	var out []store.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: cases changed since: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: cases changed since: %w", err)
	}
	return out, nil
}
