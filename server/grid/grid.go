// Package grid places positions in 万米单元网格, the city's grid cells of
// about 10,000 m², each with a code, a name and the unit responsible for
// it. Cells come from a GeoJSON file (Load); without one, Generated makes
// square cells of a fixed size on the fly around whatever positions it is
// asked about.
package grid

// Point is a WGS-84 position; X is longitude, Y latitude, as in GeoJSON.
type Point struct{ X, Y float64 }

// Cell is one grid cell.
type Cell struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Community (社区) and Street (街道, the subdistrict) are where the
	// cell lies, for officers who know the city by them; empty when the
	// grid file does not say.
	Community string `json:"community,omitempty"`
	Street    string `json:"street,omitempty"`
	Unit      string `json:"unit"`
	// GeneratedSize is the edge in metres of a generated cell (no grid
	// file configured); zero for a cell from the file.
	GeneratedSize float64 `json:"generated_size_m,omitempty"`
	// Polygons are the cell's areas (several for a MultiPolygon): each an
	// outer ring followed by its holes, rings closed or not.
	Polygons [][][]Point `json:"-"`
	box      bbox
}

// Grid finds the cell of a position.
type Grid interface {
	// Locate returns the cell holding the position, or ok false.
	Locate(lat, lon float64) (c Cell, ok bool)
	// Cells lists the known cells, ordered by code.
	Cells() []Cell
	// Cell returns the cell of a code, or ok false.
	Cell(code string) (c Cell, ok bool)
}

// Locator adapts g to the cases package, which knows cells only by code
// and unit.
func Locator(g Grid) func(lat, lon float64) (code, unit string, ok bool) {
	return func(lat, lon float64) (string, string, bool) {
		c, ok := g.Locate(lat, lon)
		return c.Code, c.Unit, ok
	}
}

type bbox struct{ minX, minY, maxX, maxY float64 }

func (b bbox) contains(p Point) bool {
	return p.X >= b.minX && p.X <= b.maxX && p.Y >= b.minY && p.Y <= b.maxY
}

// Contains reports whether p lies in the cell: inside an outer ring and in
// none of its holes.
func (c *Cell) Contains(p Point) bool {
	if !c.box.contains(p) {
		return false
	}
	for _, poly := range c.Polygons {
		if len(poly) == 0 || !inRing(poly[0], p) {
			continue
		}
		inHole := false
		for _, hole := range poly[1:] {
			if inRing(hole, p) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// inRing is the even-odd ray casting test.
func inRing(ring []Point, p Point) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X-a.X)*(p.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}

func (c *Cell) computeBox() {
	first := true
	for _, poly := range c.Polygons {
		for _, p := range poly[0] {
			if first {
				c.box = bbox{p.X, p.Y, p.X, p.Y}
				first = false
				continue
			}
			c.box.minX, c.box.maxX = min(c.box.minX, p.X), max(c.box.maxX, p.X)
			c.box.minY, c.box.maxY = min(c.box.minY, p.Y), max(c.box.maxY, p.Y)
		}
	}
}
