package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// testAssignee: a transition's Assign sets the case's unit and assignee in
// its transaction and is kept in its audit entry; other steps keep them;
// a refused step changes neither; ListCases filters by assignee, SQL-looking
// names included.
func testAssignee(t *testing.T, s store.Store) {
	ctx := context.Background()
	step := func(id string, version int, from, to, action string, a *store.Assignee) error {
		return s.Transition(ctx, store.Transition{CaseID: id, Version: version, From: from, To: to,
			Actor: "x", Role: "admin", Action: action, At: time.Now(), Assign: a})
	}
	a, _, err := s.SaveReport(ctx, Report("a"), openWith("street_vending", "g1", "u1"))
	require.NoError(t, err)
	b, _, err := s.SaveReport(ctx, Report("b"), openWith("street_vending", "g1", "u1"))
	require.NoError(t, err)
	c, _, err := s.SaveReport(ctx, Report("c"), openWith("street_vending", "g2", "u2"))
	require.NoError(t, err)
	for _, id := range []string{a, b, c} {
		require.NoError(t, step(id, 1, "pending_review", "filed", "file", nil))
	}
	d, err := s.GetCase(ctx, a)
	require.NoError(t, err)
	require.Equal(t, "u1", d.Unit, "a step without Assign keeps the grid cell's unit")
	require.Empty(t, d.Assignee)
	for _, e := range d.Audit {
		require.Nil(t, e.Assign, "%s assigned nothing", e.Action)
	}

	// A stale dispatch changes nothing.
	require.ErrorIs(t, step(a, 1, "filed", "dispatched", "dispatch", &store.Assignee{Unit: "u9", Officer: "zhao"}), store.ErrConflict)
	d, err = s.GetCase(ctx, a)
	require.NoError(t, err)
	require.Equal(t, "u1", d.Unit)
	require.Empty(t, d.Assignee)

	require.NoError(t, step(a, 2, "filed", "dispatched", "dispatch", &store.Assignee{Unit: "u2", Officer: "zhao"}))
	require.NoError(t, step(b, 2, "filed", "dispatched", "dispatch", &store.Assignee{Unit: "u1"}))
	require.NoError(t, step(c, 2, "filed", "dispatched", "dispatch", &store.Assignee{Unit: "u2", Officer: "zhao-2"}))
	require.NoError(t, step(a, 3, "dispatched", "handling", "accept", nil))

	d, err = s.GetCase(ctx, a)
	require.NoError(t, err)
	require.Equal(t, "u2", d.Unit, "dispatched to another unit")
	require.Equal(t, "zhao", d.Assignee)
	require.Equal(t, "handling", d.Status, "the next step keeps the assignee")
	require.Len(t, d.Audit, 4)
	require.Equal(t, "dispatch", d.Audit[2].Action)
	require.Equal(t, &store.Assignee{Unit: "u2", Officer: "zhao"}, d.Audit[2].Assign)
	require.Nil(t, d.Audit[3].Assign)
	d, err = s.GetCase(ctx, b)
	require.NoError(t, err)
	require.Equal(t, "u1", d.Unit)
	require.Empty(t, d.Assignee, "dispatched to the unit alone")
	require.Equal(t, &store.Assignee{Unit: "u1"}, d.Audit[2].Assign)

	tests := []struct {
		name string
		f    store.CaseFilter
		want []string
	}{
		{"assignee", store.CaseFilter{Assignee: "zhao"}, []string{a}},
		{"another assignee", store.CaseFilter{Assignee: "zhao-2"}, []string{c}},
		{"assignee and status", store.CaseFilter{Assignee: "zhao", Status: "handling"}, []string{a}},
		{"assignee, other status", store.CaseFilter{Assignee: "zhao", Status: "dispatched"}, nil},
		{"unit after dispatch", store.CaseFilter{Unit: "u2"}, []string{c, a}},
		{"prefix is not a match", store.CaseFilter{Assignee: "zha"}, nil},
		{"case matters", store.CaseFilter{Assignee: "ZHAO"}, nil},
	}
	for _, v := range []string{"' OR '1'='1", "zhao' --", "x'; DROP TABLE cases; --", `" OR ""="`, "%", "zhao%", "_hao", "\\"} {
		tests = append(tests, struct {
			name string
			f    store.CaseFilter
			want []string
		}{"evil " + v, store.CaseFilter{Assignee: v}, nil})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Limit = 10
			page, err := s.ListCases(ctx, tc.f)
			require.NoError(t, err)
			require.Equal(t, tc.want, ids(page))
		})
	}
	page, err := s.ListCases(ctx, store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Cases, 3, "the table is intact")
}
