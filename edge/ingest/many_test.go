package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestManyCamerasSlowConsumers runs several cameras in one process whose
// consumers take nothing for a while: ingest keeps decoding every camera,
// each holds at most one undelivered frame (the rest are dropped and
// counted), and the rings stay within their byte budget.
func TestManyCamerasSlowConsumers(t *testing.T) {
	srv := startPatternSim(t, simStream{name: "a"}, simStream{name: "b"})
	const n = 8
	const ringBudget = 1 << 20
	cams := make([]*Camera, n)
	for i := range cams {
		cams[i] = NewCamera(Config{ID: fmt.Sprintf("cam%d", i), URL: srv.URL([]string{"a", "b"}[i%2]), DetectFPS: 5,
			DecodeMode: DecodeAll, RingDuration: time.Minute, RingMaxBytes: ringBudget}, discardLogger(), nil)
		running(t, cams[i])
	}
	eventually(t, 60*time.Second, "every camera dropping frames nobody takes", func() bool {
		for _, c := range cams {
			if c.Status().FramesDropped < 3 {
				return false
			}
		}
		return true
	})
	for _, c := range cams {
		require.LessOrEqual(t, len(c.Frames()), 1, "at most one frame waits")
		st := c.Status()
		require.Zero(t, st.Reconnects, "a stuck consumer never stalls ingest: %+v", st)
		require.Greater(t, st.FramesDecoded, st.FramesDropped)
		// The budget, plus at most the GOP being written (1 s of this
		// stream is far below 1 MiB).
		require.LessOrEqual(t, c.Ring().Bytes(), 2*ringBudget)
	}
	// The consumer wakes up: it gets a fresh frame, not a backlog.
	f := takeFrame(t, cams[0], 10*time.Second)
	require.WithinDuration(t, time.Now(), f.Captured, 2*time.Second)
	f.Image.Close()
}
