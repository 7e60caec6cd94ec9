package track

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/detect"
)

func person(x, y float32) detect.Detection {
	return detect.Detection{Class: "person", Score: 0.9, Box: detect.Box{X1: x, Y1: y, X2: x + 40, Y2: y + 100}}
}

func TestTrackerKeepsIDsOfTwoWalkers(t *testing.T) {
	tr := New(3 * time.Second)
	t0 := time.Unix(0, 0)
	var a, b uint64
	for i := range 20 {
		now := t0.Add(time.Duration(i) * 500 * time.Millisecond)
		step := float32(i) * 5
		seen := tr.Update(now, []detect.Detection{person(100+step, 100), person(400-step, 120)})
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
			first := tr.Update(t0, []detect.Detection{person(100, 100)})
			require.Empty(t, tr.Update(t0.Add(time.Second), nil))
			again := tr.Update(t0.Add(tc.gap), []detect.Detection{person(102, 101)})
			require.Len(t, again, 1)
			require.Equal(t, tc.sameID, first[0].ID == again[0].ID)
		})
	}
}

func TestTrackerDoesNotMatchAcrossClasses(t *testing.T) {
	tr := New(time.Second)
	t0 := time.Unix(0, 0)
	first := tr.Update(t0, []detect.Detection{person(100, 100)})
	chair := person(100, 100)
	chair.Class = "chair"
	second := tr.Update(t0.Add(100*time.Millisecond), []detect.Detection{chair})
	require.NotEqual(t, first[0].ID, second[0].ID)
}

func TestIoU(t *testing.T) {
	cases := []struct {
		a, b detect.Box
		want float32
	}{
		{detect.Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, detect.Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, 1},
		{detect.Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, detect.Box{X1: 10, Y1: 10, X2: 20, Y2: 20}, 0},
		{detect.Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, detect.Box{X1: 5, Y1: 0, X2: 15, Y2: 10}, 50.0 / 150},
		{detect.Box{X1: 0, Y1: 0, X2: 0, Y2: 0}, detect.Box{X1: 0, Y1: 0, X2: 0, Y2: 0}, 0},
	}
	for _, tc := range cases {
		require.InDelta(t, tc.want, IoU(tc.a, tc.b), 1e-6)
	}
}
