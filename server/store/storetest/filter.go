package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/caseid"
)

// openWith opens cases with the given type, grid and unit.
func openWith(typ, grid, unit string) store.Assigner {
	return func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: typ,
			DeviceID: r.DeviceID, CameraID: r.CameraID, GridCode: grid, Unit: unit})
	}
}

func testFiltersAndStats(t *testing.T, s store.Store) {
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	a, _, err := s.SaveReport(ctx, Report("a"), openWith("street_vending", "g1", "u1"))
	require.NoError(t, err)
	b, _, err := s.SaveReport(ctx, Report("b"), openWith("street_laundry", "g1", "u2"))
	require.NoError(t, err)
	c, _, err := s.SaveReport(ctx, Report("c"), openWith("street_vending", "g2", "u2"))
	require.NoError(t, err)
	require.NoError(t, s.Transition(ctx, store.Transition{CaseID: c, Version: 1, From: "pending_review", To: "filed",
		Actor: "x", Role: "reviewer", Action: "file", At: time.Now()}))
	after := time.Now().Add(time.Second)

	evil := []string{"' OR '1'='1", "x'; DROP TABLE cases; --", `" OR ""="`, "%", "_", "\\", "g1' --"}
	tests := []struct {
		name string
		f    store.CaseFilter
		want []string
	}{
		{"all", store.CaseFilter{}, []string{c, b, a}},
		{"type", store.CaseFilter{ViolationType: "street_vending"}, []string{c, a}},
		{"grid", store.CaseFilter{GridCode: "g1"}, []string{b, a}},
		{"unit", store.CaseFilter{Unit: "u2"}, []string{c, b}},
		{"status and unit", store.CaseFilter{Status: "filed", Unit: "u2"}, []string{c}},
		{"statuses", store.CaseFilter{Statuses: []string{"filed", "closed"}}, []string{c}},
		{"statuses and status", store.CaseFilter{Statuses: []string{"filed", "pending_review"}, Status: "pending_review", Unit: "u2"}, []string{b}},
		{"statuses, evil", store.CaseFilter{Statuses: evil}, nil},
		{"in time", store.CaseFilter{From: before, To: after}, []string{c, b, a}},
		{"too early", store.CaseFilter{To: before}, nil},
		{"too late", store.CaseFilter{From: after}, nil},
	}
	for _, v := range evil {
		tests = append(tests,
			struct {
				name string
				f    store.CaseFilter
				want []string
			}{"evil type " + v, store.CaseFilter{ViolationType: v}, nil},
			struct {
				name string
				f    store.CaseFilter
				want []string
			}{"evil grid " + v, store.CaseFilter{GridCode: v, Unit: v, Status: v}, nil})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Limit = 10
			page, err := s.ListCases(ctx, tc.f)
			require.NoError(t, err)
			var got []string
			for _, k := range page.Cases {
				got = append(got, k.ID)
			}
			require.Equal(t, tc.want, got)
		})
	}
	// Filters hold across pages.
	page, err := s.ListCases(ctx, store.CaseFilter{Unit: "u2", Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []string{c}, ids(page))
	page, err = s.ListCases(ctx, store.CaseFilter{Unit: "u2", Limit: 1, Cursor: page.NextCursor})
	require.NoError(t, err)
	require.Equal(t, []string{b}, ids(page))
	require.Empty(t, page.NextCursor)

	st, err := s.Stats(ctx, store.StatsQuery{})
	require.NoError(t, err)
	require.Equal(t, 3, st.Total)
	require.Equal(t, map[string]int{"street_vending": 2, "street_laundry": 1}, st.ByType)
	require.Equal(t, map[string]int{"pending_review": 2, "filed": 1}, st.ByStatus)
	require.Equal(t, map[string]int{"g1": 2, "g2": 1}, st.ByGrid)
	day := time.Now().UTC().Add(8 * time.Hour).Format("2006-01-02")
	st8, err := s.Stats(ctx, store.StatsQuery{DayOffset: 8 * time.Hour})
	require.NoError(t, err)
	if len(st8.ByDay) == 1 { // unless the test ran across midnight
		require.Equal(t, map[string]int{day: 3}, st8.ByDay)
	}
	st, err = s.Stats(ctx, store.StatsQuery{From: after})
	require.NoError(t, err)
	require.Zero(t, st.Total)
	require.Empty(t, st.ByDay)

	// The map's counts per cell: only the statuses asked for, "" for a
	// case without a cell, nothing for none.
	_, _, err = s.SaveReport(ctx, Report("d"), openWith("street_vending", "", "u1"))
	require.NoError(t, err)
	for _, tc := range []struct {
		statuses []string
		want     map[string]int
	}{
		{[]string{"pending_review", "filed"}, map[string]int{"g1": 2, "g2": 1, "": 1}},
		{[]string{"pending_review"}, map[string]int{"g1": 2, "": 1}},
		{[]string{"filed", "closed"}, map[string]int{"g2": 1}},
		{[]string{"closed"}, map[string]int{}},
		{nil, map[string]int{}},
		{evil, map[string]int{}},
	} {
		got, err := s.CountByCell(ctx, tc.statuses)
		require.NoError(t, err)
		require.Equal(t, tc.want, got, "%q", tc.statuses)
	}
}

func ids(p store.CasePage) []string {
	var out []string
	for _, c := range p.Cases {
		out = append(out, c.ID)
	}
	return out
}

// testTimeBounds: a creation-time filter gives exactly the cases created in
// [From, To), also with bounds inside the millisecond of a case (ListCases
// bounds ids by the millisecond as well), and every id carries its case's
// creation millisecond.
func testTimeBounds(t *testing.T, s store.Store) {
	ctx := context.Background()
	var created []store.Case // oldest first
	for i := range 6 {
		id, _, err := s.SaveReport(ctx, Report(fmt.Sprintf("tb-%d", i)), pending)
		require.NoError(t, err)
		d, err := s.GetCase(ctx, id)
		require.NoError(t, err)
		at, ok := caseid.Time(id)
		require.True(t, ok)
		require.Equal(t, d.CreatedAt.UnixMilli(), at.UnixMilli(), "case %s created %s", id, d.CreatedAt)
		created = append(created, d.Case)
		if i%2 == 1 {
			time.Sleep(2 * time.Millisecond) // some in one millisecond, some not
		}
	}
	var bounds []time.Time
	for _, c := range created {
		bounds = append(bounds, c.CreatedAt.Add(-time.Microsecond), c.CreatedAt, c.CreatedAt.Add(time.Microsecond))
	}
	bounds = append(bounds, time.Time{})
	for _, from := range bounds {
		for _, to := range bounds {
			var want []string
			for i := len(created) - 1; i >= 0; i-- {
				at := created[i].CreatedAt
				if (from.IsZero() || !at.Before(from)) && (to.IsZero() || at.Before(to)) {
					want = append(want, created[i].ID)
				}
			}
			page, err := s.ListCases(ctx, store.CaseFilter{From: from, To: to, Limit: 10})
			require.NoError(t, err)
			require.Equal(t, want, ids(page), "from %s to %s", from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
			st, err := s.Stats(ctx, store.StatsQuery{From: from, To: to})
			require.NoError(t, err)
			require.Equal(t, len(want), st.Total)
		}
	}
}
