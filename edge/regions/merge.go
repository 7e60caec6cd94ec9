package regions

import (
	"cmp"
	"image"
	"slices"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// Merge thresholds: boxes of one class that overlap by more than
// mergeIoU are one object; a box cut by a tile edge is part of another box
// of its class when the two overlap by more than mergeIoU within the part
// of the frame both tiles saw, or more than mergeIoS of the smaller one
// lies inside the other.
const (
	mergeIoU = 0.5
	mergeIoS = 0.5
)

// Merge puts together the detections of one look: perTile[i] found in
// tiles[i] (already in frame pixels), and full from the whole frame
// letterboxed (nil when the look had none). An object in the overlap of
// two tiles is found twice; an object wider than the overlap is found cut
// in two. A box that touches a tile edge inside the frame may be such a
// piece, so boxes whole in their tile win over pieces, pieces inside a
// whole box are dropped, and two pieces of one object become the box
// around both. The result is highest score first.
func Merge(frame image.Point, tiles []image.Rectangle, perTile [][]vision.Detection, full []vision.Detection) []vision.Detection {
	var cands []cand
	for _, d := range full {
		cands = append(cands, cand{Detection: d, tile: image.Rectangle{Max: frame}, room: [2]float32{inf, inf}})
	}
	for i, dets := range perTile {
		if i >= len(tiles) {
			break
		}
		for _, d := range dets {
			room := innerRoom(d.Box, tiles[i], frame)
			cands = append(cands, cand{Detection: d, tile: tiles[i], room: room, cut: isCut(room, tiles[i])})
		}
	}
	// Whole boxes first, then by score: a piece must not suppress the
	// whole object it is part of. Stable, so equal boxes keep tile order.
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.cut != b.cut {
			if a.cut {
				return 1
			}
			return -1
		}
		return cmp.Compare(b.Score, a.Score)
	})
	var kept []cand
	for _, c := range cands {
		k, same := matchOf(kept, c)
		if k < 0 {
			kept = append(kept, c)
			continue
		}
		switch {
		case !kept[k].cut || !c.cut:
			// A whole box and a piece or a duplicate: the whole box.
		case same:
			// Two views of the whole object near the seams: the one
			// farther from its tile's inner edges is less likely cut.
			if min(c.room[0], c.room[1]) > min(kept[k].room[0], kept[k].room[1]) {
				kept[k].Box, kept[k].room = c.Box, c.room
			}
		default:
			// Two pieces of one object: the box around both.
			kept[k].Box = union(kept[k].Box, c.Box)
		}
		kept[k].Score = max(kept[k].Score, c.Score)
	}
	out := make([]vision.Detection, len(kept))
	for i, k := range kept {
		out[i] = k.Detection
	}
	slices.SortStableFunc(out, func(a, b vision.Detection) int { return cmp.Compare(b.Score, a.Score) })
	return out
}

type cand struct {
	vision.Detection
	tile image.Rectangle // where it was found (the frame for the full look)
	// room is the distance, across and down, to the nearest tile edge
	// that is not the frame's.
	room [2]float32
	cut  bool // room is within edgeSlack: the box may be a piece
}

const inf = float32(1e30)

// matchOf is the index of the kept box that c is a duplicate or a piece
// of, or -1; same says the two match as whole boxes (by IoU) rather than
// as pieces.
func matchOf(kept []cand, c cand) (int, bool) {
	for i, k := range kept {
		if k.Class != c.Class || k.ClassID != c.ClassID {
			continue
		}
		if iou(k.Box, c.Box) > mergeIoU {
			return i, true
		}
		if k.cut || c.cut {
			// Two views of one object agree where both tiles saw it.
			shared := k.tile.Intersect(c.tile)
			if iou(clip(k.Box, shared), clip(c.Box, shared)) > mergeIoU || ios(k.Box, c.Box) > mergeIoS {
				return i, false
			}
		}
	}
	return -1, false
}

// A box within edgeSlack of a tile's side of a tile edge counts as cut by
// it: a detector's box for a cut object ends at the edge or, measured on
// the model run behind TestRegionsNoDuplicateAtSeams, up to 4 % of the
// tile inside it. Calling a whole box near an edge cut costs little: it
// only lets it join a piece of its class that it overlaps.
const edgeSlack = 0.05

// innerRoom is how far b is, across and down, from the edges of tile t
// that are not also edges of the frame.
func innerRoom(b vision.Box, t image.Rectangle, frame image.Point) [2]float32 {
	room := [2]float32{inf, inf}
	if t.Min.X > 0 {
		room[0] = min(room[0], abs(b.X1-float32(t.Min.X)))
	}
	if t.Max.X < frame.X {
		room[0] = min(room[0], abs(float32(t.Max.X)-b.X2))
	}
	if t.Min.Y > 0 {
		room[1] = min(room[1], abs(b.Y1-float32(t.Min.Y)))
	}
	if t.Max.Y < frame.Y {
		room[1] = min(room[1], abs(float32(t.Max.Y)-b.Y2))
	}
	return room
}

// isCut says whether a box with this much room to its tile's inner edges
// may be a piece of an object the edge cut.
func isCut(room [2]float32, t image.Rectangle) bool {
	return room[0] <= max(edgeSlack*float32(t.Dx()), 3) || room[1] <= max(edgeSlack*float32(t.Dy()), 3)
}

func abs(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

func inter(a, b vision.Box) float32 {
	w := min(a.X2, b.X2) - max(a.X1, b.X1)
	h := min(a.Y2, b.Y2) - max(a.Y1, b.Y1)
	if !(w > 0 && h > 0) {
		return 0
	}
	return w * h
}

func boxArea(b vision.Box) float32 { return max(b.X2-b.X1, 0) * max(b.Y2-b.Y1, 0) }

// iou is the intersection over union; 0 for empty boxes.
func iou(a, b vision.Box) float32 {
	i := inter(a, b)
	u := boxArea(a) + boxArea(b) - i
	if !(i > 0 && u > 0) {
		return 0
	}
	return i / u
}

// ios is the intersection over the smaller box's area.
func ios(a, b vision.Box) float32 {
	i := inter(a, b)
	s := min(boxArea(a), boxArea(b))
	if !(i > 0 && s > 0) {
		return 0
	}
	return i / s
}

func union(a, b vision.Box) vision.Box {
	return vision.Box{X1: min(a.X1, b.X1), Y1: min(a.Y1, b.Y1), X2: max(a.X2, b.X2), Y2: max(a.Y2, b.Y2)}
}

// clip is b cut to r; an empty box when they do not meet.
func clip(b vision.Box, r image.Rectangle) vision.Box {
	return vision.Box{
		X1: max(b.X1, float32(r.Min.X)), Y1: max(b.Y1, float32(r.Min.Y)),
		X2: min(b.X2, float32(r.Max.X)), Y2: min(b.Y2, float32(r.Max.Y)),
	}
}
