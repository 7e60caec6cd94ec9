package geo

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGCJ02OffsetIsHundredsOfMetresInChinaAndNoneOutside(t *testing.T) {
	cases := []struct {
		name       string
		p          Point
		minM, maxM float64
	}{
		{"Beijing", Point{39.9087, 116.3975}, 100, 1000},
		{"Shanghai", Point{31.2304, 121.4737}, 100, 1000},
		{"Shenzhen", Point{22.5431, 114.0579}, 100, 1000},
		{"Urumqi", Point{43.8256, 87.6168}, 50, 1000},
		{"London", Point{51.5072, -0.1276}, 0, 0},
		{"Tokyo", Point{35.6762, 139.6503}, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := ToGCJ02(tc.p)
			d := Distance(tc.p, g)
			require.GreaterOrEqual(t, d, tc.minM)
			require.LessOrEqual(t, d, tc.maxM)
			back := FromGCJ02(g)
			require.Less(t, Distance(back, tc.p), 0.05, "round trip drifted")
		})
	}
}

func TestDistance(t *testing.T) {
	// One degree of latitude is about 111.2 km.
	require.InDelta(t, 111195, Distance(Point{30, 120}, Point{31, 120}), 100)
	require.InDelta(t, 0, Distance(Point{30, 120}, Point{30, 120}), 1e-9)
}

func TestHomographyMapsFootPointsToTheGround(t *testing.T) {
	// A camera looking at a 40 m × 30 m square of pavement from above at
	// an angle: the far edge is foreshortened in the image.
	origin := Point{31.2304, 121.4737}
	l := local{origin: origin}
	at := func(x, y float64) Point { return l.toPoint(x, y) }
	cal := []Calibration{
		{X: 100, Y: 700, Ground: at(0, 0)},
		{X: 1180, Y: 700, Ground: at(40, 0)},
		{X: 900, Y: 200, Ground: at(40, 30)},
		{X: 380, Y: 200, Ground: at(0, 30)},
	}
	h, err := NewHomography(cal)
	require.NoError(t, err)
	for _, c := range cal {
		g, ok := h.Ground(c.X, c.Y)
		require.True(t, ok)
		require.Less(t, Distance(g, c.Ground), 0.01)
	}
	// The middle of the bottom edge is 20 m along it.
	g, ok := h.Ground(640, 700)
	require.True(t, ok)
	require.Less(t, Distance(g, at(20, 0)), 0.01)
	// Perspective: the image centre row between the edges is not the
	// ground's half-way line; it lies nearer the camera.
	g, ok = h.Ground(640, 450)
	require.True(t, ok)
	_, y := l.toXY(g)
	require.Greater(t, y, 0.0)
	require.Less(t, y, 15.0)
}

func TestHomographyRefusesDegenerateCalibration(t *testing.T) {
	l := local{origin: Point{31, 121}}
	cases := []struct {
		name string
		cal  []Calibration
	}{
		{"too few", []Calibration{{0, 0, l.toPoint(0, 0)}, {1, 0, l.toPoint(1, 0)}, {0, 1, l.toPoint(0, 1)}}},
		{"all in a line", []Calibration{{0, 0, l.toPoint(0, 0)}, {1, 1, l.toPoint(1, 1)}, {2, 2, l.toPoint(2, 2)}, {3, 3, l.toPoint(3, 3)}}},
		{"repeated", []Calibration{{0, 0, l.toPoint(0, 0)}, {0, 0, l.toPoint(0, 0)}, {5, 5, l.toPoint(5, 5)}, {5, 5, l.toPoint(5, 5)}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewHomography(tc.cal)
			require.ErrorIs(t, err, ErrDegenerate)
		})
	}
}

// TestGCJ02KnownVectors pins the transform to values published with
// widely used open implementations.
func TestGCJ02KnownVectors(t *testing.T) {
	cases := []struct {
		name     string
		in, want Point
	}{
		{"Beijing", Point{39.915, 116.404}, Point{39.91640428150164, 116.41024449916938}},
		{"Shanghai", Point{31.1774276, 121.5272106}, Point{31.17530398364597, 121.531541859215}},
		{"Shenzhen", Point{22.543847, 113.912316}, Point{22.540796131694766, 113.9171764808363}},
		{"Paris: unchanged", Point{48.8566, 2.3522}, Point{48.8566, 2.3522}},
		{"south of the box: unchanged", Point{0.5, 100}, Point{0.5, 100}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := ToGCJ02(tc.in)
			require.InDelta(t, tc.want.Lat, g.Lat, 1e-9)
			require.InDelta(t, tc.want.Lon, g.Lon, 1e-9)
		})
	}
}
