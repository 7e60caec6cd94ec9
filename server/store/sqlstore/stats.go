package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// Stats implements store.Store. The whole UTC days of [From, To) are read
// from case_counts, which triggers keep per day (type, status, grid cell)
// and per quarter hour (all cases, for the days in the caller's zone); only
// the parts of the range outside whole days are counted case by case. The
// answer is what counting every case would give, read from a few hundred
// rows a day instead of a row per case (docs/scale.md).
func (s *Store) Stats(ctx context.Context, q store.StatsQuery) (store.Stats, error) {
	out := store.Stats{ByType: map[string]int{}, ByStatus: map[string]int{}, ByGrid: map[string]int{}, ByDay: map[string]int{}}
	off := int64(q.DayOffset.Seconds())
	// lo and hi bound the whole days; zero is unbounded, as in q.
	var lo, hi time.Time
	if !q.From.IsZero() {
		lo = q.From.UTC().Add(-time.Nanosecond).Truncate(24 * time.Hour).Add(24 * time.Hour)
	}
	if !q.To.IsZero() {
		hi = q.To.UTC().Truncate(24 * time.Hour)
	}
	if !lo.IsZero() && !hi.IsZero() && !lo.Before(hi) {
		// Less than a whole day: count the cases.
		if err := s.countCases(ctx, q.From, q.To, off, &out, true); err != nil {
			return out, err
		}
		return withTotal(out), nil
	}
	if !lo.IsZero() && q.From.Before(lo) {
		if err := s.countCases(ctx, q.From, lo, off, &out, true); err != nil {
			return out, err
		}
	}
	if !hi.IsZero() && hi.Before(q.To) {
		if err := s.countCases(ctx, hi, q.To, off, &out, true); err != nil {
			return out, err
		}
	}
	// Quarter hours make days only for offsets of whole quarter hours.
	daysCounted := q.DayOffset%(15*time.Minute) == 0
	if !daysCounted {
		if err := s.countCases(ctx, lo, hi, off, &out, false); err != nil {
			return out, err
		}
	}
	if err := s.readCounts(ctx, lo, hi, off, &out, daysCounted); err != nil {
		return out, err
	}
	return withTotal(out), nil
}

func withTotal(out store.Stats) store.Stats {
	for _, n := range out.ByType {
		out.Total += n
	}
	return out
}

// countCases adds the cases created in [from, to) (zero times unbounded)
// to out: every dimension, or only the days.
func (s *Store) countCases(ctx context.Context, from, to time.Time, off int64, out *store.Stats, all bool) error {
	var p params
	where := filterWhere(store.CaseFilter{From: from, To: to}, &p)
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// The offset is a number, not caller text.
	groups := []countGroup{{s.dialect.Day("c.created_at", off), out.ByDay}}
	if all {
		groups = append(groups, countGroup{"c.violation_type", out.ByType}, countGroup{"c.status", out.ByStatus},
			countGroup{"c.grid_code", out.ByGrid})
	}
	for _, g := range groups {
		if err := s.addCounts(ctx, out, g, "SELECT "+g.expr+", COUNT(*) FROM cases c"+cond+" GROUP BY 1", p); err != nil {
			return err
		}
	}
	return nil
}

// readCounts adds case_counts' whole days in [lo, hi) (zero times
// unbounded) to out, the days too when days is set.
func (s *Store) readCounts(ctx context.Context, lo, hi time.Time, off int64, out *store.Stats, days bool) error {
	groups := []countGroup{{"type", out.ByType}, {"status", out.ByStatus}, {"grid", out.ByGrid}}
	if days {
		groups = append(groups, countGroup{"total", out.ByDay})
	}
	for _, g := range groups {
		var p params
		key := "key"
		if g.expr == "total" {
			key = s.dialect.Day("bucket", off)
		}
		q := "SELECT " + key + ", CAST(SUM(n) AS BIGINT) FROM case_counts WHERE dim = " + p.add(g.expr)
		if !lo.IsZero() {
			q += " AND bucket >= " + p.add(lo)
		}
		if !hi.IsZero() {
			q += " AND bucket < " + p.add(hi)
		}
		if err := s.addCounts(ctx, out, g, q+" GROUP BY 1 HAVING SUM(n) <> 0", p); err != nil {
			return err
		}
	}
	return nil
}

// countGroup is one dimension of the statistics: what to group by (an
// expression on cases, or a dimension of case_counts) and where it goes.
type countGroup struct {
	expr string
	into map[string]int
}

func (s *Store) addCounts(ctx context.Context, out *store.Stats, g countGroup, q string, p params) error {
	type count struct {
		k string
		n int
	}
	counts, err := queryAll(ctx, s.db, func(row Row) (c count, err error) {
		return c, row.Scan(&c.k, &c.n)
	}, q, p...)
	if err != nil {
		return s.errorf("stats: %w", err)
	}
	for _, c := range counts {
		g.into[c.k] += c.n
	}
	return nil
}
