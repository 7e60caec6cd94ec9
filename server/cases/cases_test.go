package cases_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

func TestEachReportOpensACase(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	svc := cases.New(st, cases.DefaultConfig())

	at := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	rep := func(id string) *store.Report {
		return &store.Report{EventID: id, DeviceID: "d1", CameraID: "cam1", ZoneID: "z1", RuleID: "r1",
			ViolationType: "street_vending", ObservedAt: at}
	}
	id1, dup, err := svc.Record(ctx, rep("e1"))
	require.NoError(t, err)
	require.False(t, dup)
	id2, dup, err := svc.Record(ctx, rep("e2"))
	require.NoError(t, err)
	require.False(t, dup)
	require.NotEqual(t, id1, id2)

	again, dup, err := svc.Record(ctx, rep("e1"))
	require.NoError(t, err)
	require.True(t, dup)
	require.Equal(t, id1, again)

	c, err := st.GetCase(ctx, id1)
	require.NoError(t, err)
	require.Equal(t, cases.StatusPendingReview, c.Status)
	require.Equal(t, "street_vending", c.ViolationType)
	require.Equal(t, 1, c.ReportCount)
	require.True(t, cases.KnownStatus(c.Status))
	require.False(t, cases.KnownStatus("closed_forever"))
}
