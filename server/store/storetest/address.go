package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// AddressSetter is the address hook's part of a store (sqlstore.Store).
type AddressSetter interface {
	SetCaseAddress(ctx context.Context, id, address string) (found bool, err error)
}

// testCaseAddress: the address given when a case is opened is kept and
// listed; SetCaseAddress replaces it later and says when no case matched.
func testCaseAddress(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, _, err := s.SaveReport(ctx, Report("addr"), func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: r.ViolationType,
			DeviceID: r.DeviceID, CameraID: r.CameraID, ZoneID: r.ZoneID, RuleID: r.RuleID,
			Location: &store.GeoPoint{Lat: 31.2304, Lon: 121.4737}, Address: "南京东路附近 约 35 米"})
	})
	require.NoError(t, err)
	d, err := s.GetCase(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "南京东路附近 约 35 米", d.Address)
	other, _, err := s.SaveReport(ctx, Report("no-addr"), pending)
	require.NoError(t, err)

	setter, ok := s.(AddressSetter)
	require.True(t, ok, "the store has SetCaseAddress")
	found, err := setter.SetCaseAddress(ctx, id, "上海市黄浦区南京东路 100 号")
	require.NoError(t, err)
	require.True(t, found)
	found, err = setter.SetCaseAddress(ctx, "no-such-case", "x")
	require.NoError(t, err)
	require.False(t, found)

	page, err := s.ListCases(ctx, store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	got := map[string]string{}
	for _, c := range page.Cases {
		got[c.ID] = c.Address
	}
	require.Equal(t, map[string]string{id: "上海市黄浦区南京东路 100 号", other: ""}, got)
}
