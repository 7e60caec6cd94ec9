package app

import (
	"image"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/regions"
	"github.com/xiuhua/xiuhua/edge/rules"
)

// cameraRegions is what camera c's detector looks at; nil for the whole
// frame. Tiles are sized for the start model's input: a model swapped in
// later with another input still runs on them, letterboxed, which is why
// model.expect_input is worth pinning.
func cameraRegions(c config.Camera, zones []rules.ZoneRules, input image.Point) *pipeline.Regions {
	var sources func(image.Point) []regions.Source
	switch c.Regions.Mode {
	case config.RegionsAuto:
		zs := make([]rules.Zone, len(zones))
		for i, z := range zones {
			zs[i] = z.Zone
		}
		if len(zs) == 0 {
			return nil // nothing to focus on
		}
		sources = func(frame image.Point) []regions.Source { return regions.FromZones(zs, frame) }
	case config.RegionsList:
		rects := c.Regions.Rects
		sources = func(frame image.Point) []regions.Source { return regions.FromFractions(rects, frame) }
	default:
		return nil
	}
	return &pipeline.Regions{
		Sources:   sources,
		Params:    regions.Params{Input: input, Overlap: c.TileOverlap, MaxTiles: c.MaxTiles},
		FullEvery: c.FullFrameEvery,
	}
}
