package main

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/postgres"
)

// checkStats compares the store's statistics of the year, which come from
// case_counts, with counting the cases themselves: a wrong trigger or
// back-fill would show here at full size.
func checkStats(ctx context.Context, st *postgres.Store, dsn string) error {
	got, err := st.Stats(ctx, store.StatsQuery{From: yearStart.Add(90 * time.Minute), DayOffset: 8 * time.Hour})
	if err != nil {
		return fmt.Errorf("check stats: %w", err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("check stats: %w", err)
	}
	defer conn.Close(ctx)
	for _, c := range []struct {
		expr string
		got  map[string]int
	}{
		{"violation_type", got.ByType}, {"status", got.ByStatus}, {"grid_code", got.ByGrid},
		{"to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')", got.ByDay},
	} {
		rows, err := conn.Query(ctx, "SELECT "+c.expr+", count(*) FROM cases WHERE created_at >= $1 GROUP BY 1",
			yearStart.Add(90*time.Minute))
		if err != nil {
			return fmt.Errorf("check stats: %w", err)
		}
		want := map[string]int{}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				return fmt.Errorf("check stats: %w", err)
			}
			want[k] = n
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("check stats: %w", err)
		}
		if !maps.Equal(want, c.got) {
			return fmt.Errorf("check stats: by %s: the store says %v, the cases %v", c.expr, c.got, want)
		}
	}
	fmt.Printf("  statistics checked against counting the %d cases: equal\n", got.Total)
	return nil
}
