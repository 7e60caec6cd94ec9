package modelswap

import "github.com/xiuhua/xiuhua/internal/onnxbuild"

// nmsFreeModel is an nms_free model (internal/onnxbuild's Detector) with a
// 1×3×32×64 input and one output box [1, 1, 6] = base + delta·(mean of the
// channels' largest values, 0–1). With delta nil it finds the same box in
// every frame; with a delta on the class id it works on a black frame and
// fails on any brighter one (a class id that is not a whole number is an
// unreadable box).
func nmsFreeModel(base, delta []float32) []byte {
	return onnxbuild.Detector{Height: 32, Width: 64, Out: []int64{1, 1, 6}, Base: base, Delta: delta}.ONNX()
}
