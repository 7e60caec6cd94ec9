package ingest

import (
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/hack/camsim/sim"
)

// TestDecodeAtTurn: with DecodeAtTurn a keyframes-only camera hands out
// its keyframes undecoded; a keyframe replaced while it waited is never
// decoded, and Ready decodes the one taken into a picture (or a BGR image
// at the configured size), counted then, once. The camera's own decoder
// still decodes a later full GOP whose keyframe lacks the parameter sets.
// A keyframe that does not decode is counted as a decode error and leaves
// no picture.
func TestDecodeAtTurn(t *testing.T) {
	aus := firstAccessUnits(t, sim.CodecH264, 3*patFPS) // three 1 s GOPs
	for _, tt := range []struct {
		name     string
		pictures bool
		w, h     int
		want     image.Point
	}{
		{"picture", true, 0, 0, image.Pt(patW, patH)},
		{"bgr", false, 160, 120, image.Pt(160, 120)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cam := NewCamera(Config{ID: "cam", URL: "rtsp://127.0.0.1/x", DetectFPS: 5, DecodeMode: DecodeKeyframes,
				Pictures: tt.pictures, Width: tt.w, Height: tt.h, DecodeAtTurn: true}, discardLogger(), nil)
			dec, err := decode.New(decode.H264)
			require.NoError(t, err)
			defer dec.Close()
			p := newAUPath(cam, decode.H264, dec, nil, 1)
			t0 := time.Unix(1000, 0)
			for i, au := range aus {
				p.handle(t0.Add(time.Duration(i)*time.Second/patFPS), time.Duration(i)*time.Second/patFPS, true, au)
			}
			st := cam.Status()
			require.Zero(t, st.FramesDecoded, "nothing decoded on arrival")
			require.Equal(t, uint64(2), st.FramesDropped, "two keyframes replaced while waiting, never decoded")

			f := <-cam.Frames()
			w, h := f.Size()
			require.Zero(t, w*h, "not decoded yet")
			require.NoError(t, f.Ready())
			require.NoError(t, f.Ready(), "a second Ready does nothing")
			defer f.Close()
			w, h = f.Size()
			require.Equal(t, tt.want, image.Pt(w, h))
			require.Equal(t, uint64(1), cam.Status().FramesDecoded)
			if tt.pictures {
				still, err := f.Picture.Keep()
				require.NoError(t, err)
				require.True(t, still.Compressed(), "the picture remembers its keyframe")
				still.Close()
			}

			// A GOP decoded in full later starts from a keyframe without
			// parameter sets: the camera's decoder still knows them.
			var bare [][]byte
			for _, n := range aus[0] {
				if t := n[0] & 0x1f; t != 7 && t != 8 {
					bare = append(bare, n)
				}
			}
			require.Less(t, len(bare), len(aus[0]), "the first keyframe carries parameter sets")
			dec.SetIntraOnly(false)
			ok, err := dec.Decode(bare)
			require.NoError(t, err)
			require.True(t, ok)

			broken := Frame{pending: &pendingKey{key: &decode.Keyframe{Codec: decode.H264, AU: [][]byte{{0x65, 0xff, 0x00}}},
				cam: cam, pictures: tt.pictures, width: tt.w, height: tt.h, first: &p.decodedAny}}
			require.Error(t, broken.Ready())
			require.Nil(t, broken.Picture)
			broken.Close()
			require.Equal(t, uint64(1), cam.Status().DecodeErrors)
		})
	}
}
