package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/xiuhua/xiuhua/server/store"
)

// filterWhere turns a case filter's bounds into WHERE terms on cases c,
// numbering parameters after those already in args.
func filterWhere(f store.CaseFilter, args []any) ([]string, []any) {
	var where []string
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	for _, t := range []struct {
		col, v string
	}{{"c.status", f.Status}, {"c.violation_type", f.ViolationType}, {"c.grid_code", f.GridCode}, {"c.unit", f.Unit}, {"c.assignee", f.Assignee}} {
		if t.v != "" {
			where = append(where, t.col+" = "+arg(t.v))
		}
	}
	if !f.From.IsZero() {
		where = append(where, "c.created_at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "c.created_at < "+arg(f.To))
	}
	return where, args
}

// Stats implements store.Store.
func (s *Store) Stats(ctx context.Context, q store.StatsQuery) (store.Stats, error) {
	where, args := filterWhere(store.CaseFilter{From: q.From, To: q.To}, nil)
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	out := store.Stats{ByType: map[string]int{}, ByStatus: map[string]int{}, ByGrid: map[string]int{}, ByDay: map[string]int{}}
	for _, g := range []struct {
		expr string
		into map[string]int
	}{
		{"c.violation_type", out.ByType},
		{"c.status", out.ByStatus},
		{"c.grid_code", out.ByGrid},
		// The offset is a number this code formats, not caller text.
		{"to_char((c.created_at AT TIME ZONE 'UTC') + make_interval(secs => " +
			strconv.FormatInt(int64(q.DayOffset.Seconds()), 10) + "), 'YYYY-MM-DD')", out.ByDay},
	} {
		rows, err := s.pool.Query(ctx, "SELECT "+g.expr+", COUNT(*) FROM cases c"+cond+" GROUP BY 1", args...)
		if err != nil {
			return out, fmt.Errorf("postgres: stats: %w", err)
		}
		for rows.Next() {
			var (
				k string
				n int
			)
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return out, fmt.Errorf("postgres: stats: %w", err)
			}
			g.into[k] = n
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return out, fmt.Errorf("postgres: stats: %w", err)
		}
	}
	for _, n := range out.ByType {
		out.Total += n
	}
	return out, nil
}
