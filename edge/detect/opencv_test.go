package detect

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A model onnxruntime accepts but OpenCV 4.6 cannot build (it has no Trilu
// layer) is an error naming the model and the node. Through gocv's own Net
// wrapper OpenCV's C++ exception would abort the process.
func TestOpenCVUnsupportedModel(t *testing.T) {
	nodes := [][]byte{
		onnxNode("GlobalMaxPool", []string{"images"}, []string{"pooled"}),
		onnxNode("Flatten", []string{"pooled"}, []string{"flat"}, attrInt("axis", 1)),
		onnxNode("Gemm", []string{"flat", "weights", "base"}, []string{"gemm"}, attrInt("transB", 1)),
		onnxNode("Trilu", []string{"gemm"}, []string{"tri"}),
		onnxNode("Reshape", []string{"tri", "shape"}, []string{"output"}),
	}
	inits := [][]byte{
		floatTensor("weights", []int64{40, 3}, make([]float32, 120)),
		floatTensor("base", []int64{40}, make([]float32, 40)),
		int64Tensor("shape", []int64{3}, []int64{-1, 5, 8}),
	}
	model := onnxModel(14, onnxGraph("trilu", nodes, inits,
		[][]byte{valueInfo("images", 1, 3, 32, 64)}, [][]byte{valueInfo("output", 1, 5, 8)}))
	m := writeGenModel(t, "yolov5", model, 100)

	d, err := Open(m, Options{Backend: BackendOpenCV})
	require.Nil(t, d)
	require.ErrorContains(t, err, "model gen-yolov5 1 (")
	require.ErrorContains(t, err, `opencv: read model: `)
	require.ErrorContains(t, err, `Can't create layer "onnx_node!Trilu_tri" of type "Trilu"`)

	d, err = Open(m, Options{Backend: BackendONNXRuntime})
	require.NoError(t, err, "onnxruntime runs it")
	require.NoError(t, d.Close())
}

// Not an ONNX file: a clear error from either backend, before any runtime
// is asked to build it.
func TestOpenNotONNX(t *testing.T) {
	for _, be := range []string{BackendONNXRuntime, BackendOpenCV} {
		t.Run(be, func(t *testing.T) {
			dir := t.TempDir()
			junk := []byte("\x89PNG\r\n\x1a\n not a model at all")
			require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.onnx"), junk, 0o644))
			m := realManifest(t)
			m.Dir, m.ONNX, m.SHA256 = dir, "junk.onnx", sha256Hex(junk)
			d, err := Open(m, Options{Backend: be})
			require.Nil(t, d)
			require.ErrorContains(t, err, "model yolox-nano 0.1.1 ("+filepath.Join(dir, "junk.onnx")+")")
			require.ErrorContains(t, err, "not a valid ONNX model")
		})
	}
}
