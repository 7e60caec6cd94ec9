package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// testOverdue: the overdue filter keeps exactly the cases past their
// stage's deadline, most overdue first with ties by id, pages through
// them with its own cursors, combines with the other filters, and
// refuses a cursor it did not make.
func testOverdue(t *testing.T, s store.Store) {
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second)
	open := func(ev, unit string) string {
		id, _, err := s.SaveReport(ctx, Report(ev), openWith("street_vending", "g1", unit))
		require.NoError(t, err)
		return id
	}
	step := func(id string, version int, from, to string, at time.Time) {
		require.NoError(t, s.Transition(ctx, store.Transition{CaseID: id, Version: version, From: from, To: to,
			Actor: "x", Role: "admin", Action: "step", At: at}))
	}
	pendingCase := open("p", "u1") // pending_review since about base: due base+2h
	early := open("b", "u1")
	step(early, 1, "pending_review", "filed", base.Add(-time.Hour)) // due base
	tie1, tie2 := open("d1", "u2"), open("d2", "u1")
	step(tie1, 1, "pending_review", "filed", base.Add(3*time.Hour)) // due base+4h
	step(tie2, 1, "pending_review", "filed", base.Add(3*time.Hour))
	notYet := open("c", "u1")
	step(notYet, 1, "pending_review", "filed", base.Add(9*time.Hour+30*time.Minute)) // due base+10h30m
	done := open("e", "u1")
	step(done, 1, "pending_review", "rejected", base.Add(-5*time.Hour)) // no deadline

	o := &store.OverdueFilter{At: base.Add(10 * time.Hour), Deadlines: map[string]time.Duration{
		"pending_review": 2 * time.Hour, "filed": time.Hour, "rejected": 0}}
	tests := []struct {
		name string
		f    store.CaseFilter
		want []string
	}{
		{"most overdue first, ties by id", store.CaseFilter{Overdue: o}, []string{early, pendingCase, tie1, tie2}},
		{"with a status", store.CaseFilter{Overdue: o, Status: "filed"}, []string{early, tie1, tie2}},
		{"with a unit", store.CaseFilter{Overdue: o, Unit: "u2"}, []string{tie1}},
		{"earlier, fewer", store.CaseFilter{Overdue: &store.OverdueFilter{At: base.Add(3 * time.Hour), Deadlines: o.Deadlines}},
			[]string{early, pendingCase}},
		{"no deadlines, none", store.CaseFilter{Overdue: &store.OverdueFilter{At: o.At}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Limit = 10
			page, err := s.ListCases(ctx, tc.f)
			require.NoError(t, err)
			require.Equal(t, tc.want, ids(page))
			require.Empty(t, page.NextCursor)
		})
	}

	// One at a time, asked later: the cursor is of due times, not of the
	// clock, so the walk is the same.
	var walked []string
	f := store.CaseFilter{Overdue: o, Limit: 1, NoThumbnails: true}
	for range 10 {
		page, err := s.ListCases(ctx, f)
		require.NoError(t, err)
		walked = append(walked, ids(page)...)
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
		f.Overdue = &store.OverdueFilter{At: f.Overdue.At.Add(time.Minute), Deadlines: o.Deadlines}
	}
	require.Equal(t, []string{early, pendingCase, tie1, tie2}, walked)

	for _, bad := range []string{"!!", "eA", "MTIzOmFiYw"} { // not base64; "x"; "123:abc"
		_, err := s.ListCases(ctx, store.CaseFilter{Overdue: o, Limit: 1, Cursor: bad})
		require.ErrorIs(t, err, store.ErrBadCursor, bad)
	}
}

// testUserUnits: an account's unit is kept, listed and changed; changing
// an unknown account's is ErrNotFound.
func testUserUnits(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, u := range []store.User{{Name: "zhao", Role: "handler", Unit: "U01"}, {Name: "li", Role: "reviewer"},
		{Name: "qian", Role: "handler", Unit: "U02"}} {
		u.PasswordHash, u.CreatedAt = "h", t0
		require.NoError(t, s.CreateUser(ctx, &u))
	}
	got, err := s.GetUser(ctx, "zhao")
	require.NoError(t, err)
	require.Equal(t, "U01", got.Unit)

	require.NoError(t, s.SetUserUnit(ctx, "qian", "U01"))
	require.NoError(t, s.SetUserUnit(ctx, "zhao", ""))
	require.ErrorIs(t, s.SetUserUnit(ctx, "nobody", "U01"), store.ErrNotFound)

	all, err := s.ListUsers(ctx)
	require.NoError(t, err)
	var names, units []string
	for _, u := range all {
		names, units = append(names, u.Name), append(units, u.Unit)
		require.Equal(t, "h", u.PasswordHash)
		require.True(t, u.CreatedAt.Equal(t0))
	}
	require.Equal(t, []string{"li", "qian", "zhao"}, names)
	require.Equal(t, []string{"", "U01", ""}, units)
}
