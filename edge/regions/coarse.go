package regions

import "image"

// MinGain is how much finer than the whole frame a plan must look to be
// worth its tiles: below it a camera looks at the whole frame instead (one
// model run, and objects are not cut by tile edges).
const MinGain = 1.5

// Worthwhile reports whether pl looks at least MinGain times finer than
// the whole frame would.
func (pl Plan) Worthwhile(input image.Point) bool {
	return len(pl.Tiles) > 0 && pl.Coarseness(input)*MinGain <= FullCoarseness(pl.Frame, input)
}

// Coarseness is how many frame pixels the coarsest tile puts in one
// model input pixel: 1 at the camera's resolution, more when a tile is
// larger than the model input.
func (pl Plan) Coarseness(input image.Point) float64 {
	c := 0.0
	for _, t := range pl.Tiles {
		c = max(c, FullCoarseness(t.Rect.Size(), input))
	}
	return c
}

// FullCoarseness is Coarseness for a picture of size frame letterboxed
// whole (4.6 for 1920×1080 into 416×416). A picture smaller than the
// input is not enlarged past 1 by this measure.
func FullCoarseness(frame, input image.Point) float64 {
	if input.X <= 0 || input.Y <= 0 {
		return 1
	}
	return max(float64(frame.X)/float64(input.X), float64(frame.Y)/float64(input.Y), 1)
}
