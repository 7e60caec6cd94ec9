package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store/caseid"
)

// The seeded year: 2026 in China Standard Time. The benchmark's "now" is
// its end, so the newest cases are still being worked on.
var (
	cst       = time.FixedZone("CST", 8*3600)
	yearStart = time.Date(2026, 1, 1, 0, 0, 0, 0, cst)
	yearEnd   = time.Date(2027, 1, 1, 0, 0, 0, 0, cst)
)

// hourWeights is when cases are found, by hour of the local day: few at
// night, most at the midday and evening markets.
var hourWeights = []float64{0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.2, 1.2, 1.3, 1.6,
	1.6, 1.3, 1.1, 1.1, 1.2, 1.6, 2.0, 2.0, 1.7, 1.2, 0.7, 0.4}

// typeWeights: street vending most, illegal structures least.
var (
	seedTypes   = []string{"street_vending", "outside_store", "street_laundry", "illegal_structure"}
	typeWeights = newWeighted([]float64{0.45, 0.30, 0.15, 0.10})
)

// caseTimes draws n creation times over the year, sorted: more in summer
// (laundry, night markets), by the hour weights within a day.
func caseTimes(rng *rand.Rand, n int) []time.Time {
	hours := newWeighted(hourWeights)
	days := int(yearEnd.Sub(yearStart).Hours() / 24)
	out := make([]time.Time, n)
	for i := range out {
		var day int
		for {
			day = rng.IntN(days)
			season := 1 + 0.25*math.Sin(2*math.Pi*(float64(day)-100)/float64(days))
			if rng.Float64()*1.25 < season {
				break
			}
		}
		sec := hours.pick(rng)*3600 + rng.IntN(3600)
		out[i] = yearStart.AddDate(0, 0, day).Add(time.Duration(sec)*time.Second + time.Duration(rng.IntN(1000))*time.Millisecond)
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// caseIDs gives each creation time its id from the server's own
// generator, so that ids sort by time as in production.
func caseIDs(times []time.Time) []string {
	g := caseid.NewGen()
	out := make([]string, len(times))
	for i, t := range times {
		out[i] = g.Next(t)
	}
	return out
}

// statusMix is the share of each status among cases of an age: the new
// ones wait for review or are being handled; after two weeks nearly all
// are closed or rejected, and a few are stuck.
var statusMix = []struct {
	maxAge time.Duration
	pick   *weighted
}{
	{24 * time.Hour, newWeighted([]float64{60, 10, 15, 10, 5, 0, 0, 0})},
	{72 * time.Hour, newWeighted([]float64{10, 5, 25, 15, 25, 10, 5, 5})},
	{14 * 24 * time.Hour, newWeighted([]float64{1, 0, 30, 3, 10, 5, 6, 45})},
	{math.MaxInt64, newWeighted([]float64{0, 0, 33, 0.2, 1, 0.5, 0.3, 65})},
}

// statusOrder is statusMix's column order.
var statusOrder = []string{cases.StatusPendingReview, cases.StatusFiled, cases.StatusRejected, cases.StatusDispatched,
	cases.StatusHandling, cases.StatusReported, cases.StatusVerified, cases.StatusClosed}

// pathTo is the workflow's steps from pending review to a status.
var pathTo = map[string][]string{
	cases.StatusPendingReview: nil,
	cases.StatusRejected:      {cases.StatusRejected},
	cases.StatusFiled:         {cases.StatusFiled},
	cases.StatusDispatched:    {cases.StatusFiled, cases.StatusDispatched},
	cases.StatusHandling:      {cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling},
	cases.StatusReported:      {cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling, cases.StatusReported},
	cases.StatusVerified: {cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling, cases.StatusReported,
		cases.StatusVerified},
	cases.StatusClosed: {cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling, cases.StatusReported,
		cases.StatusVerified, cases.StatusClosed},
}

// stepDelay is how long a step takes after the one before, at most.
var stepDelay = map[string]time.Duration{
	cases.StatusFiled: 2 * time.Hour, cases.StatusRejected: 2 * time.Hour, cases.StatusDispatched: 4 * time.Hour,
	cases.StatusHandling: 10 * time.Hour, cases.StatusReported: 48 * time.Hour, cases.StatusVerified: 24 * time.Hour,
	cases.StatusClosed: 24 * time.Hour,
}

func pickStatus(rng *rand.Rand, age time.Duration) string {
	for _, m := range statusMix {
		if age < m.maxAge {
			return statusOrder[m.pick.pick(rng)]
		}
	}
	panic("unreachable: the last age bound is unlimited")
}
