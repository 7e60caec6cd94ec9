package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/hack/camsim/sim"
)

// startCode separates NAL units in fuzz inputs, as in Annex B.
var startCode = []byte{0, 0, 1}

// splitNALUs turns a fuzz input into an access unit.
func splitNALUs(data []byte) [][]byte {
	var au [][]byte
	for _, n := range bytes.Split(data, startCode) {
		au = append(au, n)
	}
	return au
}

func joinNALUs(au [][]byte) []byte { return bytes.Join(au, startCode) }

// firstAccessUnits reads n access units of the test pattern in codec.
func firstAccessUnits(t testing.TB, codec string, n int) [][][]byte {
	t.Helper()
	path := patternFile(t, codec)
	var aus [][][]byte
	stop := errors.New("enough")
	err := sim.ReadAccessUnits(path, func(_, _ int64, au [][]byte) error {
		aus = append(aus, au)
		if len(aus) == n {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	return aus
}

// fuzzPath is an access-unit path with a real decoder and a ring, as a
// session builds it; pictures hands out decoded pictures instead of BGR.
func fuzzPath(t testing.TB, codec decode.Codec, pictures ...bool) (*Camera, *auPath) {
	cam := NewCamera(Config{ID: "fuzz", URL: "rtsp://127.0.0.1/x", DetectFPS: 0, RingDuration: time.Second, RingMaxBytes: 4 << 20,
		Pictures: len(pictures) > 0 && pictures[0]}, discardLogger(), nil)
	dec, err := decode.New(codec)
	require.NoError(t, err)
	t.Cleanup(dec.Close)
	t.Cleanup(func() { cam.framesDropped.add(uint64(cam.out.close())) })
	return cam, newAUPath(cam, codec, dec, nil, 1)
}

// FuzzAccessUnitPath feeds arbitrary access units (the seed corpus: real
// ones, truncated and lying parameter sets, broken slices) through the
// path a session uses: no panic, counters consistent, memory bounded.
func FuzzAccessUnitPath(f *testing.F) {
	for _, codec := range []string{sim.CodecH264, sim.CodecH265} {
		aus := firstAccessUnits(f, codec, 2)
		h265 := byte(0)
		if codec == sim.CodecH265 {
			h265 = 1
		}
		key := aus[0]
		f.Add(h265, joinNALUs(key))
		f.Add(h265, joinNALUs(aus[1]))
		for i, nalu := range key {
			// Each unit alone, cut in half, and with its body inverted.
			f.Add(h265, nalu)
			f.Add(h265, nalu[:len(nalu)/2])
			bad := append([]byte(nil), nalu...)
			for j := 2; j < len(bad); j++ {
				bad[j] ^= 0xff
			}
			mixed := append([][]byte(nil), key...)
			mixed[i] = bad
			f.Add(h265, joinNALUs(mixed))
		}
	}
	// The real keyframes again, handed out as pictures (bit 1).
	for _, codec := range []string{sim.CodecH264, sim.CodecH265} {
		c := byte(2)
		if codec == sim.CodecH265 {
			c = 3
		}
		f.Add(c, joinNALUs(firstAccessUnits(f, codec, 1)[0]))
	}
	// A H.264 SPS claiming an enormous picture, and empty units.
	f.Add(byte(0), []byte{0x67, 0x64, 0x00, 0x33, 0xff, 0xff, 0xff, 0xff, 0xf0, 0, 0, 1, 0x68, 0xee, 0x3c, 0x80, 0, 0, 1, 0x65, 0x88, 0x84})
	f.Add(byte(1), []byte{0x42, 0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add(byte(0), []byte{0, 0, 1, 0, 0, 1})

	f.Fuzz(func(t *testing.T, codecByte byte, data []byte) {
		codec := decode.H264
		if codecByte%2 == 1 {
			codec = decode.H265
		}
		// Bit 1: hand out pictures, which are then converted whole and in
		// part as a look would.
		pictures := codecByte&2 != 0
		cam, p := fuzzPath(t, codec, pictures)
		au := splitNALUs(data)
		now := time.Now()
		// Twice, so the second time the path is past waiting for a
		// keyframe when the first was one.
		p.handle(now, 0, true, au)
		p.handle(now.Add(40*time.Millisecond), 40*time.Millisecond, true, au)
		st := cam.Status()
		require.Equal(t, uint64(2), st.FramesReceived)
		require.LessOrEqual(t, st.FramesDecoded, uint64(2))
		require.LessOrEqual(t, cam.ring.Bytes(), 4<<20+len(data)*2+1024)
		if w, h := p.dec.Size(); w > 0 {
			require.LessOrEqual(t, w*h, decode.MaxPixels)
		}
		select {
		case f := <-cam.Frames():
			if f.Picture != nil {
				convertPicture(t, f.Picture)
			}
			f.Close()
		default:
		}
	})
}

// convertPicture converts pic as a look does: whole and scaled, a corner
// tile at its size, and kept for evidence. Only the sizes are checked.
func convertPicture(t *testing.T, pic *decode.Picture) {
	size := pic.Size()
	require.Positive(t, size.X*size.Y)
	for _, c := range []struct {
		r    image.Rectangle
		w, h int
	}{{image.Rectangle{}, 64, 48}, {image.Rect(1, 1, size.X/2+1, size.Y/2+1), 0, 0}} {
		m, err := pic.Convert(nil, c.r, c.w, c.h)
		if err != nil {
			continue // a tile smaller than the chroma grid allows
		}
		require.False(t, m.Empty())
		m.Close()
	}
	still, err := pic.Keep()
	require.NoError(t, err)
	if m, err := still.BGR(); err == nil {
		require.Equal(t, [2]int{size.Y, size.X}, [2]int{m.Rows(), m.Cols()})
		m.Close()
	}
	still.Close()
}

// TestAccessUnitPathRejectsHugeUnits checks that an access unit over the
// limit is counted as an error before anything copies or decodes it.
func TestAccessUnitPathRejectsHugeUnits(t *testing.T) {
	tests := []struct {
		name string
		au   [][]byte
	}{
		{"one huge unit", [][]byte{make([]byte, decode.MaxAccessUnitBytes+1)}},
		{"many units adding up", func() [][]byte {
			one := make([]byte, 1<<20)
			au := make([][]byte, 17)
			for i := range au {
				au[i] = one
			}
			return au
		}()},
		{"empty", [][]byte{{}, {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cam, p := fuzzPath(t, decode.H264)
			p.handle(time.Now(), 0, true, tt.au)
			st := cam.Status()
			require.Equal(t, uint64(1), st.DecodeErrors)
			require.Zero(t, st.FramesDecoded)
			require.Zero(t, cam.ring.Bytes(), "nothing kept")
		})
	}
}

// TestAccessUnitPathDecodesRealStream checks the path end to end without
// RTSP: a real stream gives pictures and handed-out frames; garbage in
// between gives counted errors and the stream goes on.
func TestAccessUnitPathDecodesRealStream(t *testing.T) {
	for _, tc := range []struct {
		codec    string
		pictures bool
	}{{sim.CodecH264, false}, {sim.CodecH265, false}, {sim.CodecH264, true}, {sim.CodecH265, true}} {
		codec := tc.codec
		t.Run(fmt.Sprintf("%s/pictures=%t", codec, tc.pictures), func(t *testing.T) {
			dc := decode.H264
			if codec == sim.CodecH265 {
				dc = decode.H265
			}
			cam, p := fuzzPath(t, dc, tc.pictures)
			aus := firstAccessUnits(t, codec, 30)
			now := time.Now()
			for i, au := range aus {
				if i == 10 {
					// A slice of garbage in the middle of the GOP.
					garbage := []byte{0x41, 0xff, 0xff, 0x00, 0x12} // H.264 P slice
					if dc == decode.H265 {
						garbage = []byte{0x02, 0x01, 0xff, 0xff, 0x00, 0x12} // H.265 TRAIL_R
					}
					p.handle(now, 0, true, [][]byte{garbage})
				}
				at := time.Duration(i) * 40 * time.Millisecond
				p.handle(now.Add(at), at, true, au)
			}
			st := cam.Status()
			require.Equal(t, uint64(31), st.FramesReceived)
			require.GreaterOrEqual(t, st.FramesDecoded, uint64(25), "%+v", st)
			f := takeFrame(t, cam, time.Second)
			w, h := f.Size()
			require.Equal(t, [2]int{patW, patH}, [2]int{w, h})
			require.Equal(t, tc.pictures, f.Picture != nil)
			if f.Picture != nil {
				convertPicture(t, f.Picture)
			}
			f.Close()
			require.Positive(t, cam.ring.Len())
		})
	}
}
