package detect

import (
	"fmt"
	"math"
)

// yolov8 decodes the output of Ultralytics YOLOv8/YOLO11 exports:
// [1, 4+C, N], channel-major: row 0–3 are every box's centre x, centre y,
// width and height in network-input pixels, rows 4… the C class scores
// (already through their sigmoid). There is no objectness: a box's score is
// its best class score.
type yolov8 struct {
	channels int // 4+classes
	th       classThresholds
	// Per box, the best class score and class so far: reading class-major
	// (one class for every box, then the next) walks memory in order.
	best  []float32
	bestC []int32
}

// newYOLOv8 reads the [1, 4+classes, N] output that modelspec accepts for
// family yolov8.
func newYOLOv8(m *Manifest) decoder {
	return &yolov8{channels: 4 + len(m.Classes), th: newClassThresholds(m)}
}

func (y *yolov8) decode(out []float32, dst []candidate) ([]candidate, int, error) {
	if len(out) == 0 || len(out)%y.channels != 0 {
		return dst, 0, fmt.Errorf("yolov8 output has %d values, not a whole number of boxes of %d", len(out), y.channels)
	}
	n := len(out) / y.channels
	if cap(y.best) < n {
		y.best, y.bestC = make([]float32, n), make([]int32, n)
	}
	best, bestC := y.best[:n], y.bestC[:n]
	for i := range best {
		best[i], bestC[i] = float32(math.Inf(-1)), -1
	}
	for c := range y.channels - 4 {
		row := out[(4+c)*n : (5+c)*n : (5+c)*n]
		for i, p := range row {
			if p > best[i] { // NaN never wins
				best[i], bestC[i] = p, int32(c)
			}
		}
	}
	bad := 0
	for i, score := range best {
		c := bestC[i]
		if c < 0 {
			bad++ // every class score NaN
			continue
		}
		if !(score >= y.th.perClass[c]) {
			continue
		}
		b := boxFromCenter(out[i], out[n+i], out[2*n+i], out[3*n+i])
		if !finiteBox(b) || !finite(score) {
			bad++
			continue
		}
		dst = append(dst, candidate{box: b, score: score, class: int(c)})
	}
	if bad == n {
		return dst, bad, errAllNonFinite("yolov8", n)
	}
	return dst, bad, nil
}
