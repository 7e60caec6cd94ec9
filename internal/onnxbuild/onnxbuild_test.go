package onnxbuild

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	ort "github.com/yalue/onnxruntime_go"

	"github.com/xiuhua/xiuhua/internal/ortlib"
)

// run loads model into onnxruntime, feeds it images (one value per
// element of inShape) and returns the output and its shape.
func run(t *testing.T, model []byte, inShape []int64, images []float32) ([]float32, []int64) {
	t.Helper()
	initORT(t)
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(model, []string{"images"}, []string{"output"}, nil)
	require.NoError(t, err, "onnxruntime loads the model")
	defer s.Destroy()
	in, err := ort.NewTensor(ort.NewShape(inShape...), images)
	require.NoError(t, err)
	defer in.Destroy()
	out := []ort.Value{nil}
	require.NoError(t, s.Run([]ort.Value{in}, out))
	defer out[0].Destroy()
	got, ok := out[0].(*ort.Tensor[float32])
	require.True(t, ok, "output is %T", out[0])
	return append([]float32(nil), got.GetData()...), got.GetShape()
}

func initORT(t *testing.T) {
	t.Helper()
	require.NoError(t, ortlib.Init(""), "the tests run the models they build in onnxruntime")
}

// fill is n copies of v.
func fill(n int, v float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// A dynamic-batch detector gives a black image Base and a white one
// Base+Delta, each its own, in the declared shape.
func TestDetectorBatch(t *testing.T) {
	base := []float32{1, 2, 3, 4, 5, 6}
	delta := []float32{10, 0, -1, 0, 0, 0.5}
	model := Detector{Batch: -1, Height: 4, Width: 8, Out: []int64{-1, 2, 3}, Base: base, Delta: delta}.ONNX()

	initORT(t)
	info, outInfo, err := ort.GetInputOutputInfoWithONNXData(model)
	require.NoError(t, err)
	require.Len(t, info, 1)
	require.Equal(t, "images", info[0].Name)
	require.Equal(t, ort.NewShape(-1, 3, 4, 8), info[0].Dimensions, "a negative dimension is dynamic")
	require.Len(t, outInfo, 1)
	require.Equal(t, ort.NewShape(-1, 2, 3), outInfo[0].Dimensions)

	const px = 3 * 4 * 8
	images := append(fill(px, 0), fill(px, 1)...) // black, then white
	got, shape := run(t, model, []int64{2, 3, 4, 8}, images)
	require.Equal(t, []int64{2, 2, 3}, shape)
	for i := range base {
		require.InDelta(t, base[i], got[i], 1e-5, "black image, value %d", i)
		require.InDelta(t, base[i]+delta[i], got[6+i], 1e-5, "white image, value %d", i)
	}
}

// A Constant model gives its values whatever the image, NaN included.
func TestConstant(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []float32
	}{
		{"boxes", []float32{4, 4, 20, 20, 0.9, 0, 1, 1, 8, 8, 0.5, 2}},
		{"nan", fill(12, float32(math.NaN()))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			model := Constant(32, 64, []int64{1, 2, 6}, tc.values)
			for _, grey := range []float32{0, 0.4, 1} {
				got, shape := run(t, model, []int64{1, 3, 32, 64}, fill(3*32*64, grey))
				require.Equal(t, []int64{1, 2, 6}, shape)
				for i, v := range tc.values {
					if math.IsNaN(float64(v)) {
						require.True(t, math.IsNaN(float64(got[i])), "grey %v value %d: %v", grey, i, got[i])
						continue
					}
					require.InDelta(t, v, got[i], 1e-5, "grey %v value %d", grey, i)
				}
			}
		})
	}
}

// A graph written with the low-level functions runs as written: here
// output = images · 2 + 1, summed over the image by ReduceSum.
func TestGraph(t *testing.T) {
	nodes := [][]byte{
		Node("Mul", []string{"images", "two"}, []string{"doubled"}),
		Node("Add", []string{"doubled", "one"}, []string{"plus"}),
		Node("ReduceSum", []string{"plus", "axes"}, []string{"output"}, AttrInt("keepdims", 0)),
	}
	inits := [][]byte{
		Floats("two", []int64{1}, []float32{2}),
		Floats("one", []int64{1}, []float32{1}),
		Int64s("axes", []int64{1}, []int64{1}),
	}
	model := Model(13, Graph("sum", nodes, inits,
		[][]byte{Value("images", 2, 3)}, [][]byte{Value("output", 2)}))
	got, shape := run(t, model, []int64{2, 3}, []float32{0, 1, 2, 10, 20, 30})
	require.Equal(t, []int64{2}, shape)
	require.InDeltaSlice(t, []float32{1 + 3 + 5, 21 + 41 + 61}, got, 1e-5)
}
