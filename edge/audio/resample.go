package audio

import "math"

// TelephoneRate is G.711's sampling rate.
const TelephoneRate = 8000

// zeroCrossings is the half-width of the resampling filter in zero
// crossings of its sinc: 16 keeps aliasing of speech well below what a
// camera's small speaker can reproduce, at a cost (about 200 multiplies an
// output sample from 44.1 kHz) that only matters once, at load time.
const zeroCrossings = 16

// Resample converts mono samples from one rate to another with a
// Hann-windowed sinc filter. When going down, the filter's cut-off is the
// new Nyquist frequency, so tones the new rate cannot carry are removed
// rather than folded back as audible aliases.
func Resample(in []float32, from, to int) []float32 {
	if from == to || len(in) == 0 {
		return append([]float32(nil), in...)
	}
	n := int(int64(len(in)) * int64(to) / int64(from))
	out := make([]float32, n)
	step := float64(from) / float64(to)
	cutoff := min(1, float64(to)/float64(from)) // relative to the input's Nyquist
	half := zeroCrossings / cutoff              // filter half-width in input samples
	for i := range out {
		t := float64(i) * step
		lo := max(0, int(math.Ceil(t-half)))
		hi := min(len(in)-1, int(math.Floor(t+half)))
		var sum, wsum float64
		for j := lo; j <= hi; j++ {
			d := float64(j) - t
			w := sinc(d*cutoff) * (0.5 + 0.5*math.Cos(math.Pi*d/half))
			sum += w * float64(in[j])
			wsum += w
		}
		// Dividing by the weights' sum keeps a constant signal constant,
		// also at the clip's ends where the filter is cut short.
		if wsum != 0 {
			sum /= wsum
		}
		out[i] = float32(max(-1, min(1, sum)))
	}
	return out
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// Telephone turns a clip into 8 kHz mono 16-bit samples.
func Telephone(c *Clip) []int16 {
	mono := Resample(c.Mono(), c.Rate, TelephoneRate)
	out := make([]int16, len(mono))
	for i, v := range mono {
		out[i] = int16(math.Round(float64(v) * math.MaxInt16))
	}
	return out
}
