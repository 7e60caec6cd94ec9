package regions

import (
	"fmt"
	"image"
	"math"
)

// Params are what a plan depends on besides the frame and the rectangles.
type Params struct {
	// Input is the model's input size in pixels (416×416 for YOLOX-Nano):
	// a tile of this size is looked at without scaling.
	Input image.Point
	// Overlap is the least share of a tile's side that neighbouring tiles
	// share, so an object on a seam is whole in at least one of them when
	// it is no wider than the overlap.
	Overlap float64
	// MaxTiles is the most tiles one look may cost.
	MaxTiles int
}

// Source is a rectangle asked for by someone (a zone, an explicit
// region), in frame pixels; it may lie partly or wholly outside the frame.
type Source struct {
	Name string
	Rect image.Rectangle
	// Pad grows Rect by Pad's margins before it is planned (zones do,
	// explicit regions are taken as drawn).
	Pad bool
}

// Region is a part of the frame looked at, tiled when it is large.
type Region struct {
	Rect    image.Rectangle
	Sources []string // who asked for it
}

// Tile is one model run: a rectangle of the frame letterboxed into the
// model's input.
type Tile struct {
	Rect   image.Rectangle
	Region int // index into Plan.Regions
}

// Plan is what the detector looks at in a frame of one size.
type Plan struct {
	Frame   image.Point
	Regions []Region
	Tiles   []Tile
	// Clipped names the sources that reached outside the frame (cut to
	// it) or lay wholly outside (dropped).
	Clipped []string
	// Scale is a tile's side over the model input's: 1 is the camera's own
	// resolution; Fit raises it when the tiles do not fit in MaxTiles.
	Scale float64
}

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

// Fit plans srcs at the camera's own resolution (Scale 1) when that takes
// at most MaxTiles tiles. Otherwise it looks coarser — larger tiles,
// scaled down into the model — until they fit, and when there are more
// regions than MaxTiles it looks at their common bounding box.
func Fit(frame image.Point, srcs []Source, p Params) Plan {
	maxTiles := max(p.MaxTiles, 1)
	pl := plan(frame, srcs, p, 1)
	for pl.Scale < 64 && len(pl.Tiles) > maxTiles {
		if len(pl.Regions) > maxTiles {
			clipped := pl.Clipped
			pl = plan(frame, []Source{{Name: "all regions", Rect: boundsOf(pl.Regions)}}, p, pl.Scale)
			pl.Clipped = clipped
			continue
		}
		clipped := pl.Clipped
		pl = plan(frame, srcs, p, pl.Scale*1.1)
		pl.Clipped = clipped
	}
	return pl
}

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

func plan(frame image.Point, srcs []Source, p Params, scale float64) Plan {
	pl := Plan{Frame: frame, Scale: scale, Clipped: clippedOf(frame, srcs)}
	pl.Regions = mergeRegions(frame, srcs)
	tw := max(int(math.Round(float64(p.Input.X)*scale)), 1)
	th := max(int(math.Round(float64(p.Input.Y)*scale)), 1)
	for i, r := range pl.Regions {
		for _, y := range spans(r.Rect.Min.Y, r.Rect.Dy(), th, p.Overlap) {
			for _, x := range spans(r.Rect.Min.X, r.Rect.Dx(), tw, p.Overlap) {
				pl.Tiles = append(pl.Tiles, Tile{Rect: image.Rect(x[0], y[0], x[1], y[1]), Region: i})
			}
		}
	}
	return pl
}

// spans cuts [start, start+length) into pieces of side t that overlap by
// at least overlap·t, spread evenly; a length up to 1.5·t is one piece,
// scaled down into the model rather than cut.
func spans(start, length, t int, overlap float64) [][2]int {
	if length <= 0 {
		return nil
	}
	if float64(length) <= 1.5*float64(t) {
		return [][2]int{{start, start + length}}
	}
	overlap = min(max(overlap, 0), 0.9)
	step := float64(t) * (1 - overlap)
	n := int(math.Ceil(float64(length-t)/step)) + 1
	out := make([][2]int, n)
	for i := range n {
		s := start + int(math.Round(float64(i)*float64(length-t)/float64(n-1)))
		out[i] = [2]int{s, s + t}
	}
	return out
}

// clippedOf names the sources that are not wholly inside the frame.
func clippedOf(frame image.Point, srcs []Source) []string {
	f := image.Rectangle{Max: frame}
	var out []string
	for _, s := range srcs {
		if !s.Rect.Canon().In(f) {
			out = append(out, s.Name)
		}
	}
	return out
}

func boundsOf(rs []Region) image.Rectangle {
	var b image.Rectangle
	for _, r := range rs {
		b = b.Union(r.Rect)
	}
	return b
}
