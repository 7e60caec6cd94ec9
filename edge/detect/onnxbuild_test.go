package detect

import (
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/xiuhua/xiuhua/internal/onnxbuild"
)

// The package's tests build their models with internal/onnxbuild, under
// the short names they have always used.
var (
	onnxModel   = onnxbuild.Model
	onnxGraph   = onnxbuild.Graph
	onnxNode    = onnxbuild.Node
	attrInt     = onnxbuild.AttrInt
	floatTensor = onnxbuild.Floats
	int64Tensor = onnxbuild.Int64s
	valueInfo   = onnxbuild.Value
)

// constantModel is onnxbuild.Detector: input [batch, 3, h, w], output
// outDims, base for a black image and base+delta for a white one (batch
// −1 and outDims[0] −1: dynamic; delta nil: zeros).
func constantModel(batch, h, w int64, outDims []int64, base, delta []float32) []byte {
	return onnxbuild.Detector{Batch: batch, Height: h, Width: w, Out: outDims, Base: base, Delta: delta}.ONNX()
}

// appendBytes and appendString write one protobuf field, for the tests
// that edit a model's bytes (dynbatch_test.go).
func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	return appendBytes(b, num, []byte(s))
}
