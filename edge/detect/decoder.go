package detect

import (
	"sort"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// candidate is one box a decoder found, in network-input pixels (the
// letterboxed image), before NMS.
type candidate struct {
	box   Box
	score float32
	class int
}

// decoder turns a model family's raw output tensor into candidates. It is
// the seam between "how a model is run" (backend) and "how its output is
// read" (family).
type decoder interface {
	// decode appends to dst the candidates whose score reaches their class
	// threshold and returns dst with the number of boxes skipped because
	// their values were NaN or infinite. out is the whole output tensor,
	// row-major in the shape given to the family's newDecoder, for one
	// image; a length that does not match is an error, never a panic. An
	// output in which every box is unreadable is an error too.
	decode(out []float32, dst []candidate) ([]candidate, int, error)
}

// family describes one output format.
type family struct {
	// validate adds the family's own rules for a manifest (input size
	// multiple of the largest stride, ...).
	validate func(m *Manifest, errs *conf.Errors)
	// newDecoder checks the model's reported output shape (dimensions may be
	// -1 when dynamic) against the manifest, and returns the decoder and the
	// concrete output shape the backend should allocate.
	// -1 may remain for a box count the model leaves dynamic.
	newDecoder func(m *Manifest, modelOut []int64) (decoder, []int64, error)
	// selfSuppressing families run their own NMS inside the model: the
	// detector only sorts and caps their boxes.
	selfSuppressing bool
}

// families maps Manifest.Family to its decoder.
var families = map[string]family{
	"yolox":    {validate: validateYOLOX, newDecoder: newYOLOX},
	"yolov5":   {newDecoder: newYOLOv5},
	"yolov8":   {newDecoder: newYOLOv8},
	"nms_free": {newDecoder: newNMSFree, selfSuppressing: true},
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
