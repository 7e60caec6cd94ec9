package track

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/vision"
)

func person(x, y float32) vision.Detection {
	return vision.Detection{Class: "person", Score: 0.9, Box: vision.Box{X1: x, Y1: y, X2: x + 40, Y2: y + 100}}
}

func TestTrackerKeepsIDsOfTwoWalkers(t *testing.T) {
	tr := New(3 * time.Second)
	t0 := time.Unix(0, 0)
	var a, b uint64
	for i := range 20 {
		now := t0.Add(time.Duration(i) * 500 * time.Millisecond)
		step := float32(i) * 5
		seen := tr.Update(now, []vision.Detection{person(100+step, 100), person(400-step, 120)})
		require.Len(t, seen, 2)
		if i == 0 {
			a, b = seen[0].ID, seen[1].ID
			require.NotEqual(t, a, b)
			continue
		}
		ids := []uint64{seen[0].ID, seen[1].ID}
		require.ElementsMatch(t, []uint64{a, b}, ids, "frame %d: id switch", i)
	}
}

func TestTrackerBridgesGapShorterThanMaxAge(t *testing.T) {
	cases := []struct {
		name   string
		gap    time.Duration
		sameID bool
	}{
		{"short occlusion keeps id", 2 * time.Second, true},
		{"long absence gets a new id", 5 * time.Second, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := New(3 * time.Second)
			t0 := time.Unix(0, 0)
			first := tr.Update(t0, []vision.Detection{person(100, 100)})
			require.Empty(t, tr.Update(t0.Add(time.Second), nil))
			again := tr.Update(t0.Add(tc.gap), []vision.Detection{person(102, 101)})
			require.Len(t, again, 1)
			require.Equal(t, tc.sameID, first[0].ID == again[0].ID)
		})
	}
}

func TestTrackerDoesNotMatchAcrossClasses(t *testing.T) {
	tr := New(time.Second)
	t0 := time.Unix(0, 0)
	first := tr.Update(t0, []vision.Detection{person(100, 100)})
	chair := person(100, 100)
	chair.Class = "chair"
	second := tr.Update(t0.Add(100*time.Millisecond), []vision.Detection{chair})
	require.NotEqual(t, first[0].ID, second[0].ID)
}

func TestIoU(t *testing.T) {
	cases := []struct {
		a, b vision.Box
		want float32
	}{
		{vision.Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, vision.Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, 1},
		{vision.Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, vision.Box{X1: 10, Y1: 10, X2: 20, Y2: 20}, 0},
		{vision.Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, vision.Box{X1: 5, Y1: 0, X2: 15, Y2: 10}, 50.0 / 150},
		{vision.Box{X1: 0, Y1: 0, X2: 0, Y2: 0}, vision.Box{X1: 0, Y1: 0, X2: 0, Y2: 0}, 0},
	}
	for _, tc := range cases {
		require.InDelta(t, tc.want, IoU(tc.a, tc.b), 1e-6)
	}
}

func scored(d vision.Detection, s float32) vision.Detection { d.Score = s; return d }

func TestWeakDetectionContinuesButNeverStartsATrack(t *testing.T) {
	tr := New(3 * time.Second)
	t0 := time.Unix(0, 0)
	first := tr.Update(t0, []vision.Detection{person(100, 100)})
	// Half hidden by a passer-by: the stall scores 0.2 but is the same stall.
	again := tr.Update(t0.Add(time.Second), []vision.Detection{scored(person(101, 100), 0.2)})
	require.Len(t, again, 1)
	require.Equal(t, first[0].ID, again[0].ID)
	// A weak detection alone elsewhere starts nothing.
	require.Empty(t, tr.Update(t0.Add(2*time.Second), []vision.Detection{scored(person(400, 300), 0.2)}))
}

func TestLowDetectRateKeepsFastWalkerByMotion(t *testing.T) {
	// 40 px wide person walking 60 px/s, looked at once a second: boxes of
	// consecutive looks do not overlap at all.
	tr := New(3 * time.Second)
	t0 := time.Unix(0, 0)
	var id uint64
	for i := range 10 {
		seen := tr.Update(t0.Add(time.Duration(i)*time.Second), []vision.Detection{person(float32(50+60*i), 200)})
		require.Len(t, seen, 1)
		if i == 0 {
			id = seen[0].ID
		}
		require.Equal(t, id, seen[0].ID, "look %d: id switch", i)
	}
	require.Equal(t, 1, tr.Len())
}

func TestCrossingWalkersKeepTheirIDs(t *testing.T) {
	// Two people walk towards each other on the same line and pass; the
	// velocity estimate must keep them apart as their boxes overlap.
	tr := New(3 * time.Second)
	t0 := time.Unix(0, 0)
	var left, right uint64
	for i := range 12 {
		now := t0.Add(time.Duration(i) * 500 * time.Millisecond)
		a, b := person(float32(100+15*i), 200), person(float32(400-15*i), 205)
		seen := tr.Update(now, []vision.Detection{a, b})
		require.Len(t, seen, 2)
		byX := map[uint64]float32{}
		for _, s := range seen {
			byX[s.ID] = s.Box.X1
		}
		if i == 0 {
			for id, x := range byX {
				if x < 200 {
					left = id
				} else {
					right = id
				}
			}
			continue
		}
		require.Equal(t, a.Box.X1, byX[left], "step %d: left walker's id moved", i)
		require.Equal(t, b.Box.X1, byX[right], "step %d: right walker's id moved", i)
	}
}

func TestTrackScoresSummarise(t *testing.T) {
	tr := New(3 * time.Second)
	t0 := time.Unix(0, 0)
	tr.Update(t0, []vision.Detection{scored(person(100, 100), 0.6)})
	seen := tr.Update(t0.Add(time.Second), []vision.Detection{scored(person(100, 100), 0.8)})
	require.InDelta(t, 0.8, seen[0].BestScore, 1e-6)
	require.InDelta(t, 0.7, seen[0].MeanScore, 1e-6)
	require.Equal(t, 2, seen[0].Hits)
}
