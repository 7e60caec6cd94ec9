package looks

import (
	"math"
	"slices"
)

// FairShare is the max-min fair share of capacity looks per second over
// cameras wanting targets (+Inf: as many as they can get): cameras wanting
// less than an even split get what they want, and the rest split what is
// left evenly. It returns the rate each of those gets; +Inf when capacity
// covers every target, 0 when there are no targets.
func FairShare(capacity float64, targets []float64) float64 {
	if len(targets) == 0 {
		return 0
	}
	t := slices.Clone(targets)
	slices.Sort(t)
	left := max(capacity, 0)
	for i, want := range t {
		even := left / float64(len(t)-i)
		if want > even {
			return even
		}
		left -= want
	}
	return math.Inf(1)
}
