package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/xiuhua/xiuhua/server/store"
)

// filterWhere turns a case filter's bounds into WHERE terms on cases c.
func filterWhere(f store.CaseFilter) (where []string, args []any) {
	for _, t := range []struct {
		col, v string
	}{{"c.status", f.Status}, {"c.violation_type", f.ViolationType}, {"c.grid_code", f.GridCode}, {"c.unit", f.Unit}, {"c.assignee", f.Assignee}} {
		if t.v != "" {
			where = append(where, t.col+" = ?")
			args = append(args, t.v)
		}
	}
	if !f.From.IsZero() {
		where = append(where, "c.created_at >= ?")
		args = append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "c.created_at < ?")
		args = append(args, formatTime(f.To))
	}
	return where, args
}

// Stats implements store.Store.
func (s *Store) Stats(ctx context.Context, q store.StatsQuery) (store.Stats, error) {
	where, args := filterWhere(store.CaseFilter{From: q.From, To: q.To})
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	out := store.Stats{ByType: map[string]int{}, ByStatus: map[string]int{}, ByGrid: map[string]int{}, ByDay: map[string]int{}}
	offset := fmt.Sprintf("%+d seconds", int64(q.DayOffset.Seconds()))
	for _, g := range []struct {
		expr string
		into map[string]int
	}{
		{"c.violation_type", out.ByType},
		{"c.status", out.ByStatus},
		{"c.grid_code", out.ByGrid},
		{"date(c.created_at, '" + offset + "')", out.ByDay},
	} {
		rows, err := s.db.QueryContext(ctx, "SELECT "+g.expr+", COUNT(*) FROM cases c"+cond+" GROUP BY 1", args...)
		if err != nil {
			return out, fmt.Errorf("sqlite: stats: %w", err)
		}
		for rows.Next() {
			var (
				k string
				n int
			)
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return out, fmt.Errorf("sqlite: stats: %w", err)
			}
			g.into[k] = n
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return out, fmt.Errorf("sqlite: stats: %w", err)
		}
	}
	for _, n := range out.ByType {
		out.Total += n
	}
	return out, nil
}
