package ingest

import (
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/decode"
)

// TestCameraHandsOutPictures: with Pictures a camera hands out the decoded
// picture at the stream's size instead of BGR; keyframes-only pictures
// keep their keyframe, so a receiver keeping one for later holds the
// compressed keyframe and still gets the picture back; fully decoded ones
// are kept as the picture. Pictures with a width is a config error.
func TestCameraHandsOutPictures(t *testing.T) {
	srv := startPatternSim(t, simStream{name: "cam"})
	for _, mode := range []DecodeMode{DecodeKeyframes, DecodeAll} {
		t.Run(string(mode), func(t *testing.T) {
			cam := NewCamera(Config{ID: "cam", URL: srv.URL("cam"), DetectFPS: 2, DecodeMode: mode, Pictures: true,
				RingDuration: 10 * time.Second}, discardLogger(), nil)
			t.Cleanup(running(t, cam))
			f := takeFrame(t, cam, 30*time.Second)
			defer f.Close()
			require.NotNil(t, f.Picture)
			w, h := f.Size()
			require.Positive(t, w)
			require.Equal(t, f.Picture.Size(), image.Pt(w, h))
			s := decode.NewScaler()
			defer s.Free()
			img, err := f.Picture.Convert(s, image.Rectangle{}, 0, 0)
			require.NoError(t, err)
			require.Equal(t, [2]int{h, w}, [2]int{img.Rows(), img.Cols()})
			img.Close()

			still, err := f.Picture.Keep()
			require.NoError(t, err)
			defer still.Close()
			require.Equal(t, mode == DecodeKeyframes, still.Compressed())
			again, err := still.BGR()
			require.NoError(t, err)
			require.Equal(t, [2]int{h, w}, [2]int{again.Rows(), again.Cols()})
			again.Close()
		})
	}
	bad := Config{ID: "cam", URL: "rtsp://127.0.0.1:1/x", Pictures: true, Width: 416, Height: 312}
	require.ErrorContains(t, bad.Validate(), "pictures: true with width, height 416x312")
}
