package config

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"

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
// 1080p at one look per 2 s keyframe with the model's default threads
// (`go run ./hack/bench regions`, docs/regions.md): one tile a look plus
// the whole frame every fourth look cost 1.04× a whole-frame look, two
// tiles 1.6×.
const (
	DefaultTileOverlap    = 0.2
	DefaultMaxTiles       = 1
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
