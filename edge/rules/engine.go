package rules

import (
	"time"

	"github.com/xiuhua/xiuhua/edge/track"
)

// Rule raises a violation when an object of one of Classes, scored at least
// MinScore, stays inside its zone for Dwell.
type Rule struct {
	ID       string
	Type     string
	Classes  []string
	MinScore float32
	Dwell    time.Duration
	// GapTolerance is how long an object may go unseen (occluded, missed by
	// the detector) and still keep the dwell it has built up. Without it a
	// passer-by in front of a stall would restart the clock.
	GapTolerance time.Duration
	// Cooldown is the least time between two alerts for the same object.
	Cooldown time.Duration
}

func (r Rule) counts(class string, score float32) bool {
	if score < r.MinScore {
		return false
	}
	for _, c := range r.Classes {
		if c == class {
			return true
		}
	}
	return false
}

// ZoneRules is a zone with the rules that watch it.
type ZoneRules struct {
	Zone  Zone
	Rules []Rule
}

// Violation is a rule that fired for one track.
type Violation struct {
	Zone  Zone
	Rule  Rule
	Track track.Track
	// Since is when the object was first seen inside the zone in the
	// current stay; At is the frame time that completed the dwell.
	Since, At time.Time
}

// Dwell is how long the object has been in the zone.
func (v Violation) Dwell() time.Duration { return v.At.Sub(v.Since) }

type stayKey struct {
	zone, rule string
	track      uint64
}

type stay struct {
	since, lastInside, lastAlert time.Time
}

// Engine evaluates the rules of one camera. Not safe for concurrent use.
type Engine struct {
	zones []ZoneRules
	stays map[stayKey]*stay
}

// NewEngine returns an engine for the given zones.
func NewEngine(zones []ZoneRules) *Engine {
	return &Engine{zones: zones, stays: map[stayKey]*stay{}}
}

// Observe takes the tracks seen in a w×h frame at now and returns the
// violations that fired.
func (e *Engine) Observe(now time.Time, w, h int, tracks []track.Track) []Violation {
	var out []Violation
	for _, tr := range tracks {
		anchor := Anchor(tr.Box, w, h)
		for _, zr := range e.zones {
			if !zr.Zone.Contains(anchor) {
				continue
			}
			for _, r := range zr.Rules {
				if !r.counts(tr.Class, tr.Score) {
					continue
				}
				if v, ok := e.step(now, zr.Zone, r, tr); ok {
					out = append(out, v)
				}
			}
		}
	}
	e.forget(now)
	return out
}

func (e *Engine) step(now time.Time, z Zone, r Rule, tr track.Track) (Violation, bool) {
	k := stayKey{z.ID, r.ID, tr.ID}
	s := e.stays[k]
	if s == nil || now.Sub(s.lastInside) > r.GapTolerance {
		// A new stay; an alert in an earlier stay still holds its cool-down.
		var lastAlert time.Time
		if s != nil {
			lastAlert = s.lastAlert
		}
		s = &stay{since: now, lastAlert: lastAlert}
		e.stays[k] = s
	}
	s.lastInside = now
	if now.Sub(s.since) < r.Dwell {
		return Violation{}, false
	}
	if !s.lastAlert.IsZero() && now.Sub(s.lastAlert) < r.Cooldown {
		return Violation{}, false
	}
	s.lastAlert = now
	return Violation{Zone: z, Rule: r, Track: tr, Since: s.since, At: now}, true
}

// forget drops stays that can no longer matter: past their gap tolerance
// and their cool-down, so memory stays bounded on a busy street.
func (e *Engine) forget(now time.Time) {
	for k, s := range e.stays {
		r := e.rule(k.zone, k.rule)
		keep := max(r.GapTolerance, r.Cooldown)
		if now.Sub(s.lastInside) > keep {
			delete(e.stays, k)
		}
	}
}

func (e *Engine) rule(zone, rule string) Rule {
	for _, zr := range e.zones {
		if zr.Zone.ID != zone {
			continue
		}
		for _, r := range zr.Rules {
			if r.ID == rule {
				return r
			}
		}
	}
	return Rule{}
}

// Stays is the number of objects currently being timed.
func (e *Engine) Stays() int { return len(e.stays) }
