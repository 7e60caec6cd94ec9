package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// testStatsMatchCases: Stats, which reads whole days from case_counts and
// counts the rest case by case, gives what counting every listed case
// gives, for ranges that hold whole days or none, and for day offsets of
// whole quarter hours and not, after status changes.
func testStatsMatchCases(t *testing.T, s store.Store) {
	ctx := context.Background()
	types := []string{"street_vending", "outside_store", "street_laundry"}
	for i := range 7 {
		id, _, err := s.SaveReport(ctx, Report(fmt.Sprintf("sm-%d", i)),
			openWith(types[i%3], fmt.Sprintf("g%d", i%2), "u1"))
		require.NoError(t, err)
		if i%3 == 0 {
			require.NoError(t, s.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: "pending_review",
				To: "rejected", Actor: "x", Role: "reviewer", Action: "reject", Comment: "no", At: time.Now()}))
		}
	}
	all, err := s.ListCases(ctx, store.CaseFilter{Limit: store.MaxLimit})
	require.NoError(t, err)
	now := time.Now()
	bounds := []time.Time{{}, now.Add(-49 * time.Hour), now.Add(-time.Hour), now.Add(time.Hour), now.Add(49 * time.Hour),
		now.UTC().Truncate(24 * time.Hour), now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour),
		now.AddDate(0, -2, 0), now.AddDate(0, 2, 0)} // whole months between
	for _, off := range []time.Duration{0, 8 * time.Hour, -5 * time.Hour, 5*time.Hour + 45*time.Minute, 7 * time.Minute} {
		for _, from := range bounds {
			for _, to := range bounds {
				q := store.StatsQuery{From: from, To: to, DayOffset: off}
				got, err := s.Stats(ctx, q)
				require.NoError(t, err)
				require.Equal(t, countCases(all.Cases, q), got, "from %s to %s offset %s", from, to, off)
			}
		}
	}
}

// countCases is Stats the slow way.
func countCases(cs []store.Case, q store.StatsQuery) store.Stats {
	out := store.Stats{ByType: map[string]int{}, ByStatus: map[string]int{}, ByGrid: map[string]int{}, ByDay: map[string]int{}}
	for _, c := range cs {
		if (!q.From.IsZero() && c.CreatedAt.Before(q.From)) || (!q.To.IsZero() && !c.CreatedAt.Before(q.To)) {
			continue
		}
		out.Total++
		out.ByType[c.ViolationType]++
		out.ByStatus[c.Status]++
		out.ByGrid[c.GridCode]++
		out.ByDay[c.CreatedAt.UTC().Add(q.DayOffset).Format("2006-01-02")]++
	}
	return out
}

// CountsFollowUpdates checks that Stats follows changes the store's own
// methods never make (type, grid cell, creation time), which the backends'
// triggers must count too. exec runs a statement on the store's database;
// timeText writes a time as the backend's SQL literal.
func CountsFollowUpdates(t *testing.T, s store.Store, exec func(q string), timeText func(time.Time) string) {
	ctx := context.Background()
	var ids []string
	for i := range 3 {
		id, _, err := s.SaveReport(ctx, Report(fmt.Sprintf("cf-%d", i)), openWith("street_vending", "g1", "u1"))
		require.NoError(t, err)
		ids = append(ids, id)
	}
	past := time.Date(2025, 3, 1, 23, 50, 0, 0, time.UTC)
	exec(fmt.Sprintf("UPDATE cases SET violation_type = 'street_laundry', grid_code = 'g2' WHERE id = '%s'", ids[0]))
	exec(fmt.Sprintf("UPDATE cases SET created_at = %s, status = 'filed' WHERE id = '%s'", timeText(past), ids[1]))
	// 18:20 UTC is the next day at +5:45 but not at +5:00 or +6:00: only
	// quarter hours tell. (The moved cases keep ids of today, which bound
	// the cases counted one by one at a range's partial days: the ranges
	// below hold the new times in whole days.)
	nepal := time.Date(2025, 4, 10, 18, 20, 0, 0, time.UTC)
	exec(fmt.Sprintf("UPDATE cases SET created_at = %s WHERE id = '%s'", timeText(nepal), ids[2]))
	all, err := s.ListCases(ctx, store.CaseFilter{Limit: store.MaxLimit})
	require.NoError(t, err)
	for _, q := range []store.StatsQuery{{}, {DayOffset: 8 * time.Hour}, {From: past.Add(-48 * time.Hour), To: past.Add(48 * time.Hour)},
		{From: past.AddDate(0, -2, 0), To: past.AddDate(0, 2, 0)}, {DayOffset: 5*time.Hour + 45*time.Minute},
		{DayOffset: 5*time.Hour + 50*time.Minute}} {
		got, err := s.Stats(ctx, q)
		require.NoError(t, err)
		require.Equal(t, countCases(all.Cases, q), got)
	}
	got, err := s.Stats(ctx, store.StatsQuery{DayOffset: 8 * time.Hour})
	require.NoError(t, err)
	require.Equal(t, 1, got.ByDay["2025-03-02"], "the moved case counts on its new day")
	require.Equal(t, 1, got.ByStatus["filed"])
	got, err = s.Stats(ctx, store.StatsQuery{DayOffset: 5*time.Hour + 45*time.Minute})
	require.NoError(t, err)
	require.Equal(t, 1, got.ByDay["2025-04-11"])
}
