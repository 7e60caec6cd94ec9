package rules

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/track"
)

var square = Zone{ID: "z", Polygon: []Point{{0.25, 0.25}, {0.75, 0.25}, {0.75, 0.75}, {0.25, 0.75}}}

func TestZoneContains(t *testing.T) {
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
		require.Equal(t, tc.want, square.Contains(tc.p), "%v", tc.p)
	}
}

// at returns a 100×100-frame track whose bottom centre is at (x, y) pixels.
func at(id uint64, class string, x, y float32) track.Track {
	return track.Track{ID: id, Class: class, Score: 0.9, Box: detect.Box{X1: x - 5, Y1: y - 20, X2: x + 5, Y2: y}}
}

func TestEngineDwell(t *testing.T) {
	rule := Rule{ID: "r", Type: "demo_linger", Classes: []string{"person"}, MinScore: 0.5,
		Dwell: 10 * time.Second, GapTolerance: 3 * time.Second, Cooldown: time.Minute}
	t0 := time.Unix(1000, 0)
	type obs struct {
		sec    float64
		tracks []track.Track
	}
	// every2s is an object observed every two seconds from 0 to 10 s.
	every2s := func(tracks ...track.Track) []obs {
		var o []obs
		for s := 0.0; s <= 10; s += 2 {
			o = append(o, obs{s, tracks})
		}
		return o
	}
	cases := []struct {
		name  string
		obs   []obs
		fires []float64 // seconds at which a violation is expected
	}{
		{"stays long enough", every2s(at(1, "person", 50, 50)), []float64{10}},
		{"leaves before dwell", []obs{{0, []track.Track{at(1, "person", 50, 50)}}, {5, []track.Track{at(1, "person", 90, 50)}}, {10, []track.Track{at(1, "person", 90, 50)}}}, nil},
		{"wrong class", []obs{{0, []track.Track{at(1, "car", 50, 50)}}, {12, []track.Track{at(1, "car", 50, 50)}}}, nil},
		{"gap within tolerance keeps dwell", []obs{{0, []track.Track{at(1, "person", 50, 50)}}, {2, []track.Track{at(1, "person", 50, 50)}}, {4, []track.Track{at(1, "person", 50, 50)}}, {6, nil}, {7, []track.Track{at(1, "person", 50, 50)}}, {9, []track.Track{at(1, "person", 50, 50)}}, {10, []track.Track{at(1, "person", 50, 50)}}}, []float64{10}},
		{"gap beyond tolerance restarts", []obs{{0, []track.Track{at(1, "person", 50, 50)}}, {4, []track.Track{at(1, "person", 50, 50)}}, {8, []track.Track{at(1, "person", 50, 50)}}, {12, []track.Track{at(1, "person", 50, 50)}}}, nil},
		{"cooldown holds repeat", []obs{{0, []track.Track{at(1, "person", 50, 50)}}, {2, []track.Track{at(1, "person", 50, 50)}}, {4, []track.Track{at(1, "person", 50, 50)}}, {6, []track.Track{at(1, "person", 50, 50)}}, {8, []track.Track{at(1, "person", 50, 50)}}, {10, []track.Track{at(1, "person", 50, 50)}}, {12, []track.Track{at(1, "person", 50, 50)}}}, []float64{10}},
		{"two objects two alerts", every2s(at(1, "person", 50, 50), at(2, "person", 60, 60)), []float64{10, 10}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine([]ZoneRules{{Zone: square, Rules: []Rule{rule}}})
			var fired []float64
			for _, o := range tc.obs {
				now := t0.Add(time.Duration(o.sec * float64(time.Second)))
				for _, v := range e.Observe(now, 100, 100, o.tracks) {
					fired = append(fired, v.At.Sub(t0).Seconds())
					require.GreaterOrEqual(t, v.Dwell(), rule.Dwell)
				}
			}
			require.Equal(t, tc.fires, fired)
		})
	}
}

func TestEngineForgetsOldStays(t *testing.T) {
	rule := Rule{ID: "r", Classes: []string{"person"}, Dwell: time.Minute, GapTolerance: time.Second, Cooldown: time.Second}
	e := NewEngine([]ZoneRules{{Zone: square, Rules: []Rule{rule}}})
	t0 := time.Unix(0, 0)
	for i := range 100 {
		e.Observe(t0, 100, 100, []track.Track{at(uint64(i), "person", 50, 50)})
	}
	require.Equal(t, 100, e.Stays())
	e.Observe(t0.Add(time.Minute), 100, 100, nil)
	require.Equal(t, 0, e.Stays())
}
