package detect

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

// dynamicYOLOv5 is a yolov5-layout model with a dynamic batch: the
// familyCases output for a black frame, and the same boxes 8 input pixels
// (16 source pixels) to the right for a white one.
func dynamicYOLOv5(t testing.TB) *Manifest {
	fc := familyCases[0]
	delta := make([]float32, len(fc.out))
	for i := 0; i < len(delta); i += 8 {
		delta[i] = 8 // centre x
	}
	model := constantModel(-1, 32, 64, []int64{-1, 5, 8}, fc.out, delta)
	return writeGenModel(t, "yolov5", model, 100)
}

func shifted(dets []Detection, dx float32) []Detection {
	out := append([]Detection(nil), dets...)
	for i := range out {
		out[i].Box.X1 += dx
		out[i].Box.X2 += dx
	}
	return out
}

// With a dynamic batch, DetectBatch runs up to MaxBatch frames at once (one
// a run when MaxBatch is 0) and gives each frame its own detections, in
// order, on both runtimes.
func TestDetectBatchDynamic(t *testing.T) {
	want := familyCases[0].want
	for _, be := range []string{BackendONNXRuntime, BackendOpenCV} {
		for _, tc := range []struct {
			maxBatch, runs int
		}{{4, 1}, {2, 2}, {0, 3}} {
			t.Run(be, func(t *testing.T) {
				d, err := Open(dynamicYOLOv5(t), Options{Backend: be, MaxBatch: tc.maxBatch})
				require.NoError(t, err)
				defer d.Close()
				white, black := solidFrame(t, 255), solidFrame(t, 0)
				res, err := d.DetectBatch([]gocv.Mat{white, black, white})
				require.NoError(t, err)
				require.Len(t, res, 3)
				requireDetections(t, shifted(want, 16), res[0])
				requireDetections(t, want, res[1])
				requireDetections(t, shifted(want, 16), res[2])
				s := d.(StatsReporter).Stats()
				require.Equal(t, uint64(3), s.Frames)
				require.Equal(t, uint64(tc.runs), s.Runs)

				// One frame alone, after batches: the batch-of-1 tensor is
				// separate and its padding its own.
				one, err := d.Detect(black)
				require.NoError(t, err)
				requireDetections(t, want, one)
				empty, err := d.DetectBatch(nil)
				require.NoError(t, err)
				require.Empty(t, empty)
			})
		}
	}
}

// A model with a fixed batch of 1 runs a batch frame by frame, with the
// same answers as Detect.
func TestDetectBatchFixed(t *testing.T) {
	d := openReal(t)
	skier, frame := readImage(t, "images", "000000000785.jpg"), firstFrame(t)
	a, err := d.Detect(skier)
	require.NoError(t, err)
	b, err := d.Detect(frame)
	require.NoError(t, err)
	res, err := d.DetectBatch([]gocv.Mat{skier, frame})
	require.NoError(t, err)
	require.Equal(t, [][]Detection{a, b}, res)
	require.Equal(t, uint64(4), d.(StatsReporter).Stats().Runs)

	empty := gocv.NewMat()
	defer empty.Close()
	_, err = d.DetectBatch([]gocv.Mat{skier, empty})
	require.ErrorContains(t, err, "model yolox-nano: frames 1-1: empty frame")
}

// YOLOX-Nano rewritten for a dynamic batch finds in one batched run what it
// finds frame by frame, on both runtimes.
func TestDetectBatchYOLOXNano(t *testing.T) {
	m := dynamicYOLOXNano(t)
	imgs := []gocv.Mat{readImage(t, "images", "000000000785.jpg"), firstFrame(t), readImage(t, "images", "000000000139.jpg")}
	for _, be := range []string{BackendONNXRuntime, BackendOpenCV} {
		t.Run(be, func(t *testing.T) {
			d, err := Open(m, Options{Backend: be, MaxBatch: 3})
			require.NoError(t, err)
			defer d.Close()
			res, err := d.DetectBatch(imgs)
			require.NoError(t, err)
			require.Equal(t, uint64(1), d.(StatsReporter).Stats().Runs)
			for i, img := range imgs {
				one, err := d.Detect(img)
				require.NoError(t, err)
				require.Len(t, res[i], len(one), "frame %d", i)
				requireParity(t, m, "batched→single", res[i], one)
				requireParity(t, m, "single→batched", one, res[i])
			}
		})
	}
}
