package detect

import (
	"testing"
	"time"
)

// BenchmarkDetect measures one frame of vtest.avi (768×576) end to end and
// reports the split between pre-processing, inference and post-processing.
func BenchmarkDetect(b *testing.B) {
	d := openReal(b)
	img := firstFrame(b)
	if _, err := d.Detect(img); err != nil { // warm-up: first-run allocations
		b.Fatal(err)
	}
	before := d.(StatsReporter).Stats()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := d.Detect(img); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s := d.(StatsReporter).Stats()
	n := float64(s.Frames - before.Frames)
	ms := func(a, b time.Duration) float64 { return float64(a-b) / float64(time.Millisecond) / n }
	b.ReportMetric(ms(s.Pre, before.Pre), "pre-ms/frame")
	b.ReportMetric(ms(s.Infer, before.Infer), "infer-ms/frame")
	b.ReportMetric(ms(s.Post, before.Post), "post-ms/frame")
	b.Logf("%.0f frames: pre %.2f ms, infer %.2f ms, post %.3f ms a frame",
		n, ms(s.Pre, before.Pre), ms(s.Infer, before.Infer), ms(s.Post, before.Post))
}
