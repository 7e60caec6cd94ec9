package decode

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// patternKeyframes are the first n keyframes of a 320x240 test pattern in
// codec (sim.CodecH264 or sim.CodecH265): a second camera, unlike vtest.
func patternKeyframes(t *testing.T, codec string, n int) [][][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	src, err := sim.MakePattern(ctx, testdata.CacheDir(), sim.Pattern{Width: 320, Height: 240, FPS: 25, Seconds: 4})
	require.NoError(t, err)
	ts, err := sim.TranscodeWith(ctx, src, testdata.CacheDir(), sim.TranscodeOptions{Codec: codec})
	require.NoError(t, err)
	kind := H264
	if codec == sim.CodecH265 {
		kind = H265
	}
	keys := readKeyframes(t, ts, kind, n)
	require.Len(t, keys, n)
	return keys
}

// readKeyframes are the first n keyframes (every one for n 0) of the
// stream in the transport stream file ts.
func readKeyframes(tb testing.TB, ts string, kind Codec, n int) [][][]byte {
	tb.Helper()
	var keys [][][]byte
	require.NoError(tb, sim.ReadAccessUnits(ts, func(_, _ int64, au [][]byte) error {
		if isKey(kind, au) && (n == 0 || len(keys) < n) {
			keys = append(keys, au)
		}
		return nil
	}))
	return keys
}

// isKey: an IDR (H.264) or IRAP (H.265) NAL unit is in au.
func isKey(kind Codec, au [][]byte) bool {
	for _, n := range au {
		if len(n) == 0 {
			continue
		}
		if kind == H264 && n[0]&0x1f == 5 || kind == H265 && (n[0]>>1)&0x3f >= 16 && (n[0]>>1)&0x3f <= 21 {
			return true
		}
	}
	return false
}

// freshBGR decodes key with a decoder of its own, as a trimmed decoder
// did before contexts were parked: the picture each camera must get.
func freshBGR(t *testing.T, kind Codec, key [][]byte) gocv.Mat {
	t.Helper()
	d, err := New(kind)
	require.NoError(t, err)
	defer d.Close()
	d.SetIntraOnly(true)
	ok, err := d.Decode(key)
	require.NoError(t, err)
	require.True(t, ok)
	m, err := d.BGR()
	require.NoError(t, err)
	return m
}

func parkedCount() int {
	idle.mu.Lock()
	defer idle.mu.Unlock()
	return len(idle.list)
}

// TestParkedContextServesOtherCameras: keyframes-only cameras decoding in
// turns and trimming after each picture share parked contexts when their
// parameter sets are the same (two cameras of one stream), and each still
// gets exactly the picture a fresh decoder gives; a camera with other
// parameter sets (another size) gets a context of its own. A picture
// still held when its context is reused keeps its pixels.
func TestParkedContextServesOtherCameras(t *testing.T) {
	for _, tt := range []struct {
		name  string
		codec string
		kind  Codec
	}{{"h264", sim.CodecH264, H264}, {"h265", sim.CodecH265, H265}} {
		t.Run(tt.name, func(t *testing.T) {
			FreeIdle()
			defer FreeIdle()
			pattern := patternKeyframes(t, tt.codec, 3)
			// The middle camera: vtest at 768x576 for H.264 (other
			// parameter sets), the pattern again for H.265.
			other, distinct := pattern, 1
			if tt.kind == H264 {
				other, distinct = idrs(vtestAccessUnits(t, 60))[:2], 2
			}
			cams := [][][][]byte{pattern, other, pattern}
			decs := make([]*Decoder, len(cams))
			for i := range decs {
				d, err := New(tt.kind)
				require.NoError(t, err)
				defer d.Close()
				d.SetIntraOnly(true)
				d.Trim() // as after a camera's earlier keyframe
				decs[i] = d
			}
			FreeIdle()
			reused0, _ := IdleStats()
			var held *Picture
			var heldWant gocv.Mat
			for round := range 2 {
				for i, d := range decs {
					key := cams[i][round]
					want := freshBGR(t, tt.kind, key)
					ok, err := d.Decode(key)
					require.NoError(t, err)
					require.True(t, ok)
					got, err := d.BGR()
					require.NoError(t, err)
					require.Zero(t, meanAbsDiff(t, want, got), "camera %d keyframe %d", i, round)
					got.Close()
					if held == nil {
						held, err = d.Picture()
						require.NoError(t, err)
						heldWant = want
					} else {
						want.Close()
					}
					d.Trim()
				}
			}
			reused1, _ := IdleStats()
			require.Equal(t, uint64(2*len(cams)-distinct), reused1-reused0,
				"every decode but the first of each set of parameter sets took a parked context")
			require.Equal(t, distinct, parkedCount(), "one parked context a set of parameter sets")
			s := NewScaler()
			defer s.Free()
			m, err := held.Convert(s, held.wholeRect(), 0, 0)
			require.NoError(t, err)
			require.Zero(t, meanAbsDiff(t, heldWant, m), "a held picture outlives its context's reuse")
			m.Close()
			heldWant.Close()
			held.Close()
		})
	}
}

// TestParkOnlyLightContexts: a context with several pictures still out,
// or one that decoded a whole GOP, is freed rather than parked; a decoder
// that knows no parameter sets, or whose keyframe carries other ones (a
// corrupt SPS), never takes a parked context: it would decode with the
// parameter sets another camera left in it.
func TestParkOnlyLightContexts(t *testing.T) {
	FreeIdle()
	defer FreeIdle()
	keys := idrs(vtestAccessUnits(t, 60))

	d, err := NewH264Decoder()
	require.NoError(t, err)
	defer d.Close()
	d.SetIntraOnly(true)
	_, err = d.Decode(keys[0])
	require.NoError(t, err)
	var pics []*Picture
	for range parkMaxLive + 1 {
		p, err := d.Picture()
		require.NoError(t, err)
		pics = append(pics, p)
	}
	d.Trim()
	require.Zero(t, parkedCount(), "too many pictures out: freed")
	for _, p := range pics {
		p.Close()
	}

	full, err := NewH264Decoder()
	require.NoError(t, err)
	defer full.Close()
	_, err = full.Decode(keys[0]) // not intra-only: a GOP's start
	require.NoError(t, err)
	full.Trim()
	require.Zero(t, parkedCount(), "a fully decoding context is freed")

	_, err = d.Decode(keys[1])
	require.NoError(t, err)
	d.Trim()
	require.Equal(t, 1, parkedCount())

	var slices [][]byte // keys[0] without its parameter sets
	for _, n := range keys[0] {
		if paramType(H264, n) < 0 {
			slices = append(slices, n)
		}
	}
	var lying [][]byte // keys[1] with its SPS corrupted
	for _, n := range keys[1] {
		if paramType(H264, n) == 1 {
			n = append([]byte{n[0]}, bytes.Repeat([]byte{0xff}, len(n)-1)...)
		}
		lying = append(lying, n)
	}
	liar, err := NewH264Decoder()
	require.NoError(t, err)
	defer liar.Close()
	liar.SetIntraOnly(true)
	liar.Trim()
	reusedBefore, openedBefore := IdleStats()
	_, _ = liar.Decode(lying)
	reusedAfter, openedAfter := IdleStats()
	require.Equal(t, reusedBefore, reusedAfter, "other parameter sets: no parked context")
	require.Equal(t, openedBefore+1, openedAfter)

	stranger, err := NewH264Decoder()
	require.NoError(t, err)
	defer stranger.Close()
	stranger.SetIntraOnly(true)
	stranger.Trim()
	_, opened0 := IdleStats()
	ok, _ := stranger.Decode(slices)
	_, opened1 := IdleStats()
	require.Equal(t, uint64(1), opened1-opened0, "opened its own context")
	require.False(t, ok, "no parameter sets: no picture")
}
