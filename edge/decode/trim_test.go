package decode

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// TestTrim: a trimmed decoder decodes the next keyframe as a fresh one
// would, has no picture in between, and stays closed after Close.
func TestTrim(t *testing.T) {
	keys := idrs(vtestAccessUnits(t, 60))
	require.GreaterOrEqual(t, len(keys), 2)
	d, err := NewH264Decoder()
	require.NoError(t, err)
	defer d.Close()
	d.SetIntraOnly(true)
	for i, key := range append(keys, keys[0]) {
		ok, err := d.Decode(key)
		require.NoError(t, err)
		require.True(t, ok, "keyframe %d gives a picture", i)
		m, err := d.BGRResized(416, 312)
		require.NoError(t, err)
		mean, std := pixelStats(t, m)
		m.Close()
		require.Greater(t, std, 10.0, "a real picture (mean %v)", mean)
		d.Trim()
		d.Trim() // twice is fine
		w, h := d.Size()
		require.Zero(t, w*h, "no picture kept after Trim")
		require.True(t, d.intraOnly)
	}
	d.Close()
	_, err = d.Decode(keys[0])
	require.Error(t, err, "Close is for good, Trim is not")
}

// BenchmarkKeyframeTrim prints what letting go of the decoder between
// keyframes costs: decoding keyframes only (and converting each to
// 416x312) with the decoder kept, trimmed with its context parked for
// the next keyframe (what Trim does), and trimmed with the context freed
// and opened again (what Trim did before contexts were parked). At
// 1080p, with the C allocator set as the edge sets it.
func BenchmarkKeyframeTrim(b *testing.B) {
	ReturnFreedPictures()
	keys := keyframes1080(b)
	for _, way := range []string{"kept", "parked", "freed"} {
		b.Run(way, func(b *testing.B) {
			FreeIdle()
			d, err := NewH264Decoder()
			require.NoError(b, err)
			defer d.Close()
			d.SetIntraOnly(true)
			for i := 0; b.Loop(); i++ {
				if _, err := d.Decode(keys[i%len(keys)]); err != nil {
					b.Fatal(err)
				}
				m, err := d.BGRResized(416, 312)
				if err != nil {
					b.Fatal(err)
				}
				m.Close()
				if way != "kept" {
					d.Trim()
				}
				if way == "freed" {
					FreeIdle()
				}
			}
		})
	}
}

// keyframes1080 are the keyframes of vtest scaled to 1080 lines, one a
// second for 10 s (transcoded once into the shared cache).
func keyframes1080(b *testing.B) [][][]byte {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ts, err := sim.TranscodeWith(ctx, testdata.Path(b, "media", "vtest.avi"), testdata.CacheDir(),
		sim.TranscodeOptions{Height: 1080, Seconds: 10})
	require.NoError(b, err)
	keys := readKeyframes(b, ts, H264, 0)
	require.NotEmpty(b, keys)
	return keys
}

// idrs are the H.264 IDR access units of aus.
func idrs(aus [][][]byte) [][][]byte {
	var out [][][]byte
	for _, au := range aus {
		if isKey(H264, au) {
			out = append(out, au)
		}
	}
	return out
}

// FuzzTrimDecode decodes a real keyframe, trims, and feeds an arbitrary
// access unit, which may carry lying parameter sets that the decoder then
// remembers and puts before the real keyframe after the next trim: no
// panic, and the decoder still answers.
func FuzzTrimDecode(f *testing.F) {
	keys := idrs(vtestAccessUnits(f, 60))
	f.Add(bytes.Join(keys[0], []byte{0, 0, 1}))
	f.Add([]byte{0x67, 0x64, 0x00, 0x33, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x68, 0xff, 0, 0, 1, 0x65, 0x88, 0x80})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := NewH264Decoder()
		require.NoError(t, err)
		defer d.Close()
		d.SetIntraOnly(true)
		_, err = d.Decode(keys[0])
		require.NoError(t, err)
		d.Trim()
		_, _ = d.Decode(bytes.Split(data, []byte{0, 0, 1}))
		d.Trim()
		if ok, _ := d.Decode(keys[0]); ok {
			w, h := d.Size()
			require.LessOrEqual(t, w*h, MaxPixels)
		}
	})
}
