package regions

import "image"

// Pad grows a zone's bounding box by a margin so that the detector sees
// whole objects, not only the part inside the zone: an umbrella whose
// foot stands on the zone's far (top) edge reaches far above it, so the
// top margin is larger than the others. Margins are shares of the zone's
// own size, at least minMargin pixels.
func Pad(r image.Rectangle) image.Rectangle {
	r = r.Canon()
	const minMargin = 16
	side := max(r.Dx()/10, minMargin)
	bottom := max(r.Dy()/10, minMargin)
	top := max(r.Dy()/4, minMargin)
	return image.Rect(r.Min.X-side, r.Min.Y-top, r.Max.X+side, r.Max.Y+bottom)
}

// mergeRegions clips the sources to the frame, drops those wholly outside, and
// merges regions that overlap, repeatedly, as long as the merged box is
// not much larger than the pixels the two cover (two long zones crossing
// at a corner stay two regions rather than becoming their whole bounding
// box). Regions that overlap but stay apart cost a few more pixels; Merge
// removes the duplicates they find.
func mergeRegions(frame image.Point, srcs []Source) []Region {
	f := image.Rectangle{Max: frame}
	var rs []Region
	for _, s := range srcs {
		r := s.Rect.Canon()
		if s.Pad {
			r = Pad(r)
		}
		r = r.Intersect(f)
		if r.Empty() {
			continue
		}
		rs = append(rs, Region{Rect: r, Sources: []string{s.Name}})
	}
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(rs) && !merged; i++ {
			for j := i + 1; j < len(rs); j++ {
				if worthMerging(rs[i].Rect, rs[j].Rect) {
					rs[i].Rect = rs[i].Rect.Union(rs[j].Rect)
					rs[i].Sources = append(rs[i].Sources, rs[j].Sources...)
					rs = append(rs[:j], rs[j+1:]...)
					merged = true
					break
				}
			}
		}
	}
	return rs
}

// worthMerging: a and b overlap (or one holds the other) and their
// bounding box is at most a quarter larger than the area they cover.
func worthMerging(a, b image.Rectangle) bool {
	in := a.Intersect(b)
	if in.Empty() {
		return false
	}
	covered := area(a) + area(b) - area(in)
	return 4*area(a.Union(b)) <= 5*covered
}

func area(r image.Rectangle) int64 { return int64(r.Dx()) * int64(r.Dy()) }
