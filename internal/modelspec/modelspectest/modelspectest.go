// Package modelspectest holds a small valid model manifest and a folder of
// stand-in files for it, for the tests of the manifest and its users.
package modelspectest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// GoodManifest is a valid manifest for a 64×32 YOLOX model whose files Dir
// provides.
const GoodManifest = `name: tiny
version: "1"
onnx: tiny.onnx
sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
family: yolox
input:
  width: 64
  height: 32
  layout: NCHW
  channel_order: BGR
  scale: 1
  mean: [0, 0, 0]
  std: [1, 1, 1]
  pad_value: 114
classes_file: classes.txt
score_threshold: 0.3
nms_iou: 0.45
max_detections: 100
source: test
licence: Apache-2.0
`

// Dir is a folder with a stand-in ONNX file (tiny.onnx), a classes file
// (classes.txt: person, car, umbrella, then blank lines), one with a gap
// (gap.txt) and a folder named like a model (folder.onnx): loading a
// manifest checks that files exist, not what is in them.
func Dir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tiny.onnx"), []byte("not a model"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "classes.txt"), []byte("person\ncar\numbrella\n\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "gap.txt"), []byte("person\n\ncar\n"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "folder.onnx"), 0o755))
	return dir
}
