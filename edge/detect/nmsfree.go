package detect

import (
	"fmt"
	"math"

	"github.com/xiuhua/xiuhua/internal/modelspec"
)

// nmsFree decodes models that do their own suppression (YOLOv10, RT-DETR
// exports with post-processing, YOLO26): [1, N, 6] where each row is
// (x1, y1, x2, y2) in network-input pixels, the score, and the class id as a
// float. No NMS runs afterwards; the boxes are only thresholded, sorted and
// capped. The class count cannot be checked from the shape, so a class id
// outside the manifest's classes is counted as a bad box at run time.
type nmsFree struct {
	classes int
	th      classThresholds
}

// nmsFreeWidth is the values per box: x1, y1, x2, y2, score, class.
const nmsFreeWidth = modelspec.NMSFreeWidth

// newNMSFree reads the [1, N, 6] output that modelspec accepts for family
// nms_free.
func newNMSFree(m *Manifest) decoder {
	return &nmsFree{classes: len(m.Classes), th: newClassThresholds(m)}
}

func (f *nmsFree) decode(out []float32, dst []candidate) ([]candidate, int, error) {
	if len(out) == 0 || len(out)%nmsFreeWidth != 0 {
		return dst, 0, fmt.Errorf("nms_free output has %d values, not a whole number of boxes of 6", len(out))
	}
	rows, bad := len(out)/nmsFreeWidth, 0
	for i := range rows {
		r := out[i*nmsFreeWidth : (i+1)*nmsFreeWidth : (i+1)*nmsFreeWidth]
		score, cls := r[4], r[5]
		if !(score >= f.th.lowest) {
			if score != score {
				bad++
			}
			continue
		}
		// The class id must be a whole number naming one of the classes;
		// anything else is a model that does not match the manifest.
		if !(cls >= 0 && cls < float32(f.classes)) || float64(cls) != math.Trunc(float64(cls)) {
			bad++
			continue
		}
		c := int(cls)
		if !(score >= f.th.perClass[c]) {
			continue
		}
		b := Box{X1: r[0], Y1: r[1], X2: r[2], Y2: r[3]}
		if !finiteBox(b) || !finite(score) {
			bad++
			continue
		}
		dst = append(dst, candidate{box: b, score: score, class: c})
	}
	if bad == rows {
		return dst, bad, errAllNonFinite("nms_free", rows)
	}
	return dst, bad, nil
}
