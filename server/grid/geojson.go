package grid

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"

	"github.com/xiuhua/xiuhua/internal/readlimit"
)

// Limits on a GeoJSON grid file: a city has tens of thousands of cells;
// these only stop a wrong or hostile file from eating the server.
const (
	MaxFileBytes    = 256 << 20
	MaxCells        = 1 << 20
	MaxRingPoints   = 1 << 16
	MaxPolygonParts = 1 << 10
)

// Load reads a GeoJSON FeatureCollection of Polygon or MultiPolygon
// features whose properties carry code, name and unit (the responsible
// unit), and optionally community and street (社区, 街道; see properties).
// Codes must be unique.
func Load(path string) (*Indexed, error) {
	data, err := readlimit.File(path, MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("grid: %w", err)
	}
	g, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("grid: %s: %w", path, err)
	}
	return g, nil
}

type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

type feature struct {
	Type       string     `json:"type"`
	Properties properties `json:"properties"`
	Geometry   *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// properties are a cell's: code, name and unit, and optionally the
// community (社区) and street (街道) it lies in, under English or Chinese
// keys (city GIS exports use either); the English key wins when both are.
type properties struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Unit        string `json:"unit"`
	Community   string `json:"community"`
	CommunityZH string `json:"社区"`
	Street      string `json:"street"`
	StreetZH    string `json:"街道"`
}

// Parse is Load on bytes.
func Parse(data []byte) (*Indexed, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%d bytes: allowed: at most %d", len(data), MaxFileBytes)
	}
	var fc featureCollection
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&fc); err != nil {
		return nil, fmt.Errorf("not GeoJSON: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("type: invalid value %q: allowed: FeatureCollection", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, fmt.Errorf("features: empty: a grid needs at least one cell")
	}
	if len(fc.Features) > MaxCells {
		return nil, fmt.Errorf("features: %d: allowed: at most %d", len(fc.Features), MaxCells)
	}
	seen := map[string]int{}
	cells := make([]Cell, 0, len(fc.Features))
	for i, f := range fc.Features {
		c, err := parseFeature(f)
		if err != nil {
			return nil, fmt.Errorf("features[%d]: %w", i, err)
		}
		if j, dup := seen[c.Code]; dup {
			return nil, fmt.Errorf("features[%d]: properties.code: %q already used by features[%d]", i, c.Code, j)
		}
		seen[c.Code] = i
		cells = append(cells, c)
	}
	return NewIndexed(cells), nil
}

func parseFeature(f feature) (Cell, error) {
	pr := f.Properties
	c := Cell{Code: pr.Code, Name: pr.Name, Unit: pr.Unit, Community: cmp.Or(pr.Community, pr.CommunityZH), Street: cmp.Or(pr.Street, pr.StreetZH)}
	if f.Type != "Feature" {
		return c, fmt.Errorf("type: invalid value %q: allowed: Feature", f.Type)
	}
	if c.Code == "" {
		return c, fmt.Errorf("properties.code: missing: every cell needs its grid code")
	}
	if f.Geometry == nil {
		return c, fmt.Errorf("geometry: missing")
	}
	var polys [][][][2]float64
	switch f.Geometry.Type {
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
			return c, fmt.Errorf("geometry.coordinates: not a Polygon: %w", err)
		}
		polys = [][][][2]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
			return c, fmt.Errorf("geometry.coordinates: not a MultiPolygon: %w", err)
		}
	default:
		return c, fmt.Errorf("geometry.type: invalid value %q: allowed: Polygon, MultiPolygon", f.Geometry.Type)
	}
	if len(polys) == 0 || len(polys) > MaxPolygonParts {
		return c, fmt.Errorf("geometry.coordinates: %d polygons: allowed: 1 to %d", len(polys), MaxPolygonParts)
	}
	for pi, poly := range polys {
		if len(poly) == 0 || len(poly) > MaxPolygonParts {
			return c, fmt.Errorf("geometry.coordinates[%d]: %d rings: allowed: 1 to %d", pi, len(poly), MaxPolygonParts)
		}
		var rings [][]Point
		for ri, ring := range poly {
			if len(ring) < 4 || len(ring) > MaxRingPoints {
				return c, fmt.Errorf("geometry.coordinates[%d][%d]: %d positions: allowed: 4 to %d (a closed ring)", pi, ri, len(ring), MaxRingPoints)
			}
			pts := make([]Point, len(ring))
			for k, xy := range ring {
				lon, lat := xy[0], xy[1]
				if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
					return c, fmt.Errorf("geometry.coordinates[%d][%d][%d]: [%g, %g]: allowed: [longitude, latitude] in WGS-84 degrees", pi, ri, k, lon, lat)
				}
				pts[k] = Point{lon, lat}
			}
			rings = append(rings, pts)
		}
		c.Polygons = append(c.Polygons, rings)
	}
	c.computeBox()
	return c, nil
}
