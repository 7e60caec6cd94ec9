package app

import (
	"fmt"
	"slices"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/grid"
)

// openGrid loads the configured grid, or makes the generated one.
func openGrid(cfg config.Grid) (grid.Grid, error) {
	if cfg.GeoJSON == "" {
		return grid.NewGenerated(cfg.CellSizeM, cfg.DefaultUnit), nil
	}
	g, err := grid.Load(cfg.GeoJSON)
	if err != nil {
		return nil, fmt.Errorf("grid.geojson: %w", err)
	}
	return g, nil
}

// unlistedUnits are the units the grid's cells (and generated cells'
// default) name that are not configured units; none when no units are
// configured, for then any name is taken.
func unlistedUnits(g grid.Grid, defaultUnit string, svc *cases.Service) []string {
	if len(svc.Units()) == 0 {
		return nil
	}
	names := []string{defaultUnit}
	for _, c := range g.Cells() {
		names = append(names, c.Unit)
	}
	var out []string
	for _, n := range names {
		if _, ok := svc.FindUnit(n); n != "" && !ok && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
