package detect

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

// genManifest is the manifest for the generated test models: a 64×32 input
// of 0–1 values (scale 1/255, black padding), classes a, b, c, and class c
// held to 0.95.
const genManifest = `name: gen-%s
version: "1"
onnx: model.onnx
sha256: %s
family: %s
input:
  width: 64
  height: 32
  layout: NCHW
  channel_order: BGR
  scale: 0.00392156862745098
  mean: [0, 0, 0]
  std: [1, 1, 1]
  pad_value: 0
classes: [a, b, c]
score_threshold: 0.3
class_thresholds:
  c: 0.95
nms_iou: 0.45
max_detections: %d
`

// writeGenModel writes model as model.onnx beside a manifest for family and
// loads the manifest.
func writeGenModel(tb testing.TB, family string, model []byte, maxDets int) *Manifest {
	tb.Helper()
	dir := tb.TempDir()
	require.NoError(tb, os.WriteFile(filepath.Join(dir, "model.onnx"), model, 0o644))
	p := filepath.Join(dir, "m.yaml")
	y := fmt.Sprintf(genManifest, family, sha256Hex(model), family, maxDets)
	require.NoError(tb, os.WriteFile(p, []byte(y), 0o644))
	m, err := LoadManifest(p)
	require.NoError(tb, err)
	return m
}

// solidFrame is a 128×64 BGR frame of one grey level: it fills the 64×32
// input exactly at scale ½, so source boxes are network boxes ×2.
func solidFrame(tb testing.TB, v uint8) gocv.Mat {
	tb.Helper()
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(float64(v), float64(v), float64(v), 0), 64, 128, gocv.MatTypeCV8UC3)
	tb.Cleanup(func() { img.Close() })
	return img
}

func requireDetections(t *testing.T, want, got []Detection) {
	t.Helper()
	require.Len(t, got, len(want), "got %+v", got)
	for i := range want {
		require.Equal(t, want[i].Class, got[i].Class, "detection %d: %+v", i, got[i])
		require.Equal(t, want[i].ClassID, got[i].ClassID)
		require.InDelta(t, want[i].Score, got[i].Score, 1e-5, "detection %d", i)
		for k, v := range [4]float32{want[i].Box.X1, want[i].Box.Y1, want[i].Box.X2, want[i].Box.Y2} {
			g := [4]float32{got[i].Box.X1, got[i].Box.Y1, got[i].Box.X2, got[i].Box.Y2}[k]
			require.InDelta(t, v, g, 1e-3, "detection %d box %+v", i, got[i].Box)
		}
	}
}

// yolov8Layout turns rows of (cx, cy, w, h, classes...) into the channel-major
// [1, 4+C, N] layout.
func yolov8Layout(rows [][]float32) []float32 {
	n, ch := len(rows), len(rows[0])
	out := make([]float32, n*ch)
	for i, r := range rows {
		for c, v := range r {
			out[c*n+i] = v
		}
	}
	return out
}

func flat(rows [][]float32) []float32 {
	var out []float32
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
