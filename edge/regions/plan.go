package regions

import (
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
