package onnxbuild

// Detector describes the model most tests need: one image input "images"
// [Batch, 3, Height, Width] and one output "output" of shape Out whose
// values are Base for an image whose largest value is 0 in every channel
// and Base+Delta for one whose largest value is 1:
//
//	output = Reshape(Gemm(Flatten(GlobalMaxPool(images)), Delta/3, Base), [-1, Out[1:]...])
//
// (a classifier head, which both onnxruntime and OpenCV DNN run). With
// Delta nil the output is Base whatever the image: a detector that finds
// the same boxes in every frame, or NaN everywhere when Base is NaN. A
// Delta lets a batch of a black and a white frame tell whether each image
// got its own output, or makes a model that misbehaves only on bright
// frames.
type Detector struct {
	// Batch is the input's batch dimension: 0 or 1 for one image, −1 for
	// a dynamic batch (Out[0] must then be −1 too).
	Batch         int64
	Height, Width int64
	// Out is the output's declared shape; it must hold len(Base) values
	// an image. −1 is a dynamic dimension.
	Out []int64
	// Base is the output for a black image, row-major; Delta (nil: zeros)
	// is what a white image adds to it.
	Base, Delta []float32
}

// Constant is the Detector with a [1, 3, h, w] input whose output, of
// shape out, is values whatever the image.
func Constant(h, w int64, out []int64, values []float32) []byte {
	return Detector{Height: h, Width: w, Out: out, Base: values}.ONNX()
}

// ONNX encodes the model (opset 13).
func (d Detector) ONNX() []byte {
	n := int64(len(d.Base))
	batch := d.Batch
	if batch == 0 {
		batch = 1
	}
	delta := d.Delta
	if delta == nil {
		delta = make([]float32, n)
	}
	// Gemm with transB: weights [n, 3], one row per output value, so each
	// channel's maximum contributes a third of delta.
	weights := make([]float32, 3*n)
	for j, v := range delta {
		for c := range 3 {
			weights[3*j+c] = v / 3
		}
	}
	shape := append([]int64{-1}, d.Out[1:]...)
	nodes := [][]byte{
		Node("GlobalMaxPool", []string{"images"}, []string{"pooled"}),
		Node("Flatten", []string{"pooled"}, []string{"flat"}, AttrInt("axis", 1)),
		Node("Gemm", []string{"flat", "weights", "base"}, []string{"gemm"}, AttrInt("transB", 1)),
		Node("Reshape", []string{"gemm", "shape"}, []string{"output"}),
	}
	inits := [][]byte{
		Floats("weights", []int64{n, 3}, weights),
		Floats("base", []int64{n}, d.Base),
		Int64s("shape", []int64{int64(len(shape))}, shape),
	}
	return Model(13, Graph("detector", nodes, inits,
		[][]byte{Value("images", batch, 3, d.Height, d.Width)},
		[][]byte{Value("output", d.Out...)}))
}
