package ingest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
)

// TestCameraClip cuts a clip around "now" from a live camera's ring, in
// keyframes-only mode (the ring keeps every unit whatever is decoded), and
// checks ffprobe reads it whole.
func TestCameraClip(t *testing.T) {
	bin, err := exec.LookPath("ffprobe")
	require.NoError(t, err, "ffprobe is needed (Debian: apt-get install ffmpeg)")
	srv := startPatternSim(t, simStream{name: "h264"}, simStream{name: "h265", codec: sim.CodecH265})
	for _, path := range []string{"h264", "h265"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			cam := NewCamera(Config{ID: "cam1", URL: srv.URL(path), DetectFPS: 1, DecodeMode: DecodeKeyframes,
				RingDuration: 3 * time.Second}, discardLogger(), nil)
			running(t, cam)
			go drain(cam)
			_, err := cam.Clip(t.Context(), time.Now(), 0, 0)
			require.Error(t, err, "nothing in the ring yet")
			eventually(t, 60*time.Second, "2 s streamed", func() bool { return cam.Status().FramesReceived >= 2*patFPS })

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			data, err := cam.Clip(ctx, time.Now(), time.Second, time.Second)
			require.NoError(t, err)
			require.NoError(t, ctx.Err(), "the post-roll arrived before the deadline")
			p := filepath.Join(t.TempDir(), "clip.mp4")
			require.NoError(t, os.WriteFile(p, data, 0o644))
			out, err := exec.Command(bin, "-v", "error", "-count_frames", "-select_streams", "v:0",
				"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", p).CombinedOutput()
			require.NoError(t, err, "ffprobe: %s", out)
			n, err := strconv.Atoi(strings.TrimSpace(string(out)))
			require.NoError(t, err, "%s", out)
			// 1 s before (from the keyframe before it: up to 1 s more) and
			// 1 s after, at 25 fps.
			require.GreaterOrEqual(t, n, 2*patFPS-2)
			require.LessOrEqual(t, n, 3*patFPS+2)
		})
	}
	require.ErrorIs(t, func() error {
		_, err := NewCamera(Config{ID: "x", URL: "rtsp://h/"}, discardLogger(), nil).Clip(t.Context(), time.Now(), 0, 0)
		return err
	}(), ErrNoRing)
}
