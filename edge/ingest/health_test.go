package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/hack/camsim/sim"
)

// healthPath is an access-unit path of an auto-mode camera looking at
// 0.5 fps, with a real decoder.
func healthPath(t *testing.T) (*Camera, *auPath, *logBuffer) {
	logs := &logBuffer{}
	cam := NewCamera(Config{ID: "bad", URL: "rtsp://127.0.0.1/x", DetectFPS: 0.5}, logs.logger(), nil)
	dec, err := decode.New(decode.H264)
	require.NoError(t, err)
	t.Cleanup(dec.Close)
	t.Cleanup(func() { cam.framesDropped.add(uint64(cam.out.close())) })
	return cam, newAUPath(cam, decode.H264, dec, nil, 1), logs
}

// TestLyingClock: a camera whose timestamps run four times slow makes
// its 1 s GOP look 4 s long, which at 0.5 fps would switch auto mode to
// decoding every frame. The shorter interval (here the arrival one) is
// believed instead, the camera stays with keyframes, and its status says
// why. A clock running fast makes the GOP look shorter: believed, since
// it can only keep the camera with keyframes.
func TestLyingClock(t *testing.T) {
	aus := firstAccessUnits(t, sim.CodecH264, 4*patFPS)
	for _, tt := range []struct {
		name         string
		ptsStep      time.Duration
		wantInterval time.Duration
	}{
		{"slow clock", 4 * time.Second / patFPS, time.Second},
		{"fast clock", time.Second / patFPS / 4, time.Second / 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cam, p, logs := healthPath(t)
			t0 := time.Unix(1000, 0)
			for i, au := range aus {
				p.handle(t0.Add(time.Duration(i)*time.Second/patFPS), time.Duration(i)*tt.ptsStep, true, au)
			}
			st := cam.Status()
			require.Contains(t, st.Problem, "timestamps disagree with arrival")
			require.True(t, st.KeyframesOnly, "%+v", st)
			require.InDelta(t, tt.wantInterval, st.KeyframeInterval, float64(50*time.Millisecond))
			require.Contains(t, logs.String(), "stream problem")
		})
	}
}

// TestNoKeyframe: a camera whose access units stop including keyframes is
// reported, and cleared when one comes.
func TestNoKeyframe(t *testing.T) {
	aus := firstAccessUnits(t, sim.CodecH264, patFPS)
	cam, p, logs := healthPath(t)
	t0 := time.Unix(1000, 0)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second / patFPS) }
	p.handle(at(0), 0, true, aus[0])
	i := 1
	for ; i < 10*patFPS; i++ {
		// Only the GOP's other pictures, over and over: no keyframe.
		p.handle(at(i), time.Duration(i)*time.Second/patFPS, true, aus[1+i%(patFPS-1)])
	}
	st := cam.Status()
	require.Contains(t, st.Problem, "no keyframe for more than 5s")
	require.Equal(t, 1, strings.Count(logs.String(), "stream problem"), "reported once")
	p.handle(at(i), time.Duration(i)*time.Second/patFPS, true, aus[0])
	require.Empty(t, cam.Status().Problem)
	require.Contains(t, logs.String(), "stream problem cleared")
}

// TestLookLimit: the scheduler's limit slows the hand-out below DetectFPS,
// and lifting it restores the configured rate.
func TestLookLimit(t *testing.T) {
	s := newSampler(2)
	count := func(from time.Time, floor time.Duration) int {
		s.floor = floor
		n := 0
		for i := range 250 { // 10 s at 25 fps
			if s.take(from.Add(time.Duration(i) * 40 * time.Millisecond)) {
				n++
			}
		}
		return n
	}
	t0 := time.Unix(1000, 0)
	require.InDelta(t, 20, count(t0, 0), 1)
	require.InDelta(t, 5, count(t0.Add(time.Minute), 2*time.Second), 1)
	require.InDelta(t, 20, count(t0.Add(2*time.Minute), 0), 1)
	// A long floor lifted: the next frame comes at the configured rate,
	// not in the slot the floor had pushed it to.
	s.floor = time.Minute
	t1 := t0.Add(3 * time.Minute)
	require.True(t, s.take(t1))
	s.floor = 0
	require.True(t, s.take(t1.Add(500*time.Millisecond)))
	cam := NewCamera(Config{ID: "c", URL: "rtsp://127.0.0.1/x", DetectFPS: 2}, discardLogger(), nil)
	cam.SetLookLimit(0.5)
	require.Equal(t, int64(2*time.Second), cam.lookLimit.Load())
	cam.SetLookLimit(0)
	require.Zero(t, cam.lookLimit.Load())
}
