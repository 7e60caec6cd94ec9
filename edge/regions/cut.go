package regions

import (
	"image"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// A box within edgeSlack of a tile's side of a tile edge counts as cut by
// it: a detector's box for a cut object ends at the edge or, measured on
// the model run behind TestRegionsNoDuplicateAtSeams, up to 4 % of the
// tile inside it. Calling a whole box near an edge cut costs little: it
// only lets it join a piece of its class that it overlaps.
const edgeSlack = 0.05

// innerRoom is how far b is, across and down, from the edges of tile t
// that are not also edges of the frame.
func innerRoom(b vision.Box, t image.Rectangle, frame image.Point) [2]float32 {
	room := [2]float32{inf, inf}
	if t.Min.X > 0 {
		room[0] = min(room[0], abs(b.X1-float32(t.Min.X)))
	}
	if t.Max.X < frame.X {
		room[0] = min(room[0], abs(float32(t.Max.X)-b.X2))
	}
	if t.Min.Y > 0 {
		room[1] = min(room[1], abs(b.Y1-float32(t.Min.Y)))
	}
	if t.Max.Y < frame.Y {
		room[1] = min(room[1], abs(float32(t.Max.Y)-b.Y2))
	}
	return room
}

// isCut says whether a box with this much room to its tile's inner edges
// may be a piece of an object the edge cut.
func isCut(room [2]float32, t image.Rectangle) bool {
	return room[0] <= max(edgeSlack*float32(t.Dx()), 3) || room[1] <= max(edgeSlack*float32(t.Dy()), 3)
}

func abs(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
