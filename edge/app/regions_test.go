package app

import (
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/regions"
)

// TestCameraRegionsFollowTheConfig: auto looks at the zones, a list at
// its rectangles, full (and auto without zones) at the whole frame; the
// budget and the tile size come from the config and the model.
func TestCameraRegionsFollowTheConfig(t *testing.T) {
	cam := config.Camera{
		ID: "cam1", TileOverlap: 0.25, MaxTiles: 3, FullFrameEvery: 5,
		Zones: []config.Zone{{ID: "kerb", Coordinates: "fraction", Polygon: [][2]float64{{0, 0.5}, {0.25, 0.5}, {0.25, 1}, {0, 1}},
			Rules: []config.Rule{{ID: "r", Type: "street_vending"}}}},
	}
	zones, _ := zoneRules(cam, time.UTC)
	in := image.Pt(416, 416)
	hd := image.Pt(1920, 1080)
	cases := []struct {
		name  string
		mode  config.Regions
		noZon bool
		want  []regions.Source // nil: the whole frame
	}{
		{"auto", config.Regions{Mode: config.RegionsAuto}, false, []regions.Source{{Name: "zone kerb", Rect: image.Rect(0, 540, 480, 1080), Pad: true}}},
		{"list", config.Regions{Mode: config.RegionsList, Rects: [][4]float64{{0.5, 0.5, 1, 1}}}, false, []regions.Source{{Name: "regions[0]", Rect: image.Rect(960, 540, 1920, 1080)}}},
		{"full", config.Regions{Mode: config.RegionsFull}, false, nil},
		{"auto without zones", config.Regions{Mode: config.RegionsAuto}, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := cam
			c.Regions = tc.mode
			zs := zones
			if tc.noZon {
				zs = nil
			}
			r := cameraRegions(c, zs, in)
			if tc.want == nil {
				require.Nil(t, r)
				return
			}
			require.Equal(t, regions.Params{Input: in, Overlap: 0.25, MaxTiles: 3}, r.Params)
			require.Equal(t, 5, r.FullEvery)
			require.Equal(t, tc.want, r.Sources(hd))
		})
	}
}
