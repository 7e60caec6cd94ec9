package detect

import (
	"fmt"
	"math"
)

// yolov5 decodes the output of YOLOv5-style exports (YOLOv5, YOLOv7,
// YOLOX exported with decoding in the graph): [1, N, 5+C] where each row is
// (centre x, centre y, width, height) in network-input pixels, objectness,
// then C class probabilities, all already through their sigmoid. The box's
// score is objectness × its best class probability. N is whatever the model
// says (3 anchors a cell at each stride for YOLOv5), so any count is taken.
type yolov5 struct {
	width int // values per row, 5+classes
	th    classThresholds
}

// newYOLOv5 reads the [1, N, 5+classes] output that modelspec accepts for
// family yolov5.
func newYOLOv5(m *Manifest) decoder {
	return &yolov5{width: 5 + len(m.Classes), th: newClassThresholds(m)}
}

func (y *yolov5) decode(out []float32, dst []candidate) ([]candidate, int, error) {
	if len(out) == 0 || len(out)%y.width != 0 {
		return dst, 0, fmt.Errorf("yolov5 output has %d values, not a whole number of boxes of %d", len(out), y.width)
	}
	rows, bad := len(out)/y.width, 0
	for i := range rows {
		r := out[i*y.width : (i+1)*y.width : (i+1)*y.width]
		obj := r[4]
		// score = obj·class ≤ obj, so most rows end here.
		if !(obj >= y.th.lowest) {
			if obj != obj {
				bad++
			}
			continue
		}
		best, bestP := -1, float32(math.Inf(-1))
		for c, p := range r[5:] {
			if p > bestP { // NaN never wins
				best, bestP = c, p
			}
		}
		if best < 0 {
			bad++
			continue
		}
		score := obj * bestP
		if !(score >= y.th.perClass[best]) {
			if score != score {
				bad++
			}
			continue
		}
		b := boxFromCenter(r[0], r[1], r[2], r[3])
		if !finiteBox(b) || !finite(score) {
			bad++
			continue
		}
		dst = append(dst, candidate{box: b, score: score, class: best})
	}
	if bad == rows {
		return dst, bad, errAllNonFinite("yolov5", rows)
	}
	return dst, bad, nil
}
