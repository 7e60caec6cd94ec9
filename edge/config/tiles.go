package config

import (
	"errors"
	"fmt"
	"image"

	"github.com/xiuhua/xiuhua/edge/regions"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/internal/conf"
)

// TileCheckFrame is the picture size the tile budget is checked at when
// the file is loaded, before any camera has sent a picture: the usual
// street camera. Zones in pixels that reach beyond it grow it. At run
// time the real size is planned again.
var TileCheckFrame = image.Pt(1920, 1080)

// validateTiles checks that each of the camera's zones (or listed
// regions), in max_tiles tiles of the model's input size
// (model.expect_input, else 416×416), is seen finer than the whole frame
// would be, and names the one that is not. Zones that need more tiles at
// the camera's resolution than max_tiles are looked at coarser; zones that
// fit one by one but not together may leave the camera looking at the
// whole frame, which it logs at its first picture (edge/regions.Fit,
// Worthwhile).
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
		fmt.Sprintf("a zone seen finer in max_tiles (%d) tiles than in the whole frame: a smaller zone, a larger max_tiles (each tile is one model run a look), or regions: full", cam.MaxTiles))
}
