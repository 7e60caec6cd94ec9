package audio

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestResample(t *testing.T) {
	cases := []struct {
		name     string
		from, to int
		freq     float64
		wantRMS  float64 // of a 0.5-amplitude input
		tolRMS   float64
		checkHz  bool
	}{
		{"44.1k voice band kept", 44100, 8000, 1000, 0.5 / math.Sqrt2, 0.01, true},
		{"48k voice band kept", 48000, 8000, 3000, 0.5 / math.Sqrt2, 0.02, true},
		{"16k up to 8k is down", 16000, 8000, 300, 0.5 / math.Sqrt2, 0.01, true},
		{"8k up to 22.05k", 8000, 22050, 1000, 0.5 / math.Sqrt2, 0.01, true},
		// 6 kHz cannot exist at 8 kHz; without the low-pass it would fold
		// back to an audible 2 kHz at nearly full level.
		{"44.1k alias removed", 44100, 8000, 6000, 0, 0.01, false},
		{"48k alias removed", 48000, 8000, 5000, 0, 0.02, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in64 := tone(tc.freq, tc.from, tc.from/4, 0.5) // a quarter second
			in := make([]float32, len(in64))
			for i, v := range in64 {
				in[i] = float32(v)
			}
			out := Resample(in, tc.from, tc.to)
			require.Len(t, out, tc.to/4)
			require.InDelta(t, tc.wantRMS, rms(out, tc.to/40), tc.tolRMS)
			if tc.checkHz {
				require.InDelta(t, tc.freq, zeroCrossingHz(out, tc.to), tc.freq/50)
			}
		})
	}
}

func TestResampleKeepsConstant(t *testing.T) {
	in := make([]float32, 4410)
	for i := range in {
		in[i] = 0.25
	}
	for _, v := range Resample(in, 44100, 8000) {
		require.InDelta(t, 0.25, v, 1e-6)
	}
}

func TestG711RoundTrip(t *testing.T) {
	pcm := []int16{0, 100, -100, 1000, -1000, 12000, -12000, 32767, -32768}
	for _, mulaw := range []bool{true, false} {
		enc := EncodeG711(pcm, mulaw)
		require.Len(t, enc, len(pcm))
		dec := DecodeG711(enc, mulaw)
		for i, v := range pcm {
			// G.711 is logarithmic: the error grows with the level, a few
			// per cent at most.
			require.InDelta(t, float64(v), float64(dec[i]), math.Abs(float64(v))/16+16, "mulaw=%v sample %d", mulaw, i)
		}
	}
	require.NotEqual(t, EncodeG711(pcm, true), EncodeG711(pcm, false))
}

func TestEncodeWAVDecodes(t *testing.T) {
	pcm := []int16{0, 1, -1, 32767, -32768}
	clip, err := DecodeWAV(EncodeWAV(8000, pcm))
	require.NoError(t, err)
	require.Equal(t, 8000, clip.Rate)
	require.Equal(t, 1, clip.Channels)
	require.Len(t, clip.Samples, len(pcm))
	require.InDelta(t, -1, clip.Samples[4], 1e-9)
}

func TestResampleTableMatchesDirect(t *testing.T) {
	for _, r := range [][2]int{{44100, 8000}, {48000, 8000}, {8000, 22050}, {11025, 8000}} {
		in64 := tone(700, r[0], r[0]/10, 0.7)
		in := make([]float32, len(in64))
		for i, v := range in64 {
			in[i] = float32(v)
		}
		tabled, direct := resample(in, r[0], r[1], true), resample(in, r[0], r[1], false)
		require.Len(t, tabled, len(direct))
		for i := range direct {
			require.InDelta(t, direct[i], tabled[i], 1e-6, "%v sample %d", r, i)
		}
	}
}
