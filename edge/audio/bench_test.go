package audio

import "testing"

// BenchmarkResample converts 10 s of 44.1 kHz audio (a typical recorded
// warning) to 8 kHz, the one-off cost at config load, with the weight
// table and without it (every sample's weights computed afresh). It
// reports how many times faster than real time each is.
func BenchmarkResample(b *testing.B) {
	const rate, seconds = 44100, 10
	in64 := tone(440, rate, rate*seconds, 0.5)
	in := make([]float32, len(in64))
	for i, v := range in64 {
		in[i] = float32(v)
	}
	for _, bc := range []struct {
		name   string
		tabled bool
	}{{"table", true}, {"direct", false}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if len(resample(in, rate, TelephoneRate, bc.tabled)) != seconds*TelephoneRate {
					b.Fatal("wrong length")
				}
			}
			b.ReportMetric(float64(seconds)/(b.Elapsed().Seconds()/float64(b.N)), "x_realtime")
		})
	}
}
