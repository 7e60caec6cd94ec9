package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xiuhua/xiuhua/server/grid"
	"github.com/xiuhua/xiuhua/server/store"
)

// The maps are drawn as SVG on the server from the grid cells and the
// cases' positions, in Web Mercator pixel coordinates at a zoom chosen to
// fit. With a basemap configured (web.basemap) the page's map script
// (assets/map.js, Leaflet) replaces the SVG with tiles under the same cells
// and cases (basemap.go); without one, or without script, the SVG is the
// map, with a note saying no basemap is configured.

type mapView struct {
	ViewBox       string
	Width, Height int
	Cells         []mapCell
	Points        []mapPoint
	// Leaflet is the map script's data; nil without a basemap.
	Leaflet *lmapData
	// Note says that no basemap is configured and how to configure one,
	// in three parts around the config key and the guide; nil with a
	// basemap.
	Note []string
	// Unplaced counts cases without a position.
	Unplaced int
	// Counts: the cells' Open are counts of all open cases, drawn as
	// numbers, not only of the cases drawn as points.
	Counts bool
}

type mapCell struct {
	Code, Name, Unit string
	Label            string // the page's name for the cell (CellLabel)
	Path             string // SVG path data, holes by even-odd
	LabelX, LabelY   string
	Open             int // open cases in the cell
	Level            int // Open against the busiest cell: 1 to 4, 0 for none
	Highlight        bool
}

type mapPoint struct {
	ID, URL        string
	Number         string // the readable case number, for the point's title
	X, Y           string
	Status         string
	ViolationType  string
	Overdue        bool
	StatusLabelKey string
}

// mercator is a WGS-84 position in Web Mercator pixels at zoom 0 (the world
// 256 pixels wide).
func mercator(lat, lon float64) (x, y float64) {
	lat = math.Max(math.Min(lat, 85.05112878), -85.05112878)
	s := math.Sin(lat * math.Pi / 180)
	return (lon + 180) / 360 * 256, (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * 256
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

type mapInput struct {
	Cells []grid.Cell
	Cases []store.Case
	// CellOpen, when not nil, is each cell's count of open cases (by grid
	// code); without it the cells count the cases given.
	CellOpen  map[string]int
	Overdue   func(store.Case) bool
	Highlight string // a cell code drawn stronger
	MaxPx     float64
}

// buildMap fits the cells and the cases into about MaxPx pixels.
func buildMap(in mapInput) mapView {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(x, y float64) {
		minX, minY, maxX, maxY = math.Min(minX, x), math.Min(minY, y), math.Max(maxX, x), math.Max(maxY, y)
	}
	for _, c := range in.Cells {
		for _, poly := range c.Polygons {
			for _, ring := range poly {
				for _, p := range ring {
					grow(mercator(p.Y, p.X))
				}
			}
		}
	}
	var mv mapView
	for _, c := range in.Cases {
		if c.Location == nil {
			mv.Unplaced++
			continue
		}
		grow(mercator(c.Location.Lat, c.Location.Lon))
	}
	if math.IsInf(minX, 0) {
		// Nothing to draw: an empty frame.
		mv.Width, mv.Height, mv.ViewBox = int(in.MaxPx), int(in.MaxPx/2), fmt.Sprintf("0 0 %d %d", int(in.MaxPx), int(in.MaxPx/2))
		return mv
	}
	// At least about 200 m across, so that one point is not a whole screen.
	const minSpan = 256.0 / 40075016 * 200
	if d := minSpan - (maxX - minX); d > 0 {
		minX, maxX = minX-d/2, maxX+d/2
	}
	if d := minSpan - (maxY - minY); d > 0 {
		minY, maxY = minY-d/2, maxY+d/2
	}
	span := math.Max(maxX-minX, maxY-minY)
	z := math.Floor(math.Log2(in.MaxPx / span))
	z = math.Max(0, math.Min(z, 19))
	k := math.Exp2(z)
	pad := span * k * 0.06
	x0, y0 := minX*k-pad, minY*k-pad
	w, h := (maxX-minX)*k+2*pad, (maxY-minY)*k+2*pad
	mv.Width, mv.Height = int(math.Ceil(w)), int(math.Ceil(h))
	// Drawn relative to the frame's corner: browsers keep SVG coordinates
	// in single precision, too coarse for absolute pixels at street zoom.
	mv.ViewBox = fmt.Sprintf("0 0 %s %s", num(w), num(h))
	px := func(lat, lon float64) (float64, float64) {
		x, y := mercator(lat, lon)
		return x*k - x0, y*k - y0
	}

	cellOf := map[string]int{}
	for _, c := range in.Cells {
		var b strings.Builder
		var sx, sy float64
		var n int
		for _, poly := range c.Polygons {
			for ri, ring := range poly {
				for i, p := range ring {
					x, y := px(p.Y, p.X)
					if i == 0 {
						b.WriteString("M")
					} else {
						b.WriteString("L")
					}
					b.WriteString(num(x) + " " + num(y))
					if ri == 0 {
						sx, sy, n = sx+x, sy+y, n+1
					}
				}
				b.WriteString("Z")
			}
		}
		mc := mapCell{Code: c.Code, Name: c.Name, Unit: c.Unit, Path: b.String(), Highlight: c.Code == in.Highlight}
		if n > 0 {
			mc.LabelX, mc.LabelY = num(sx/float64(n)), num(sy/float64(n))
		}
		cellOf[c.Code] = len(mv.Cells)
		mv.Cells = append(mv.Cells, mc)
	}
	for _, c := range in.Cases {
		if c.Location == nil {
			continue
		}
		x, y := px(c.Location.Lat, c.Location.Lon)
		p := mapPoint{ID: c.ID, Number: c.Number, URL: casePageURL(c.ID), X: num(x), Y: num(y), Status: c.Status,
			ViolationType: c.ViolationType}
		if in.Overdue != nil {
			p.Overdue = in.Overdue(c)
		}
		if i, ok := cellOf[c.GridCode]; ok && in.CellOpen == nil {
			mv.Cells[i].Open++
		}
		mv.Points = append(mv.Points, p)
	}
	if in.CellOpen != nil {
		mv.Counts = true
		for i := range mv.Cells {
			mv.Cells[i].Open = in.CellOpen[mv.Cells[i].Code]
		}
	}
	shade(mv.Cells)
	return mv
}

// shade sets the cells' Levels: quarters of the busiest cell's count, so
// that a city's hot spots stand out whatever its size.
func shade(cells []mapCell) {
	most := 0
	for _, c := range cells {
		most = max(most, c.Open)
	}
	for i := range cells {
		if n := cells[i].Open; n > 0 {
			cells[i].Level = (4*n + most - 1) / most
		}
	}
}

// caseMap is the small map of one case: its cell and its point.
func (s *server) caseMap(p *pageBase, c store.Case, px float64) mapView {
	var cells []grid.Cell
	if s.opts.Grid != nil && c.Location != nil {
		if cell, ok := s.opts.Grid.Locate(c.Location.Lat, c.Location.Lon); ok {
			cells = append(cells, cell)
		}
	}
	in := mapInput{Cells: cells, Cases: []store.Case{c}, Highlight: c.GridCode, MaxPx: px,
		Overdue: func(c store.Case) bool { return s.opts.Cases.Overdue(c, s.now()) }}
	mv := buildMap(in)
	s.finishMap(p, in, &mv, true)
	return mv
}
