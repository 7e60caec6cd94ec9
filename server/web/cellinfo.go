package web

import (
	"github.com/xiuhua/xiuhua/server/grid"
	"github.com/xiuhua/xiuhua/server/store"
)

// CellJSON is the grid cell a case lies in, as the grid file describes it:
// what officers know the place by.
type CellJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Community string `json:"community,omitempty"`
	Street    string `json:"street,omitempty"`
	// Unit is the cell's responsible unit (the case's own unit may differ
	// once dispatched elsewhere).
	Unit string `json:"unit"`
	// GeneratedSizeM is set for a generated square cell (no grid file).
	GeneratedSizeM float64 `json:"generated_size_m,omitempty"`
}

// cellOf is the grid cell of a case: by its stored code, else (a grid file
// changed since) by its position; nil when the grid knows neither.
func (s *server) cellOf(c store.Case) *CellJSON {
	if s.opts.Grid == nil {
		return nil
	}
	cell, ok := grid.Cell{}, false
	if c.GridCode != "" {
		cell, ok = s.opts.Grid.Cell(c.GridCode)
	}
	if !ok && c.Location != nil {
		cell, ok = s.opts.Grid.Locate(c.Location.Lat, c.Location.Lon)
	}
	if !ok {
		return nil
	}
	return toCellJSON(cell)
}

func toCellJSON(c grid.Cell) *CellJSON {
	return &CellJSON{Code: c.Code, Name: c.Name, Community: c.Community, Street: c.Street, Unit: c.Unit, GeneratedSizeM: c.GeneratedSize}
}

// CellLabel is how a page names a cell: its name from the grid file, or
// for a generated cell what it is in the page's language.
func (p *pageBase) CellLabel(c *CellJSON) string {
	switch {
	case c == nil:
		return ""
	case c.GeneratedSizeM > 0:
		return p.Tf("grid.generated", c.Code, c.GeneratedSizeM)
	case c.Name != "":
		return c.Name
	}
	return c.Code
}
