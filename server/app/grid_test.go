package app

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/grid"
)

func TestUnlistedUnits(t *testing.T) {
	cells, err := grid.Load("../grid/testdata/cells.geojson") // 南京东路…, 外滩…
	require.NoError(t, err)
	for _, tc := range []struct {
		name        string
		units       []cases.Unit
		defaultUnit string
		want        []string
	}{
		{"no units configured: any name goes", nil, "城管大队", nil},
		{"all listed, by name", []cases.Unit{{Code: "NJDL", Name: "南京东路街道城管中队"}, {Code: "WT", Name: "外滩街道城管中队"}}, "", nil},
		{"one missing, and the default", []cases.Unit{{Code: "NJDL", Name: "南京东路街道城管中队"}}, "城管大队", []string{"城管大队", "外滩街道城管中队"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := cases.DefaultConfig()
			cfg.Units = tc.units
			require.Equal(t, tc.want, unlistedUnits(cells, tc.defaultUnit, cases.New(nil, cfg)))
		})
	}
}
