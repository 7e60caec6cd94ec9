package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// testCasesChangedSince: new cases and transitions show, oldest change
// first, each case once as it is now; earlier changes do not.
func testCasesChangedSince(t *testing.T, s store.Store) {
	ctx := context.Background()
	before := time.Now().Add(-time.Minute)
	a, _, err := s.SaveReport(ctx, Report("live-a"), pending)
	require.NoError(t, err)
	b, _, err := s.SaveReport(ctx, Report("live-b"), pending)
	require.NoError(t, err)

	got, err := s.CasesChangedSince(ctx, before, 10)
	require.NoError(t, err)
	require.Equal(t, []string{a, b}, caseIDs(got))
	require.NotNil(t, got[0].Thumbnail, "changed cases carry their thumbnail for the list")

	// A transition an hour from now moves a to the end and is the only
	// change at or after its time.
	later := time.Now().Add(time.Hour).Truncate(time.Microsecond)
	require.NoError(t, s.Transition(ctx, store.Transition{CaseID: a, Version: 1, From: "pending_review", To: "filed",
		Actor: "li", Role: "reviewer", Action: "file", At: later}))
	got, err = s.CasesChangedSince(ctx, before, 10)
	require.NoError(t, err)
	require.Equal(t, []string{b, a}, caseIDs(got))
	require.Equal(t, "filed", got[1].Status)
	require.Equal(t, 2, got[1].Version)

	got, err = s.CasesChangedSince(ctx, later, 10)
	require.NoError(t, err)
	require.Equal(t, []string{a}, caseIDs(got))
	require.True(t, got[0].UpdatedAt.Equal(later), "updated_at %v, want %v", got[0].UpdatedAt, later)

	got, err = s.CasesChangedSince(ctx, later.Add(time.Second), 10)
	require.NoError(t, err)
	require.Empty(t, got)

	got, err = s.CasesChangedSince(ctx, before, 1)
	require.NoError(t, err)
	require.Equal(t, []string{b}, caseIDs(got), "the limit keeps the oldest changes")
}

func caseIDs(cs []store.Case) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
