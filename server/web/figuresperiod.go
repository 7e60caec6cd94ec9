package web

import (
	"sort"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// periodStart is the first day of the week (Monday) or month holding day,
// at midnight in loc.
func periodStart(day time.Time, period string, loc *time.Location) time.Time {
	y, m, d := day.In(loc).Date()
	if period == periodMonth {
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	back := (int(day.In(loc).Weekday()) + 6) % 7 // days since Monday
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}

// periodKey names a period by its first day: "2026-11-30" for a week,
// "2026-12" for a month.
func periodKey(start time.Time, period string) string {
	if period == periodMonth {
		return start.Format("2006-01")
	}
	return start.Format("2006-01-02")
}

func nextPeriod(start time.Time, period string) time.Time {
	if period == periodMonth {
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 7)
}

// periodSeries folds the days' figures ("2006-01-02" in the pages' zone)
// into weeks or months, oldest first. With both ends of the range given,
// the periods between without a case are there too, with zeros, so that
// a quiet week shows as one.
func (s *server) periodSeries(days map[string]store.FigureCounts, period string, from, to time.Time) []PeriodFigureJSON {
	loc := s.opts.Location
	sums := map[time.Time]*store.FigureCounts{}
	for day, c := range days {
		d, err := time.ParseInLocation("2006-01-02", day, loc)
		if err != nil {
			s.log.Warn("stats: a day the store named is no day", "day", day)
			continue
		}
		k := periodStart(d, period, loc)
		if sums[k] == nil {
			sums[k] = &store.FigureCounts{}
		}
		sums[k].Add(c)
	}
	if !from.IsZero() && !to.IsZero() {
		n := 0
		for p := periodStart(from, period, loc); p.Before(to) && n < maxPeriods; p, n = nextPeriod(p, period), n+1 {
			if sums[p] == nil {
				sums[p] = &store.FigureCounts{}
			}
		}
	}
	starts := make([]time.Time, 0, len(sums))
	for k := range sums {
		starts = append(starts, k)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	out := make([]PeriodFigureJSON, 0, len(starts))
	for _, p := range starts {
		out = append(out, PeriodFigureJSON{Period: periodKey(p, period), From: p, FigureJSON: figureJSON(*sums[p])})
	}
	return out
}
