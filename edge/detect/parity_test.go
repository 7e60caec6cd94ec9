package detect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// Parity bounds between the two runtimes, from the issue: a box matches when
// it has the same class, IoU ≥ 0.9 and a score within 0.02.
const (
	parityIoU   = 0.9
	parityScore = 0.02
)

// TestParityONNXRuntimeOpenCV runs YOLOX-Nano through onnxruntime and
// through OpenCV DNN on every test image: two independent runtimes must find
// the same objects. A box one runtime has and the other lacks is allowed
// only when its score is within parityScore of its threshold, where a
// difference in the last digits decides whether it passes at all.
func TestParityONNXRuntimeOpenCV(t *testing.T) {
	m := realManifest(t)
	ortDet, err := Open(m, Options{Backend: BackendONNXRuntime})
	require.NoError(t, err)
	defer ortDet.Close()
	cvDet, err := Open(m, Options{Backend: BackendOpenCV})
	require.NoError(t, err)
	defer cvDet.Close()
	require.Equal(t, "opencv", cvDet.Info().Runtime)

	dir := filepath.Dir(testdata.Path(t, "images", "000000000785.jpg"))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".jpg") {
			names = append(names, e.Name())
		}
	}
	require.Len(t, names, 20, "the issue's 20 COCO images")

	total := 0
	for _, name := range names {
		img := readImage(t, "images", name)
		a, err := ortDet.Detect(img)
		require.NoError(t, err, name)
		b, err := cvDet.Detect(img)
		require.NoError(t, err, name)
		requireParity(t, m, name+" onnxruntime→opencv", a, b)
		requireParity(t, m, name+" opencv→onnxruntime", b, a)
		total += len(a)
	}
	require.Greater(t, total, 50, "the images hold many objects; too few found")
}

// requireParity checks that every detection in from has a match in to.
func requireParity(t *testing.T, m *Manifest, what string, from, to []Detection) {
	t.Helper()
	for _, d := range from {
		best, iou := bestMatch(to, d.Class, d.Box)
		if iou >= parityIoU && abs32(best.Score-d.Score) <= parityScore {
			continue
		}
		if d.Score-m.Threshold(d.ClassID) <= parityScore {
			// At the threshold: the other runtime may have it just below.
			t.Logf("%s: %+v unmatched, within %.2f of its threshold", what, d, parityScore)
			continue
		}
		require.Failf(t, "no match", "%s: %+v has no match (best %+v, IoU %.3f)", what, d, best, iou)
	}
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
