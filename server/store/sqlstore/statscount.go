package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// countCases adds the cases created in [from, to), less than two days of
// them, to out, counting in Go: one query instead of one per dimension.
func (s *Store) countCases(ctx context.Context, from, to time.Time, off time.Duration, out *store.Stats) error {
	var p params
	q := "SELECT c.violation_type, c.status, c.grid_code, c.created_at FROM cases c WHERE " +
		strings.Join(filterWhere(store.CaseFilter{From: from, To: to}, &p), " AND ")
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

// sumCounts adds the type, status and grid counts of a span of
// case_counts to out.
func (s *Store) sumCounts(ctx context.Context, sp countSpan, out *store.Stats) error {
	into := map[string]map[string]int{"type" + sp.suffix: out.ByType, "status" + sp.suffix: out.ByStatus,
		"grid" + sp.suffix: out.ByGrid}
	var p params
	q := "SELECT dim, key, CAST(SUM(n) AS BIGINT) FROM case_counts WHERE dim IN (" +
		p.add("type"+sp.suffix) + ", " + p.add("status"+sp.suffix) + ", " + p.add("grid"+sp.suffix) + ")" +
		bucketRange(sp.from, sp.to, &p) + " GROUP BY dim, key HAVING SUM(n) <> 0"
	rows, err := s.db.Query(ctx, q, p...)
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
		into[dim][key] += n
	}
	if err := rows.Err(); err != nil {
		return s.errorf("stats: %w", err)
	}
	return nil
}

// sumDays adds the cases of whole UTC days [lo, hi) (zero unbounded) to
// out.ByDay, by day in the zone off east of UTC: from the hourly counts,
// the quarter-hourly ones for offsets like India's, or counting the cases
// for offsets of neither.
func (s *Store) sumDays(ctx context.Context, lo, hi time.Time, off time.Duration, out *store.Stats) error {
	var p params
	var q string
	// The offset is a number, not caller text.
	secs := int64(off.Seconds())
	switch {
	case off%time.Hour == 0:
		q = "SELECT " + s.dialect.Day("bucket", secs) + ", CAST(SUM(n) AS BIGINT) FROM case_counts WHERE dim = 'total'" +
			bucketRange(lo, hi, &p)
	case off%(15*time.Minute) == 0:
		q = "SELECT " + s.dialect.Day("bucket", secs) + ", CAST(SUM(n) AS BIGINT) FROM case_counts WHERE dim = 'total_15'" +
			bucketRange(lo, hi, &p)
	default:
		q = "SELECT " + s.dialect.Day("c.created_at", secs) + ", COUNT(*) FROM cases c"
		if where := filterWhere(store.CaseFilter{From: lo, To: hi}, &p); len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
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
		if c.n != 0 {
			out.ByDay[c.k] += c.n
		}
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
