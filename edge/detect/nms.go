package detect

import (
	"cmp"
	"slices"
)

// nms keeps the highest-scoring candidates and drops any that overlap a kept
// one of the same class by more than iou (class-aware: a person under an
// umbrella keeps both). It reorders cands in place, highest score first, and
// returns the kept prefix, at most limit long.
//
// Comparing each candidate only with those already kept gives the same
// result as the textbook pairwise loop, at n·limit rather than n² cost.
func nms(cands []candidate, iou float32, limit int) []candidate {
	// Stable, so equal scores keep the decoder's order and the output is
	// reproducible.
	slices.SortStableFunc(cands, func(a, b candidate) int { return cmp.Compare(b.score, a.score) })
	kept := cands[:0]
	for _, c := range cands { // c is a copy, so writing kept[k] (k ≤ i) is safe
		if len(kept) == limit {
			break
		}
		suppressed := false
		for _, k := range kept {
			if k.class == c.class && iouOf(k.box, c.box) > iou {
				suppressed = true
				break
			}
		}
		if !suppressed {
			kept = append(kept, c)
		}
	}
	return kept
}

// iouOf is the intersection over union of two boxes; 0 when either is empty.
func iouOf(a, b Box) float32 {
	iw := min(a.X2, b.X2) - max(a.X1, b.X1)
	ih := min(a.Y2, b.Y2) - max(a.Y1, b.Y1)
	if !(iw > 0 && ih > 0) {
		return 0
	}
	inter := iw * ih
	union := (a.X2-a.X1)*(a.Y2-a.Y1) + (b.X2-b.X1)*(b.Y2-b.Y1) - inter
	if !(union > 0) {
		return 0
	}
	return inter / union
}
