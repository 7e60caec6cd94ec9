package detect

import (
	"errors"
	"fmt"
	"log/slog"

	ort "github.com/yalue/onnxruntime_go"
)

// ortBackend runs a model with onnxruntime. Its tensors are Go memory that
// onnxruntime reads and writes in place, allocated once per batch size, so
// filling the input and reading the output copy nothing.
type ortBackend struct {
	session  *ort.DynamicAdvancedSession
	provider string
	io       modelIO
	batch    int
	tensors  map[int]*ortTensors // by batch size
	// auto is an output onnxruntime allocated because the model leaves its
	// box count dynamic; it lives until the next run.
	auto ort.Value
}

type ortTensors struct {
	in, out *ort.Tensor[float32] // out nil when the output is dynamic
}

// openORT creates the session, trying opts.Providers in order (default:
// cpu alone). A provider that cannot be appended or cannot create the
// session is logged and the next one tried; when none is left, the error
// names each provider and why it failed.
func openORT(m *Manifest, data []byte, io modelIO, opts Options, log *slog.Logger) (*ortBackend, error) {
	list := opts.Providers
	if len(list) == 0 {
		list = []string{ProviderCPU}
	}
	var errs []error
	for i, p := range list {
		s, err := newORTSession(data, io, p, opts)
		if err == nil {
			if i > 0 {
				log.Info("execution provider in use", "model", m.Name, "provider", p)
			}
			b := &ortBackend{session: s, provider: p, io: io, batch: 1, tensors: map[int]*ortTensors{}}
			if io.dynamicBatch {
				b.batch = opts.maxBatch()
			}
			return b, nil
		}
		errs = append(errs, fmt.Errorf("provider %s: %w", p, err))
		if i+1 < len(list) {
			log.Warn("execution provider unavailable, falling back", "model", m.Name,
				"provider", p, "next", list[i+1], "err", err)
		}
	}
	if len(list) == 1 {
		return nil, fmt.Errorf("execution provider %s: %w", list[0], errors.Unwrap(errs[0]))
	}
	return nil, fmt.Errorf("no execution provider of %v could run the model: %w", list, errors.Join(errs...))
}

func newORTSession(data []byte, io modelIO, provider string, opts Options) (*ort.DynamicAdvancedSession, error) {
	appendEP, ok := providers[provider]
	if !ok {
		return nil, fmt.Errorf("unknown execution provider %q", provider) // checkOptions stops this first
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	if opts.IntraOpThreads > 0 {
		if err := so.SetIntraOpNumThreads(opts.IntraOpThreads); err != nil {
			return nil, fmt.Errorf("intra-op threads: %w", err)
		}
	}
	if err := so.SetGraphOptimizationLevel(graphOptLevels[opts.GraphOptimization]); err != nil {
		return nil, fmt.Errorf("graph optimisation level: %w", err)
	}
	if err := appendEP(so); err != nil {
		return nil, fmt.Errorf("not available in this onnxruntime build or machine: %w", err)
	}
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(data, []string{io.inName}, []string{io.outName}, so)
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return s, nil
}

func (b *ortBackend) maxBatch() int   { return b.batch }
func (b *ortBackend) runtime() string { return BackendONNXRuntime + "/" + b.provider }

func (b *ortBackend) tensorsFor(n int) (*ortTensors, error) {
	if n < 1 || n > b.batch {
		return nil, fmt.Errorf("batch of %d: this model takes 1 to %d images a run", n, b.batch)
	}
	if t, ok := b.tensors[n]; ok {
		return t, nil
	}
	t := &ortTensors{}
	var err error
	if t.in, err = ort.NewEmptyTensor[float32](ort.NewShape(withBatch(b.io.inShape, n)...)); err != nil {
		return nil, fmt.Errorf("allocate input for batch %d: %w", n, err)
	}
	if out := withBatch(b.io.outShape, n); fixed(out) {
		if t.out, err = ort.NewEmptyTensor[float32](ort.NewShape(out...)); err != nil {
			t.in.Destroy()
			return nil, fmt.Errorf("allocate output for batch %d: %w", n, err)
		}
	}
	b.tensors[n] = t
	return t, nil
}

func (b *ortBackend) input(n int) ([]float32, error) {
	t, err := b.tensorsFor(n)
	if err != nil {
		return nil, err
	}
	return t.in.GetData(), nil
}

func (b *ortBackend) run(n int) ([]float32, error) {
	t, err := b.tensorsFor(n)
	if err != nil {
		return nil, err
	}
	if b.auto != nil {
		b.auto.Destroy()
		b.auto = nil
	}
	outs := []ort.Value{nil}
	if t.out != nil {
		outs[0] = t.out
	}
	if err := b.session.Run([]ort.Value{t.in}, outs); err != nil {
		return nil, err
	}
	if t.out != nil {
		return t.out.GetData(), nil
	}
	b.auto = outs[0]
	ft, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("output is %T, want a float32 tensor", outs[0])
	}
	return ft.GetData(), nil
}

func (b *ortBackend) close() error {
	var errs []error
	if b.session != nil {
		errs = append(errs, b.session.Destroy())
		b.session = nil
	}
	for n, t := range b.tensors {
		errs = append(errs, t.in.Destroy())
		if t.out != nil {
			errs = append(errs, t.out.Destroy())
		}
		delete(b.tensors, n)
	}
	if b.auto != nil {
		errs = append(errs, b.auto.Destroy())
		b.auto = nil
	}
	return errors.Join(errs...)
}
