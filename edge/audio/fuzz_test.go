package audio

import (
	"testing"
)

// FuzzDecodeWAV feeds arbitrary bytes to the parser: it must never panic,
// and what it accepts must be self-consistent.
func FuzzDecodeWAV(f *testing.F) {
	for _, s := range []wavSpec{
		{tag: tagPCM, channels: 1, rate: 8000, bits: 8},
		{tag: tagPCM, channels: 2, rate: 44100, bits: 24, junkChunk: true, oddJunkLen: true},
		{tag: tagFloat, channels: 1, rate: 48000, bits: 32, dataExtra: 7},
		{tag: tagExtensible, sub: tagPCM, channels: 2, rate: 16000, bits: 32},
	} {
		f.Add(buildWAV(s, []float64{0, 0.5, -0.5, 1}))
	}
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		clip, err := DecodeWAV(b)
		if err != nil {
			return
		}
		if clip.Channels < 1 || clip.Channels > MaxChannels || clip.Rate < MinRate || clip.Rate > MaxRate {
			t.Fatalf("accepted %d channels at %d Hz", clip.Channels, clip.Rate)
		}
		if clip.Frames() == 0 || len(clip.Samples)%clip.Channels != 0 {
			t.Fatalf("%d samples for %d channels", len(clip.Samples), clip.Channels)
		}
		for i, v := range clip.Samples {
			if v < -1 || v > 1 || v != v {
				t.Fatalf("sample %d is %v", i, v)
			}
		}
	})
}
