package modelspec

import (
	"fmt"
	"sort"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Backends a manifest may name.
const (
	BackendONNXRuntime = "onnxruntime"
	BackendOpenCV      = "opencv"
)

// YOLOXStrides are the feature-map strides of every YOLOX model: one anchor
// point per cell of each map, so a 416×416 input has 52²+26²+13² = 3549.
var YOLOXStrides = [...]int{8, 16, 32}

// family holds the rules of one output format that need no runtime: the
// manifest's own constraints and the output shape the decoder can read. The
// edge's decoders (edge/detect) read the values; the server's registry
// checks uploads with the same rules, and a test in edge/detect holds the
// two to each other.
type family struct {
	// validate adds the family's own rules for a manifest (input size
	// multiple of the largest stride, ...).
	validate func(m *Manifest, errs *conf.Errors)
	// output checks the model's reported output shape (dimensions may be
	// -1 when dynamic) and returns the concrete shape for one image; -1
	// may remain for a box count the model leaves dynamic.
	output func(m *Manifest, out []int64) ([]int64, error)
}

var families = map[string]family{
	"yolox":    {validate: validateYOLOX, output: outputYOLOX},
	"yolov5":   {output: outputYOLOv5},
	"yolov8":   {output: outputYOLOv8},
	"nms_free": {output: outputNMSFree},
}

// Families lists the values Manifest.Family accepts, sorted.
func Families() []string {
	names := make([]string, 0, len(families))
	for n := range families {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// InputShape is the input tensor's shape for one image as the manifest
// describes it: [1, 3, H, W] for NCHW, [1, H, W, 3] for NHWC.
func (m *Manifest) InputShape() []int64 {
	w, h := int64(m.Input.Width), int64(m.Input.Height)
	if m.Input.Layout == "NHWC" {
		return []int64{1, h, w, 3}
	}
	return []int64{1, 3, h, w}
}

// CheckInput compares a model's input shape (dimensions -1 when dynamic)
// with the manifest and returns the concrete shape for one image.
func (m *Manifest) CheckInput(name string, dims []int64) ([]int64, error) {
	want := m.InputShape()
	if len(dims) != 4 {
		return nil, fmt.Errorf("input %q has shape %v; the manifest (%s %dx%d) wants %v", name, dims, m.Input.Layout, m.Input.Width, m.Input.Height, want)
	}
	for i := range want {
		if dims[i] >= 0 && dims[i] != want[i] {
			return nil, fmt.Errorf("input %q has shape %v; the manifest (input %s, width %d, height %d) wants %v",
				name, dims, m.Input.Layout, m.Input.Width, m.Input.Height, want)
		}
	}
	return want, nil
}

// CheckOutput compares a model's output shape (dimensions -1 when dynamic)
// with what the manifest's family decoder reads, and returns the concrete
// shape for one image; -1 may remain for a dynamic box count.
func (m *Manifest) CheckOutput(dims []int64) ([]int64, error) {
	f, ok := families[m.Family]
	if !ok {
		return nil, fmt.Errorf("unknown family %q", m.Family)
	}
	return f.output(m, dims)
}

func validateYOLOX(m *Manifest, errs *conf.Errors) {
	const s = 32 // the largest stride must tile the input exactly
	if m.Input.Width > 0 && m.Input.Width%s != 0 {
		errs.Add("input.width", m.Input.Width, "a multiple of 32 for family yolox")
	}
	if m.Input.Height > 0 && m.Input.Height%s != 0 {
		errs.Add("input.height", m.Input.Height, "a multiple of 32 for family yolox")
	}
}

// YOLOXRows is the number of boxes a YOLOX model gives for the manifest's
// input size.
func (m *Manifest) YOLOXRows() int {
	rows := 0
	for _, s := range YOLOXStrides {
		rows += (m.Input.Width / s) * (m.Input.Height / s)
	}
	return rows
}

func outputYOLOX(m *Manifest, out []int64) ([]int64, error) {
	rows := m.YOLOXRows()
	nc := len(m.Classes)
	want := []int64{1, int64(rows), int64(5 + nc)}
	if len(out) != 3 {
		return nil, fmt.Errorf("shape %v: family yolox wants [1, boxes, 5+classes] = %v", out, want)
	}
	if d := out[2]; d >= 0 && d != want[2] {
		if d > 5 {
			return nil, fmt.Errorf("%d values per box, so %d classes, but the manifest lists %d classes", d, d-5, nc)
		}
		return nil, fmt.Errorf("%d values per box; family yolox wants 5+classes = %d", d, want[2])
	}
	if d := out[1]; d >= 0 && d != want[1] {
		return nil, fmt.Errorf("%d boxes, but a %dx%d input with strides 8, 16, 32 gives %d: is input.width/height right?",
			d, m.Input.Width, m.Input.Height, rows)
	}
	if err := checkBatchDim("yolox", out[0]); err != nil {
		return nil, err
	}
	return want, nil
}

func outputYOLOv5(m *Manifest, out []int64) ([]int64, error) {
	nc := len(m.Classes)
	want := []int64{1, -1, int64(5 + nc)}
	if len(out) != 3 {
		return nil, fmt.Errorf("shape %v: family yolov5 wants [1, boxes, 5+classes] = [1 N %d]", out, 5+nc)
	}
	if d := out[2]; d >= 0 && d != want[2] {
		if d > 5 {
			return nil, fmt.Errorf("%d values per box, so %d classes, but the manifest lists %d classes", d, d-5, nc)
		}
		return nil, fmt.Errorf("%d values per box; family yolov5 wants 5+classes = %d", d, want[2])
	}
	if out[2] < 0 {
		return nil, fmt.Errorf("shape %v: the values per box must be fixed in the model (5+classes = %d)", out, 5+nc)
	}
	if err := checkBatchDim("yolov5", out[0]); err != nil {
		return nil, err
	}
	if out[1] == 0 {
		return nil, fmt.Errorf("shape %v: no boxes", out)
	}
	want[1] = out[1]
	return want, nil
}

func outputYOLOv8(m *Manifest, out []int64) ([]int64, error) {
	nc := len(m.Classes)
	if len(out) != 3 {
		return nil, fmt.Errorf("shape %v: family yolov8 wants [1, 4+classes, boxes] = [1 %d N]", out, 4+nc)
	}
	if d := out[1]; d != int64(4+nc) {
		if d > 4 {
			return nil, fmt.Errorf("%d values per box, so %d classes, but the manifest lists %d classes", d, d-4, nc)
		}
		return nil, fmt.Errorf("%d values per box; family yolov8 wants 4+classes = %d (is the output [1, boxes, 4+classes]? then it is not a yolov8 layout)", d, 4+nc)
	}
	if err := checkBatchDim("yolov8", out[0]); err != nil {
		return nil, err
	}
	if out[2] == 0 {
		return nil, fmt.Errorf("shape %v: no boxes", out)
	}
	return []int64{1, int64(4 + nc), out[2]}, nil
}

// NMSFreeWidth is the values per box of family nms_free: x1, y1, x2, y2,
// score, class.
const NMSFreeWidth = 6

func outputNMSFree(m *Manifest, out []int64) ([]int64, error) {
	if len(out) != 3 || (out[2] >= 0 && out[2] != NMSFreeWidth) {
		return nil, fmt.Errorf("shape %v: family nms_free wants [1, boxes, 6] (x1, y1, x2, y2, score, class)", out)
	}
	if err := checkBatchDim("nms_free", out[0]); err != nil {
		return nil, err
	}
	if out[1] == 0 {
		return nil, fmt.Errorf("shape %v: no boxes", out)
	}
	return []int64{1, out[1], NMSFreeWidth}, nil
}

// checkBatchDim checks the batch dimension of a model's output: 1 or
// dynamic.
func checkBatchDim(family string, d int64) error {
	if d >= 0 && d != 1 {
		return fmt.Errorf("batch size %d: family %s supports a batch of 1 or a dynamic batch", d, family)
	}
	return nil
}
