package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// countCases adds the cases created in the ranges, less than two days of
// them, to out, counting in Go: one query instead of one per dimension.
func (s *Store) countCases(ctx context.Context, ranges []timeRange, off time.Duration, out *store.Stats) error {
	var p params
	var or []string
	for _, r := range ranges {
		or = append(or, "("+strings.Join(filterWhere(store.CaseFilter{From: r.from, To: r.to}, &p), " AND ")+")")
	}
	q := "SELECT c.violation_type, c.status, c.grid_code, c.created_at FROM cases c WHERE " + strings.Join(or, " OR ")
	rows, err := s.db.Query(ctx, q, p...)
	if err != nil {
		return s.errorf("stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ, status, grid string
		var at time.Time
		if err := rows.Scan(&typ, &status, &grid, &at); err != nil {
			return s.errorf("stats: %w", err)
		}
		out.ByType[typ]++
		out.ByStatus[status]++
		out.ByGrid[grid]++
		out.ByDay[at.UTC().Add(off).Format("2006-01-02")]++
	}
	if err := rows.Err(); err != nil {
		return s.errorf("stats: %w", err)
	}
	return nil
}

// sumCounts adds case_counts' whole days [lo, hi) (zero unbounded) to out
// in one query: the type, status and grid counts of each span of
// monthsAndDays, and the days in the zone off east of UTC from the hourly
// counts, or the quarter-hourly ones for offsets like India's. For offsets
// of neither the days are counted from the cases (sumDaysOfCases).
func (s *Store) sumCounts(ctx context.Context, lo, hi time.Time, off time.Duration, out *store.Stats) error {
	var p params
	var parts []string
	for _, sp := range monthsAndDays(lo, hi) {
		parts = append(parts, "SELECT dim, key, CAST(SUM(n) AS BIGINT) FROM case_counts WHERE dim IN ("+
			p.add("type"+sp.suffix)+", "+p.add("status"+sp.suffix)+", "+p.add("grid"+sp.suffix)+")"+
			bucketRange(sp.from, sp.to, &p)+" GROUP BY dim, key")
	}
	// The offset is a number, not caller text.
	day := s.dialect.Day("bucket", int64(off.Seconds()))
	switch {
	case off%time.Hour == 0:
		parts = append(parts, "SELECT 'day', "+day+", CAST(SUM(n) AS BIGINT) FROM case_counts WHERE dim = 'total'"+
			bucketRange(lo, hi, &p)+" GROUP BY 2")
	case off%(15*time.Minute) == 0:
		parts = append(parts, "SELECT 'day', "+day+", CAST(SUM(n) AS BIGINT) FROM case_counts WHERE dim = 'total_15'"+
			bucketRange(lo, hi, &p)+" GROUP BY 2")
	default:
		if err := s.sumDaysOfCases(ctx, lo, hi, off, out); err != nil {
			return err
		}
	}
	into := map[string]map[string]int{"type": out.ByType, "status": out.ByStatus, "grid": out.ByGrid, "day": out.ByDay}
	rows, err := s.db.Query(ctx, strings.Join(parts, " UNION ALL "), p...)
	if err != nil {
		return s.errorf("stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dim, key string
		var n int
		if err := rows.Scan(&dim, &key, &n); err != nil {
			return s.errorf("stats: %w", err)
		}
		// Counts that went back to zero stay out of the maps.
		if n != 0 {
			into[strings.TrimSuffix(dim, "_month")][key] += n
		}
	}
	if err := rows.Err(); err != nil {
		return s.errorf("stats: %w", err)
	}
	return nil
}

// sumDaysOfCases adds the cases created in [lo, hi) (zero unbounded) to
// out.ByDay, grouped by the database.
func (s *Store) sumDaysOfCases(ctx context.Context, lo, hi time.Time, off time.Duration, out *store.Stats) error {
	var p params
	q := "SELECT " + s.dialect.Day("c.created_at", int64(off.Seconds())) + ", COUNT(*) FROM cases c"
	if where := filterWhere(store.CaseFilter{From: lo, To: hi}, &p); len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	type count struct {
		k string
		n int
	}
	counts, err := queryAll(ctx, s.db, func(row Row) (c count, err error) {
		return c, row.Scan(&c.k, &c.n)
	}, q+" GROUP BY 1", p...)
	if err != nil {
		return s.errorf("stats: %w", err)
	}
	for _, c := range counts {
		out.ByDay[c.k] += c.n
	}
	return nil
}

// bucketRange bounds case_counts' buckets to [from, to), zero unbounded.
func bucketRange(from, to time.Time, p *params) string {
	var q string
	if !from.IsZero() {
		q += " AND bucket >= " + p.add(from)
	}
	if !to.IsZero() {
		q += " AND bucket < " + p.add(to)
	}
	return q
}
