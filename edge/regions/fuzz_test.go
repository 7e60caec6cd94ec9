package regions

import (
	"image"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// FuzzFit plans whatever zones, frame and settings come, as a config file
// or a camera might give them: it must not panic, every tile must lie in
// its region and the frame, every region must be covered, and the tiles
// must fit the budget.
func FuzzFit(f *testing.F) {
	f.Add(1920, 1080, 0.1, 0.6, 0.3, 1.0, 0.5, 0.05, 0.8, 0.2, false, 0.2, 2)
	f.Add(768, 576, 600.0, 400.0, 1000.0, 700.0, -5.0, -5.0, 2.0, 3.0, true, 0.05, 1)
	f.Add(64, 48, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, false, 0.5, 64)
	f.Fuzz(func(t *testing.T, w, h int, ax, ay, bx, by, cx, cy, dx, dy float64, pixels bool, overlap float64, maxTiles int) {
		if w < 1 || h < 1 || w > 8192 || h > 8192 || maxTiles < 1 || maxTiles > 64 || !(overlap >= 0.05 && overlap <= 0.5) {
			t.Skip("outside what config validation lets through")
		}
		zones := []rules.Zone{
			{ID: "a", Pixels: pixels, Polygon: []rules.Point{{X: ax, Y: ay}, {X: bx, Y: ay}, {X: bx, Y: by}}},
			{ID: "b", Pixels: pixels, Polygon: []rules.Point{{X: cx, Y: cy}, {X: dx, Y: cy}, {X: dx, Y: dy}, {X: cx, Y: dy}}},
		}
		frame := image.Pt(w, h)
		srcs := append(FromZones(zones, frame), FromFractions([][4]float64{{ax, ay, bx, by}}, frame)...)
		p := Params{Input: image.Pt(416, 416), Overlap: overlap, MaxTiles: maxTiles}
		pl := Fit(frame, srcs, p)
		require.LessOrEqual(t, len(pl.Tiles), maxTiles)
		requireCovered(t, pl)
		_, _ = Make(frame, srcs, p)
	})
}

// FuzzMerge merges arbitrary boxes from two seam tiles: no panic, no more
// boxes out than in, every class out was in.
func FuzzMerge(f *testing.F) {
	f.Add(float32(300), float32(50), float32(416), float32(150), float32(333), float32(52), float32(500), float32(149), uint8(0), uint8(0))
	f.Add(float32(0), float32(0), float32(-1), float32(1e30), float32(1), float32(2), float32(3), float32(4), uint8(1), uint8(0))
	f.Fuzz(func(t *testing.T, a1, a2, a3, a4, b1, b2, b3, b4 float32, ca, cb uint8) {
		classes := []string{"chair", "umbrella"}
		da := vision.Detection{ClassID: int(ca % 2), Class: classes[ca%2], Score: 0.5, Box: vision.Box{X1: a1, Y1: a2, X2: a3, Y2: a4}}
		db := vision.Detection{ClassID: int(cb % 2), Class: classes[cb%2], Score: 0.6, Box: vision.Box{X1: b1, Y1: b2, X2: b3, Y2: b4}}
		out := Merge(seamFrame, seamTiles, [][]vision.Detection{{da}, {db}}, []vision.Detection{da})
		require.NotEmpty(t, out)
		require.LessOrEqual(t, len(out), 3)
		for _, d := range out {
			require.Contains(t, classes, d.Class)
		}
	})
}
