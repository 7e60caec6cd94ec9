package detect

import (
	"fmt"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/xiuhua/xiuhua/internal/ortlib"
)

// ortBackend runs a model with onnxruntime on the CPU, on tensors allocated
// once at open: the tensors' memory is Go memory that onnxruntime reads and
// writes in place, so filling the input and reading the output copy nothing.
type ortBackend struct {
	session *ort.AdvancedSession
	in, out *ort.Tensor[float32]
}

// openORT checks the model's inputs and outputs against the manifest, asks
// the family for a decoder, and creates the session. data is the ONNX file,
// already checked against the manifest's sha256.
func openORT(m *Manifest, data []byte, fam family, opts Options) (*ortBackend, decoder, error) {
	if err := ortlib.Init(opts.LibraryPath); err != nil {
		return nil, nil, err
	}
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		return nil, nil, fmt.Errorf("read inputs and outputs: %w", err)
	}
	if len(ins) != 1 || len(outs) != 1 {
		return nil, nil, fmt.Errorf("model has %d inputs and %d outputs; family %s wants 1 and 1", len(ins), len(outs), m.Family)
	}
	inShape, err := checkInput(m, ins[0])
	if err != nil {
		return nil, nil, err
	}
	if outs[0].OrtValueType != ort.ONNXTypeTensor || outs[0].DataType != ort.TensorElementDataTypeFloat {
		return nil, nil, fmt.Errorf("output %q is %s; want a float32 tensor", outs[0].Name, outs[0].String())
	}
	dec, outShape, err := fam.newDecoder(m, outs[0].Dimensions)
	if err != nil {
		return nil, nil, fmt.Errorf("output %q: %w", outs[0].Name, err)
	}

	b := &ortBackend{}
	if b.in, err = ort.NewEmptyTensor[float32](ort.NewShape(inShape...)); err != nil {
		return nil, nil, err
	}
	if b.out, err = ort.NewEmptyTensor[float32](ort.NewShape(outShape...)); err != nil {
		b.close()
		return nil, nil, err
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		b.close()
		return nil, nil, err
	}
	defer so.Destroy()
	if opts.IntraOpThreads > 0 {
		if err := so.SetIntraOpNumThreads(opts.IntraOpThreads); err != nil {
			b.close()
			return nil, nil, err
		}
	}
	b.session, err = ort.NewAdvancedSessionWithONNXData(data,
		[]string{ins[0].Name}, []string{outs[0].Name},
		[]ort.Value{b.in}, []ort.Value{b.out}, so)
	if err != nil {
		b.close()
		return nil, nil, fmt.Errorf("create session: %w", err)
	}
	return b, dec, nil
}

// checkInput compares the model's input with the manifest and returns the
// concrete shape to allocate; dynamic (-1) dimensions take the manifest's
// values and batch 1.
func checkInput(m *Manifest, in ort.InputOutputInfo) ([]int64, error) {
	if in.OrtValueType != ort.ONNXTypeTensor || in.DataType != ort.TensorElementDataTypeFloat {
		return nil, fmt.Errorf("input %q is %s; want a float32 tensor", in.Name, in.String())
	}
	w, h := int64(m.Input.Width), int64(m.Input.Height)
	want := []int64{1, 3, h, w}
	if m.Input.Layout == "NHWC" {
		want = []int64{1, h, w, 3}
	}
	d := in.Dimensions
	if len(d) != 4 {
		return nil, fmt.Errorf("input %q has shape %v; the manifest (%s %dx%d) wants %v", in.Name, d, m.Input.Layout, w, h, want)
	}
	for i := range want {
		if d[i] >= 0 && d[i] != want[i] {
			return nil, fmt.Errorf("input %q has shape %v; the manifest (input %s, width %d, height %d) wants %v",
				in.Name, d, m.Input.Layout, w, h, want)
		}
	}
	return want, nil
}

func (b *ortBackend) input() []float32 { return b.in.GetData() }

func (b *ortBackend) run() ([]float32, error) {
	if err := b.session.Run(); err != nil {
		return nil, err
	}
	return b.out.GetData(), nil
}

func (b *ortBackend) close() error {
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	if b.session != nil {
		keep(b.session.Destroy())
		b.session = nil
	}
	if b.in != nil {
		keep(b.in.Destroy())
		b.in = nil
	}
	if b.out != nil {
		keep(b.out.Destroy())
		b.out = nil
	}
	return first
}
