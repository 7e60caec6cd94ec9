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
			// Bounded by the stream, not the clock: a busy machine slows
			// everything down, but 30 s of stream (about 750 access units,
			// 15 of them keyframes with a lying SPS) always holds the fault.
			whileFlowing(t, cam, 750, name+" fault visible", func() bool { return seen(cam.Status()) })
			// Recovered: streaming, and pictures decoded after the fault.
			after := cam.Status().FramesDecoded
			whileFlowing(t, cam, 750, name+" streaming again", func() bool {
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

// whileFlowing waits until cond holds, failing when the camera has received
// more than budget access units meanwhile without it: the fault or the
// recovery should have shown by then however slow the machine is. A stream
// that stops for minutes fails too, rather than hang the suite.
func whileFlowing(t *testing.T, cam *Camera, budget uint64, what string, cond func() bool) {
	t.Helper()
	const stuck = 5 * time.Minute
	start := cam.Status().FramesReceived
	last, moved := start, time.Now()
	for !cond() {
		st := cam.Status()
		if st.FramesReceived-start > budget {
			t.Fatalf("not within %d access units: %s; status %+v", budget, what, st)
		}
		if st.FramesReceived != last {
			last, moved = st.FramesReceived, time.Now()
		} else if time.Since(moved) > stuck {
			t.Fatalf("no access unit for %v while waiting for %s; status %+v", stuck, what, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
