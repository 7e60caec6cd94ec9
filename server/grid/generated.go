package grid

import (
	"fmt"
	"math"
	"sort"
	"sync"
)

// metresPerDegree is one degree of latitude, in metres.
const metresPerDegree = 111195.0

// Generated is the grid when the city has given none: square cells of
// about Size metres a side, made on demand around the positions asked
// about. Rows are Size metres of latitude; each row's cells are Size
// metres of longitude at the row's middle latitude, so cells stay square
// wherever the city is. Codes are "G<row>_<col>"; the unit is DefaultUnit.
type Generated struct {
	size        float64
	defaultUnit string

	mu   sync.Mutex
	seen map[string]Cell
}

// NewGenerated returns a generated grid of size-metre cells.
func NewGenerated(size float64, defaultUnit string) *Generated {
	return &Generated{size: size, defaultUnit: defaultUnit, seen: map[string]Cell{}}
}

// Locate implements Grid; every valid position has a cell.
func (g *Generated) Locate(lat, lon float64) (Cell, bool) {
	if math.IsNaN(lat) || math.IsNaN(lon) || lat < -89 || lat > 89 || lon < -180 || lon > 180 {
		return Cell{}, false
	}
	dLat := g.size / metresPerDegree
	row := math.Floor(lat / dLat)
	midLat := (row + 0.5) * dLat
	dLon := g.size / (metresPerDegree * math.Cos(midLat*math.Pi/180))
	col := math.Floor(lon / dLon)
	code := fmt.Sprintf("G%d_%d", int64(row), int64(col))
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.seen[code]; ok {
		return c, true
	}
	x0, y0 := col*dLon, row*dLat
	c := Cell{Code: code, Name: GeneratedName(code, g.size), Unit: g.defaultUnit, GeneratedSize: g.size,
		Polygons: [][][]Point{{{{x0, y0}, {x0 + dLon, y0}, {x0 + dLon, y0 + dLat}, {x0, y0 + dLat}, {x0, y0}}}}}
	c.computeBox()
	g.seen[code] = c
	return c, true
}

// GeneratedName is a generated cell's name: what it is and why, for the
// officer who would otherwise read a bare code. The pages name it in their
// own language; this is the API's (the platform's language is Chinese).
func GeneratedName(code string, size float64) string {
	return fmt.Sprintf("自动网格 %s（%.0f 米方格，未配置网格文件）", code, size)
}

// Cell implements Grid: a cell handed out so far, or the cell the code
// names when it is a valid generated code.
func (g *Generated) Cell(code string) (Cell, bool) {
	g.mu.Lock()
	c, ok := g.seen[code]
	g.mu.Unlock()
	if ok {
		return c, true
	}
	var row, col int64
	if n, err := fmt.Sscanf(code, "G%d_%d", &row, &col); err != nil || n != 2 || code != fmt.Sprintf("G%d_%d", row, col) {
		return Cell{}, false
	}
	dLat := g.size / metresPerDegree
	midLat := (float64(row) + 0.5) * dLat
	dLon := g.size / (metresPerDegree * math.Cos(midLat*math.Pi/180))
	c, ok = g.Locate(midLat, (float64(col)+0.5)*dLon)
	if !ok || c.Code != code {
		return Cell{}, false
	}
	return c, true
}

// Cells implements Grid: the cells handed out so far.
func (g *Generated) Cells() []Cell {
	g.mu.Lock()
	out := make([]Cell, 0, len(g.seen))
	for _, c := range g.seen {
		out = append(out, c)
	}
	g.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
