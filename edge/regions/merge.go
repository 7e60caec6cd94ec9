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
