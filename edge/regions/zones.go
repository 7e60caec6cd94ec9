package regions

import (
	"image"
	"math"
	"strconv"

	"github.com/xiuhua/xiuhua/edge/rules"
)

// FromZones is what `regions: auto` looks at in a frame of this size:
// each zone's bounding box, to be padded. Unlike Zone.Bounds the boxes
// are not clipped, so a plan can tell that a zone drawn in pixels for
// another resolution reaches outside the frame.
func FromZones(zones []rules.Zone, frame image.Point) []Source {
	out := make([]Source, 0, len(zones))
	for _, z := range zones {
		sx, sy := float64(frame.X), float64(frame.Y)
		if z.Pixels {
			sx, sy = 1, 1
		}
		r := image.Rectangle{Min: image.Pt(math.MaxInt32, math.MaxInt32), Max: image.Pt(math.MinInt32, math.MinInt32)}
		for _, p := range z.Polygon {
			x, y := clampInt(p.X*sx), clampInt(p.Y*sy)
			r.Min.X, r.Min.Y = min(r.Min.X, x), min(r.Min.Y, y)
			r.Max.X, r.Max.Y = max(r.Max.X, x), max(r.Max.Y, y)
		}
		if len(z.Polygon) == 0 {
			r = image.Rectangle{}
		}
		out = append(out, Source{Name: "zone " + z.ID, Rect: r, Pad: true})
	}
	return out
}

// FromFractions is what an explicit `regions:` list looks at: rectangles
// [x1, y1, x2, y2] in fractions of the frame, taken as drawn.
func FromFractions(rects [][4]float64, frame image.Point) []Source {
	out := make([]Source, 0, len(rects))
	for i, r := range rects {
		fx, fy := float64(frame.X), float64(frame.Y)
		out = append(out, Source{
			Name: "regions[" + strconv.Itoa(i) + "]",
			Rect: image.Rect(clampInt(r[0]*fx), clampInt(r[1]*fy), clampInt(r[2]*fx), clampInt(r[3]*fy)),
		})
	}
	return out
}

// clampInt converts a coordinate to int, keeping NaN and huge values from
// wrapping around.
func clampInt(v float64) int {
	switch {
	case !(v > -1e9):
		return -1e9
	case v > 1e9:
		return 1e9
	}
	return int(v)
}
