package place

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/xiuhua/xiuhua/internal/readlimit"
)

// Limits on a streets file: a city's roads and POIs are a few hundred
// thousand features; these only stop a wrong or hostile file.
const (
	MaxFileBytes  = 256 << 20
	MaxFeatures   = 1 << 21
	MaxLinePoints = 1 << 16
)

// Load reads a GeoJSON FeatureCollection of named streets and POIs:
// Point, MultiPoint, LineString and MultiLineString features whose
// properties carry name (or 名称); features without a name or of other
// geometry types are skipped, as city exports mix them in. Coordinates are
// WGS-84 [longitude, latitude].
func Load(path string) (*Streets, error) {
	data, err := readlimit.File(path, MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("streets: %w", err)
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("streets: %s: %w", path, err)
	}
	return s, nil
}

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Type       string `json:"type"`
		Properties struct {
			Name   string `json:"name"`
			NameZH string `json:"名称"`
		} `json:"properties"`
		Geometry *struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

// Parse is Load on bytes.
func Parse(data []byte) (*Streets, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%d bytes: allowed: at most %d", len(data), MaxFileBytes)
	}
	var fc featureCollection
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&fc); err != nil {
		return nil, fmt.Errorf("not GeoJSON: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("type: invalid value %q: allowed: FeatureCollection", fc.Type)
	}
	if len(fc.Features) > MaxFeatures {
		return nil, fmt.Errorf("features: %d: allowed: at most %d", len(fc.Features), MaxFeatures)
	}
	var feats []feature
	for i, f := range fc.Features {
		name := f.Properties.Name
		if name == "" {
			name = f.Properties.NameZH
		}
		if name == "" || f.Geometry == nil {
			continue
		}
		lines, err := parseGeometry(f.Geometry.Type, f.Geometry.Coordinates)
		if err != nil {
			return nil, fmt.Errorf("features[%d] (%s): %w", i, name, err)
		}
		if lines != nil {
			feats = append(feats, feature{name: name, lines: lines})
		}
	}
	if len(feats) == 0 {
		return nil, fmt.Errorf("features: no named Point, MultiPoint, LineString or MultiLineString: nothing to name a place by")
	}
	return newStreets(feats), nil
}

// parseGeometry returns a geometry as polylines (a point is a line of one
// position); nil for a type that names no street.
func parseGeometry(typ string, raw json.RawMessage) ([][][2]float64, error) {
	var lines [][][2]float64
	var err error
	switch typ {
	case "Point":
		var p [2]float64
		err = json.Unmarshal(raw, &p)
		lines = [][][2]float64{{p}}
	case "MultiPoint":
		var ps [][2]float64
		err = json.Unmarshal(raw, &ps)
		for _, p := range ps {
			lines = append(lines, [][2]float64{p})
		}
	case "LineString":
		var l [][2]float64
		err = json.Unmarshal(raw, &l)
		lines = [][][2]float64{l}
	case "MultiLineString":
		err = json.Unmarshal(raw, &lines)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("geometry.coordinates: not a %s: %w", typ, err)
	}
	n := 0
	for _, l := range lines {
		n += len(l)
		if len(l) == 0 || n > MaxLinePoints {
			return nil, fmt.Errorf("geometry.coordinates: %d positions: allowed: 1 to %d", n, MaxLinePoints)
		}
		for _, p := range l {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -85 || p[1] > 85 {
				return nil, fmt.Errorf("geometry.coordinates: [%g, %g]: allowed: [longitude, latitude] in WGS-84 degrees", p[0], p[1])
			}
		}
	}
	return lines, nil
}
