package audio

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeWAVFormats(t *testing.T) {
	in := []float64{0, 0.5, -0.5, 0.25, -1, 0.75}
	cases := []struct {
		name string
		spec wavSpec
		tol  float64
	}{
		{"pcm8 mono", wavSpec{tag: tagPCM, channels: 1, rate: 8000, bits: 8}, 1.0 / 64},
		{"pcm16 stereo", wavSpec{tag: tagPCM, channels: 2, rate: 44100, bits: 16}, 1e-4},
		{"pcm24 mono", wavSpec{tag: tagPCM, channels: 1, rate: 48000, bits: 24}, 1e-6},
		{"pcm32 stereo", wavSpec{tag: tagPCM, channels: 2, rate: 22050, bits: 32}, 1e-6},
		{"float32 mono", wavSpec{tag: tagFloat, channels: 1, rate: 16000, bits: 32}, 1e-7},
		{"extensible pcm16", wavSpec{tag: tagExtensible, sub: tagPCM, channels: 2, rate: 32000, bits: 16}, 1e-4},
		{"extensible float", wavSpec{tag: tagExtensible, sub: tagFloat, channels: 1, rate: 96000, bits: 32}, 1e-7},
		{"odd junk chunk before data", wavSpec{tag: tagPCM, channels: 1, rate: 8000, bits: 16, junkChunk: true, oddJunkLen: true}, 1e-4},
		{"data size past the end", wavSpec{tag: tagPCM, channels: 2, rate: 11025, bits: 16, dataExtra: 1 << 20}, 1e-4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clip, err := DecodeWAV(buildWAV(tc.spec, in))
			require.NoError(t, err)
			require.Equal(t, tc.spec.rate, clip.Rate)
			require.Equal(t, tc.spec.channels, clip.Channels)
			require.Len(t, clip.Samples, len(in))
			for i, want := range in {
				require.InDelta(t, want, clip.Samples[i], tc.tol, "sample %d", i)
			}
		})
	}
}

func TestDecodeWAVRejects(t *testing.T) {
	good := wavSpec{tag: tagPCM, channels: 1, rate: 8000, bits: 16}
	with := func(f func(*wavSpec)) []byte {
		s := good
		f(&s)
		return buildWAV(s, []float64{0.1, 0.2})
	}
	cases := []struct {
		name, want string
		in         []byte
	}{
		{"text", "no RIFF/WAVE header", []byte("hello, this is not audio at all")},
		{"empty", "no RIFF/WAVE header", nil},
		{"adpcm", "encoding 2, want PCM (1) or float (3)", with(func(s *wavSpec) { s.tag = 2 })},
		{"six channels", "6 channels, want 1 or 2", with(func(s *wavSpec) { s.channels = 6 })},
		{"4 kHz", "4000 Hz, want 8000 to 192000", with(func(s *wavSpec) { s.rate = 4000 })},
		{"12-bit", "12-bit PCM, want 8, 16, 24 or 32", with(func(s *wavSpec) { s.bits = 12 })},
		{"64-bit float", "64-bit float, want 32", with(func(s *wavSpec) { s.tag, s.bits = tagFloat, 64 })},
		{"no data", "no data chunk", buildWAV(good, nil)[:36]},
		{"empty data", "no samples", buildWAV(good, nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeWAV(tc.in)
			require.ErrorIs(t, err, ErrNotWAV)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestLoadWarningNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.wav")
	require.NoError(t, os.WriteFile(text, []byte("not audio"), 0o600))
	long := filepath.Join(dir, "long.wav")
	require.NoError(t, os.WriteFile(long, EncodeWAV(8000, make([]int16, 8000*130)), 0o600))

	_, err := LoadWarning(filepath.Join(dir, "missing.wav"))
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorContains(t, err, "missing.wav")

	_, err = LoadWarning(text)
	require.ErrorIs(t, err, ErrNotWAV)
	require.ErrorContains(t, err, text)

	_, err = LoadWarning(long)
	require.ErrorContains(t, err, "2m10s long, want at most 2m0s")
}

func TestLoadWarningResamplesStereoToTelephone(t *testing.T) {
	// Two seconds of a 440 Hz tone, 44.1 kHz stereo 24-bit, louder on
	// the left: 8 kHz mono with the tone, its level the channels' mean.
	const rate, n = 44100, 2 * 44100
	left, right := tone(440, rate, n, 0.8), tone(440, rate, n, 0.4)
	inter := make([]float64, 0, 2*n)
	for i := range n {
		inter = append(inter, left[i], right[i])
	}
	path := filepath.Join(t.TempDir(), "warn.wav")
	require.NoError(t, os.WriteFile(path, buildWAV(wavSpec{tag: tagPCM, channels: 2, rate: rate, bits: 24}, inter), 0o600))

	pcm, err := LoadWarning(path)
	require.NoError(t, err)
	require.Len(t, pcm, 2*TelephoneRate)
	f := make([]float32, len(pcm))
	for i, v := range pcm {
		f[i] = float32(v) / math.MaxInt16
	}
	require.InDelta(t, 440, zeroCrossingHz(f, TelephoneRate), 5)
	require.InDelta(t, 0.6/math.Sqrt2, rms(f, 100), 0.01)
}
