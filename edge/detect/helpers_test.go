package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/internal/ortlib"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// realManifest loads the project's models/yolox-nano.yaml from a temporary
// folder where the weights are linked from the test data, so tests use the
// manifest as shipped and find the weights only through internal/testdata.
func realManifest(tb testing.TB) *Manifest {
	tb.Helper()
	return loadWith(tb, nil)
}

// loadWith is realManifest with text replacements applied to the manifest
// first (old, new, old, new, ...).
func loadWith(tb testing.TB, edits []string) *Manifest {
	tb.Helper()
	m, err := tryLoadWith(tb, edits)
	require.NoError(tb, err)
	return m
}

func tryLoadWith(tb testing.TB, edits []string) (*Manifest, error) {
	tb.Helper()
	root, err := testdata.RepoRoot()
	require.NoError(tb, err)
	data, err := os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
	require.NoError(tb, err)
	s := string(data)
	for i := 0; i+1 < len(edits); i += 2 {
		require.Contains(tb, s, edits[i], "test edit must apply")
		s = replaceOnce(s, edits[i], edits[i+1])
	}
	dir := tb.TempDir()
	require.NoError(tb, os.Symlink(testdata.Path(tb, "models", "yolox_nano.onnx"), filepath.Join(dir, "yolox_nano.onnx")))
	require.NoError(tb, os.Symlink(filepath.Join(root, "models", "coco_classes.txt"), filepath.Join(dir, "coco_classes.txt")))
	p := filepath.Join(dir, "yolox-nano.yaml")
	require.NoError(tb, os.WriteFile(p, []byte(s), 0o644))
	return LoadManifest(p)
}

func replaceOnce(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	return s
}

func openReal(tb testing.TB) Detector {
	tb.Helper()
	d, err := Open(realManifest(tb), Options{})
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, d.Close()) })
	return d
}

func readImage(tb testing.TB, elem ...string) gocv.Mat {
	tb.Helper()
	img := gocv.IMRead(testdata.Path(tb, elem...), gocv.IMReadColor)
	require.False(tb, img.Empty(), "decode %v", elem)
	tb.Cleanup(func() { img.Close() })
	return img
}

func firstFrame(tb testing.TB) gocv.Mat {
	tb.Helper()
	vc, err := gocv.VideoCaptureFile(testdata.Path(tb, "media", "vtest.avi"))
	require.NoError(tb, err)
	defer vc.Close()
	img := gocv.NewMat()
	tb.Cleanup(func() { img.Close() })
	require.True(tb, vc.Read(&img), "read first frame of vtest.avi")
	require.False(tb, img.Empty())
	return img
}

func imageRect(x0, y0, x1, y1 int) image.Rectangle { return image.Rect(x0, y0, x1, y1) }

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func libraryPath(tb testing.TB) string {
	tb.Helper()
	p, err := ortlib.Find("")
	require.NoError(tb, err)
	return p
}
