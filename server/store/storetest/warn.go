package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

func warned(outcome string) *store.Warn {
	return &store.Warn{Outcome: outcome, Reason: "still there after warning (已劝导未整改)",
		Warnings: []store.Warning{{At: t0.Add(time.Second), Player: "backchannel", OK: true}}}
}

// testWarnFirst: a report filed after a warning keeps its warnings and
// puts 已劝导未整改 in its case's trail; a corrected record is kept once per
// event id, opens no case, and is not stored over a report of the same id;
// Autonomy counts both by type, grid cell and camera, within the range.
func testWarnFirst(t *testing.T, s store.Store) {
	ctx := context.Background()
	filed := Report("warn-filed")
	filed.Warn = warned(store.WarnNotCorrected)
	caseID, _, err := s.SaveReport(ctx, filed, openWith("street_vending", "g1", "u1"))
	require.NoError(t, err)
	d, err := s.GetCase(ctx, caseID)
	require.NoError(t, err)
	require.Len(t, d.Reports, 1)
	require.NotNil(t, d.Reports[0].Warn)
	require.Equal(t, store.WarnNotCorrected, d.Reports[0].Warn.Outcome)
	require.Len(t, d.Reports[0].Warn.Warnings, 1)
	require.Equal(t, "backchannel", d.Reports[0].Warn.Warnings[0].Player)
	require.True(t, d.Reports[0].Warn.Warnings[0].At.Equal(t0.Add(time.Second)))
	require.Len(t, d.Audit, 2, "open, then the warning")
	require.Equal(t, store.ActionWarned, d.Audit[1].Action)
	require.Contains(t, d.Audit[1].Comment, "已劝导未整改")
	require.Contains(t, d.Audit[1].Comment, "backchannel")

	plain, _, err := s.SaveReport(ctx, Report("warn-plain"), openWith("street_vending", "g1", "u1"))
	require.NoError(t, err)
	d, err = s.GetCase(ctx, plain)
	require.NoError(t, err)
	require.Nil(t, d.Reports[0].Warn)
	require.Len(t, d.Audit, 1)

	before, err := s.ListCases(ctx, store.CaseFilter{Limit: store.MaxLimit})
	require.NoError(t, err)
	for i, id := range []string{"warn-ok-1", "warn-ok-2"} {
		r := Report(id)
		r.Warn = warned(store.WarnCorrected)
		if i == 1 {
			r.ViolationType, r.CameraID = "outside_store", "cam-8"
		}
		dup, err := s.SaveCorrection(ctx, r, "g1")
		require.NoError(t, err)
		require.False(t, dup)
		dup, err = s.SaveCorrection(ctx, r, "g1")
		require.NoError(t, err)
		require.True(t, dup, "a re-send is stored once")
	}
	r := Report("warn-filed")
	r.Warn = warned(store.WarnCorrected)
	dup, err := s.SaveCorrection(ctx, r, "g1")
	require.NoError(t, err)
	require.True(t, dup, "an event id filed as a case is not also a record")
	after, err := s.ListCases(ctx, store.CaseFilter{Limit: store.MaxLimit})
	require.NoError(t, err)
	require.Len(t, after.Cases, len(before.Cases), "a corrected record opens no case")

	a, err := s.Autonomy(ctx, store.StatsQuery{})
	require.NoError(t, err)
	require.Equal(t, store.AutonomyCount{Corrected: 2, Filed: 1}, a.Total)
	require.Equal(t, store.AutonomyCount{Corrected: 1, Filed: 1}, a.ByType["street_vending"])
	require.Equal(t, store.AutonomyCount{Corrected: 1}, a.ByType["outside_store"])
	require.Equal(t, store.AutonomyCount{Corrected: 2, Filed: 1}, a.ByGrid["g1"])
	require.Equal(t, store.AutonomyCount{Corrected: 1, Filed: 1}, a.ByCamera["edge-01/cam-7"])
	require.Equal(t, store.AutonomyCount{Corrected: 1}, a.ByCamera["edge-01/cam-8"])
	require.InDelta(t, 2.0/3, a.Total.Rate(), 1e-9)

	a, err = s.Autonomy(ctx, store.StatsQuery{From: t0.Add(time.Hour)})
	require.NoError(t, err)
	require.Zero(t, a.Total, "observed before the range")
	a, err = s.Autonomy(ctx, store.StatsQuery{From: t0, To: t0.Add(time.Second)})
	require.NoError(t, err)
	require.Equal(t, 3, a.Total.Corrected+a.Total.Filed)
}
