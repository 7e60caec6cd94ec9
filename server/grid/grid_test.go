package grid

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/geo"
)

func TestLoadAndLocate(t *testing.T) {
	g, err := Load("testdata/cells.geojson")
	require.NoError(t, err)
	require.Len(t, g.Cells(), 3)
	for _, tc := range []struct {
		name     string
		lat, lon float64
		want     string // "" for none
	}{
		{"first cell", 31.2305, 121.4705, "310101001001"},
		{"second cell, outside its hole", 31.2302, 121.4712, "310101001002"},
		{"in the hole of the second", 31.2310, 121.4720, ""},
		{"first part of a multipolygon", 31.2305, 121.4805, "310101002001"},
		{"triangle part, inside", 31.2402, 121.4903, "310101002001"},
		{"triangle part, outside its slope", 31.2409, 121.4901, ""},
		{"nowhere", 40, 116, ""},
		{"NaN", nanF(), 121.47, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := g.Locate(tc.lat, tc.lon)
			require.Equal(t, tc.want != "", ok)
			require.Equal(t, tc.want, c.Code)
			if ok {
				require.NotEmpty(t, c.Unit)
			}
		})
	}
}

func TestCellProperties(t *testing.T) {
	g, err := Load("testdata/cells.geojson")
	require.NoError(t, err)
	for _, tc := range []struct {
		code, community, street string
	}{
		{"310101001001", "贵州路居委会", "南京东路街道"},  // English keys
		{"310101001002", "云南中路居委会", "南京东路街道"}, // Chinese keys 社区, 街道
		{"310101002001", "", ""}, // neither: optional
	} {
		t.Run(tc.code, func(t *testing.T) {
			c, ok := g.Cell(tc.code)
			require.True(t, ok)
			require.Equal(t, tc.community, c.Community)
			require.Equal(t, tc.street, c.Street)
			require.Zero(t, c.GeneratedSize)
		})
	}
	_, ok := g.Cell("nope")
	require.False(t, ok)
	both := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"a","community":"英","社区":"中"},` +
		`"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`
	g2, err := Parse([]byte(both))
	require.NoError(t, err)
	c, _ := g2.Cell("a")
	require.Equal(t, "英", c.Community, "the English key wins")
}

func nanF() float64 { var z float64; return z / z }

func TestBadFiles(t *testing.T) {
	ring := `[[0,0],[1,0],[1,1],[0,0]]`
	feat := func(props, geom string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}]}`
	}
	poly := `{"type":"Polygon","coordinates":[` + ring + `]}`
	for _, tc := range []struct {
		name, data, want string
	}{
		{"not json", `{`, "not GeoJSON"},
		{"not a collection", `{"type":"Feature"}`, `type: invalid value "Feature": allowed: FeatureCollection`},
		{"no features", `{"type":"FeatureCollection","features":[]}`, "features: empty"},
		{"no code", feat(`{"name":"x"}`, poly), "features[0]: properties.code: missing"},
		{"no geometry", feat(`{"code":"a"}`, `null`), "features[0]: geometry: missing"},
		{"a point", feat(`{"code":"a"}`, `{"type":"Point","coordinates":[1,2]}`), `geometry.type: invalid value "Point"`},
		{"short ring", feat(`{"code":"a"}`, `{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}`), "3 positions: allowed: 4 to"},
		{"latitude out of range", feat(`{"code":"a"}`, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}`), "[1, 91]: allowed: [longitude, latitude]"},
		{"bad coordinates", feat(`{"code":"a"}`, `{"type":"Polygon","coordinates":"x"}`), "not a Polygon"},
		{"no rings", feat(`{"code":"a"}`, `{"type":"Polygon","coordinates":[]}`), "0 rings"},
		{"duplicate code", `{"type":"FeatureCollection","features":[` +
			`{"type":"Feature","properties":{"code":"a"},"geometry":` + poly + `},` +
			`{"type":"Feature","properties":{"code":"a"},"geometry":` + poly + `}]}`, `features[1]: properties.code: "a" already used by features[0]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.data))
			require.ErrorContains(t, err, tc.want)
		})
	}
	_, err := Load(filepath.Join(t.TempDir(), "none.geojson"))
	require.ErrorContains(t, err, "no such file")
}

// TestIndexAgreesWithScan: on a city of random cells, the bucket index
// finds exactly what testing every cell finds.
func TestIndexAgreesWithScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var cells []Cell
	for i := range 400 {
		x, y := 121.4+rng.Float64()*0.1, 31.2+rng.Float64()*0.1
		w, h := 0.0005+rng.Float64()*0.003, 0.0005+rng.Float64()*0.003
		c := Cell{Code: fmt.Sprintf("c%03d", i), Polygons: [][][]Point{{{{x, y}, {x + w, y}, {x + w/2, y + h}, {x, y}}}}}
		c.computeBox()
		cells = append(cells, c)
	}
	g := NewIndexed(cells)
	for range 5000 {
		p := Point{121.39 + rng.Float64()*0.12, 31.19 + rng.Float64()*0.12}
		want := ""
		for i := range cells {
			if cells[i].Contains(p) {
				want = cells[i].Code
				break
			}
		}
		got, _ := g.Locate(p.Y, p.X)
		require.Equal(t, want, got.Code, "point %v", p)
	}
}

func TestGenerated(t *testing.T) {
	g := NewGenerated(100, "城管大队")
	c, ok := g.Locate(31.2304, 121.4737)
	require.True(t, ok)
	require.Equal(t, "城管大队", c.Unit)
	require.True(t, c.Contains(Point{121.4737, 31.2304}))
	// About 100 m × 100 m.
	b := c.box
	require.InDelta(t, 100, geo.Distance(geo.Point{Lat: b.minY, Lon: b.minX}, geo.Point{Lat: b.maxY, Lon: b.minX}), 0.5)
	require.InDelta(t, 100, geo.Distance(geo.Point{Lat: b.minY, Lon: b.minX}, geo.Point{Lat: b.minY, Lon: b.maxX}), 1)
	// 30 m away: the same cell or a neighbour; 250 m away: another cell.
	far, _ := g.Locate(31.2304+250/111195.0, 121.4737)
	require.NotEqual(t, c.Code, far.Code)
	again, _ := g.Locate(31.2304, 121.4737)
	require.Equal(t, c, again)
	require.Len(t, g.Cells(), 2)
	_, ok = g.Locate(95, 0)
	require.False(t, ok)
	require.Equal(t, "自动网格 "+c.Code+"（100 米方格，未配置网格文件）", c.Name)
	require.InDelta(t, 100, c.GeneratedSize, 0)

	// By code: handed out already, or valid but not yet asked about.
	byCode, ok := g.Cell(c.Code)
	require.True(t, ok)
	require.Equal(t, c, byCode)
	fresh := NewGenerated(100, "城管大队")
	byCode, ok = fresh.Cell(c.Code)
	require.True(t, ok)
	require.Equal(t, c.Code, byCode.Code)
	require.True(t, byCode.Contains(Point{121.4737, 31.2304}))
	for _, bad := range []string{"", "G1", "G1_x", "X1_2", "G01_2", "G1_2 "} {
		_, ok := fresh.Cell(bad)
		require.False(t, ok, bad)
	}
}

func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile("testdata/cells.geojson")
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"a"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1e308,0],[1,-1e-308],[0,0]]]]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Parse(data)
		if err != nil {
			return
		}
		// Whatever parsed must answer lookups without panicking.
		for _, c := range g.Cells() {
			require.NotEmpty(t, c.Code)
			p := c.Polygons[0][0][0]
			g.Locate(p.Y, p.X)
		}
		g.Locate(0, 0)
		g.Locate(31.23, 121.47)
	})
}
