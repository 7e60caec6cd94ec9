package audio

import "time"

// Clip is decoded audio: Samples in [-1, 1], interleaved when Channels > 1
// (left, right, left, ...).
type Clip struct {
	Rate     int
	Channels int
	Samples  []float32
}

// Frames is the number of sampling instants (samples per channel).
func (c *Clip) Frames() int {
	if c.Channels <= 0 {
		return 0
	}
	return len(c.Samples) / c.Channels
}

// Duration is how long the clip plays.
func (c *Clip) Duration() time.Duration {
	if c.Rate <= 0 {
		return 0
	}
	return time.Duration(c.Frames()) * time.Second / time.Duration(c.Rate)
}

// Mono mixes the channels down by averaging them, which keeps a voice
// recorded on one channel only audible (at half level) rather than lost.
func (c *Clip) Mono() []float32 {
	if c.Channels == 1 {
		return append([]float32(nil), c.Samples...)
	}
	out := make([]float32, c.Frames())
	for i := range out {
		var sum float32
		for ch := range c.Channels {
			sum += c.Samples[i*c.Channels+ch]
		}
		out[i] = sum / float32(c.Channels)
	}
	return out
}
