package config

import "github.com/xiuhua/xiuhua/internal/conf"

// Grid is where the 万米单元网格 (grid cells) come from.
type Grid struct {
	// GeoJSON is a FeatureCollection of Polygon or MultiPolygon cells with
	// properties code, name and unit. Empty: a generated grid of
	// CellSizeM-metre squares.
	GeoJSON string `yaml:"geojson"`
	// CellSizeM is the generated cells' edge in metres (100 m × 100 m is
	// the standard 10,000 m² cell).
	CellSizeM float64 `yaml:"cell_size_m"`
	// DefaultUnit is the responsible unit of generated cells.
	DefaultUnit string `yaml:"default_unit"`
}

func (g Grid) validate(errs *conf.Errors) {
	if g.CellSizeM < 10 || g.CellSizeM > 10000 {
		errs.Add("grid.cell_size_m", g.CellSizeM, "10 to 10000 (metres)")
	}
}
