package web

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/grid"
)

func TestCellLabel(t *testing.T) {
	gen, _ := grid.NewGenerated(100, "城管大队").Locate(31.2304, 121.4737)
	for _, tc := range []struct {
		name string
		cell *CellJSON
		lang string
		want string
	}{
		{"named", &CellJSON{Code: "310101001001", Name: "南京东路 1 号网格"}, LangZH, "南京东路 1 号网格"},
		{"no name: the code", &CellJSON{Code: "310101001001"}, LangEN, "310101001001"},
		{"generated, zh", toCellJSON(gen), LangZH, "自动网格 " + gen.Code + "（100 米方格，未配置网格文件）"},
		{"generated, en", toCellJSON(gen), LangEN, "generated cell " + gen.Code + " (100 m square; no grid file configured)"},
		{"none", nil, LangZH, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &pageBase{Lang: tc.lang}
			require.Equal(t, tc.want, p.CellLabel(tc.cell))
		})
	}
	p := &pageBase{Lang: LangZH}
	require.Equal(t, "南京东路 1 号网格 · 贵州路居委会 · 南京东路街道 · 中队",
		placeLine(p, &CellJSON{Name: "南京东路 1 号网格", Community: "贵州路居委会", Street: "南京东路街道", Unit: "中队"}))
	require.Equal(t, "南京东路 1 号网格", placeLine(p, &CellJSON{Name: "南京东路 1 号网格"}))
}
