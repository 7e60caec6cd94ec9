package detect

import "fmt"

// classThresholds holds each class's minimum score, and the lowest of them,
// which lets a decoder drop a box before reading all its class scores.
type classThresholds struct {
	perClass []float32
	lowest   float32
}

func newClassThresholds(m *Manifest) classThresholds {
	t := classThresholds{perClass: make([]float32, len(m.Classes)), lowest: 1}
	for c := range t.perClass {
		t.perClass[c] = m.Threshold(c)
		t.lowest = min(t.lowest, t.perClass[c])
	}
	return t
}

// errAllNonFinite is the error for an output in which no box was readable:
// a broken export or a misbehaving execution provider, not an empty scene.
func errAllNonFinite(family string, rows int) error {
	return fmt.Errorf("%s output: none of its %d boxes is readable (NaN, infinite or impossible values): broken model or execution provider", family, rows)
}

// boxFromCenter turns a centre and size into corners.
func boxFromCenter(cx, cy, w, h float32) Box {
	return Box{X1: cx - w/2, Y1: cy - h/2, X2: cx + w/2, Y2: cy + h/2}
}

func finiteBox(b Box) bool { return finite(b.X1) && finite(b.Y1) && finite(b.X2) && finite(b.Y2) }
