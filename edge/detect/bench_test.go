package detect

import (
	"fmt"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// BenchmarkDetect measures YOLOX-Nano on one frame of vtest.avi (768×576)
// end to end on onnxruntime and on OpenCV DNN side by side, at 1 and 2
// threads: each iteration runs the frame once through each runtime,
// alternating, so that load from elsewhere on the machine falls on both
// alike. For each runtime it reports the split between pre-processing,
// inference and post-processing, the pipeline overhead (pre + post) as a
// share of inference, and frames a second of its own time. It prints; it
// asserts nothing about speed.
//
//	go test -run '^$' -bench 'BenchmarkDetect$' -benchtime 100x ./edge/detect/
func BenchmarkDetect(b *testing.B) {
	frame := firstFrame(b)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			var dets []Detector
			for _, be := range []string{BackendONNXRuntime, BackendOpenCV} {
				d, err := Open(realManifest(b), Options{Backend: be, IntraOpThreads: threads})
				if err != nil {
					b.Fatal(err)
				}
				defer d.Close()
				if _, err := d.Detect(frame); err != nil { // warm-up: first-run allocations
					b.Fatal(err)
				}
				dets = append(dets, d)
			}
			// OpenCV's thread count is process-wide: opening the OpenCV
			// detector set it for pre-processing (resize) in both.
			before := make([]Stats, len(dets))
			wall := make([]time.Duration, len(dets))
			for i, d := range dets {
				before[i] = d.(StatsReporter).Stats()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				for i, d := range dets {
					t0 := time.Now()
					if _, err := d.Detect(frame); err != nil {
						b.Fatal(err)
					}
					wall[i] += time.Since(t0)
				}
			}
			b.StopTimer()
			for i, d := range dets {
				reportStats(b, d, before[i], wall[i])
			}
		})
	}
}

// BenchmarkDetectBatch measures runs of 1, 2 and 4 frames through
// YOLOX-Nano rewritten for a dynamic batch (see dynamicYOLOXNano) on
// onnxruntime at 2 threads: each iteration runs the frames once as one
// batch and once one run a frame, alternating, so that load from elsewhere
// on the machine falls on both alike. A batch wins only if its ms/frame is
// lower; speedup is one-run-a-frame time over batched time.
//
//	go test -run '^$' -bench 'BenchmarkDetectBatch' -benchtime 50x ./edge/detect/
func BenchmarkDetectBatch(b *testing.B) {
	m := dynamicYOLOXNano(b)
	frame := firstFrame(b)
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("frames=%d", n), func(b *testing.B) {
			frames := make([]gocv.Mat, n)
			for i := range frames {
				frames[i] = frame
			}
			batched, err := Open(m, Options{IntraOpThreads: 2, MaxBatch: n})
			if err != nil {
				b.Fatal(err)
			}
			defer batched.Close()
			single, err := Open(m, Options{IntraOpThreads: 2, MaxBatch: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer single.Close()
			var tb, ts time.Duration
			run := func(d Detector, total *time.Duration) {
				t0 := time.Now()
				if _, err := d.DetectBatch(frames); err != nil {
					b.Fatal(err)
				}
				*total += time.Since(t0)
			}
			run(batched, &tb) // warm-up
			run(single, &ts)
			tb, ts = 0, 0
			iters := 0
			for b.Loop() {
				run(batched, &tb)
				run(single, &ts)
				iters++
			}
			per := func(t time.Duration) float64 { return float64(t) / float64(time.Millisecond) / float64(iters*n) }
			b.ReportMetric(per(tb), "batched-ms/frame")
			b.ReportMetric(per(ts), "single-ms/frame")
			b.ReportMetric(per(ts)/per(tb), "speedup")
			b.Logf("%s: %d frames: batched %.2f ms a frame (%d runs), one run a frame %.2f ms a frame: speedup %.2f×",
				b.Name(), n, per(tb), batched.(StatsReporter).Stats().Runs, per(ts), per(ts)/per(tb))
		})
	}
}

// reportStats reports one detector's per-frame times since before, from
// its own counters, with wall its total time in the loop.
func reportStats(b *testing.B, d Detector, before Stats, wall time.Duration) {
	s := d.(StatsReporter).Stats()
	n := float64(s.Frames - before.Frames)
	ms := func(a, b time.Duration) float64 { return float64(a-b) / float64(time.Millisecond) / n }
	pre, infer, post := ms(s.Pre, before.Pre), ms(s.Infer, before.Infer), ms(s.Post, before.Post)
	rt := d.Info().Runtime
	b.ReportMetric(pre, rt+"-pre-ms/frame")
	b.ReportMetric(infer, rt+"-infer-ms/frame")
	b.ReportMetric(post, rt+"-post-ms/frame")
	b.ReportMetric(100*(pre+post)/infer, rt+"-overhead-%")
	b.ReportMetric(n/wall.Seconds(), rt+"-frames/s")
	b.Logf("%s %-16s %.0f frames: pre %.2f ms, infer %.2f ms, post %.3f ms a frame; overhead %.1f%% of inference; %.1f frames/s",
		b.Name(), rt, n, pre, infer, post, 100*(pre+post)/infer, n/wall.Seconds())
}
