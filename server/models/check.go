package models

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/xiuhua/xiuhua/internal/modelspec"
	"github.com/xiuhua/xiuhua/internal/ortlib"
)

// Checks an upload goes through, in order; a Rejection names the one that
// failed.
const (
	CheckRequest  = "request"  // the upload itself: parts, size
	CheckManifest = "manifest" // the manifest parses and validates
	CheckSHA256   = "sha256"   // the manifest's sha256 is the file's
	CheckONNX     = "onnx"     // onnxruntime reads the file
	CheckInput    = "input"    // the input is what the manifest says
	CheckOutput   = "output"   // the output is what the family's decoder reads
	CheckSmoke    = "smoke_run"
	CheckVersion  = "version" // name and version already hold other bytes
)

// Rejection is an upload that failed a check: the registry answers it
// with Status and the message, never stores anything.
type Rejection struct {
	Check  string
	Status int // HTTP status: 400, 409, 413 or 422
	Err    error
}

func (r *Rejection) Error() string { return r.Check + ": " + r.Err.Error() }
func (r *Rejection) Unwrap() error { return r.Err }

func reject(check string, status int, format string, args ...any) *Rejection {
	return &Rejection{Check: check, Status: status, Err: fmt.Errorf(format, args...)}
}

// checkModel loads the ONNX bytes with onnxruntime, compares its input and
// output with the manifest and the family's decoder, and runs it once on
// ref letterboxed per the manifest: the run must finish and give finite
// values of the shape the decoder reads. ctx cancels the run.
func checkModel(ctx context.Context, m *modelspec.Manifest, data []byte, ref image.Image, libPath string) error {
	if err := ortlib.Init(libPath); err != nil {
		return fmt.Errorf("onnxruntime: %w", err) // the server's fault, not the model's
	}
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		return reject(CheckONNX, 422, "not a valid ONNX model (onnxruntime cannot read its inputs and outputs): %v", err)
	}
	if len(ins) != 1 || len(outs) != 1 {
		return reject(CheckONNX, 422, "model has %d inputs and %d outputs; family %s wants 1 and 1", len(ins), len(outs), m.Family)
	}
	in, out := ins[0], outs[0]
	if in.OrtValueType != ort.ONNXTypeTensor || in.DataType != ort.TensorElementDataTypeFloat {
		return reject(CheckInput, 422, "input %q is %s; want a float32 tensor", in.Name, in.String())
	}
	inShape, err := m.CheckInput(in.Name, in.Dimensions)
	if err != nil {
		return &Rejection{Check: CheckInput, Status: 422, Err: err}
	}
	if out.OrtValueType != ort.ONNXTypeTensor || out.DataType != ort.TensorElementDataTypeFloat {
		return reject(CheckOutput, 422, "output %q is %s; want a float32 tensor", out.Name, out.String())
	}
	if _, err := m.CheckOutput(out.Dimensions); err != nil {
		return reject(CheckOutput, 422, "output %q: %v", out.Name, err)
	}
	return smokeRun(ctx, m, data, in.Name, out.Name, inShape, ref)
}

func smokeRun(ctx context.Context, m *modelspec.Manifest, data []byte, inName, outName string, inShape []int64, ref image.Image) error {
	session, err := ort.NewDynamicAdvancedSessionWithONNXData(data, []string{inName}, []string{outName}, nil)
	if err != nil {
		return reject(CheckONNX, 422, "onnxruntime cannot load the model: %v", err)
	}
	defer session.Destroy()
	input, err := ort.NewTensor(ort.NewShape(inShape...), inputTensor(ref, m.Input))
	if err != nil {
		return fmt.Errorf("smoke run: input tensor: %w", err)
	}
	defer input.Destroy()
	opts, err := ort.NewRunOptions()
	if err != nil {
		return fmt.Errorf("smoke run: run options: %w", err)
	}
	defer opts.Destroy()
	stop := context.AfterFunc(ctx, func() { _ = opts.Terminate() })
	defer stop()

	outputs := []ort.Value{nil} // onnxruntime allocates: the box count may be dynamic
	if err := session.RunWithOptions([]ort.Value{input}, outputs, opts); err != nil {
		if ctx.Err() != nil {
			return reject(CheckSmoke, 422, "did not finish: %v", ctx.Err())
		}
		return reject(CheckSmoke, 422, "run on the reference image failed: %v", err)
	}
	defer outputs[0].Destroy()
	t, ok := outputs[0].(*ort.Tensor[float32])
	if !ok {
		return reject(CheckSmoke, 422, "output %q is not a float32 tensor", outName)
	}
	shape := []int64(t.GetShape())
	want, err := m.CheckOutput(shape)
	if err != nil {
		return reject(CheckSmoke, 422, "output %q came out as %v, which family %s cannot read: %v", outName, shape, m.Family, err)
	}
	if !slices.Equal(want, shape) {
		return reject(CheckSmoke, 422, "output %q came out as %v; family %s wants %v", outName, shape, m.Family, want)
	}
	vals := t.GetData()
	bad := 0
	for _, v := range vals {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			bad++
		}
	}
	if bad > 0 {
		return reject(CheckSmoke, 422, "output %q has %d of %d values NaN or infinite on the reference image", outName, bad, len(vals))
	}
	return nil
}

// IsRejection reports whether err is an upload's rejection, and returns it.
func IsRejection(err error) (*Rejection, bool) {
	var r *Rejection
	ok := errors.As(err, &r)
	return r, ok
}
