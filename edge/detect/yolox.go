package detect

import (
	"fmt"
	"math"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// yoloxStrides are the feature-map strides of every YOLOX model: one anchor
// point per cell of each map, so a 416×416 input has 52²+26²+13² = 3549.
var yoloxStrides = [...]int{8, 16, 32}

// yolox decodes YOLOX output exported without decoding in the graph:
// [1, N, 5+C] where each row is (dx, dy, log w, log h, objectness, C class
// probabilities), objectness and classes already through a sigmoid. The box
// centre is (dx+gridX)·stride and the size exp(log w)·stride.
type yolox struct {
	classes   int
	width     int       // values per row, 5+classes
	grid      []float32 // per row: gridX, gridY, stride
	threshold []float32 // per class
	minThresh float32   // lowest class threshold, to skip rows early
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

func newYOLOX(m *Manifest, modelOut []int64) (decoder, []int64, error) {
	rows := 0
	for _, s := range yoloxStrides {
		rows += (m.Input.Width / s) * (m.Input.Height / s)
	}
	nc := len(m.Classes)
	want := []int64{1, int64(rows), int64(5 + nc)}
	if len(modelOut) != 3 {
		return nil, nil, fmt.Errorf("shape %v: family yolox wants [1, boxes, 5+classes] = %v", modelOut, want)
	}
	if d := modelOut[2]; d >= 0 && d != want[2] {
		if d > 5 {
			return nil, nil, fmt.Errorf("%d values per box, so %d classes, but the manifest lists %d classes", d, d-5, nc)
		}
		return nil, nil, fmt.Errorf("%d values per box; family yolox wants 5+classes = %d", d, want[2])
	}
	if d := modelOut[1]; d >= 0 && d != want[1] {
		return nil, nil, fmt.Errorf("%d boxes, but a %dx%d input with strides 8, 16, 32 gives %d: is input.width/height right?",
			d, m.Input.Width, m.Input.Height, rows)
	}
	if err := checkBatchDim("yolox", modelOut[0]); err != nil {
		return nil, nil, err
	}

	y := &yolox{classes: nc, width: 5 + nc, grid: make([]float32, 0, 3*rows), threshold: make([]float32, nc)}
	for _, s := range yoloxStrides {
		// Row order matches YOLOX's export: strides in turn, each map
		// row-major (y outer, x inner).
		for gy := 0; gy < m.Input.Height/s; gy++ {
			for gx := 0; gx < m.Input.Width/s; gx++ {
				y.grid = append(y.grid, float32(gx), float32(gy), float32(s))
			}
		}
	}
	y.minThresh = 1
	for c := range y.threshold {
		y.threshold[c] = m.Threshold(c)
		y.minThresh = min(y.minThresh, y.threshold[c])
	}
	return y, want, nil
}

func (y *yolox) decode(out []float32, dst []candidate) ([]candidate, int, error) {
	rows := len(y.grid) / 3
	if len(out) != rows*y.width {
		return dst, 0, fmt.Errorf("yolox output has %d values, want %d×%d", len(out), rows, y.width)
	}
	bad := 0
	for i := 0; i < rows; i++ {
		r := out[i*y.width : (i+1)*y.width : (i+1)*y.width]
		obj := r[4]
		// score = obj·class ≤ obj for sigmoid outputs, so most rows end
		// here without reading their class scores.
		if !(obj >= y.minThresh) {
			if obj != obj { // NaN
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
			bad++ // every class score NaN
			continue
		}
		score := obj * bestP
		if !(score >= y.threshold[best]) {
			if score != score {
				bad++
			}
			continue
		}
		g := y.grid[3*i : 3*i+3 : 3*i+3]
		s := g[2]
		cx, cy := (r[0]+g[0])*s, (r[1]+g[1])*s
		w := float32(math.Exp(float64(r[2]))) * s
		h := float32(math.Exp(float64(r[3]))) * s
		if !finite(cx) || !finite(cy) || !finite(w) || !finite(h) || !finite(score) {
			bad++
			continue
		}
		dst = append(dst, candidate{
			box:   Box{X1: cx - w/2, Y1: cy - h/2, X2: cx + w/2, Y2: cy + h/2},
			score: score,
			class: best,
		})
	}
	if bad == rows {
		return dst, bad, errAllNonFinite("yolox", rows)
	}
	return dst, bad, nil
}
