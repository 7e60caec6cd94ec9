package sqlstore

import (
	"context"
	"strings"

	"github.com/xiuhua/xiuhua/server/store"
)

// Stats implements store.Store.
func (s *Store) Stats(ctx context.Context, q store.StatsQuery) (store.Stats, error) {
	var p params
	where := filterWhere(store.CaseFilter{From: q.From, To: q.To}, &p)
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
		// The offset is a number, not caller text.
		{s.dialect.Day("c.created_at", int64(q.DayOffset.Seconds())), out.ByDay},
	} {
		type count struct {
			k string
			n int
		}
		counts, err := queryAll(ctx, s.db, func(row Row) (c count, err error) {
			return c, row.Scan(&c.k, &c.n)
		}, "SELECT "+g.expr+", COUNT(*) FROM cases c"+cond+" GROUP BY 1", p...)
		if err != nil {
			return out, s.errorf("stats: %w", err)
		}
		for _, c := range counts {
			g.into[c.k] = c.n
		}
	}
	for _, n := range out.ByType {
		out.Total += n
	}
	return out, nil
}
