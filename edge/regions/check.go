package regions

import (
	"fmt"
	"image"
)

// TooManyTilesError says that a source alone cannot be looked at in
// MaxTiles tiles any finer than the whole frame letterboxed, and names it.
type TooManyTilesError struct {
	Source string
	// Native is the tiles Source needs at the camera's own resolution.
	Native, Max  int
	Frame, Input image.Point
}

func (e *TooManyTilesError) Error() string {
	return fmt.Sprintf("%s: %d tiles of %dx%d at %dx%d; in %d tiles it is seen no finer than the whole frame",
		e.Source, e.Native, e.Input.X, e.Input.Y, e.Frame.X, e.Frame.Y, e.Max)
}

// Make is Fit, and fails with a *TooManyTilesError naming the first
// source that on its own would be looked at no finer than letterboxing
// the whole frame: its tiles would cost model runs for nothing, which is
// a mistake in the configuration. A source over nine tenths of the frame
// or more is no error: it asks for the whole frame. Sources that fit one by one but not
// together are no error: Fit looks coarser, and a camera whose plan is not
// Worthwhile looks at the whole frame.
func Make(frame image.Point, srcs []Source, p Params) (Plan, error) {
	full := FullCoarseness(frame, p.Input)
	for _, s := range srcs {
		if rs := mergeRegions(frame, []Source{s}); len(rs) == 1 && 10*area(rs[0].Rect) >= 9*int64(frame.X)*int64(frame.Y) {
			continue // a zone over (nearly) the whole frame means "everything": the whole frame is right for it
		}
		if q := Fit(frame, []Source{s}, p); len(q.Tiles) > 0 && q.Coarseness(p.Input) >= full {
			return Fit(frame, srcs, p), &TooManyTilesError{Source: s.Name, Native: len(plan(frame, []Source{s}, p, 1).Tiles),
				Max: p.MaxTiles, Frame: frame, Input: p.Input}
		}
	}
	return Fit(frame, srcs, p), nil
}
