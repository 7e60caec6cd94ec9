package ingest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestWarnFirstReports: a "corrected after warning" record is stored once
// per event id with its evidence and opens no case; a report filed after
// a warning opens a case whose trail has the warning; an unknown outcome
// is refused.
func TestWarnFirstReports(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	played := []*xiuhuav1.WarningPlayed{{At: timestamppb.Now(), Player: "backchannel", Ok: true}}

	snap := snapshot(100)
	ok := newReport("ev-corrected", snap)
	ok.WarnOutcome, ok.Warnings = xiuhuav1.WarnOutcome_WARN_OUTCOME_CORRECTED, played
	for i := range 2 {
		resp, err := e.send(t, fullStream(ok, snap))
		require.NoError(t, err)
		require.Empty(t, resp.CaseId, "no case for a corrected record")
		require.Equal(t, i == 1, resp.Duplicate)
	}
	page, err := e.store.ListCases(ctx, store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	require.Empty(t, page.Cases)
	a, err := e.store.Autonomy(ctx, store.StatsQuery{})
	require.NoError(t, err)
	require.Equal(t, store.AutonomyCount{Corrected: 1}, a.Total)
	f, err := e.blobs.Open(context.Background(), hexSum(snap.data))
	require.NoError(t, err, "the record's picture is kept")
	require.NoError(t, f.Close())

	filed := newReport("ev-filed", snap)
	filed.WarnOutcome, filed.Warnings = xiuhuav1.WarnOutcome_WARN_OUTCOME_NOT_CORRECTED, played
	filed.WarnReason = "still there after warning (已劝导未整改)"
	resp, err := e.send(t, fullStream(filed, snap))
	require.NoError(t, err)
	require.NotEmpty(t, resp.CaseId)
	d, err := e.store.GetCase(ctx, resp.CaseId)
	require.NoError(t, err)
	require.Equal(t, store.WarnNotCorrected, d.Reports[0].Warn.Outcome)
	require.Equal(t, filed.WarnReason, d.Reports[0].Warn.Reason)
	require.Equal(t, store.ActionWarned, d.Audit[len(d.Audit)-1].Action)

	bad := newReport("ev-bad", snap)
	bad.WarnOutcome = xiuhuav1.WarnOutcome(42)
	_, err = e.send(t, fullStream(bad, snap))
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	require.ErrorContains(t, err, "warn_outcome 42 unknown")
}
