package decode

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// vtestAccessUnits returns the first n access units of vtest.avi as H.264,
// transcoded once by camsim's helper into the shared cache.
func vtestAccessUnits(tb testing.TB, n int) [][][]byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ts, err := sim.Transcode(ctx, testdata.Path(tb, "media", "vtest.avi"), testdata.CacheDir())
	require.NoError(tb, err)
	var aus [][][]byte
	stop := errorString("enough")
	err = sim.ReadAccessUnits(ts, func(_, _ int64, au [][]byte) error {
		aus = append(aus, au)
		if len(aus) == n {
			return stop
		}
		return nil
	})
	if err != nil {
		require.ErrorIs(tb, err, stop)
	}
	require.Len(tb, aus, n)
	return aus
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestH264DecodesRealVideo(t *testing.T) {
	aus := vtestAccessUnits(t, 30)
	d, err := NewH264Decoder()
	require.NoError(t, err)
	defer d.Close()

	_, err = d.BGR()
	require.ErrorIs(t, err, ErrNoPicture, "no picture before the first decode")

	pictures := 0
	for i, au := range aus {
		ok, err := d.Decode(au)
		require.NoError(t, err, "access unit %d", i)
		if ok {
			pictures++
		}
	}
	// Low-delay decoding of a stream without B-frames: one picture per
	// access unit, none held back.
	require.Equal(t, len(aus), pictures)
	w, h := d.Size()
	require.Equal(t, [2]int{768, 576}, [2]int{w, h})

	img, err := d.BGR()
	require.NoError(t, err)
	defer img.Close()
	require.Equal(t, 576, img.Rows())
	require.Equal(t, 768, img.Cols())
	require.Equal(t, gocv.MatTypeCV8UC3, img.Type())
	mean, std := pixelStats(t, img)
	// A plaza in daylight: neither black, nor white, nor flat.
	require.Greater(t, mean, 40.0)
	require.Less(t, mean, 220.0)
	require.Greater(t, std, 15.0)

	small, err := d.BGRResized(384, 288)
	require.NoError(t, err)
	defer small.Close()
	require.Equal(t, [2]int{288, 384}, [2]int{small.Rows(), small.Cols()})
	smean, _ := pixelStats(t, small)
	require.InDelta(t, mean, smean, 5, "scaling keeps the picture's brightness")
}

// pixelStats is the mean and standard deviation of all bytes of a Mat.
func pixelStats(t *testing.T, m gocv.Mat) (mean, std float64) {
	t.Helper()
	pix, err := m.DataPtrUint8()
	require.NoError(t, err)
	var sum, sq float64
	for _, p := range pix {
		v := float64(p)
		sum += v
		sq += v * v
	}
	n := float64(len(pix))
	mean = sum / n
	return mean, math.Sqrt(sq/n - mean*mean)
}

func TestH264RejectsGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	// A real SPS, cut short or with a corrupted body.
	sps := vtestAccessUnits(t, 1)[0][1]
	tests := []struct {
		name    string
		au      [][]byte
		wantErr bool
	}{
		{"nil", nil, true},
		{"empty nalus", [][]byte{{}, {}}, true},
		{"too large", [][]byte{make([]byte, MaxAccessUnitBytes)}, true},
		{"random bytes", [][]byte{random(5000)}, false},
		{"random slices", [][]byte{append([]byte{0x65}, random(3000)...), append([]byte{0x41}, random(3000)...)}, false},
		{"truncated sps", [][]byte{sps[:3]}, false},
		{"corrupt sps then idr", [][]byte{append(sps[:2:2], random(40)...), append([]byte{0x65}, random(2000)...)}, false},
		{"start codes inside", [][]byte{{0, 0, 1, 0x65, 0, 0, 0, 1, 0x41, 0xff}}, false},
	}
	d, err := NewH264Decoder()
	require.NoError(t, err)
	defer d.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := d.Decode(tt.au)
			require.False(t, ok, "garbage must not give a picture")
			if tt.wantErr {
				require.Error(t, err)
			}
			// Other garbage may or may not be an error: libavcodec skips
			// some of it silently. Either way, no panic and no picture.
		})
	}

	// The decoder is still usable: real video decodes after the garbage.
	got := false
	for _, au := range vtestAccessUnits(t, 5) {
		ok, err := d.Decode(au)
		require.NoError(t, err)
		got = got || ok
	}
	require.True(t, got, "decoder recovers after garbage")
}

func TestH264SizeLimitsAndClose(t *testing.T) {
	d, err := NewH264Decoder()
	require.NoError(t, err)
	for _, au := range vtestAccessUnits(t, 2) {
		_, err := d.Decode(au)
		require.NoError(t, err)
	}
	for _, size := range [][2]int{{-1, 10}, {10, 0}, {MaxWidth + 2, 100}, {8192, 8192}} {
		_, err := d.BGRResized(size[0], size[1])
		require.Error(t, err, "target %v", size)
	}
	d.Close()
	d.Close() // twice is fine
	_, err = d.Decode([][]byte{{0x65, 1, 2, 3}})
	require.Error(t, err)
	_, err = d.BGR()
	require.Error(t, err)
}

// The two benchmarks print what ingest saves by converting only sampled
// pictures: the BGR cost per picture next to the decode cost.
func BenchmarkH264Decode(b *testing.B) {
	aus := vtestAccessUnits(b, 100)
	d, err := NewH264Decoder()
	require.NoError(b, err)
	defer d.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// aus starts with an IDR, so each wrap restarts cleanly.
		if _, err := d.Decode(aus[i%len(aus)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkH264BGR(b *testing.B) {
	d, err := NewH264Decoder()
	require.NoError(b, err)
	defer d.Close()
	for _, au := range vtestAccessUnits(b, 3) {
		_, err := d.Decode(au)
		require.NoError(b, err)
	}
	for _, size := range []struct {
		name string
		w, h int
	}{{"source_768x576", 0, 0}, {"resized_416x312", 416, 312}} {
		b.Run(size.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				m, err := d.BGRResized(size.w, size.h)
				if err != nil {
					b.Fatal(err)
				}
				m.Close()
			}
		})
	}
}
