package app

import (
	"fmt"

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
