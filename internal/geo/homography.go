package geo

import (
	"errors"
	"fmt"
	"math"
)

// Calibration is one image point (pixels) whose ground position is known.
type Calibration struct {
	X, Y   float64
	Ground Point
}

// Homography maps image pixels of one camera to ground positions, valid for
// points on the ground plane (an object's foot point).
type Homography struct {
	h      [9]float64
	ground local
}

// ErrDegenerate means the calibration points do not pin down a plane: three
// or more in a line, repeated, or too few.
var ErrDegenerate = errors.New("degenerate calibration")

// NewHomography fits the image→ground mapping to four or more calibration
// points by least squares (direct linear transform with h33 = 1).
func NewHomography(points []Calibration) (*Homography, error) {
	if len(points) < 4 {
		return nil, fmt.Errorf("%w: %d points, need at least 4", ErrDegenerate, len(points))
	}
	var origin Point
	for _, p := range points {
		origin.Lat += p.Ground.Lat / float64(len(points))
		origin.Lon += p.Ground.Lon / float64(len(points))
	}
	l := local{origin: origin}
	// Normal equations AᵀA h = Aᵀb of the 2n×8 system.
	var ata [8][8]float64
	var atb [8]float64
	add := func(row [8]float64, rhs float64) {
		for i := range 8 {
			for j := range 8 {
				ata[i][j] += row[i] * row[j]
			}
			atb[i] += row[i] * rhs
		}
	}
	for _, p := range points {
		gx, gy := l.toXY(p.Ground)
		add([8]float64{p.X, p.Y, 1, 0, 0, 0, -p.X * gx, -p.Y * gx}, gx)
		add([8]float64{0, 0, 0, p.X, p.Y, 1, -p.X * gy, -p.Y * gy}, gy)
	}
	sol, err := solve(ata, atb)
	if err != nil {
		return nil, err
	}
	h := &Homography{ground: l}
	copy(h.h[:8], sol[:])
	h.h[8] = 1
	// A fit that does not reproduce its own points is as good as none.
	for _, p := range points {
		got, ok := h.Ground(p.X, p.Y)
		if !ok || Distance(got, p.Ground) > 5 {
			return nil, fmt.Errorf("%w: point (%g, %g) maps %.1f m from its ground position", ErrDegenerate, p.X, p.Y, Distance(got, p.Ground))
		}
	}
	return h, nil
}

// Ground maps image point (x, y) to the ground; ok is false for points on
// or beyond the horizon.
func (h *Homography) Ground(x, y float64) (Point, bool) {
	w := h.h[6]*x + h.h[7]*y + h.h[8]
	if math.Abs(w) < 1e-12 {
		return Point{}, false
	}
	gx := (h.h[0]*x + h.h[1]*y + h.h[2]) / w
	gy := (h.h[3]*x + h.h[4]*y + h.h[5]) / w
	if w < 0 || math.IsNaN(gx) || math.IsNaN(gy) {
		return Point{}, false
	}
	return h.ground.toPoint(gx, gy), true
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [8][8]float64, b [8]float64) ([8]float64, error) {
	const n = 8
	scale := 0.0
	for i := range n {
		for j := range n {
			scale = math.Max(scale, math.Abs(a[i][j]))
		}
	}
	for col := range n {
		pivot := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[pivot][col]) {
				pivot = r
			}
		}
		if math.Abs(a[pivot][col]) <= 1e-12*scale {
			return [8]float64{}, fmt.Errorf("%w: points in a line or repeated", ErrDegenerate)
		}
		a[col], a[pivot] = a[pivot], a[col]
		b[col], b[pivot] = b[pivot], b[col]
		for r := col + 1; r < n; r++ {
			f := a[r][col] / a[col][col]
			for c := col; c < n; c++ {
				a[r][c] -= f * a[col][c]
			}
			b[r] -= f * b[col]
		}
	}
	var x [8]float64
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for c := r + 1; c < n; c++ {
			s -= a[r][c] * x[c]
		}
		x[r] = s / a[r][r]
	}
	return x, nil
}
