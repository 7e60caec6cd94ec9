package detect

// backend runs a model on one input tensor. It is the seam between how a
// model is run (onnxruntime, OpenCV DNN, execution providers) and how its
// output is read (decoder). Both slices belong to the backend and are reused
// from frame to frame, so a frame costs no allocation here.
type backend interface {
	// input is the input tensor's memory, in the manifest's layout; the
	// caller fills it before run.
	input() []float32
	// run infers on input and returns the output tensor's memory, valid
	// until the next run.
	run() ([]float32, error)
	close() error
}
