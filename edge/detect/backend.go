package detect

// backend runs a model on a batch of input images. It is the seam between
// how a model is run (onnxruntime with its execution providers, OpenCV DNN)
// and how its output is read (decoder). Both slices belong to the backend
// and are reused from run to run, so a steady stream costs no allocation.
type backend interface {
	// maxBatch is the most images one run takes: 1 for a model with a
	// fixed batch of 1.
	maxBatch() int
	// input returns the input tensor's memory for a batch of n images
	// (1 ≤ n ≤ maxBatch), image i at [i·len/n, (i+1)·len/n), in the
	// manifest's layout; the caller fills it before run(n). The memory for
	// one n stays the same from run to run.
	input(n int) ([]float32, error)
	// run infers on the batch of n filled through input(n) and returns the
	// whole output tensor, image i's part at [i·len/n, (i+1)·len/n),
	// valid until the next run.
	run(n int) ([]float32, error)
	// runtime names the runtime and the execution provider in use, for
	// logs and evidence, e.g. "onnxruntime/cpu" or "opencv".
	runtime() string
	close() error
}

// Backends that Options.Backend and Manifest.Backend accept.
const (
	BackendONNXRuntime = "onnxruntime"
	BackendOpenCV      = "opencv"
)
