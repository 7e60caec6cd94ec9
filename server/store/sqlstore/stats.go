package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// Stats implements store.Store. The whole UTC days of [From, To) are read
// from case_counts, which triggers keep per month and per day (type,
// status, grid cell) and per quarter hour (all cases, for the days in the
// caller's zone); only the parts of the range outside whole days are
// counted case by case. The answer is what counting every case would
// give, read from a few hundred rows a month instead of a row per case
// (docs/scale.md).
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
// unbounded) to out: the whole months in it from the monthly counts, the
// days before and after them from the daily ones, and the days of the
// caller's zone from the quarter hours when days is set.
func (s *Store) readCounts(ctx context.Context, lo, hi time.Time, off int64, out *store.Stats, days bool) error {
	// The whole months [mlo, mhi) inside; zero stays unbounded.
	var mlo, mhi time.Time
	if !lo.IsZero() {
		mlo = time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, time.UTC)
		if mlo.Before(lo) {
			mlo = mlo.AddDate(0, 1, 0)
		}
	}
	if !hi.IsZero() {
		mhi = time.Date(hi.Year(), hi.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	type span struct {
		suffix   string // the dimensions' level
		from, to time.Time
	}
	spans := []span{{"", lo, hi}} // no whole month: days only
	if mlo.IsZero() || mhi.IsZero() || mlo.Before(mhi) {
		spans = []span{{"_month", mlo, mhi}}
		if !lo.IsZero() && lo.Before(mlo) {
			spans = append(spans, span{"", lo, mlo})
		}
		if !hi.IsZero() && mhi.Before(hi) {
			spans = append(spans, span{"", mhi, hi})
		}
	}
	for _, sp := range spans {
		for _, g := range []countGroup{{"type", out.ByType}, {"status", out.ByStatus}, {"grid", out.ByGrid}} {
			g.expr += sp.suffix
			if err := s.sumCounts(ctx, out, g, "key", sp.from, sp.to); err != nil {
				return err
			}
		}
	}
	if !days {
		return nil
	}
	return s.sumCounts(ctx, out, countGroup{"total", out.ByDay}, s.dialect.Day("bucket", off), lo, hi)
}

// sumCounts adds the counts of dimension g.expr with buckets in [from, to)
// (zero times unbounded), grouped by key, to g.into.
func (s *Store) sumCounts(ctx context.Context, out *store.Stats, g countGroup, key string, from, to time.Time) error {
	var p params
	q := "SELECT " + key + ", CAST(SUM(n) AS BIGINT) FROM case_counts WHERE dim = " + p.add(g.expr)
	if !from.IsZero() {
		q += " AND bucket >= " + p.add(from)
	}
	if !to.IsZero() {
		q += " AND bucket < " + p.add(to)
	}
	return s.addCounts(ctx, out, g, q+" GROUP BY 1 HAVING SUM(n) <> 0", p)
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
