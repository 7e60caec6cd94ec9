package regions

import (
	"image"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// Box geometry for Merge, in frame pixels.

func inter(a, b vision.Box) float32 {
	w := min(a.X2, b.X2) - max(a.X1, b.X1)
	h := min(a.Y2, b.Y2) - max(a.Y1, b.Y1)
	if !(w > 0 && h > 0) {
		return 0
	}
	return w * h
}

func boxArea(b vision.Box) float32 { return max(b.X2-b.X1, 0) * max(b.Y2-b.Y1, 0) }

// iou is the intersection over union; 0 for empty boxes.
func iou(a, b vision.Box) float32 {
	i := inter(a, b)
	u := boxArea(a) + boxArea(b) - i
	if !(i > 0 && u > 0) {
		return 0
	}
	return i / u
}

// ios is the intersection over the smaller box's area.
func ios(a, b vision.Box) float32 {
	i := inter(a, b)
	s := min(boxArea(a), boxArea(b))
	if !(i > 0 && s > 0) {
		return 0
	}
	return i / s
}

func union(a, b vision.Box) vision.Box {
	return vision.Box{X1: min(a.X1, b.X1), Y1: min(a.Y1, b.Y1), X2: max(a.X2, b.X2), Y2: max(a.Y2, b.Y2)}
}

// clip is b cut to r; an empty box when they do not meet.
func clip(b vision.Box, r image.Rectangle) vision.Box {
	return vision.Box{
		X1: max(b.X1, float32(r.Min.X)), Y1: max(b.Y1, float32(r.Min.Y)),
		X2: min(b.X2, float32(r.Max.X)), Y2: min(b.Y2, float32(r.Max.Y)),
	}
}
