package rules

import (
	"math"
	"time"

	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// Accumulation lets a rule fire on presence that repeats at one place
// rather than on one unbroken track: a stall behind passers-by, at dusk,
// small in the picture, is seen in a third of the looks at a low score,
// and no single look — nor the tracker, which needs confident detections
// to start a track — makes it an object. The zero value is off.
type Accumulation struct {
	// Floor is the least detection score that counts, below the rule's
	// MinScore: a weak detection is noise once, evidence when it repeats.
	Floor float32
	// HalfLife is how fast the memory of a place fades: the share of
	// looks that saw something there weighs a look HalfLife ago half as
	// much as the current one.
	HalfLife time.Duration
	// Presence is the least share of looks (time-weighted, 0–1) that must
	// see the object at its place when the dwell completes. A place whose
	// share falls below half of it is forgotten: the stay ends.
	Presence float64
}

// On reports whether the rule accumulates presence.
func (a Accumulation) On() bool { return a.Floor > 0 && a.HalfLife > 0 && a.Presence > 0 }

// spotMatchIoU is the least overlap for a detection to be seen "at the
// same place" as a remembered one. Looser than the tracker's match: boxes
// of a half-hidden object jump about.
const spotMatchIoU = 0.3

// spot is one place of a zone where a rule's objects have been seen.
type spot struct {
	class      string
	box        vision.Box // running mean of the boxes seen there
	hits, look float64    // decayed counts of looks that saw it, and of all looks
	since      time.Time  // the first look that saw it: the stay began
	lastLook   time.Time
	lastAlert  time.Time
	score      float32 // the latest matched detection's
	best, sum  float32
	n          int
}

// share is the time-weighted fraction of looks that saw the object.
func (s *spot) share() float64 {
	if s.look <= 0 {
		return 0
	}
	return s.hits / s.look
}

// decay ages the spot's counts to now and counts one more look.
func (s *spot) decay(now time.Time, halfLife time.Duration) {
	d := 1.0
	if dt := now.Sub(s.lastLook); dt > 0 {
		d = math.Exp2(-float64(dt) / float64(halfLife))
	}
	s.hits *= d
	s.look = s.look*d + 1
	s.lastLook = now
}

// see counts detection det at the spot in this look.
func (s *spot) see(det vision.Detection) {
	s.hits++
	// The plain mean of every box seen there: one half-hidden box barely
	// moves it, and something walking away leaves it behind — a place
	// that follows a moving thing would make a stall of a rolling bag.
	w := 1 / float32(s.n+1)
	if s.n == 0 {
		s.box = det.Box
	} else {
		s.box = vision.Box{
			X1: s.box.X1 + w*(det.Box.X1-s.box.X1), Y1: s.box.Y1 + w*(det.Box.Y1-s.box.Y1),
			X2: s.box.X2 + w*(det.Box.X2-s.box.X2), Y2: s.box.Y2 + w*(det.Box.Y2-s.box.Y2),
		}
	}
	if det.Score >= s.best {
		s.best, s.class = det.Score, det.Class
	}
	s.score = det.Score
	s.sum += det.Score
	s.n++
}

func (s *spot) finding() Finding {
	return Finding{Kind: FindingPresence, Class: s.class, Box: s.box, Score: s.score,
		BestScore: s.best, MeanScore: s.sum / float32(max(s.n, 1)), Occupancy: s.share()}
}

// personClass is never accumulated, whatever a rule lists: someone
// standing still for minutes is not a stall.
const personClass = "person"

// underPerson reports whether weak detection d lies mostly inside the box
// of a person seen in the same look: the detector's guess at a bag, a
// chair or a table that is part of a standing person.
func underPerson(d vision.Detection, persons []vision.Box) bool {
	a := (d.Box.X2 - d.Box.X1) * (d.Box.Y2 - d.Box.Y1)
	if a <= 0 {
		return false
	}
	for _, p := range persons {
		ix := min(d.Box.X2, p.X2) - max(d.Box.X1, p.X1)
		iy := min(d.Box.Y2, p.Y2) - max(d.Box.Y1, p.Y1)
		if ix > 0 && iy > 0 && ix*iy >= 0.5*a {
			return true
		}
	}
	return false
}

// matchSpots pairs each detection with the remembered spot it overlaps
// most (each spot at most once a look) and returns, per detection, the
// index of its spot or -1.
func matchSpots(spots []*spot, dets []vision.Detection) []int {
	out := make([]int, len(dets))
	taken := make([]bool, len(spots))
	for i, d := range dets {
		out[i] = -1
		bestIoU := float32(spotMatchIoU)
		for j, s := range spots {
			if iou := track.IoU(s.box, d.Box); !taken[j] && iou >= bestIoU {
				out[i], bestIoU = j, iou
			}
		}
		if out[i] >= 0 {
			taken[out[i]] = true
		}
	}
	return out
}
