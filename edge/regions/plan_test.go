package regions

import (
	"image"
	"testing"

	"github.com/stretchr/testify/require"
)

var hd = image.Pt(1920, 1080)

func params(maxTiles int) Params {
	return Params{Input: image.Pt(416, 416), Overlap: 0.2, MaxTiles: maxTiles}
}

func TestFitPlansRegionsAndTiles(t *testing.T) {
	cases := []struct {
		name     string
		frame    image.Point
		srcs     []Source
		maxTiles int
		regions  []image.Rectangle
		tiles    int
		scale    float64
		clipped  []string
	}{
		{"small zone is one padded tile", hd, []Source{{Name: "a", Rect: image.Rect(100, 600, 400, 900), Pad: true}}, 4,
			[]image.Rectangle{image.Rect(70, 525, 430, 930)}, 1, 1, nil},
		{"zone at the corner is padded inside the frame only", hd, []Source{{Name: "a", Rect: image.Rect(0, 900, 300, 1080), Pad: true}}, 4,
			[]image.Rectangle{image.Rect(0, 855, 330, 1080)}, 1, 1, nil},
		{"overlapping zones merge", hd, []Source{{Name: "a", Rect: image.Rect(100, 100, 400, 400)}, {Name: "b", Rect: image.Rect(300, 120, 600, 400)}}, 4,
			[]image.Rectangle{image.Rect(100, 100, 600, 400)}, 1, 1, nil},
		{"far zones stay apart", hd, []Source{{Name: "a", Rect: image.Rect(0, 0, 300, 300)}, {Name: "b", Rect: image.Rect(1500, 700, 1900, 1000)}}, 4,
			[]image.Rectangle{image.Rect(0, 0, 300, 300), image.Rect(1500, 700, 1900, 1000)}, 2, 1, nil},
		{"crossing strips stay apart", hd, []Source{{Name: "a", Rect: image.Rect(0, 500, 1920, 600)}, {Name: "b", Rect: image.Rect(900, 0, 1000, 1080)}}, 20,
			[]image.Rectangle{image.Rect(0, 500, 1920, 600), image.Rect(900, 0, 1000, 1080)}, 9, 1, nil},
		{"large zone is tiled at native resolution", hd, []Source{{Name: "a", Rect: image.Rect(0, 540, 1920, 1080)}}, 8,
			[]image.Rectangle{image.Rect(0, 540, 1920, 1080)}, 6, 1, nil},
		{"too many tiles look coarser", hd, []Source{{Name: "a", Rect: image.Rect(0, 540, 1920, 1080)}}, 2,
			[]image.Rectangle{image.Rect(0, 540, 1920, 1080)}, 2, 0, nil},
		{"pixel zone beyond the frame is clipped", image.Pt(768, 576), []Source{{Name: "a", Rect: image.Rect(600, 400, 1000, 700)}}, 2,
			[]image.Rectangle{image.Rect(600, 400, 768, 576)}, 1, 1, []string{"a"}},
		{"zone wholly outside is dropped", image.Pt(768, 576), []Source{{Name: "a", Rect: image.Rect(800, 600, 1000, 700)}, {Name: "b", Rect: image.Rect(0, 0, 100, 100)}}, 2,
			[]image.Rectangle{image.Rect(0, 0, 100, 100)}, 1, 1, []string{"a"}},
		{"more regions than tiles become one", hd, []Source{{Name: "a", Rect: image.Rect(0, 0, 100, 100)}, {Name: "b", Rect: image.Rect(1800, 900, 1900, 1000)}}, 1,
			[]image.Rectangle{image.Rect(0, 0, 1900, 1000)}, 1, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pl := Fit(tc.frame, tc.srcs, params(tc.maxTiles))
			var got []image.Rectangle
			for _, r := range pl.Regions {
				got = append(got, r.Rect)
			}
			require.Equal(t, tc.regions, got)
			require.Len(t, pl.Tiles, tc.tiles)
			if tc.scale > 0 {
				require.Equal(t, tc.scale, pl.Scale)
			} else {
				require.Greater(t, pl.Scale, 1.0, "looked coarser")
			}
			require.Equal(t, tc.clipped, pl.Clipped)
			requireCovered(t, pl)
		})
	}
}

func TestTilesOverlapBySetShare(t *testing.T) {
	pl := Fit(hd, []Source{{Name: "a", Rect: image.Rect(0, 0, 1920, 1080)}}, params(64))
	require.Len(t, pl.Tiles, 18)
	for i, a := range pl.Tiles {
		require.Equal(t, image.Pt(416, 416), a.Rect.Size())
		if i+1 < len(pl.Tiles) && pl.Tiles[i+1].Rect.Min.Y == a.Rect.Min.Y {
			shared := a.Rect.Intersect(pl.Tiles[i+1].Rect).Dx()
			require.GreaterOrEqual(t, shared, 83, "tiles %v and %v", a.Rect, pl.Tiles[i+1].Rect)
		}
	}
}

func TestMakeNamesTheSourceThatBreaksTheBudget(t *testing.T) {
	kerb := Source{Name: "zone kerb", Rect: image.Rect(0, 600, 300, 900), Pad: true}
	plaza := Source{Name: "zone plaza", Rect: image.Rect(0, 500, 1920, 1080), Pad: true}
	_, err := Make(hd, []Source{kerb, plaza}, params(1))
	var tm *TooManyTilesError
	require.ErrorAs(t, err, &tm)
	require.Equal(t, "zone plaza", tm.Source)
	require.Equal(t, 12, tm.Native)
	require.EqualError(t, err, "zone plaza: 12 tiles of 416x416 at 1920x1080; in 1 tiles it is seen no finer than the whole frame")

	pl, err := Make(hd, []Source{kerb, plaza}, params(2))
	require.NoError(t, err, "two tiles of the whole frame are finer than one")
	require.Less(t, pl.Coarseness(image.Pt(416, 416)), FullCoarseness(hd, image.Pt(416, 416)))
	require.True(t, pl.Worthwhile(image.Pt(416, 416)), "two halves of the strip are 2x finer than the whole frame")

	// A zone over the whole frame asks for the whole frame: no error.
	pl, err = Make(hd, []Source{{Name: "zone all", Rect: image.Rect(0, 0, 1920, 1080), Pad: true}}, params(1))
	require.NoError(t, err)
	require.False(t, pl.Worthwhile(image.Pt(416, 416)))

	// Two corners fit one by one, not together: no error, and not worth it.
	far := Source{Name: "zone far", Rect: image.Rect(1600, 100, 1900, 400), Pad: true}
	pl, err = Make(hd, []Source{kerb, far}, params(1))
	require.NoError(t, err)
	require.False(t, pl.Worthwhile(image.Pt(416, 416)))
	pl, err = Make(hd, []Source{kerb, far}, params(2))
	require.NoError(t, err)
	require.True(t, pl.Worthwhile(image.Pt(416, 416)))
}

func TestFromZonesAndFractions(t *testing.T) {
	srcs := FromFractions([][4]float64{{0.5, 0.5, 1, 1}}, image.Pt(800, 600))
	require.Equal(t, []Source{{Name: "regions[0]", Rect: image.Rect(400, 300, 800, 600)}}, srcs)
}

// requireCovered checks that every region is wholly inside the union of
// its tiles and every tile inside its region and the frame.
func requireCovered(t *testing.T, pl Plan) {
	t.Helper()
	f := image.Rectangle{Max: pl.Frame}
	for _, tl := range pl.Tiles {
		require.False(t, tl.Rect.Empty())
		require.True(t, tl.Rect.In(pl.Regions[tl.Region].Rect), "tile %v outside its region", tl.Rect)
	}
	for i, r := range pl.Regions {
		require.True(t, r.Rect.In(f), "region %v outside the frame", r.Rect)
		for _, fx := range []float64{0, 0.13, 0.29, 0.5, 0.71, 0.87, 0.999} {
			for _, fy := range []float64{0, 0.13, 0.29, 0.5, 0.71, 0.87, 0.999} {
				p := image.Pt(r.Rect.Min.X+int(fx*float64(r.Rect.Dx())), r.Rect.Min.Y+int(fy*float64(r.Rect.Dy())))
				in := false
				for _, tl := range pl.Tiles {
					in = in || (tl.Region == i && p.In(tl.Rect))
				}
				require.True(t, in, "point %v of region %v in no tile", p, r.Rect)
			}
		}
	}
}
