package audio

import "math"

// TelephoneRate is G.711's sampling rate.
const TelephoneRate = 8000

// zeroCrossings is the half-width of the resampling filter in zero
// crossings of its sinc: 16 keeps aliasing of speech well below what a
// camera's small speaker can reproduce.
const zeroCrossings = 16

// maxPhases bounds the filter table: rates whose ratio needs more distinct
// sub-sample offsets than this (44101 Hz, say) compute the weights per
// sample instead.
const maxPhases = 1024

// Resample converts mono samples from one rate to another with a
// Hann-windowed sinc filter. When going down, the filter's cut-off is the
// new Nyquist frequency, so tones the new rate cannot carry are removed
// rather than folded back as audible aliases.
//
// Output sample i sits at input position i·from/to, whose fractional part
// takes only to/gcd(from, to) values (80 for 44.1 kHz to 8 kHz), so the
// weights are computed once per value, not once per sample.
func Resample(in []float32, from, to int) []float32 {
	return resample(in, from, to, true)
}

// resample is Resample; tabled false computes every sample's weights
// afresh, the reference the table is tested and benchmarked against.
func resample(in []float32, from, to int, tabled bool) []float32 {
	if from == to || len(in) == 0 {
		return append([]float32(nil), in...)
	}
	f := newFilter(from, to)
	out := make([]float32, int(int64(len(in))*int64(to)/int64(from)))
	phases := to / gcd(from, to)
	var table [][]float64
	if tabled && phases <= maxPhases {
		table = make([][]float64, phases)
	}
	for i := range out {
		pos := int64(i) * int64(from)
		base, rem := int(pos/int64(to)), int(pos%int64(to))
		var w []float64
		if table != nil {
			k := rem * phases / to
			if table[k] == nil {
				table[k] = f.weights(float64(rem) / float64(to))
			}
			w = table[k]
		} else {
			w = f.weights(float64(rem) / float64(to))
		}
		out[i] = f.apply(in, base, w)
	}
	return out
}

// filter is the windowed sinc for one rate pair.
type filter struct {
	cutoff float64 // relative to the input's Nyquist frequency
	half   float64 // half-width in input samples
	reach  int     // taps either side of the base sample
}

func newFilter(from, to int) filter {
	cutoff := min(1, float64(to)/float64(from))
	half := zeroCrossings / cutoff
	return filter{cutoff: cutoff, half: half, reach: int(math.Ceil(half)) + 1}
}

// weights are the taps at offsets -reach..reach from the base sample for
// an output frac of a sample past it.
func (f filter) weights(frac float64) []float64 {
	w := make([]float64, 2*f.reach+1)
	for o := -f.reach; o <= f.reach; o++ {
		d := float64(o) - frac
		if math.Abs(d) > f.half {
			continue
		}
		w[o+f.reach] = sinc(d*f.cutoff) * (0.5 + 0.5*math.Cos(math.Pi*d/f.half))
	}
	return w
}

// apply filters around in[base]. Dividing by the weights' sum keeps a
// constant signal constant, also at the clip's ends where the filter is
// cut short.
func (f filter) apply(in []float32, base int, w []float64) float32 {
	lo, hi := max(0, base-f.reach), min(len(in)-1, base+f.reach)
	var sum, wsum float64
	for j := lo; j <= hi; j++ {
		x := w[j-base+f.reach]
		sum += x * float64(in[j])
		wsum += x
	}
	if wsum != 0 {
		sum /= wsum
	}
	return float32(max(-1, min(1, sum)))
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
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
