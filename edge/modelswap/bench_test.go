package modelswap

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// What a hot swap of the real YOLOX-Nano costs, as quoted in README's
// Measured section:
//
//	go test -run '^$' -bench . -benchtime 5x ./edge/modelswap
//
// Each iteration is a whole install (hundreds of milliseconds), so a few
// are enough; -benchtime 5x keeps a run to seconds.

// benchSwap is a manager running the real model 0.1.1 (one onnxruntime
// thread, as README's detector numbers), the manifests of 0.1.1 and 0.1.2
// to swap between, and the reference image as the camera frame, already
// seen once so smoke runs use it.
type benchSwap struct {
	mgr       *Manager
	manifests [2]string // 0.1.2, 0.1.1: installed in turn
	img       gocv.Mat
}

func newBenchSwap(b *testing.B) *benchSwap {
	b.Helper()
	dir := b.TempDir()
	v1 := yoloxModel(b, filepath.Join(dir, "v1"), "0.1.1")
	v2 := yoloxModel(b, filepath.Join(dir, "v2"), "0.1.2")
	cfg := Config{
		Open: func(m *detect.Manifest) (detect.Detector, error) {
			return detect.Open(m, detect.Options{IntraOpThreads: 1})
		},
		ExpectInput:  &[2]int{416, 416},
		Probation:    1, // a nanosecond: probation ends with the window
		MaxErrorRate: 0.2,
		ErrorWindow:  4,
		Warmup:       3, // the edge's default
	}
	mgr, _ := newTestManager(b, cfg, v1)
	img := gocv.IMRead(testdata.Path(b, "images", "000000000139.jpg"), gocv.IMReadColor)
	require.False(b, img.Empty(), "decode 000000000139.jpg")
	b.Cleanup(func() { img.Close() })
	dets, err := mgr.Detect(img)
	require.NoError(b, err)
	require.NotEmpty(b, dets, "the real model finds something on the reference image")
	return &benchSwap{mgr: mgr, manifests: [2]string{v2, v1}, img: img}
}

// settle runs frames until the swapped-in model leaves probation (and the
// old one is closed), and returns their latencies in ms.
func (s *benchSwap) settle(b *testing.B) []float64 {
	b.Helper()
	var ms []float64
	for s.mgr.Busy() {
		if len(ms) > 1000 {
			b.Fatalf("probation did not end after %d frames", len(ms))
		}
		ms = append(ms, s.detect(b))
	}
	return ms
}

// detect runs one frame and returns its latency in ms.
func (s *benchSwap) detect(b *testing.B) float64 {
	start := time.Now()
	dets, err := s.mgr.Detect(s.img)
	d := time.Since(start)
	if err != nil {
		b.Fatalf("detect: %v", err)
	}
	if len(dets) == 0 {
		b.Fatal("detect found nothing on the reference image")
	}
	return float64(d.Microseconds()) / 1000
}

// BenchmarkInstall is one hot swap of the real model while another is
// running: load beside it, smoke run and warm-up on the last camera frame,
// swap. The probation frames that follow (which close the old model) are
// not timed.
func BenchmarkInstall(b *testing.B) {
	s := newBenchSwap(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		target := s.manifests[i%2]
		i++
		if err := s.mgr.Install(ctx, Target{Manifest: target}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if want := []string{"0.1.2", "0.1.1"}[(i-1)%2]; s.mgr.Info().Version != want {
			b.Fatalf("after install of %s the running version is %s", want, s.mgr.Info().Version)
		}
		s.settle(b)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/install")
}

// BenchmarkSwapFrames is what a swap costs the frames: one camera runs
// frames without pause; each iteration times steadyFrames frames with no
// install, then every frame from the start of an install until the new
// model has left probation (the frame that ends it closes the old model).
// It reports the p50 and p99 Detect latency of both sets in ms; ns/op
// (steady frames plus one swap) means little.
func BenchmarkSwapFrames(b *testing.B) {
	const steadyFrames = 20
	s := newBenchSwap(b)
	ctx := context.Background()
	var steady, swap []float64
	i := 0
	for b.Loop() {
		for range steadyFrames {
			steady = append(steady, s.detect(b))
		}
		target := s.manifests[i%2]
		i++
		done := make(chan error, 1)
		go func() { done <- s.mgr.Install(ctx, Target{Manifest: target}) }()
		installing := true
		for installing {
			select {
			case err := <-done:
				if err != nil {
					b.Fatal(err)
				}
				installing = false
			default:
				swap = append(swap, s.detect(b))
			}
		}
		swap = append(swap, s.settle(b)...)
	}
	b.ReportMetric(percentile(steady, 0.50), "steady-p50-ms")
	b.ReportMetric(percentile(steady, 0.99), "steady-p99-ms")
	b.ReportMetric(percentile(swap, 0.50), "swap-p50-ms")
	b.ReportMetric(percentile(swap, 0.99), "swap-p99-ms")
	b.ReportMetric(float64(len(swap))/float64(b.N), "frames/swap")
}

// percentile is the nearest-rank p-th percentile of ms.
func percentile(ms []float64, p float64) float64 {
	if len(ms) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(ms))
	return s[max(0, int(math.Ceil(p*float64(len(s))))-1)]
}

func TestPercentile(t *testing.T) {
	ms := make([]float64, 100)
	for i := range ms {
		ms[len(ms)-1-i] = float64(i + 1) // 100 … 1
	}
	cases := []struct {
		p    float64
		want float64
	}{{0.50, 50}, {0.99, 99}, {1, 100}, {0.001, 1}}
	for _, tc := range cases {
		require.Equal(t, tc.want, percentile(ms, tc.p), "p %v", tc.p)
	}
	require.Equal(t, 7.0, percentile([]float64{7}, 0.99))
	require.True(t, math.IsNaN(percentile(nil, 0.5)))
}
