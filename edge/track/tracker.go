// Package track follows detected objects from one detection to the next so
// that "the same stall for seven minutes" is one object with one id, not
// hundreds of detections. This is the walking-skeleton tracker: greedy IoU
// association per class. The seam (Update in, tracks out) is what the
// ByteTrack-style tracker will keep.
package track

import (
	"sort"
	"time"

	"github.com/xiuhua/xiuhua/edge/detect"
)

// Track is one object followed over time.
type Track struct {
	ID        uint64
	Class     string
	Score     float32
	Box       detect.Box
	FirstSeen time.Time
	LastSeen  time.Time
	Hits      int
}

// Tracker associates detections with tracks. Not safe for concurrent use:
// one tracker per camera, driven by that camera's detection loop.
type Tracker struct {
	// MaxAge is how long a track lives without a matching detection. It is
	// what lets an object keep its id through a short occlusion.
	MaxAge time.Duration
	// MinIoU is the least overlap for a detection to continue a track.
	MinIoU float32

	next   uint64
	tracks []*Track
}

// New returns a tracker with the given MaxAge and an IoU threshold suited to
// detect rates of one to a few frames per second.
func New(maxAge time.Duration) *Tracker {
	return &Tracker{MaxAge: maxAge, MinIoU: 0.3}
}

// Update feeds the detections of one frame taken at now and returns copies
// of the tracks seen in that frame.
func (t *Tracker) Update(now time.Time, dets []detect.Detection) []Track {
	t.expire(now)
	type pair struct {
		iou     float32
		tr, det int
	}
	var pairs []pair
	for i, tr := range t.tracks {
		for j, d := range dets {
			if d.Class != tr.Class {
				continue
			}
			if iou := IoU(tr.Box, d.Box); iou >= t.MinIoU {
				pairs = append(pairs, pair{iou, i, j})
			}
		}
	}
	// Best overlaps first, so a crowded scene does not hand a track to the
	// first detection that merely touches it.
	sort.Slice(pairs, func(a, b int) bool { return pairs[a].iou > pairs[b].iou })
	usedTr := make([]bool, len(t.tracks))
	usedDet := make([]bool, len(dets))
	var seen []Track
	for _, p := range pairs {
		if usedTr[p.tr] || usedDet[p.det] {
			continue
		}
		usedTr[p.tr], usedDet[p.det] = true, true
		tr, d := t.tracks[p.tr], dets[p.det]
		tr.Box, tr.Score, tr.LastSeen = d.Box, d.Score, now
		tr.Hits++
		seen = append(seen, *tr)
	}
	for j, d := range dets {
		if usedDet[j] {
			continue
		}
		t.next++
		tr := &Track{ID: t.next, Class: d.Class, Score: d.Score, Box: d.Box, FirstSeen: now, LastSeen: now, Hits: 1}
		t.tracks = append(t.tracks, tr)
		seen = append(seen, *tr)
	}
	return seen
}

// expire drops tracks unseen for longer than MaxAge, before association,
// so that an object back after a long absence starts a new track.
func (t *Tracker) expire(now time.Time) {
	live := t.tracks[:0]
	for _, tr := range t.tracks {
		if now.Sub(tr.LastSeen) <= t.MaxAge {
			live = append(live, tr)
		}
	}
	clear(t.tracks[len(live):])
	t.tracks = live
}

// Len is the number of live tracks, seen or waiting out a gap.
func (t *Tracker) Len() int { return len(t.tracks) }

// IoU is the intersection over union of two boxes.
func IoU(a, b detect.Box) float32 {
	ix1, iy1 := max(a.X1, b.X1), max(a.Y1, b.Y1)
	ix2, iy2 := min(a.X2, b.X2), min(a.Y2, b.Y2)
	if ix2 <= ix1 || iy2 <= iy1 {
		return 0
	}
	inter := (ix2 - ix1) * (iy2 - iy1)
	union := (a.X2-a.X1)*(a.Y2-a.Y1) + (b.X2-b.X1)*(b.Y2-b.Y1) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}
