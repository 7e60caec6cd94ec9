package grid

import (
	"math"
	"sort"
)

// Indexed is a Grid of fixed cells behind a uniform bucket index: the
// cells' bounding box is cut into buckets of about one cell's size, each
// bucket lists the cells whose bounding boxes touch it, and a lookup tests
// only the cells of the point's bucket.
type Indexed struct {
	cells   []Cell
	byCode  map[string]int
	origin  Point
	size    float64 // bucket edge, degrees
	cols    int
	rows    int
	buckets map[int][]int // bucket number → cell indices
}

// maxBuckets bounds the index's size whatever the cells' shapes.
const maxBuckets = 1 << 20

// NewIndexed indexes cells. They must have at least one polygon each.
func NewIndexed(cells []Cell) *Indexed {
	g := &Indexed{cells: cells, buckets: map[int][]int{}, byCode: make(map[string]int, len(cells))}
	for i, c := range cells {
		if _, dup := g.byCode[c.Code]; !dup {
			g.byCode[c.Code] = i
		}
	}
	if len(cells) == 0 {
		return g
	}
	all := cells[0].box
	var sumEdge float64
	for i := range cells {
		b := cells[i].box
		all.minX, all.maxX = min(all.minX, b.minX), max(all.maxX, b.maxX)
		all.minY, all.maxY = min(all.minY, b.minY), max(all.maxY, b.maxY)
		sumEdge += max(b.maxX-b.minX, b.maxY-b.minY)
	}
	g.origin = Point{all.minX, all.minY}
	g.size = sumEdge / float64(len(cells))
	w, h := all.maxX-all.minX, all.maxY-all.minY
	if g.size <= 0 {
		g.size = max(w, h, 1e-6)
	}
	// A few huge cells among small ones could make too many buckets.
	for (w/g.size+1)*(h/g.size+1) > maxBuckets {
		g.size *= 2
	}
	g.cols = int(w/g.size) + 1
	g.rows = int(h/g.size) + 1
	for i := range cells {
		b := cells[i].box
		c0, r0 := g.bucket(Point{b.minX, b.minY})
		c1, r1 := g.bucket(Point{b.maxX, b.maxY})
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				k := r*g.cols + c
				g.buckets[k] = append(g.buckets[k], i)
			}
		}
	}
	return g
}

func (g *Indexed) bucket(p Point) (col, row int) {
	col = int(math.Floor((p.X - g.origin.X) / g.size))
	row = int(math.Floor((p.Y - g.origin.Y) / g.size))
	return min(max(col, 0), g.cols-1), min(max(row, 0), g.rows-1)
}

// Locate implements Grid. Where cells overlap, the first in the file wins.
func (g *Indexed) Locate(lat, lon float64) (Cell, bool) {
	if len(g.cells) == 0 || math.IsNaN(lat) || math.IsNaN(lon) {
		return Cell{}, false
	}
	p := Point{lon, lat}
	col, row := g.bucket(p)
	for _, i := range g.buckets[row*g.cols+col] {
		if g.cells[i].Contains(p) {
			return g.cells[i], true
		}
	}
	return Cell{}, false
}

// Cells implements Grid.
func (g *Indexed) Cells() []Cell {
	out := append([]Cell(nil), g.cells...)
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Cell implements Grid.
func (g *Indexed) Cell(code string) (Cell, bool) {
	i, ok := g.byCode[code]
	if !ok {
		return Cell{}, false
	}
	return g.cells[i], true
}
