package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// placed opens a case with a position and grid cell.
var placed = func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
	return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: r.ViolationType,
		DeviceID: r.DeviceID, CameraID: r.CameraID, ZoneID: r.ZoneID, RuleID: r.RuleID,
		Location: r.Location, GridCode: "310101001001", Unit: "南京东路街道城管中队"})
}

func testCaseLocationAndGrid(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, _, err := s.SaveReport(ctx, Report("e1"), placed)
	require.NoError(t, err)
	d, err := s.GetCase(ctx, id)
	require.NoError(t, err)
	require.Equal(t, &store.GeoPoint{Lat: 31.2304, Lon: 121.4737}, d.Location)
	require.Equal(t, "310101001001", d.GridCode)
	require.Equal(t, "南京东路街道城管中队", d.Unit)
	page, err := s.ListCases(ctx, store.CaseFilter{Limit: 1})
	require.NoError(t, err)
	require.Equal(t, d.Location, page.Cases[0].Location)
	require.Equal(t, d.GridCode, page.Cases[0].GridCode)
}

func testCandidates(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Case a: open, at t0. Case b: another zone. Case c: rejected.
	a, _, err := s.SaveReport(ctx, Report("a"), pending)
	require.NoError(t, err)
	other := Report("b")
	other.ZoneID = "zone-b"
	_, _, err = s.SaveReport(ctx, other, pending)
	require.NoError(t, err)
	c, _, err := s.SaveReport(ctx, Report("c"), pending)
	require.NoError(t, err)
	rejectedAt := t0.Add(time.Hour)
	require.NoError(t, s.Transition(ctx, store.Transition{CaseID: c, Version: 1, From: "pending_review", To: "rejected",
		Actor: "li", Role: "reviewer", Action: "reject", Comment: "false positive", At: rejectedAt}))

	// A suppressed repeat round-trips its flag, and the lookup sees the
	// newest report's boxes and position.
	rep := Report("a2")
	rep.Detections[0].X = 99
	rep.Location = &store.GeoPoint{Lat: 1, Lon: 2}
	rep.Suppressed = true
	_, _, err = s.SaveReport(ctx, rep, func(context.Context, store.CaseTx, *store.Report) (string, error) { return a, nil })
	require.NoError(t, err)

	find := func(q store.CandidateQuery) []store.Candidate {
		var got []store.Candidate
		_, _, err := s.SaveReport(ctx, Report("probe-"+time.Now().String()), func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
			require.NoError(t, tx.LockPlace(ctx, "cam-7/zone-a/street_vending"))
			var err error
			got, err = tx.Candidates(ctx, q)
			require.NoError(t, err)
			return "", errProbe
		})
		require.ErrorIs(t, err, errProbe)
		return got
	}
	base := store.CandidateQuery{DeviceID: "edge-01", CameraID: "cam-7", ZoneID: "zone-a", ViolationType: "street_vending",
		OpenStatuses: []string{"pending_review", "filed"}, SeenSince: t0.Add(-time.Minute),
		SuppressStatus: "rejected", SuppressSince: rejectedAt.Add(-time.Minute)}

	got := find(base)
	require.Len(t, got, 2)
	require.Equal(t, c, got[0].ID, "newest first")
	require.Equal(t, "rejected", got[0].Status)
	require.True(t, got[0].StatusSince.Equal(rejectedAt))
	require.Equal(t, a, got[1].ID)
	require.Equal(t, float32(99), got[1].Detections[0].X, "the newest report's boxes")
	require.Equal(t, &store.GeoPoint{Lat: 1, Lon: 2}, got[1].Location)
	require.Equal(t, 1920, got[1].FrameWidth)
	require.True(t, got[1].LastSeen.Equal(t0))

	q := base
	q.SeenSince = t0.Add(time.Minute) // a is too old
	got = find(q)
	require.Len(t, got, 1)
	require.Equal(t, c, got[0].ID)

	q = base
	q.SuppressSince = rejectedAt.Add(time.Minute) // the rejection is too old
	q.OpenStatuses = nil
	require.Empty(t, find(q))

	q = base
	q.CameraID = "' OR '1'='1"
	require.Empty(t, find(q))

	q = base
	q.DeviceID = "edge-02" // the same camera id on another box
	require.Empty(t, find(q))

	d, err := s.GetCase(ctx, a)
	require.NoError(t, err)
	require.Len(t, d.Reports, 2)
	require.False(t, d.Reports[0].Suppressed)
	require.True(t, d.Reports[1].Suppressed)
}

// errProbe makes the probing SaveReport roll back, so that a lookup
// inside a report transaction leaves nothing behind.
var errProbe = errors.New("probe: roll back")
