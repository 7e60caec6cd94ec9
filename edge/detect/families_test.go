package detect

import (
	"bytes"
	"log/slog"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// The family cases: each a model whose output is a fixed tensor in the
// family's layout, run through the real runtimes, with the detections that
// output must give on a 128×64 frame (source boxes = network boxes ×2).
//
// The boxes: b at 0.81 centred (16, 8) size 8; a second b overlapping it at
// 0.64 (suppressed by NMS, kept by nms_free which trusts the model); an a at
// 0.63 on the same place (kept: NMS is class-aware); a c at 0.9 (dropped:
// class c's own threshold is 0.95); a box below the default threshold.
var familyCases = []struct {
	family string
	shape  []int64
	out    []float32
	want   []Detection
}{
	{
		family: "yolov5", shape: []int64{1, 5, 8},
		out: flat([][]float32{
			{16, 8, 8, 8, 0.9, 0.1, 0.9, 0.2},
			{17, 8, 8, 8, 0.8, 0.1, 0.8, 0},
			{16, 8, 8, 8, 0.7, 0.9, 0, 0},
			{48, 16, 10, 10, 1, 0, 0, 0.9},
			{40, 16, 10, 10, 0.2, 1, 1, 1},
		}),
		want: []Detection{
			{ClassID: 1, Class: "b", Score: 0.81, Box: Box{X1: 24, Y1: 8, X2: 40, Y2: 24}},
			{ClassID: 0, Class: "a", Score: 0.63, Box: Box{X1: 24, Y1: 8, X2: 40, Y2: 24}},
		},
	},
	{
		family: "yolov8", shape: []int64{1, 7, 5},
		out: yolov8Layout([][]float32{
			{16, 8, 8, 8, 0.1, 0.81, 0.2},
			{17, 8, 8, 8, 0.1, 0.64, 0},
			{16, 8, 8, 8, 0.63, 0, 0},
			{48, 16, 10, 10, 0, 0, 0.9},
			{40, 16, 10, 10, 0.2, 0.1, 0},
		}),
		want: []Detection{
			{ClassID: 1, Class: "b", Score: 0.81, Box: Box{X1: 24, Y1: 8, X2: 40, Y2: 24}},
			{ClassID: 0, Class: "a", Score: 0.63, Box: Box{X1: 24, Y1: 8, X2: 40, Y2: 24}},
		},
	},
	{
		family: "nms_free", shape: []int64{1, 5, 6},
		out: flat([][]float32{
			{13, 4, 21, 12, 0.64, 1},
			{12, 4, 20, 12, 0.81, 1},
			{43, 11, 53, 21, 0.9, 2},
			{0, 0, 10, 10, 0.1, 0},
			{0, 0, 0, 0, 0, 0}, // padding rows of a fixed-size output
		}),
		want: []Detection{
			{ClassID: 1, Class: "b", Score: 0.81, Box: Box{X1: 24, Y1: 8, X2: 40, Y2: 24}},
			{ClassID: 1, Class: "b", Score: 0.64, Box: Box{X1: 26, Y1: 8, X2: 42, Y2: 24}},
		},
	},
}

func TestFamiliesThroughRuntimes(t *testing.T) {
	for _, fc := range familyCases {
		for _, be := range []string{BackendONNXRuntime, BackendOpenCV} {
			t.Run(fc.family+"/"+be, func(t *testing.T) {
				m := writeGenModel(t, fc.family, constantModel(1, 32, 64, fc.shape, fc.out, nil), 100)
				d, err := Open(m, Options{Backend: be})
				require.NoError(t, err)
				defer d.Close()
				dets, err := d.Detect(solidFrame(t, 0))
				require.NoError(t, err)
				requireDetections(t, fc.want, dets)
			})
		}
	}
}

// The cap keeps the highest scores, for every family.
func TestFamiliesCap(t *testing.T) {
	for _, fc := range familyCases {
		t.Run(fc.family, func(t *testing.T) {
			m := writeGenModel(t, fc.family, constantModel(1, 32, 64, fc.shape, fc.out, nil), 1)
			d, err := Open(m, Options{})
			require.NoError(t, err)
			defer d.Close()
			dets, err := d.Detect(solidFrame(t, 0))
			require.NoError(t, err)
			requireDetections(t, fc.want[:1], dets)
		})
	}
}

// A model that emits only NaN (a broken export, a bad execution provider)
// is a counted error naming the model, never a panic or a silent empty
// result.
func TestFamiliesNaNOutput(t *testing.T) {
	for _, fc := range familyCases {
		t.Run(fc.family, func(t *testing.T) {
			nan := make([]float32, len(fc.out))
			for i := range nan {
				nan[i] = float32(math.NaN())
			}
			m := writeGenModel(t, fc.family, constantModel(1, 32, 64, fc.shape, nan, nil), 100)
			var logs bytes.Buffer
			d, err := Open(m, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			require.NoError(t, err)
			defer d.Close()
			_, err = d.Detect(solidFrame(t, 0))
			require.ErrorContains(t, err, "model gen-"+fc.family+": "+fc.family+" output: none of its 5 boxes is readable")
			require.Equal(t, uint64(5), d.(StatsReporter).Stats().NonFinite)
		})
	}
}

// Shapes that do not match the manifest are errors at load time that name
// the model and the mismatch.
func TestFamiliesShapeErrors(t *testing.T) {
	tests := []struct {
		family string
		model  []byte
		want   string
	}{
		{"yolov5", constantModel(1, 32, 64, []int64{1, 5, 9}, make([]float32, 45), nil),
			`output "output": 9 values per box, so 4 classes, but the manifest lists 3 classes`},
		{"yolov5", constantModel(1, 32, 64, []int64{1, 5, 4}, make([]float32, 20), nil),
			`output "output": 4 values per box; family yolov5 wants 5+classes = 8`},
		{"yolov8", constantModel(1, 32, 64, []int64{1, 8, 5}, make([]float32, 40), nil),
			`output "output": 8 values per box, so 4 classes, but the manifest lists 3 classes`},
		{"yolov8", constantModel(1, 32, 64, []int64{1, 5, 7}, make([]float32, 35), nil),
			`5 values per box, so 1 classes, but the manifest lists 3`},
		{"nms_free", constantModel(1, 32, 64, []int64{1, 5, 7}, make([]float32, 35), nil),
			`output "output": shape [1 5 7]: family nms_free wants [1, boxes, 6]`},
		{"nms_free", constantModel(1, 32, 64, []int64{1, 5, 2, 3}, make([]float32, 30), nil),
			`shape [1 5 2 3]: family nms_free wants [1, boxes, 6]`},
		{"yolov5", constantModel(1, 48, 64, []int64{1, 5, 8}, make([]float32, 40), nil),
			`input "images" has shape [1 3 48 64]; the manifest (input NCHW, width 64, height 32) wants [1 3 32 64]`},
		{"yolox", constantModel(1, 32, 64, []int64{1, 40, 8}, make([]float32, 320), nil),
			`40 boxes, but a 64x32 input with strides 8, 16, 32 gives 42`},
	}
	for _, tt := range tests {
		t.Run(tt.family+"/"+tt.want[:20], func(t *testing.T) {
			m := writeGenModel(t, tt.family, tt.model, 100)
			for _, be := range []string{BackendONNXRuntime, BackendOpenCV} {
				d, err := Open(m, Options{Backend: be})
				require.Nil(t, d)
				require.ErrorContains(t, err, "model gen-"+tt.family+" 1 (")
				require.ErrorContains(t, err, tt.want)
			}
		})
	}
}

// nms_free's class ids cannot be checked from the shape; an id the manifest
// does not have is a counted bad box at run time.
func TestNMSFreeBadClassID(t *testing.T) {
	out := flat([][]float32{
		{12, 4, 20, 12, 0.81, 1},
		{12, 4, 20, 12, 0.9, 3},   // only a, b, c
		{12, 4, 20, 12, 0.9, 1.5}, // not a whole number
		{12, 4, 20, 12, 0.9, -1},
	})
	m := writeGenModel(t, "nms_free", constantModel(1, 32, 64, []int64{1, 4, 6}, out, nil), 100)
	d, err := Open(m, Options{})
	require.NoError(t, err)
	defer d.Close()
	dets, err := d.Detect(solidFrame(t, 0))
	require.NoError(t, err)
	requireDetections(t, []Detection{{ClassID: 1, Class: "b", Score: 0.81, Box: Box{X1: 24, Y1: 8, X2: 40, Y2: 24}}}, dets)
	require.Equal(t, uint64(3), d.(StatsReporter).Stats().NonFinite)
}
