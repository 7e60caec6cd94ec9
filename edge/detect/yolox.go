package detect

import (
	"fmt"
	"math"

	"github.com/xiuhua/xiuhua/internal/modelspec"
)

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

// newYOLOX reads the [1, m.YOLOXRows(), 5+classes] output that
// modelspec accepts for family yolox.
func newYOLOX(m *Manifest) decoder {
	rows, nc := m.YOLOXRows(), len(m.Classes)
	y := &yolox{classes: nc, width: 5 + nc, grid: make([]float32, 0, 3*rows), threshold: make([]float32, nc)}
	for _, s := range modelspec.YOLOXStrides {
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
	return y
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
