package rules

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// stall is a 100×100-frame box standing inside square.
var stall = vision.Box{X1: 40, Y1: 50, X2: 60, Y2: 70}

func det(class string, score float32, b vision.Box) vision.Detection {
	return vision.Detection{Class: class, Score: score, Box: b}
}

func shifted(b vision.Box, dx float32) vision.Box {
	return vision.Box{X1: b.X1 + dx, Y1: b.Y1, X2: b.X2 + dx, Y2: b.Y2}
}

// looks returns n looks every step seconds; look i sees what at(i) gives.
func looks(n int, step float64, at func(i int) []vision.Detection) []look {
	out := make([]look, n)
	for i := range out {
		out[i] = look{sec: float64(i) * step, dets: at(i)}
	}
	return out
}

type look struct {
	sec    float64
	dets   []vision.Detection
	tracks []track.Track
}

func presenceRule() Rule {
	return Rule{ID: "r", Type: "street_vending", Classes: []string{"chair", "umbrella"}, MinScore: 0.4,
		Dwell: 10 * time.Second, GapTolerance: 3 * time.Second, Cooldown: time.Minute,
		Accumulate: Accumulation{Floor: 0.2, HalfLife: 10 * time.Second, Presence: 0.3}}
}

// accumulate runs the looks through an engine the way the pipeline does
// (Observe with the tracks, then Accumulate with the detections) and
// returns what fired.
func accumulate(t *testing.T, rule Rule, ls []look) []Violation {
	t.Helper()
	e := NewEngine([]ZoneRules{{Zone: square, Rules: []Rule{rule}}})
	var fired []Violation
	for _, l := range ls {
		now := t0.Add(time.Duration(l.sec * float64(time.Second)))
		fired = append(fired, e.Observe(now, 100, 100, l.tracks)...)
		fired = append(fired, e.Accumulate(now, 100, 100, l.dets)...)
	}
	require.LessOrEqual(t, e.Spots(), 50, "places must be forgotten")
	return fired
}

func TestAccumulatePresence(t *testing.T) {
	weakEvery := func(n int, class string, score float32, b vision.Box) func(int) []vision.Detection {
		return func(i int) []vision.Detection {
			if i%n != 0 {
				return nil
			}
			return []vision.Detection{det(class, score, b)}
		}
	}
	with := func(f func(*Rule)) Rule { r := presenceRule(); f(&r); return r }
	standing := vision.Box{X1: 35, Y1: 20, X2: 65, Y2: 72}
	cases := []struct {
		name  string
		rule  Rule
		looks []look
		// fires are the seconds at which violations fire; kind their kind.
		fires []float64
		kind  FindingKind
	}{
		{"weak chair in a third of the looks is a stall", presenceRule(),
			looks(120, 0.5, weakEvery(3, "chair", 0.25, stall)), []float64{10}, FindingPresence},
		{"accumulation off: the same looks raise nothing", with(func(r *Rule) { r.Accumulate = Accumulation{} }),
			looks(120, 0.5, weakEvery(3, "chair", 0.25, stall)), nil, 0},
		{"seen in one look of eight is not enough", presenceRule(),
			looks(120, 0.5, weakEvery(8, "chair", 0.25, stall)), nil, 0},
		{"below the floor counts for nothing", presenceRule(),
			looks(120, 0.5, weakEvery(1, "chair", 0.15, stall)), nil, 0},
		{"a class the rule does not count", presenceRule(),
			looks(120, 0.5, weakEvery(1, "bicycle", 0.9, stall)), nil, 0},
		{"outside the zone", presenceRule(),
			looks(120, 0.5, weakEvery(1, "chair", 0.9, shifted(stall, -38))), nil, 0},
		{"a person standing still for a minute is not a stall", with(func(r *Rule) { r.Classes = append(r.Classes, "person") }),
			looks(120, 0.5, weakEvery(1, "person", 0.9, standing)), nil, 0},
		{"weak chairs inside a standing person's box are part of the person", presenceRule(),
			looks(120, 0.5, func(int) []vision.Detection {
				return []vision.Detection{det("person", 0.8, standing), det("chair", 0.3, vision.Box{X1: 40, Y1: 45, X2: 60, Y2: 70})}
			}), nil, 0},
		{"weak bags carried across now and then are no place", presenceRule(),
			looks(120, 0.5, func(i int) []vision.Detection {
				// One crossing every 10 s, 5 px a look: each place sees a
				// bag in about one look of five. (A stream so dense that
				// one place has a bag in a third of the looks would count:
				// see docs/accumulation.md.)
				if i%20 >= 12 {
					return nil
				}
				return []vision.Detection{det("chair", 0.3, shifted(stall, float32(i%20)*5-30))}
			}), nil, 0},
		{"a chair whose box jitters is still one place", presenceRule(),
			looks(120, 0.5, func(i int) []vision.Detection {
				return []vision.Detection{det("chair", 0.3, shifted(stall, float32(i%3)*3-3))}
			}), []float64{10}, FindingPresence},
		{"one violation per stay, however long", with(func(r *Rule) { r.Cooldown = 0 }),
			looks(600, 0.5, weakEvery(2, "umbrella", 0.3, stall)), []float64{10}, FindingPresence},
		{"re-alert after realert for a stall still there", with(func(r *Rule) { r.Realert = time.Minute }),
			looks(300, 0.5, weakEvery(2, "umbrella", 0.3, stall)), []float64{10, 70, 130}, FindingPresence},
		{"allowed hours accumulate nothing", with(func(r *Rule) { r.Allowed = []Hours{{From: 0, To: 24 * time.Hour}} }),
			looks(120, 0.5, weakEvery(2, "umbrella", 0.3, stall)), nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []float64
			for _, v := range accumulate(t, tc.rule, tc.looks) {
				got = append(got, v.At.Sub(t0).Seconds())
				require.Equal(t, tc.kind, v.Object.Kind)
				require.GreaterOrEqual(t, v.Dwell(), tc.rule.Dwell)
				require.GreaterOrEqual(t, track.IoU(v.Object.Box, stall), float32(0.8), "the place's box is the stall's")
				require.GreaterOrEqual(t, v.Object.Occupancy, tc.rule.Accumulate.Presence)
				require.Zero(t, v.Object.TrackID)
			}
			require.Equal(t, tc.fires, got)
		})
	}
}

// TestAccumulateStayEnds: a stall taken away is forgotten; set down again
// after the cool-down it is a new stay and a new violation.
func TestAccumulateStayEnds(t *testing.T) {
	ls := looks(400, 0.5, func(i int) []vision.Detection {
		if i < 80 || (i >= 200 && i%2 == 0) {
			return []vision.Detection{det("chair", 0.3, stall)}
		}
		return nil
	})
	var got []float64
	for _, v := range accumulate(t, presenceRule(), ls) {
		got = append(got, v.At.Sub(t0).Seconds())
		require.Equal(t, "chair", v.Object.Class)
	}
	require.Equal(t, []float64{10, 110}, got)
}

// TestAccumulateAndTrackRaiseOnce: the tracker's path and accumulation see
// the same chair; whichever fires first, the stay gives one violation,
// even with no cool-down to hide the second.
func TestAccumulateAndTrackRaiseOnce(t *testing.T) {
	r := presenceRule()
	r.Cooldown = 0
	tr := track.Track{ID: 3, Class: "chair", Score: 0.9, Box: stall}
	for _, trackFirst := range []bool{true, false} {
		ls := looks(200, 0.5, func(int) []vision.Detection { return []vision.Detection{det("chair", 0.9, stall)} })
		for i := range ls {
			if trackFirst || i > 40 {
				ls[i].tracks = []track.Track{tr}
				if !trackFirst {
					ls[i].tracks[0].ID = 4 // a track the tracker started late
				}
			}
		}
		fired := accumulate(t, r, ls)
		require.Len(t, fired, 1, "track first: %v", trackFirst)
		want := FindingPresence
		if trackFirst {
			want = FindingTrack
		}
		require.Equal(t, want, fired[0].Object.Kind)
	}
}

// TestTwoTracksOnOneObjectRaiseOnce: the detector sees one chair as a
// chair and a bench, the tracker follows both; with no cool-down to hide
// it, the object still gives one violation.
func TestTwoTracksOnOneObjectRaiseOnce(t *testing.T) {
	r := presenceRule()
	r.Cooldown, r.Accumulate = 0, Accumulation{}
	r.Classes = []string{"chair", "bench"}
	ls := looks(60, 0.5, func(int) []vision.Detection { return nil })
	for i := range ls {
		ls[i].tracks = []track.Track{{ID: 1, Class: "chair", Score: 0.8, Box: stall}}
		if i >= 3 {
			ls[i].tracks = append(ls[i].tracks, track.Track{ID: 2, Class: "bench", Score: 0.5, Box: shifted(stall, 2)})
		}
	}
	fired := accumulate(t, r, ls)
	require.Len(t, fired, 1)
	require.Equal(t, uint64(1), fired[0].Object.TrackID)
}
