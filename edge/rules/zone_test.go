package rules

import (
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/vision"
)

func TestContains(t *testing.T) {
	cases := []struct {
		p    Point
		want bool
	}{
		{Point{0.5, 0.5}, true},
		{Point{0.1, 0.5}, false},
		{Point{0.5, 0.9}, false},
		{Point{0.74, 0.26}, true},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, Contains(square.Polygon, tc.p), "%v", tc.p)
	}
}

func TestZoneCovers(t *testing.T) {
	box := func(x1, y1, x2, y2 float32) vision.Box { return vision.Box{X1: x1, Y1: y1, X2: x2, Y2: y2} }
	pixels := Zone{Pixels: true, Polygon: []Point{{20, 20}, {80, 20}, {80, 80}, {20, 80}}}
	masked := square
	masked.Ignore = [][]Point{{{0.4, 0.4}, {0.6, 0.4}, {0.6, 0.6}, {0.4, 0.6}}}
	small := square
	small.MinArea = 0.05
	centred := square
	centred.Anchor = AnchorCentre
	cases := []struct {
		name string
		zone Zone
		box  vision.Box
		want bool
	}{
		{"feet inside", square, box(45, 20, 55, 60), true},
		{"feet outside though body inside", square, box(45, 30, 55, 90), false},
		{"centre anchor", centred, box(45, 30, 55, 90), true},
		{"pixel polygon", pixels, box(45, 20, 55, 60), true},
		{"pixel polygon outside", pixels, box(85, 20, 95, 60), false},
		{"in an ignore mask", masked, box(45, 20, 55, 50), false},
		{"beside the ignore mask", masked, box(25, 20, 35, 70), true},
		{"too small", small, box(45, 50, 55, 60), false},
		{"big enough", small, box(30, 30, 70, 60), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.zone.Covers(tc.box, 100, 100))
		})
	}
}

func TestSelfIntersects(t *testing.T) {
	require.False(t, SelfIntersects(square.Polygon))
	bowtie := []Point{{0, 0}, {1, 1}, {1, 0}, {0, 1}}
	require.True(t, SelfIntersects(bowtie))
	concave := []Point{{0, 0}, {1, 0}, {1, 1}, {0.5, 0.3}, {0, 1}}
	require.False(t, SelfIntersects(concave))
}

func TestParseHours(t *testing.T) {
	cases := []struct {
		in      string
		want    Hours
		wantErr string
	}{
		{"18:00-22:00", Hours{18 * time.Hour, 22 * time.Hour}, ""},
		{"22:00-02:30", Hours{22 * time.Hour, 2*time.Hour + 30*time.Minute}, ""},
		{"00:00-24:00", Hours{0, 24 * time.Hour}, ""},
		{"18-22", Hours{}, "not a time of day"},
		{"18:00", Hours{}, "want HH:MM-HH:MM"},
		{"25:00-26:00", Hours{}, "not a time of day"},
		{"08:00-08:00", Hours{}, "empty window"},
	}
	for _, tc := range cases {
		got, err := ParseHours(tc.in)
		if tc.wantErr != "" {
			require.ErrorContains(t, err, tc.wantErr, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got)
	}
	night := Hours{22 * time.Hour, 2 * time.Hour}
	day := func(h int) time.Time { return time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC) }
	require.True(t, night.Contains(day(23)))
	require.True(t, night.Contains(day(1)))
	require.False(t, night.Contains(day(12)))
}

func TestDefaultClassesKeepOnlyWhatTheModelHas(t *testing.T) {
	coco := []string{"person", "umbrella", "chair", "dining table", "bench", "suitcase", "potted plant"}
	require.Equal(t, []string{"umbrella", "dining table", "chair", "bench", "suitcase"}, DefaultClasses("street_vending", coco))
	require.Empty(t, DefaultClasses("street_laundry", coco))
	require.Equal(t, []string{"clothes"}, DefaultClasses("street_laundry", append(coco, "clothes")))
	require.Empty(t, DefaultClasses("no_such_type", coco))
}

func TestZoneBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		zone Zone
		want image.Rectangle
	}{
		{"normalised", Zone{Polygon: []Point{{0.25, 0.5}, {0.75, 0.5}, {0.5, 1}}}, image.Rect(160, 240, 480, 480)},
		{"pixels", Zone{Pixels: true, Polygon: []Point{{10, 20}, {110, 20}, {110, 220}}}, image.Rect(10, 20, 110, 220)},
		{"clipped to the frame", Zone{Pixels: true, Polygon: []Point{{-50, -50}, {700, 10}, {10, 900}}}, image.Rect(0, 0, 640, 480)},
		{"outside the frame", Zone{Pixels: true, Polygon: []Point{{700, 500}, {800, 500}, {800, 600}}}, image.Rectangle{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.zone.Bounds(640, 480))
		})
	}
}
