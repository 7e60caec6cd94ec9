package detect

import (
	"fmt"

	"github.com/xiuhua/xiuhua/internal/modelspec"
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
	// row-major in the concrete shape Manifest.CheckOutput gave, for one
	// image (any box count where that shape leaves it dynamic); a length
	// that does not match is an error, never a panic. An output in which
	// every box is unreadable is an error too.
	decode(out []float32, dst []candidate) ([]candidate, int, error)
}

// family describes how the edge reads one output format. Which output
// shapes a family accepts is not decided here: modelspec's
// Manifest.CheckOutput, which the server's registry checks uploads with,
// is the one rule, so the edge loads exactly what the server accepts.
type family struct {
	// newDecoder returns the decoder for m's output, in the shape that
	// m.CheckOutput accepted.
	newDecoder func(m *Manifest) decoder
	// selfSuppressing families run their own NMS inside the model: the
	// detector only sorts and caps their boxes.
	selfSuppressing bool
}

// families maps Manifest.Family to its decoder.
var families = map[string]family{
	"yolox":    {newDecoder: newYOLOX},
	"yolov5":   {newDecoder: newYOLOv5},
	"yolov8":   {newDecoder: newYOLOv8},
	"nms_free": {newDecoder: newNMSFree, selfSuppressing: true},
}

// newDecoder checks a model's reported output shape (dimensions -1 when
// dynamic) with modelspec's family rules and returns the family's decoder
// and the concrete shape the backend should allocate for one image; -1 may
// remain for a box count the model leaves dynamic.
func newDecoder(m *Manifest, modelOut []int64) (decoder, []int64, error) {
	fam, ok := families[m.Family]
	if !ok {
		return nil, nil, fmt.Errorf("family %q: allowed: %v", m.Family, modelspec.Families())
	}
	shape, err := m.CheckOutput(modelOut)
	if err != nil {
		return nil, nil, err
	}
	return fam.newDecoder(m), shape, nil
}
