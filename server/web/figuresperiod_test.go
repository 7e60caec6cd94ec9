package web

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

func TestPeriodStart(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	for _, tc := range []struct {
		day, period, want string
	}{
		{"2026-12-06", periodWeek, "2026-11-30"}, // a Sunday: the week began on Monday
		{"2026-11-30", periodWeek, "2026-11-30"}, // a Monday
		{"2027-01-01", periodWeek, "2026-12-28"}, // across the year's end
		{"2026-12-06", periodMonth, "2026-12"},
		{"2026-02-28", periodMonth, "2026-02"},
	} {
		d, err := time.ParseInLocation("2006-01-02", tc.day, cst)
		require.NoError(t, err)
		require.Equal(t, tc.want, periodKey(periodStart(d, tc.period, cst), tc.period), "%s by %s", tc.day, tc.period)
	}
}

// TestPeriodSeries: days fold into their periods, oldest first, and with
// both ends of the range the quiet periods between are there as zeros.
func TestPeriodSeries(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	s := &server{opts: Options{Location: cst}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	days := map[string]store.FigureCounts{
		"2026-11-02": {Filed: 2, Closed: 1}, "2026-11-08": {Filed: 1, Closed: 1}, // one week (Monday to Sunday)
		"2026-11-23": {Filed: 4},
		"not a day":  {Filed: 100}, // logged and left out
	}
	keys := func(ps []PeriodFigureJSON) (out []string, filed []int) {
		for _, p := range ps {
			out, filed = append(out, p.Period), append(filed, p.Filed)
		}
		return out, filed
	}
	k, n := keys(s.periodSeries(days, periodWeek, time.Time{}, time.Time{}))
	require.Equal(t, []string{"2026-11-02", "2026-11-23"}, k)
	require.Equal(t, []int{3, 4}, n)
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, cst)
	to := time.Date(2026, 12, 1, 0, 0, 0, 0, cst)
	k, n = keys(s.periodSeries(days, periodWeek, from, to))
	require.Equal(t, []string{"2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"}, k)
	require.Equal(t, []int{0, 3, 0, 0, 4, 0}, n)
	ps := s.periodSeries(days, periodMonth, from, to)
	k, n = keys(ps)
	require.Equal(t, []string{"2026-11"}, k)
	require.Equal(t, []int{7}, n)
	require.InDelta(t, 2.0/7, ps[0].ClosedRate, 1e-9)
	require.Equal(t, from, ps[0].From)
}
