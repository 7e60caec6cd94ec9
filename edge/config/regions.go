package config

import (
	"errors"
	"fmt"
	"image"

	"gopkg.in/yaml.v3"

	"github.com/xiuhua/xiuhua/edge/regions"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/internal/conf"
)

// The ways a camera's detector regions are chosen (see docs/regions.md).
const (
	// RegionsAuto derives the regions from the camera's zones: their
	// bounding boxes, padded, merged where they overlap.
	RegionsAuto = "auto"
	// RegionsFull letterboxes the whole frame into the model, as before
	// regions existed.
	RegionsFull = "full"
	// RegionsList takes the rectangles listed in the file.
	RegionsList = "list"
)

// Defaults of the region settings. They keep a 2-core box at 32 cameras of
// 1080p at one look per 2 s keyframe: see docs/regions.md for the
// measurement they come from.
const (
	DefaultTileOverlap    = 0.2
	DefaultMaxTiles       = 2
	DefaultFullFrameEvery = 4
)

// Regions is a camera's `regions:` setting: the word auto or full, or a
// list of [x1, y1, x2, y2] rectangles in fractions of the frame.
type Regions struct {
	Mode  string       // RegionsAuto, RegionsFull or RegionsList
	Rects [][4]float64 // for RegionsList
	// bad marks the list items that are not four numbers, for Validate.
	bad []bool
}

// UnmarshalYAML reads either form; shapes it cannot read are left for
// Validate to report with the field's name.
func (r *Regions) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*r = Regions{Mode: n.Value}
		return nil
	case yaml.SequenceNode:
		*r = Regions{Mode: RegionsList}
		for _, item := range n.Content {
			var xs []float64
			err := item.Decode(&xs)
			ok := err == nil && len(xs) == 4
			r.bad = append(r.bad, !ok)
			if !ok {
				xs = []float64{0, 0, 0, 0}
			}
			r.Rects = append(r.Rects, [4]float64{xs[0], xs[1], xs[2], xs[3]})
		}
		return nil
	}
	return errors.New("regions: want auto, full or a list of [x1, y1, x2, y2] fractions of the frame")
}

// MarshalYAML writes the same forms back.
func (r Regions) MarshalYAML() (any, error) {
	if r.Mode == RegionsList {
		return r.Rects, nil
	}
	return r.Mode, nil
}

// fillRegionDefaults gives a camera the default region settings: regions
// derived from its zones.
func fillRegionDefaults(cam *Camera) {
	if cam.Regions.Mode == "" {
		cam.Regions.Mode = RegionsAuto
	}
	if cam.TileOverlap == 0 {
		cam.TileOverlap = DefaultTileOverlap
	}
	if cam.MaxTiles == 0 {
		cam.MaxTiles = DefaultMaxTiles
	}
	if cam.FullFrameEvery == 0 {
		cam.FullFrameEvery = DefaultFullFrameEvery
	}
}

// validateRegionSettings checks the region fields' own values; whether
// the zones fit in max_tiles is checked by validateTiles.
func validateRegionSettings(errs *conf.Errors, p string, cam Camera) {
	r := cam.Regions
	switch r.Mode {
	case RegionsAuto, RegionsFull:
	case RegionsList:
		if len(r.Rects) == 0 {
			errs.Add(p+".regions", "[]", "auto, full, or at least one [x1, y1, x2, y2] rectangle")
		}
		for k, rc := range r.Rects {
			if rc[0] < 0 || rc[1] < 0 || rc[2] > 1 || rc[3] > 1 || rc[0] >= rc[2] || rc[1] >= rc[3] || k < len(r.bad) && r.bad[k] {
				errs.Add(fmt.Sprintf("%s.regions[%d]", p, k), fmt.Sprint(rc),
					"[x1, y1, x2, y2] as fractions of the frame, 0 ≤ x1 < x2 ≤ 1 and 0 ≤ y1 < y2 ≤ 1")
			}
		}
	default:
		errs.Add(p+".regions", r.Mode, "auto, full, or a list of [x1, y1, x2, y2] rectangles as fractions of the frame")
	}
	if cam.TileOverlap < 0.05 || cam.TileOverlap > 0.5 {
		errs.Add(p+".tile_overlap", cam.TileOverlap, "a fraction of a tile from 0.05 to 0.5")
	}
	if cam.MaxTiles < 1 || cam.MaxTiles > 64 {
		errs.Add(p+".max_tiles", cam.MaxTiles, "1 to 64 tiles per look")
	}
	if cam.FullFrameEvery < 1 || cam.FullFrameEvery > 1000 {
		errs.Add(p+".full_frame_every", cam.FullFrameEvery, "1 (every look) to 1000 looks")
	}
	if r.Mode != RegionsFull && (cam.DetectWidth != 0 || cam.DetectHeight != 0) {
		errs.Add(p+".detect_width", cam.DetectWidth,
			"0 and 0 (the camera's size) unless regions is full: regions are cut from the picture at the camera's resolution")
	}
}

// TileCheckFrame is the picture size the tile budget is checked at when
// the file is loaded, before any camera has sent a picture: the usual
// street camera. Zones in pixels that reach beyond it grow it. At run
// time the real size is planned again.
var TileCheckFrame = image.Pt(1920, 1080)

// validateTiles checks that the camera's regions, in max_tiles tiles of
// the model's input size (model.expect_input, else 416×416), are seen
// finer than the whole frame would be, and names the zone or region that
// breaks the budget. Regions that need more tiles at the camera's own
// resolution than max_tiles allows are looked at coarser (edge/regions.Fit).
func validateTiles(errs *conf.Errors, p string, cam Camera, in *InputSize) {
	if cam.MaxTiles < 1 || cam.TileOverlap < 0.05 || cam.TileOverlap > 0.5 {
		return // reported by validateRegionSettings
	}
	input := image.Pt(416, 416)
	if in != nil && in.Width > 0 && in.Height > 0 {
		input = image.Pt(in.Width, in.Height)
	}
	frame := TileCheckFrame
	var srcs []regions.Source
	var fields []string
	switch cam.Regions.Mode {
	case RegionsAuto:
		zs := make([]rules.Zone, len(cam.Zones))
		for j, z := range cam.Zones {
			zs[j] = rules.Zone{ID: z.ID, Polygon: Points(z.Polygon), Pixels: z.Coordinates == "pixels"}
			if zs[j].Pixels {
				for _, pt := range z.Polygon {
					frame = image.Pt(max(frame.X, int(min(pt[0], 1e5))), max(frame.Y, int(min(pt[1], 1e5))))
				}
			}
			fields = append(fields, fmt.Sprintf("%s.zones[%d]", p, j))
		}
		srcs = regions.FromZones(zs, frame)
	case RegionsList:
		srcs = regions.FromFractions(cam.Regions.Rects, frame)
		for k := range cam.Regions.Rects {
			fields = append(fields, fmt.Sprintf("%s.regions[%d]", p, k))
		}
	default:
		return
	}
	_, err := regions.Make(frame, srcs, regions.Params{Input: input, Overlap: cam.TileOverlap, MaxTiles: cam.MaxTiles})
	var tm *regions.TooManyTilesError
	if !errors.As(err, &tm) {
		return
	}
	field := p + ".max_tiles"
	for k, s := range srcs {
		if s.Name == tm.Source {
			field = fields[k]
		}
	}
	errs.Add(field, fmt.Sprintf("%s of camera %s: %d tiles of %dx%d at %dx%d", tm.Source, cam.ID, tm.Native, input.X, input.Y, frame.X, frame.Y),
		fmt.Sprintf("regions seen finer in max_tiles (%d) tiles than the whole frame: a smaller zone, a larger max_tiles (each tile is one model run a look), or regions: full", cam.MaxTiles))
}
