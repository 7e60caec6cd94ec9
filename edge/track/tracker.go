// Package track follows detected objects from one detection to the next so
// that "the same stall for seven minutes" is one object with one id, not
// hundreds of detections.
//
// The tracker is ByteTrack-style: each track's box is predicted forward
// with its estimated velocity, then detections are associated in stages —
// confident detections first, then the weak ones (a stall half hidden by a
// passer-by scores low but is still the stall), then, for detect rates of
// one frame a second and below where boxes of a walking person barely
// overlap, by centre distance gated by the object's size.
package track

import (
	"math"
	"sort"
	"time"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// Track is one object followed over time.
type Track struct {
	ID        uint64
	Class     string
	Score     float32 // of the latest matched detection
	Box       vision.Box
	FirstSeen time.Time
	LastSeen  time.Time
	Hits      int
	// BestScore and MeanScore summarise the detections of the track, for
	// the evidence.
	BestScore float32
	MeanScore float32

	vx, vy   float32 // centre velocity, pixels per second
	scoreSum float32
}

// Config tunes association. The zero value is not usable; see New.
type Config struct {
	// MaxAge is how long a track lives without a matching detection: what
	// lets an object keep its id through an occlusion.
	MaxAge time.Duration
	// HighScore splits detections into the first (confident) and second
	// (weak) association stage; detections below LowScore are ignored.
	HighScore, LowScore float32
	// NewTrackScore is the least score of an unmatched detection that
	// starts a track, so one flicker of noise does not become an object.
	NewTrackScore float32
	// MatchIoU and LowMatchIoU are the least overlap between a predicted
	// box and a confident or weak detection.
	MatchIoU, LowMatchIoU float32
	// MaxCentreShift gates the distance fallback: centres at most this
	// many times the box's mean side apart may be the same object.
	MaxCentreShift float32
}

// Tracker associates detections with tracks. Not safe for concurrent use:
// one tracker per camera, driven by that camera's detection loop.
type Tracker struct {
	cfg    Config
	next   uint64
	tracks []*Track
}

// New returns a tracker with defaults suited to detect rates of a few
// frames a second down to one every few seconds.
func New(maxAge time.Duration) *Tracker {
	return NewWithConfig(Config{
		MaxAge:         maxAge,
		HighScore:      0.5,
		LowScore:       0.1,
		NewTrackScore:  0.3,
		MatchIoU:       0.2,
		LowMatchIoU:    0.4,
		MaxCentreShift: 1.0,
	})
}

// NewWithConfig returns a tracker with cfg.
func NewWithConfig(cfg Config) *Tracker { return &Tracker{cfg: cfg} }

// Update feeds the detections of one frame taken at now and returns copies
// of the tracks seen in that frame.
func (t *Tracker) Update(now time.Time, dets []vision.Detection) []Track {
	t.expire(now)
	var high, low []int
	for i, d := range dets {
		switch {
		case d.Score >= t.cfg.HighScore:
			high = append(high, i)
		case d.Score >= t.cfg.LowScore:
			low = append(low, i)
		}
	}
	a := association{tracker: t, now: now, dets: dets, freeTrack: make([]bool, len(t.tracks))}
	a.predicted = make([]vision.Box, len(t.tracks))
	for i, tr := range t.tracks {
		a.predicted[i] = tr.predict(now)
		a.freeTrack[i] = true
	}
	// Stage 1: confident detections by overlap with the predicted boxes.
	high = a.assign(high, a.byIoU(t.cfg.MatchIoU))
	// Stage 2: weak detections may only continue a track, never start one.
	a.assign(low, a.byIoU(t.cfg.LowMatchIoU))
	// Stage 3: at low detect rates a walking person's boxes barely overlap
	// from one look to the next; accept a nearby centre instead.
	high = a.assign(high, a.byCentre(t.cfg.MaxCentreShift))
	for _, j := range high {
		d := dets[j]
		if d.Score < t.cfg.NewTrackScore {
			continue
		}
		t.next++
		tr := &Track{ID: t.next, Class: d.Class, FirstSeen: now}
		tr.observe(now, d)
		t.tracks = append(t.tracks, tr)
		a.seen = append(a.seen, *tr)
	}
	return a.seen
}

// association is the state of one Update.
type association struct {
	tracker   *Tracker
	now       time.Time
	dets      []vision.Detection
	predicted []vision.Box
	freeTrack []bool
	seen      []Track
}

type pair struct {
	score   float32 // higher is better
	tr, det int
}

// assign matches the detections dets (indexes) to free tracks, best pairs
// first, and returns the detections left over.
func (a *association) assign(dets []int, scorer func(tr, det int) (float32, bool)) []int {
	var pairs []pair
	for tr, free := range a.freeTrack {
		if !free {
			continue
		}
		for _, d := range dets {
			if a.tracker.tracks[tr].Class != a.dets[d].Class {
				continue // a stall never turns into a person
			}
			if s, ok := scorer(tr, d); ok {
				pairs = append(pairs, pair{s, tr, d})
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].score > pairs[j].score })
	used := map[int]bool{}
	for _, p := range pairs {
		if !a.freeTrack[p.tr] || used[p.det] {
			continue
		}
		a.freeTrack[p.tr], used[p.det] = false, true
		tr := a.tracker.tracks[p.tr]
		tr.observe(a.now, a.dets[p.det])
		a.seen = append(a.seen, *tr)
	}
	var rest []int
	for _, d := range dets {
		if !used[d] {
			rest = append(rest, d)
		}
	}
	return rest
}

func (a *association) byIoU(least float32) func(tr, det int) (float32, bool) {
	return func(tr, det int) (float32, bool) {
		iou := IoU(a.predicted[tr], a.dets[det].Box)
		return iou, iou >= least
	}
}

func (a *association) byCentre(maxShift float32) func(tr, det int) (float32, bool) {
	return func(tr, det int) (float32, bool) {
		p, d := a.predicted[tr], a.dets[det].Box
		size := (p.X2 - p.X1 + p.Y2 - p.Y1 + d.X2 - d.X1 + d.Y2 - d.Y1) / 4
		if size <= 0 {
			return 0, false
		}
		pcx, pcy := centre(p)
		dcx, dcy := centre(d)
		dist := float32(math.Hypot(float64(pcx-dcx), float64(pcy-dcy))) / size
		// Similar size too: a child passing a parked cart is not the cart.
		ratio := area(d) / max(area(p), 1e-6)
		return -dist, dist <= maxShift && ratio > 0.5 && ratio < 2
	}
}

// observe moves the track to detection d seen at now, updating its
// velocity with an alpha-beta filter: a steady-state Kalman filter that
// needs no tuning of noise matrices and copes with irregular intervals.
func (tr *Track) observe(now time.Time, d vision.Detection) {
	if tr.Hits > 0 {
		if dt := float32(now.Sub(tr.LastSeen).Seconds()); dt > 0 {
			ocx, ocy := centre(tr.Box)
			ncx, ncy := centre(d.Box)
			const beta = 0.5
			tr.vx += beta * ((ncx-ocx)/dt - tr.vx)
			tr.vy += beta * ((ncy-ocy)/dt - tr.vy)
		}
	}
	tr.Box, tr.Score, tr.LastSeen = d.Box, d.Score, now
	tr.Hits++
	tr.scoreSum += d.Score
	tr.MeanScore = tr.scoreSum / float32(tr.Hits)
	tr.BestScore = max(tr.BestScore, d.Score)
}

// predict is where the track's box should be at now.
func (tr *Track) predict(now time.Time) vision.Box {
	dt := float32(now.Sub(tr.LastSeen).Seconds())
	dx, dy := tr.vx*dt, tr.vy*dt
	b := tr.Box
	return vision.Box{X1: b.X1 + dx, Y1: b.Y1 + dy, X2: b.X2 + dx, Y2: b.Y2 + dy}
}

// expire drops tracks unseen for longer than MaxAge, before association,
// so that an object back after a long absence starts a new track.
func (t *Tracker) expire(now time.Time) {
	live := t.tracks[:0]
	for _, tr := range t.tracks {
		if now.Sub(tr.LastSeen) <= t.cfg.MaxAge {
			live = append(live, tr)
		}
	}
	clear(t.tracks[len(live):])
	t.tracks = live
}

// Len is the number of live tracks, seen or waiting out a gap.
func (t *Tracker) Len() int { return len(t.tracks) }

// IoU is the intersection over union of two boxes.
func IoU(a, b vision.Box) float32 {
	ix1, iy1 := max(a.X1, b.X1), max(a.Y1, b.Y1)
	ix2, iy2 := min(a.X2, b.X2), min(a.Y2, b.Y2)
	if ix2 <= ix1 || iy2 <= iy1 {
		return 0
	}
	inter := (ix2 - ix1) * (iy2 - iy1)
	union := area(a) + area(b) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

func area(b vision.Box) float32 { return max(b.X2-b.X1, 0) * max(b.Y2-b.Y1, 0) }

func centre(b vision.Box) (float32, float32) { return (b.X1 + b.X2) / 2, (b.Y1 + b.Y2) / 2 }
