package cases_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestOpenedCaseGetsAddress: a new case with a position is stored with
// the Address func's words and announced to Opened; one without a
// position gets neither, and a merged report opens nothing.
func TestOpenedCaseGetsAddress(t *testing.T) {
	ctx := context.Background()
	cfg := cases.DefaultConfig()
	cfg.Address = func(lat, lon float64) string { return "南京东路附近 约 35 米" }
	var opened []string
	cfg.Opened = func(id string, lat, lon float64) {
		require.InDelta(t, 31.23, lat, 1e-9)
		opened = append(opened, id)
	}
	svc, st := newService(t, cfg)

	r := report("e1")
	r.Location = &store.GeoPoint{Lat: 31.23, Lon: 121.47}
	id, _, err := svc.Record(ctx, r)
	require.NoError(t, err)
	d, err := st.GetCase(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "南京东路附近 约 35 米", d.Address)
	require.Equal(t, []string{id}, opened)

	r2 := report("e2")
	r2.CameraID, r2.Location = "other", nil
	id2, _, err := svc.Record(ctx, r2)
	require.NoError(t, err)
	d2, err := st.GetCase(ctx, id2)
	require.NoError(t, err)
	require.Empty(t, d2.Address)
	require.Equal(t, []string{id}, opened, "no position: nothing to look up")
}
