package storetest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/casenum"
)

// testCaseNumbers: cases opened at once, each in its own transaction, get
// numbers of their day (the default zone's: the suite opens stores without
// options) that are all different and run 0001, 0002, … without gaps; a
// search finds a case by its number, typed with or without the zeros, by
// its id, and a day's cases by the day.
func testCaseNumbers(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 24
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, _, errs[i] = s.SaveReport(ctx, Report(fmt.Sprintf("num-%d", i)), pending)
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "opening %d", i)
	}
	page, err := s.ListCases(ctx, store.CaseFilter{Limit: store.MaxLimit})
	require.NoError(t, err)
	require.Len(t, page.Cases, n)
	zone, err := time.LoadLocation(casenum.DefaultZone)
	require.NoError(t, err)
	seqs := map[string][]bool{} // by day: which sequence numbers were seen
	for _, c := range page.Cases {
		day, seq, ok := strings.Cut(c.Number, "-")
		require.True(t, ok, "case %s has number %q", c.ID, c.Number)
		require.Equal(t, casenum.Day(c.CreatedAt, zone), day, "number %s of a case opened at %s", c.Number, c.CreatedAt)
		k, err := strconv.Atoi(seq)
		require.NoError(t, err, c.Number)
		for len(seqs[day]) <= k {
			seqs[day] = append(seqs[day], false)
		}
		require.False(t, seqs[day][k], "number %s given twice", c.Number)
		seqs[day][k] = true
	}
	for day, seen := range seqs {
		for k := 1; k < len(seen); k++ {
			require.True(t, seen[k], "day %s: no case numbered %d, but one numbered %d", day, k, len(seen)-1)
		}
	}

	c := page.Cases[3]
	got, err := s.GetCase(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, c.Number, got.Number)
	day, seq, _ := strings.Cut(c.Number, "-")
	short := day + "-" + strings.TrimLeft(seq, "0")
	for _, q := range []string{c.Number, short, c.ID} {
		found, err := s.ListCases(ctx, store.CaseFilter{Query: q, Limit: 10})
		require.NoError(t, err)
		require.Len(t, found.Cases, 1, "search %q", q)
		require.Equal(t, c.ID, found.Cases[0].ID, "search %q", q)
	}
	found, err := s.ListCases(ctx, store.CaseFilter{Query: day, Limit: store.MaxLimit})
	require.NoError(t, err)
	require.Len(t, found.Cases, len(seqs[day])-1, "search for the day %s", day)
	for _, q := range []string{"20000101-0001", "20000101", "no such case"} {
		found, err := s.ListCases(ctx, store.CaseFilter{Query: q, Limit: 10})
		require.NoError(t, err)
		require.Empty(t, found.Cases, "search %q", q)
	}
}

// NumbersBackfilled checks the migration that brought case numbers:
// insert puts a case into a database migrated up to just before it (id,
// creation time), open then migrates it the rest of the way. Cases are
// numbered by their day in China Standard Time in creation order (ids
// breaking ties), and the next case opened continues its day's sequence.
func NumbersBackfilled(t *testing.T, insert func(id string, at time.Time), open func() store.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	fixture := []struct {
		id   string
		at   time.Time
		want string
	}{
		// Inserted out of order: creation time decides, not the row order.
		{"case-c", time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC), "20261206-0002"},
		{"case-a", time.Date(2026, 12, 5, 15, 59, 0, 0, time.UTC), "20261205-0001"}, // 23:59 in Beijing
		{"case-b", time.Date(2026, 12, 5, 16, 0, 0, 0, time.UTC), "20261206-0001"},  // midnight in Beijing
		{"case-e", time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC), "20261206-0004"},   // same time as d: the id decides
		{"case-d", time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC), "20261206-0003"},
		{"case-n", now.Add(-time.Minute), ""}, // a case of today
	}
	for _, f := range fixture {
		insert(f.id, f.at)
	}
	s := open()
	zone, err := time.LoadLocation(casenum.DefaultZone)
	require.NoError(t, err)
	today := casenum.Day(now.Add(-time.Minute), zone)
	fixture[len(fixture)-1].want = casenum.Format(today, 1)
	for _, f := range fixture {
		c, err := s.GetCase(ctx, f.id)
		require.NoError(t, err, f.id)
		require.Equal(t, f.want, c.Number, "case %s opened %s", f.id, f.at)
	}
	id, _, err := s.SaveReport(ctx, Report("after-backfill"), pending)
	require.NoError(t, err)
	c, err := s.GetCase(ctx, id)
	require.NoError(t, err)
	want := casenum.Format(casenum.Day(c.CreatedAt, zone), 1)
	if casenum.Day(c.CreatedAt, zone) == today {
		want = casenum.Format(today, 2)
	}
	require.Equal(t, want, c.Number)
}
