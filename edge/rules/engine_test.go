package rules

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
)

var square = Zone{ID: "z", Polygon: []Point{{0.25, 0.25}, {0.75, 0.25}, {0.75, 0.75}, {0.25, 0.75}}}

// at returns a 100×100-frame track whose bottom centre is at (x, y) pixels.
func at(id uint64, class string, x, y float32) track.Track {
	return track.Track{ID: id, Class: class, Score: 0.9, Box: vision.Box{X1: x - 5, Y1: y - 20, X2: x + 5, Y2: y}}
}

type obs struct {
	sec    float64
	tracks []track.Track
}

// every returns observations of tracks every step seconds from 0 to end.
func every(step, end float64, tracks ...track.Track) []obs {
	var o []obs
	for s := 0.0; s <= end; s += step {
		o = append(o, obs{s, tracks})
	}
	return o
}

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func run(t *testing.T, zone Zone, rule Rule, observations []obs) []float64 {
	t.Helper()
	e := NewEngine([]ZoneRules{{Zone: zone, Rules: []Rule{rule}}})
	var fired []float64
	for _, o := range observations {
		now := t0.Add(time.Duration(o.sec * float64(time.Second)))
		for _, v := range e.Observe(now, 100, 100, o.tracks) {
			fired = append(fired, v.At.Sub(t0).Seconds())
			require.GreaterOrEqual(t, v.Dwell(), rule.Dwell)
		}
	}
	return fired
}

func TestEngineDwell(t *testing.T) {
	base := Rule{ID: "r", Type: "street_vending", Classes: []string{"person"}, MinScore: 0.5,
		Dwell: 10 * time.Second, GapTolerance: 3 * time.Second}
	p := at(1, "person", 50, 50)
	with := func(f func(*Rule)) Rule { r := base; f(&r); return r }
	cases := []struct {
		name  string
		rule  Rule
		obs   []obs
		fires []float64
	}{
		{"stays long enough", base, every(2, 10, p), []float64{10}},
		{"leaves before dwell", base, []obs{{0, []track.Track{p}}, {5, []track.Track{at(1, "person", 90, 50)}}, {10, []track.Track{at(1, "person", 90, 50)}}}, nil},
		{"leaving and coming back restarts", base, []obs{{0, []track.Track{p}}, {2, []track.Track{p}}, {4, []track.Track{at(1, "person", 90, 50)}}, {6, []track.Track{p}}, {10, []track.Track{p}}, {16, nil}}, nil},
		{"wrong class", base, every(2, 12, at(1, "car", 50, 50)), nil},
		{"low score", base, every(2, 12, track.Track{ID: 1, Class: "person", Score: 0.3, Box: p.Box}), nil},
		{"gap within tolerance keeps dwell", base, []obs{{0, []track.Track{p}}, {2, []track.Track{p}}, {4, []track.Track{p}}, {6, nil}, {7, []track.Track{p}}, {9, []track.Track{p}}, {10, []track.Track{p}}}, []float64{10}},
		{"gap beyond tolerance restarts", base, []obs{{0, []track.Track{p}}, {4, []track.Track{p}}, {8, []track.Track{p}}, {12, []track.Track{p}}}, nil},
		{"once per stay by default", base, every(2, 30, p), []float64{10}},
		{"realert repeats for an object still there", with(func(r *Rule) { r.Realert = 10 * time.Second }), every(2, 30, p), []float64{10, 20, 30}},
		{"two objects two alerts", base, every(2, 10, p, at(2, "person", 60, 60)), []float64{10, 10}},
		{"cooldown holds the zone after an alert", with(func(r *Rule) { r.Cooldown = time.Minute }), every(2, 10, p, at(2, "person", 60, 60)), []float64{10}},
		{"inertia delays counting but not the start", with(func(r *Rule) { r.Inertia = 3 }), every(2, 10, p), []float64{10}},
		{"inertia not reached", with(func(r *Rule) { r.Inertia = 3; r.Dwell = time.Second }), every(5, 5, p), nil},
		{"moving object is not stationary", with(func(r *Rule) { r.MaxMotion = 0.5 }), []obs{
			{0, []track.Track{at(1, "person", 30, 50)}}, {2, []track.Track{at(1, "person", 40, 50)}}, {4, []track.Track{at(1, "person", 50, 50)}},
			{6, []track.Track{at(1, "person", 60, 50)}}, {8, []track.Track{at(1, "person", 70, 50)}}, {10, []track.Track{at(1, "person", 72, 50)}}}, nil},
		{"jitter within max motion still stationary", with(func(r *Rule) { r.MaxMotion = 0.5 }), []obs{
			{0, []track.Track{at(1, "person", 50, 50)}}, {2, []track.Track{at(1, "person", 53, 51)}}, {4, []track.Track{at(1, "person", 48, 49)}},
			{6, []track.Track{at(1, "person", 51, 50)}}, {8, []track.Track{at(1, "person", 55, 50)}}, {10, []track.Track{at(1, "person", 50, 52)}}}, []float64{10}},
		{"allowed hours suppress", with(func(r *Rule) { r.Allowed = []Hours{{From: 9 * time.Hour, To: 11 * time.Hour}} }), every(2, 20, p), nil},
		{"allowed hours in another zone of the clock", with(func(r *Rule) { r.Allowed = []Hours{{From: 18 * time.Hour, To: 22 * time.Hour}} }), every(2, 10, p), []float64{10}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.fires, run(t, square, tc.rule, tc.obs))
		})
	}
}

func TestEngineAllowedHoursUseTheRuleLocation(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	// 10:00 UTC is 18:00 in Shanghai: inside a night market's hours.
	r := Rule{ID: "r", Classes: []string{"person"}, Dwell: 10 * time.Second, GapTolerance: 3 * time.Second,
		Allowed: []Hours{{From: 18 * time.Hour, To: 22 * time.Hour}}, Location: shanghai}
	require.Empty(t, run(t, square, r, every(2, 20, at(1, "person", 50, 50))))
}

func TestEngineForgetsOldStays(t *testing.T) {
	rule := Rule{ID: "r", Classes: []string{"person"}, Dwell: time.Minute, GapTolerance: time.Second}
	e := NewEngine([]ZoneRules{{Zone: square, Rules: []Rule{rule}}})
	for i := range 100 {
		e.Observe(t0, 100, 100, []track.Track{at(uint64(i), "person", 50, 50)})
	}
	require.Equal(t, 100, e.Stays())
	e.Observe(t0.Add(time.Minute), 100, 100, nil)
	require.Equal(t, 0, e.Stays())
}
