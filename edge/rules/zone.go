// Package rules turns tracks into violations: an object of the right class
// inside a zone for longer than the rule's dwell time. Zones are polygons in
// fractions of the frame; the point that decides "inside" is the bottom
// centre of the box, where the object touches the ground.
package rules

import "github.com/xiuhua/xiuhua/edge/detect"

// Point is a position as a fraction of the frame width and height.
type Point struct{ X, Y float64 }

// Zone is a polygon of the picture.
type Zone struct {
	ID      string
	Polygon []Point
}

// Contains reports whether p (fractions of the frame) lies inside the zone,
// by the even-odd ray casting rule.
func (z Zone) Contains(p Point) bool {
	in := false
	n := len(z.Polygon)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := z.Polygon[i], z.Polygon[j]
		if (a.Y > p.Y) != (b.Y > p.Y) {
			x := (b.X-a.X)*(p.Y-a.Y)/(b.Y-a.Y) + a.X
			if p.X < x {
				in = !in
			}
		}
	}
	return in
}

// Anchor is the bottom centre of box in fractions of a w×h frame.
func Anchor(b detect.Box, w, h int) Point {
	return Point{X: float64(b.X1+b.X2) / 2 / float64(w), Y: float64(b.Y2) / float64(h)}
}
