package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/xiuhua/xiuhua/server/grid"
)

// city is the made-up district that `bench cases` fills with a year of
// cases: a block of 100 m grid cells (万米单元网格), the units responsible
// for them, and the cameras that watch them.
type city struct {
	cells   []cityCell
	units   []string
	cameras []cityCamera
	// cellPick draws a cell index with the cells' weights: a few market
	// streets make most of the cases, as in a real district.
	cellPick *weighted
	grid     *grid.Indexed
}

type cityCell struct {
	code, unit       string
	lat0, lon0, dLat float64
	dLon             float64
	cameras          []int // indexes into city.cameras
}

type cityCamera struct {
	device, camera string
}

// Where the district is: a corner in Beijing's Dongcheng district.
const (
	cityLat0      = 39.90
	cityLon0      = 116.40
	cityCellMetre = 100.0
	cityCols      = 20
	camerasPerBox = 4
)

// newCity lays out cells cells (cityCols to a row) over units units, with
// one to three cameras each, four cameras to an edge box.
func newCity(rng *rand.Rand, cells, units int) (*city, error) {
	c := &city{}
	for u := range units {
		c.units = append(c.units, fmt.Sprintf("东城区城管执法队第%02d中队", u+1))
	}
	dLat := cityCellMetre / 111195.0
	dLon := cityCellMetre / (111195.0 * math.Cos(cityLat0*math.Pi/180))
	weights := make([]float64, cells)
	for i := range cells {
		row, col := i/cityCols, i%cityCols
		cell := cityCell{
			// A 15-digit code in the shape of GB/T 30428.1's: district,
			// street, community, cell.
			code: fmt.Sprintf("110101%03d%03d%03d", 1+row/4, 1+row, 1+col),
			unit: c.units[i*units/cells],
			lat0: cityLat0 + float64(row)*dLat, lon0: cityLon0 + float64(col)*dLon, dLat: dLat, dLon: dLon,
		}
		for range 1 + rng.IntN(3) {
			n := len(c.cameras)
			cell.cameras = append(cell.cameras, n)
			c.cameras = append(c.cameras, cityCamera{
				device: fmt.Sprintf("edge-%03d", n/camerasPerBox+1), camera: fmt.Sprintf("cam-%d", n%camerasPerBox+1)})
		}
		c.cells = append(c.cells, cell)
		// Zipf-like: the busiest cell has about 100 times the cases of the
		// quietest.
		weights[i] = 1 / math.Pow(float64(i+1), 0.8)
	}
	rng.Shuffle(len(weights), func(i, j int) { weights[i], weights[j] = weights[j], weights[i] })
	c.cellPick = newWeighted(weights)
	g, err := grid.Parse(c.geoJSON())
	if err != nil {
		return nil, fmt.Errorf("city grid: %w", err)
	}
	c.grid = g
	return c, nil
}

// geoJSON is the district's grid as the server would load it.
func (c *city) geoJSON() []byte {
	type feature struct {
		Type       string            `json:"type"`
		Properties map[string]string `json:"properties"`
		Geometry   map[string]any    `json:"geometry"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection"}
	for _, cell := range c.cells {
		x0, y0, x1, y1 := cell.lon0, cell.lat0, cell.lon0+cell.dLon, cell.lat0+cell.dLat
		fc.Features = append(fc.Features, feature{Type: "Feature",
			Properties: map[string]string{"code": cell.code, "name": "网格 " + cell.code, "unit": cell.unit},
			Geometry: map[string]any{"type": "Polygon",
				"coordinates": [][][2]float64{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}})
	}
	b, err := json.Marshal(fc)
	if err != nil {
		panic(err) // only maps, strings and numbers
	}
	return b
}

// weighted draws indexes with given weights.
type weighted struct{ cum []float64 }

func newWeighted(w []float64) *weighted {
	out := &weighted{cum: make([]float64, len(w))}
	sum := 0.0
	for i, x := range w {
		sum += x
		out.cum[i] = sum
	}
	return out
}

func (w *weighted) pick(rng *rand.Rand) int {
	x := rng.Float64() * w.cum[len(w.cum)-1]
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
