package pipeline

import (
	"image"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/regions"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// TestStagedStreetVendingWithRegions is TestStagedStreetVending with the
// detector looking at the zone (regions: auto, the defaults) instead of
// the whole frame: still exactly one violation, on the chair, and none
// without it; and the tiles really ran.
func TestStagedStreetVendingWithRegions(t *testing.T) {
	withChair, control := staged(t)
	for _, tc := range []struct {
		name  string
		video string
		want  int
	}{{"chair", withChair, 1}, {"control", control, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			var reg *Regions
			ob := runChain(t, tc.video, []rules.ZoneRules{{Zone: vendingZone, Rules: []rules.Rule{vendingRule()}}}, func(c *Camera) {
				zs := []rules.Zone{vendingZone}
				reg = &Regions{
					Sources:   func(f image.Point) []regions.Source { return regions.FromZones(zs, f) },
					Params:    regions.Params{Input: image.Pt(416, 416), Overlap: 0.2, MaxTiles: 2},
					FullEvery: 4,
				}
				c.Regions = reg
			})
			require.Len(t, reg.tiles, 1, "the kerb zone of a 768×576 frame is one tile")
			require.Greater(t, reg.looks, 100)
			items := ob.Pending()
			require.Len(t, items, tc.want)
			if tc.want == 0 {
				return
			}
			rep, err := ob.Load(items[0].ID)
			require.NoError(t, err)
			require.Equal(t, "street_vending", rep.ViolationType)
			require.GreaterOrEqual(t, rep.DwellSeconds, 30.0)
			require.Equal(t, uint32(768), rep.FrameWidth, "evidence stays full-frame")
			d := rep.Detections[0]
			r := chair(t).Rect()
			pasted := vision.Box{X1: float32(r.Min.X), Y1: float32(r.Min.Y), X2: float32(r.Max.X), Y2: float32(r.Max.Y)}
			got := vision.Box{X1: d.Box.X, Y1: d.Box.Y, X2: d.Box.X + d.Box.Width, Y2: d.Box.Y + d.Box.Height}
			iou := track.IoU(got, pasted)
			t.Logf("violation: %s dwell %.0fs best %.2f mean %.2f, IoU with the pasted chair %.2f", d.ClassName, rep.DwellSeconds, rep.BestScore, rep.MeanScore, iou)
			require.GreaterOrEqual(t, iou, float32(0.5))
		})
	}
}
