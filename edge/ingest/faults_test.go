package ingest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
)

// TestCamsimFaultsRecover runs one healthy and several broken cameras from
// one camsim in one process. Each broken camera must show its fault, then
// stream again; the healthy one must never notice.
func TestCamsimFaultsRecover(t *testing.T) {
	streams := []simStream{
		{name: "healthy"},
		{name: "drop", faults: sim.Faults{DropEvery: 2 * time.Second}},
		{name: "stall", faults: sim.Faults{StallFor: 2 * time.Second, StallEvery: 4 * time.Second}},
		{name: "corrupt", faults: sim.Faults{CorruptEvery: 3}},
		{name: "corrupt265", codec: sim.CodecH265, faults: sim.Faults{CorruptEvery: 3}},
		{name: "badsps", faults: sim.Faults{BadSPS: true}},
		{name: "badsps265", codec: sim.CodecH265, faults: sim.Faults{BadSPS: true}},
	}
	srv := startPatternSim(t, streams...)
	cams := map[string]*Camera{}
	for _, st := range streams {
		// A generous stall timeout, so that a busy test machine never
		// makes the healthy camera reconnect; short only where the stall
		// is the fault under test.
		stall := 5 * time.Second
		if st.faults.StallFor > 0 {
			stall = time.Second
		}
		cam := NewCamera(Config{ID: st.name, URL: srv.URL(st.name), DetectFPS: 5, DecodeMode: DecodeAll,
			StallTimeout: stall, RetryMin: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond},
			discardLogger(), nil)
		running(t, cam)
		go drain(cam)
		cams[st.name] = cam
	}

	// Each fault shows itself in the status.
	faultSeen := map[string]func(Status) bool{
		"drop":       func(s Status) bool { return s.Reconnects >= 1 },
		"stall":      func(s Status) bool { return s.Reconnects >= 1 && contains(s.LastError, "stalled") },
		"corrupt":    func(s Status) bool { return s.DecodeErrors >= 1 },
		"corrupt265": func(s Status) bool { return s.DecodeErrors >= 1 },
		"badsps":     func(s Status) bool { return s.DecodeErrors >= 1 },
		"badsps265":  func(s Status) bool { return s.DecodeErrors >= 1 },
	}
	for name, seen := range faultSeen {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cam := cams[name]
			// Bounds far above the seconds these take: a lying SPS shows
			// only at every other keyframe, and a loaded CI machine once
			// took over 45 s to get there.
			eventually(t, 90*time.Second, name+" fault visible", func() bool { return seen(cam.Status()) })
			// Recovered: streaming, and pictures decoded after the fault.
			after := cam.Status().FramesDecoded
			eventually(t, 90*time.Second, name+" streaming again", func() bool {
				st := cam.Status()
				return st.State == StateStreaming && st.FramesDecoded >= after+25
			})
			t.Logf("%s: %+v", name, cam.Status())
		})
	}
	t.Cleanup(func() {
		st := cams["healthy"].Status()
		require.Zero(t, st.Reconnects, "healthy camera unaffected: %+v", st)
		require.Zero(t, st.DecodeErrors, "healthy camera unaffected: %+v", st)
		require.Equal(t, StateStreaming, st.State)
		require.Positive(t, st.FramesDecoded)
	})
}
