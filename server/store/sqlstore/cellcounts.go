package sqlstore

import (
	"context"
	"strings"
)

// CountByCell implements store.Store. One GROUP BY over the statuses'
// entries of cases_status_grid (an index-only scan on PostgreSQL): the map
// of a city with tens of thousands of open cases counts them all without
// reading a row of cases (docs/scale.md).
func (s *Store) CountByCell(ctx context.Context, statuses []string) (map[string]int, error) {
	out := map[string]int{}
	if len(statuses) == 0 {
		return out, nil
	}
	var p params
	in := make([]string, len(statuses))
	for i, st := range statuses {
		in[i] = p.add(st)
	}
	q := "SELECT c.grid_code, COUNT(*) FROM cases c WHERE c.status IN (" + strings.Join(in, ", ") + ") GROUP BY c.grid_code"
	rows, err := s.db.Query(ctx, q, p...)
	if err != nil {
		return nil, s.errorf("count cases by cell: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var grid string
		var n int
		if err := rows.Scan(&grid, &n); err != nil {
			return nil, s.errorf("count cases by cell: %w", err)
		}
		out[grid] = n
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("count cases by cell: %w", err)
	}
	return out, nil
}
