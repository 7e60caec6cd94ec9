package sqlstore

import (
	"context"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// Stats implements store.Store. The whole UTC days of [From, To) are read
// from case_counts, which triggers keep per month and per day (type,
// status, grid cell) and per hour and quarter hour (all cases, for the
// days in the caller's zone); only the parts of the range outside whole
// days, less than a day at each end, are counted case by case. The answer
// is what counting every case would give, read from a few thousand rows
// for a year instead of a row per case (docs/scale.md).
func (s *Store) Stats(ctx context.Context, q store.StatsQuery) (store.Stats, error) {
	out := store.Stats{ByType: map[string]int{}, ByStatus: map[string]int{}, ByGrid: map[string]int{}, ByDay: map[string]int{}}
	// lo and hi bound the whole days; zero is unbounded, as in q.
	var lo, hi time.Time
	if !q.From.IsZero() {
		lo = q.From.UTC().Add(-time.Nanosecond).Truncate(24 * time.Hour).Add(24 * time.Hour)
	}
	if !q.To.IsZero() {
		hi = q.To.UTC().Truncate(24 * time.Hour)
	}
	if !lo.IsZero() && !hi.IsZero() && !lo.Before(hi) {
		// Less than two days and no whole one: count the cases.
		err := s.countCases(ctx, []timeRange{{q.From, q.To}}, q.DayOffset, &out)
		return withTotal(out), err
	}
	// The ends outside whole days, case by case, in one query.
	var ends []timeRange
	if !lo.IsZero() && q.From.Before(lo) {
		ends = append(ends, timeRange{q.From, lo})
	}
	if !hi.IsZero() && hi.Before(q.To) {
		ends = append(ends, timeRange{hi, q.To})
	}
	if len(ends) > 0 {
		if err := s.countCases(ctx, ends, q.DayOffset, &out); err != nil {
			return out, err
		}
	}
	if err := s.sumCounts(ctx, lo, hi, q.DayOffset, &out); err != nil {
		return out, err
	}
	return withTotal(out), nil
}

// timeRange is [from, to); zero times are unbounded.
type timeRange struct{ from, to time.Time }

func withTotal(out store.Stats) store.Stats {
	out.Total = 0
	for _, n := range out.ByType {
		out.Total += n
	}
	return out
}

// countSpan is a range of buckets of case_counts at one level.
type countSpan struct {
	suffix   string // of the dimensions: "" for days, "_month" for months
	from, to time.Time
}

// monthsAndDays splits whole days [lo, hi) (zero unbounded) into the whole
// months inside and the days before and after them.
func monthsAndDays(lo, hi time.Time) []countSpan {
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
	if !mlo.IsZero() && !mhi.IsZero() && !mlo.Before(mhi) {
		return []countSpan{{"", lo, hi}} // no whole month: days only
	}
	spans := []countSpan{{"_month", mlo, mhi}}
	if !lo.IsZero() && lo.Before(mlo) {
		spans = append(spans, countSpan{"", lo, mlo})
	}
	if !hi.IsZero() && mhi.Before(hi) {
		spans = append(spans, countSpan{"", mhi, hi})
	}
	return spans
}
