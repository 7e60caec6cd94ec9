package ingest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestColdStartConverges: eight auto-mode cameras that want more looks
// than their keyframes give start with keyframes only and hand out their
// first frame from the first keyframe; while the box says it is
// overloaded they stay with keyframes, and once it no longer is they
// switch to decoding everything, as the measured keyframe interval asks.
// Waits on state, never on a time budget.
func TestColdStartConverges(t *testing.T) {
	srv := startPatternSim(t, simStream{name: "cam"})
	var overloaded atomic.Bool
	overloaded.Store(true)
	cams := make([]*Camera, 8)
	for i := range cams {
		cams[i] = NewCamera(Config{ID: fmt.Sprintf("cam%d", i), URL: srv.URL("cam"), DetectFPS: 5, DecodeMode: DecodeAuto,
			Width: 160, Height: 120, FullDecodeOK: func() bool { return !overloaded.Load() }}, discardLogger(), nil)
		stop := running(t, cams[i])
		t.Cleanup(stop)
		go drain(cams[i])
	}
	eventually(t, 60*time.Second, "every camera hands out a frame and has measured its keyframes", func() bool {
		for _, c := range cams {
			if lastSeq(c) == 0 || c.Status().KeyframeInterval == 0 {
				return false
			}
		}
		return true
	})
	for _, c := range cams {
		st := c.Status()
		require.True(t, st.KeyframesOnly, "overloaded: keyframes only (%+v)", st)
		require.Positive(t, st.FramesSkipped)
	}
	overloaded.Store(false)
	eventually(t, 60*time.Second, "every camera decodes every frame", func() bool {
		for _, c := range cams {
			if c.Status().KeyframesOnly {
				return false
			}
		}
		return true
	})
}
