package place

import (
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/geo"
)

func TestNearest(t *testing.T) {
	s, err := Load("testdata/streets.geojson")
	require.NoError(t, err)
	const north = 1 / metresPerDegree // one metre of latitude, in degrees
	for _, tc := range []struct {
		name     string
		lat, lon float64
		max      float64
		want     string // "" for none
		metres   float64
	}{
		{"35 m south of a street", 31.2350 - 35*north, 121.4720, 200, "南京东路", 35},
		{"on the street", 31.2350, 121.4750, 200, "南京东路", 0},
		{"past the street's end: its end point", 31.2350, 121.4800 + 20/(metresPerDegree*math.Cos(31.235*math.Pi/180)), 200, "南京东路", 20},
		{"a POI nearer than the street", 31.2341, 121.4760, 200, "第一百货", 11.1},
		{"Chinese name key, second part of a multiline", 31.2380, 121.4851, 200, "河南中路", 9.5},
		{"too far", 31.2350 - 300*north, 121.4720, 200, "", 0},
		{"unnamed point and polygons are skipped", 31.2305, 121.4750, 50, "", 0},
		{"NaN", math.NaN(), 121.47, 200, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name, d, ok := s.Nearest(tc.lat, tc.lon, tc.max)
			require.Equal(t, tc.want != "", ok)
			require.Equal(t, tc.want, name)
			if ok {
				require.InDelta(t, tc.metres, d, 1)
				// The plane is exact enough: within a metre of the geodesic distance for points.
				if tc.want == "第一百货" {
					require.InDelta(t, geo.Distance(geo.Point{Lat: tc.lat, Lon: tc.lon}, geo.Point{Lat: 31.2340, Lon: 121.4760}), d, 1)
				}
			}
		})
	}
}

func TestNearestLongSegment(t *testing.T) {
	// A 50 km straight road of two points sits in the always-read list,
	// and is still found from its middle.
	s, err := Parse([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"沪宁高速"},
		"geometry":{"type":"LineString","coordinates":[[120.5,31.0],[121.0,31.4]]}}]}`))
	require.NoError(t, err)
	require.Len(t, s.long, 1)
	name, _, ok := s.Nearest(31.2, 120.75, 100)
	require.True(t, ok)
	require.Equal(t, "沪宁高速", name)
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		m    float64
		want string
	}{
		{0, "南京东路附近"}, {2.4, "南京东路附近"}, {33, "南京东路附近 约 35 米"}, {151, "南京东路附近 约 150 米"},
	} {
		require.Equal(t, tc.want, Describe("南京东路", tc.m))
	}
}

func TestParseBad(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"not json", `{`, "not GeoJSON"},
		{"not a collection", `{"type":"Feature"}`, `type: invalid value "Feature"`},
		{"nothing named", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}`, "no named"},
		{"bad coordinates", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[200,2]}}]}`, `features[0] (x): geometry.coordinates: [200, 2]`},
		{"empty line", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[]}}]}`, "0 positions"},
		{"wrong shape", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[1,2]}}]}`, "not a LineString"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.data))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile("testdata/streets.geojson")
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},"geometry":{"type":"LineString","coordinates":[[-180,-85],[180,85]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"名称":"b"},"geometry":{"type":"MultiPoint","coordinates":[[0,0],[1e-300,0]]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		// Whatever parsed answers searches without panicking, within the bound.
		for _, p := range [][2]float64{{0, 0}, {31.23, 121.47}, {84.9, 179.9}, {-84.9, -179.9}} {
			if _, d, ok := s.Nearest(p[0], p[1], 500); ok {
				require.LessOrEqual(t, d, 500.0)
			}
		}
	})
}
