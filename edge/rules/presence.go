package rules

import (
	"slices"
	"time"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// Accumulate takes every detection of one look at a w×h frame at now —
// weak ones and people included, before the tracker — and returns the
// violations of rules with accumulation on whose objects have been
// present at one place for the dwell. Call it once per look, after
// Observe with the same frame's tracks: the two share each rule's
// cool-down, and an object alerted by one is not alerted again by the
// other during the same stay.
func (e *Engine) Accumulate(now time.Time, w, h int, dets []vision.Detection) []Violation {
	var persons []vision.Box
	for _, d := range dets {
		if d.Class == personClass {
			persons = append(persons, d.Box)
		}
	}
	// Strongest first, so the clearest sighting claims a shared place.
	dets = slices.Clone(dets)
	slices.SortStableFunc(dets, func(a, b vision.Detection) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	var out []Violation
	for _, zr := range e.zones {
		for _, r := range zr.Rules {
			if !r.Accumulate.On() {
				continue
			}
			zk := [2]string{zr.Zone.ID, r.ID}
			if r.allowedAt(now) {
				delete(e.spots, zk)
				continue
			}
			var seen []vision.Detection
			for _, d := range dets {
				if e.presenceCounts(zr.Zone, r, d, w, h, persons) {
					seen = append(seen, d)
				}
			}
			out = append(out, e.lookAt(now, zk, zr.Zone, r, seen)...)
		}
	}
	return out
}

// presenceCounts reports whether detection d is evidence of rule r's
// object in zone z.
func (e *Engine) presenceCounts(z Zone, r Rule, d vision.Detection, w, h int, persons []vision.Box) bool {
	if d.Class == personClass || d.Score < r.Accumulate.Floor || !slices.Contains(r.Classes, d.Class) {
		return false
	}
	if d.Score < r.MinScore && underPerson(d, persons) {
		return false
	}
	return z.Covers(d.Box, w, h)
}

// lookAt ages the spots of one zone and rule by a look, counts the
// detections seen, forgets places seen too rarely, and fires for places
// that have been present for the dwell.
func (e *Engine) lookAt(now time.Time, zk [2]string, z Zone, r Rule, seen []vision.Detection) []Violation {
	spots := e.spots[zk]
	for _, s := range spots {
		s.decay(now, r.Accumulate.HalfLife)
	}
	for i, j := range matchSpots(spots, seen) {
		if j < 0 {
			s := &spot{since: now, lastLook: now, look: 1}
			s.see(seen[i])
			spots = append(spots, s)
			continue
		}
		spots[j].see(seen[i])
	}
	spots = slices.DeleteFunc(spots, func(s *spot) bool { return s.share() < r.Accumulate.Presence/2 })
	e.spots[zk] = spots
	var out []Violation
	for _, s := range spots {
		if now.Sub(s.since) < r.Dwell || s.share() < r.Accumulate.Presence {
			continue
		}
		if !s.lastAlert.IsZero() && (r.Realert <= 0 || now.Sub(s.lastAlert) < r.Realert) {
			continue
		}
		if at, ok := e.trackAlerted(zk, s.box); ok && s.lastAlert.IsZero() {
			s.lastAlert = at // the tracker's path raised this object already
			continue
		}
		if at, ok := e.spotAlerted(zk, s.box); ok && s.lastAlert.IsZero() {
			// Another place on the same object raised it: a place begun
			// from a half-hidden box that the whole boxes never matched.
			s.lastAlert = at
			continue
		}
		if last, ok := e.lastAlert[zk]; ok && s.lastAlert.IsZero() && now.Sub(last) < r.Cooldown {
			continue
		}
		s.lastAlert = now
		e.lastAlert[zk] = now
		out = append(out, Violation{Zone: z, Rule: r, Object: s.finding(), Since: s.since, At: now})
	}
	return out
}

// trackAlerted reports when a live stay of zone and rule whose object
// overlaps box was alerted.
func (e *Engine) trackAlerted(zk [2]string, box vision.Box) (time.Time, bool) {
	for k, s := range e.stays {
		if k.zone == zk[0] && k.rule == zk[1] && !s.lastAlert.IsZero() && sameObject(s.box, box) {
			return s.lastAlert, true
		}
	}
	return time.Time{}, false
}

// spotAlerted reports when a remembered place of zone and rule that
// overlaps box was alerted.
func (e *Engine) spotAlerted(zk [2]string, box vision.Box) (time.Time, bool) {
	for _, s := range e.spots[zk] {
		if !s.lastAlert.IsZero() && sameObject(s.box, box) {
			return s.lastAlert, true
		}
	}
	return time.Time{}, false
}

// Spots is the number of places remembered for accumulation.
func (e *Engine) Spots() int {
	n := 0
	for _, s := range e.spots {
		n += len(s)
	}
	return n
}

// sameObject reports whether boxes a and b are likely the same object for
// one alert per stay: they overlap by half of the smaller one. Looser than
// matching, since a half-hidden box and a whole one of the same chair
// overlap little by IoU.
func sameObject(a, b vision.Box) bool {
	ix := min(a.X2, b.X2) - max(a.X1, b.X1)
	iy := min(a.Y2, b.Y2) - max(a.Y1, b.Y1)
	if ix <= 0 || iy <= 0 {
		return false
	}
	small := min((a.X2-a.X1)*(a.Y2-a.Y1), (b.X2-b.X1)*(b.Y2-b.Y1))
	return small > 0 && ix*iy >= 0.5*small
}
