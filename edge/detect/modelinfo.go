package detect

import (
	"fmt"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/xiuhua/xiuhua/internal/ortlib"
)

// modelIO is what both backends need to know about a model's one input and
// one output, checked against the manifest before any runtime loads it.
type modelIO struct {
	inName, outName string
	// Shapes for one image: the batch dimension is 1, and a -1 may remain
	// in the output for a box count the model leaves dynamic.
	inShape, outShape []int64
	// dynamicBatch: the model's batch dimension is symbolic, so one run can
	// take several images.
	dynamicBatch bool
	dec          decoder
}

// inspect reads the model's inputs and outputs (through onnxruntime's
// parser, which only reads the graph's declarations and runs nothing) and
// checks them against the manifest and the family, with modelspec's rules
// (the ones the server's registry checks uploads with). Every mismatch is
// an error naming the tensor, the model's shape and what the manifest
// implies.
func inspect(m *Manifest, data []byte, libPath string) (modelIO, error) {
	if err := ortlib.Init(libPath); err != nil {
		return modelIO{}, err
	}
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		return modelIO{}, fmt.Errorf("not a valid ONNX model (read inputs and outputs): %w", err)
	}
	if len(ins) != 1 || len(outs) != 1 {
		return modelIO{}, fmt.Errorf("model has %d inputs and %d outputs; family %s wants 1 and 1", len(ins), len(outs), m.Family)
	}
	io := modelIO{inName: ins[0].Name, outName: outs[0].Name}
	if io.inShape, err = checkInput(m, ins[0]); err != nil {
		return modelIO{}, err
	}
	io.dynamicBatch = ins[0].Dimensions[0] < 0
	if outs[0].OrtValueType != ort.ONNXTypeTensor || outs[0].DataType != ort.TensorElementDataTypeFloat {
		return modelIO{}, fmt.Errorf("output %q is %s; want a float32 tensor", outs[0].Name, outs[0].String())
	}
	if io.dec, io.outShape, err = newDecoder(m, outs[0].Dimensions); err != nil {
		return modelIO{}, fmt.Errorf("output %q: %w", outs[0].Name, err)
	}
	if io.dynamicBatch && len(outs[0].Dimensions) > 0 && outs[0].Dimensions[0] >= 0 {
		return modelIO{}, fmt.Errorf("input %q has a dynamic batch but output %q a fixed one (%v)", io.inName, io.outName, outs[0].Dimensions)
	}
	return io, nil
}

// checkInput checks that the model's input is a float32 tensor of the
// manifest's shape (modelspec's Manifest.CheckInput) and returns the
// concrete shape for one image; dynamic (-1) dimensions take the
// manifest's values and batch 1.
func checkInput(m *Manifest, in ort.InputOutputInfo) ([]int64, error) {
	if in.OrtValueType != ort.ONNXTypeTensor || in.DataType != ort.TensorElementDataTypeFloat {
		return nil, fmt.Errorf("input %q is %s; want a float32 tensor", in.Name, in.String())
	}
	return m.CheckInput(in.Name, in.Dimensions)
}

// withBatch returns shape with its first dimension set to n.
func withBatch(shape []int64, n int) []int64 {
	s := append([]int64(nil), shape...)
	s[0] = int64(n)
	return s
}

// fixed reports whether every dimension of shape is known.
func fixed(shape []int64) bool {
	for _, d := range shape {
		if d < 0 {
			return false
		}
	}
	return true
}

func product(shape []int64) int {
	p := 1
	for _, d := range shape {
		p *= int(d)
	}
	return p
}
