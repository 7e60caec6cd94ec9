package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
)

// TestCameraCodecsAndTargetSize plays H.264 and H.265 from camsim and
// checks the pictures come out at the size asked for (scaled in swscale)
// or at the source size.
func TestCameraCodecsAndTargetSize(t *testing.T) {
	srv := startPatternSim(t, simStream{name: "h264", codec: sim.CodecH264}, simStream{name: "h265", codec: sim.CodecH265})
	tests := []struct {
		path, codec string
		w, h        int // asked for; 0: source
		wantW       int
		wantH       int
	}{
		{"h264", "H.264", 0, 0, patW, patH},
		{"h264", "H.264", 160, 96, 160, 96},
		{"h265", "H.265", 0, 0, patW, patH},
		{"h265", "H.265", 208, 160, 208, 160},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%dx%d", tt.path, tt.w, tt.h), func(t *testing.T) {
			t.Parallel()
			cam := NewCamera(Config{ID: "cam1", URL: srv.URL(tt.path), DetectFPS: 5, Width: tt.w, Height: tt.h},
				discardLogger(), nil)
			running(t, cam)
			for range 3 {
				f := takeFrame(t, cam, 30*time.Second)
				require.Equal(t, [2]int{tt.wantW, tt.wantH}, [2]int{f.Image.Cols(), f.Image.Rows()})
				require.Equal(t, gocv.MatTypeCV8UC3, f.Image.Type())
				f.Image.Close()
			}
			st := cam.Status()
			require.Equal(t, tt.codec, st.Codec)
			require.Zero(t, st.DecodeErrors)
			require.Less(t, st.Lag, 5*time.Second, "lag of a camera on loopback stays small")
		})
	}
}

// TestDecodeModes runs one camera per mode on the same 25 fps stream with
// an IDR every second and checks which access units reach the decoder.
func TestDecodeModes(t *testing.T) {
	srv := startPatternSim(t, simStream{name: "cam", codec: sim.CodecH264}, simStream{name: "cam265", codec: sim.CodecH265})
	tests := []struct {
		name      string
		path      string
		mode      DecodeMode
		detectFPS float64
		keyOnly   bool
	}{
		{"forced keyframes", "cam", DecodeKeyframes, 5, true},
		{"forced keyframes h265", "cam265", DecodeKeyframes, 1, true},
		{"forced all", "cam", DecodeAll, 0.5, false},
		{"auto below keyframe rate", "cam", DecodeAuto, 0.5, true},
		{"auto at keyframe rate", "cam265", DecodeAuto, 1, true},
		{"auto above keyframe rate", "cam", DecodeAuto, 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cam := NewCamera(Config{ID: "cam1", URL: srv.URL(tt.path), DetectFPS: tt.detectFPS, DecodeMode: tt.mode},
				discardLogger(), nil)
			stop := running(t, cam)
			go drain(cam)
			// Four seconds of stream: four keyframes, about 100 units.
			eventually(t, 60*time.Second, "100 access units", func() bool { return cam.Status().FramesReceived >= 100 })
			stop()
			st := cam.Status()
			require.Equal(t, tt.keyOnly, st.KeyframesOnly, "%+v", st)
			require.Zero(t, st.DecodeErrors)
			if tt.keyOnly {
				// At most one unit in 25 decoded (plus the auto mode's
				// measuring GOPs); the rest never reach the decoder.
				require.Positive(t, st.FramesSkipped)
				limit := st.FramesReceived/25 + 2
				if tt.mode == DecodeAuto {
					limit += 2 * patFPS
				}
				require.LessOrEqual(t, st.FramesDecoded, limit, "%+v", st)
				require.InDelta(t, time.Second, st.KeyframeInterval, float64(100*time.Millisecond))
			} else if tt.mode == DecodeAuto {
				// Auto starts with keyframes: the GOPs it measures the
				// keyframe interval over are skipped, then every unit is
				// decoded.
				require.LessOrEqual(t, st.FramesSkipped, uint64(2*patFPS), "%+v", st)
				require.Greater(t, st.FramesDecoded, st.FramesReceived/2, "%+v", st)
			} else {
				require.Zero(t, st.FramesSkipped)
				require.Greater(t, st.FramesDecoded, st.FramesReceived*3/4, "%+v", st)
			}
			require.Positive(t, lastSeq(cam), "frames handed out")
		})
	}
}
