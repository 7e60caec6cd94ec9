package cases

import (
	"slices"
	"time"

	"github.com/xiuhua/xiuhua/internal/geo"
	"github.com/xiuhua/xiuhua/server/store"
)

// Merge says when a report joins an existing case instead of opening one.
// A report joins an open case of the same device, camera, zone and type
// (camera ids are each device's own) last seen
// within Window when their boxes overlap (IoU above IoU) or their positions
// are within DistanceM metres. A report that matches a case officers
// rejected less than Suppress ago is kept with that case as a suppressed
// repeat, and opens nothing.
type Merge struct {
	// Types that merge. Violations of stationary things (a stall, laundry,
	// a shed) are seen again and again; a type left out (the demo's
	// lingering person) opens a case per report.
	Types     []string
	IoU       float64
	DistanceM float64
	Window    time.Duration
	Suppress  time.Duration
}

// DefaultMerge merges the four enforced types.
func DefaultMerge() Merge {
	return Merge{
		Types:     []string{"street_vending", "outside_store", "street_laundry", "illegal_structure"},
		IoU:       0.3,
		DistanceM: 15,
		Window:    30 * time.Minute,
		Suppress:  24 * time.Hour,
	}
}

// Applies reports whether reports of violationType merge.
func (m Merge) Applies(violationType string) bool { return slices.Contains(m.Types, violationType) }

// Matches reports whether r shows the same violation as candidate k.
func (m Merge) Matches(r *store.Report, k store.Candidate) bool {
	if r.Location != nil && k.Location != nil &&
		geo.Distance(geo.Point{Lat: r.Location.Lat, Lon: r.Location.Lon}, geo.Point{Lat: k.Location.Lat, Lon: k.Location.Lon}) <= m.DistanceM {
		return true
	}
	return MaxIoU(r.Detections, k.Detections) > m.IoU
}

// MaxIoU is the largest intersection-over-union of any box of a with any
// box of b; 0 when either has none.
func MaxIoU(a, b []store.Detection) float64 {
	best := 0.0
	for _, x := range a {
		for _, y := range b {
			best = max(best, IoU(x, y))
		}
	}
	return best
}

// IoU is the intersection over union of two boxes; 0 for empty boxes.
func IoU(a, b store.Detection) float64 {
	ix := overlap(float64(a.X), float64(a.Width), float64(b.X), float64(b.Width))
	iy := overlap(float64(a.Y), float64(a.Height), float64(b.Y), float64(b.Height))
	inter := ix * iy
	union := float64(a.Width)*float64(a.Height) + float64(b.Width)*float64(b.Height) - inter
	if inter <= 0 || union <= 0 {
		return 0
	}
	return inter / union
}

func overlap(a, aw, b, bw float64) float64 {
	return max(0, min(a+aw, b+bw)-max(a, b))
}
