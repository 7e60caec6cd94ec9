// Package rules turns tracks into violations: an object of the right class
// that stays inside a zone longer than the rule's dwell time, outside the
// hours when it is allowed.
package rules

import (
	"image"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// Point is a position in zone units: fractions of the frame, or pixels
// for a zone with Pixels set.
type Point struct{ X, Y float64 }

// Anchor names the point of a box that decides whether it is inside.
type Anchor int

const (
	// AnchorBottomCentre is where an object touches the ground: a stall
	// whose umbrella reaches over the kerb still stands on the pavement.
	AnchorBottomCentre Anchor = iota
	// AnchorCentre suits things that hang (laundry on a railing).
	AnchorCentre
)

// Zone is a polygon of the picture with what inside it is ignored.
type Zone struct {
	ID      string
	Polygon []Point
	// Pixels says Polygon and Ignore are in pixels rather than fractions
	// of the frame.
	Pixels bool
	Anchor Anchor
	// MinArea is the least box area, as a fraction of the frame, that
	// counts: far-away clutter and detector noise are small.
	MinArea float64
	// Ignore masks parts of the zone: a licensed kiosk, a bus stop.
	Ignore [][]Point
}

// Covers reports whether box b in a w×h frame counts as inside the zone.
func (z Zone) Covers(b vision.Box, w, h int) bool {
	if w <= 0 || h <= 0 {
		return false
	}
	if z.MinArea > 0 && float64((b.X2-b.X1)*(b.Y2-b.Y1)) < z.MinArea*float64(w)*float64(h) {
		return false
	}
	p := z.anchor(b)
	if !z.Pixels {
		p = Point{X: p.X / float64(w), Y: p.Y / float64(h)}
	}
	if !Contains(z.Polygon, p) {
		return false
	}
	for _, m := range z.Ignore {
		if Contains(m, p) {
			return false
		}
	}
	return true
}

// anchor is the deciding point of b in pixels.
func (z Zone) anchor(b vision.Box) Point {
	x := float64(b.X1+b.X2) / 2
	if z.Anchor == AnchorCentre {
		return Point{X: x, Y: float64(b.Y1+b.Y2) / 2}
	}
	return Point{X: x, Y: float64(b.Y2)}
}

// Contains reports whether p lies inside polygon poly, by the even-odd
// ray casting rule.
func Contains(poly []Point, p Point) bool {
	in := false
	n := len(poly)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Y > p.Y) != (b.Y > p.Y) {
			x := (b.X-a.X)*(p.Y-a.Y)/(b.Y-a.Y) + a.X
			if p.X < x {
				in = !in
			}
		}
	}
	return in
}

// SelfIntersects reports whether two non-adjacent edges of poly cross: such
// a polygon's inside is not what the operator drew.
func SelfIntersects(poly []Point) bool {
	n := len(poly)
	for i := 0; i < n; i++ {
		a1, a2 := poly[i], poly[(i+1)%n]
		for j := i + 1; j < n; j++ {
			if j == i || (j+1)%n == i || (i+1)%n == j {
				continue // adjacent edges share a corner
			}
			if segmentsCross(a1, a2, poly[j], poly[(j+1)%n]) {
				return true
			}
		}
	}
	return false
}

func segmentsCross(p1, p2, q1, q2 Point) bool {
	d1 := cross(q1, q2, p1)
	d2 := cross(q1, q2, p2)
	d3 := cross(p1, p2, q1)
	d4 := cross(p1, p2, q2)
	return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))
}

func cross(a, b, c Point) float64 { return (b.X-a.X)*(c.Y-a.Y) - (b.Y-a.Y)*(c.X-a.X) }

// Bounds is the zone's bounding box in a w×h frame, clipped to the frame:
// the part of the picture change detection and re-checks look at.
func (z Zone) Bounds(w, h int) image.Rectangle {
	sx, sy := float64(w), float64(h)
	if z.Pixels {
		sx, sy = 1, 1
	}
	r := image.Rectangle{Min: image.Pt(w, h)}
	for _, p := range z.Polygon {
		x, y := int(p.X*sx), int(p.Y*sy)
		r.Min.X, r.Min.Y = min(r.Min.X, x), min(r.Min.Y, y)
		r.Max.X, r.Max.Y = max(r.Max.X, x), max(r.Max.Y, y)
	}
	return r.Intersect(image.Rect(0, 0, w, h))
}
