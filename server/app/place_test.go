package app

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

func TestOpenAddresser(t *testing.T) {
	st, err := sqlite.Open(t.Context(), t.TempDir()+"/x.db")
	require.NoError(t, err)
	defer st.Close()
	cfg := config.Default().Address
	a, err := openAddresser(cfg, st, slog.Default())
	require.NoError(t, err)
	require.Empty(t, a.Local(31.235, 121.472), "nothing configured: no address")
	require.Nil(t, a.Hook)

	cfg.StreetsGeoJSON = "../place/testdata/streets.geojson"
	cfg.Hook.URL, cfg.Hook.Field, cfg.Hook.CRS = "http://127.0.0.1:1/?{lat},{lon}", "a", "gcj02"
	a, err = openAddresser(cfg, st, slog.Default())
	require.NoError(t, err)
	require.Equal(t, "南京东路附近", a.Local(31.235, 121.472))
	require.NotNil(t, a.Hook)
	require.NotNil(t, a.Store, "the store keeps the hook's answers")

	cfg.StreetsGeoJSON = "no-such-file.geojson"
	_, err = openAddresser(cfg, st, slog.Default())
	require.ErrorContains(t, err, "address.streets_geojson: streets: stat no-such-file.geojson")
}
