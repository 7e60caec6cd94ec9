package rules

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// Rule raises a violation when an object of one of Classes, scored at least
// MinScore, stays inside its zone for Dwell.
type Rule struct {
	ID       string
	Type     string
	Classes  []string
	MinScore float32
	Dwell    time.Duration
	// MaxMotion, when above zero, makes the dwell a time standing still:
	// an object whose anchor moves more than MaxMotion × its box height
	// from where the stay began starts a new stay there. A stall stands
	// still; a pedestrian crossing the pavement does not.
	MaxMotion float64
	// Inertia is how many observations in a row an object must be seen
	// inside before it counts; the stay still starts at the first of them.
	Inertia int
	// GapTolerance is how long an object may go unseen — a passer-by in
	// front of a stall, a cloud, dusk fooling the detector — and still
	// keep the dwell it has built up, instead of starting the clock again.
	GapTolerance time.Duration
	// Cooldown is the least time between two alerts of this rule in this
	// zone, whichever object raises them: a stall that the tracker loses
	// and finds again under a new id must not be reported twice.
	Cooldown time.Duration
	// Realert repeats the alert for an object still there after this long;
	// zero alerts once per stay.
	Realert time.Duration
	// Allowed are the daily windows, in Location, when this is no
	// violation (a licensed night market); nothing accumulates then.
	Allowed  []Hours
	Location *time.Location
	// Accumulate, when on, also fires on presence that repeats at one
	// place (see Engine.Accumulate).
	Accumulate Accumulation
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

func (r Rule) allowedAt(t time.Time) bool {
	if r.Location != nil {
		t = t.In(r.Location)
	}
	for _, h := range r.Allowed {
		if h.Contains(t) {
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

// Violation is a rule that fired for one finding.
type Violation struct {
	Zone   Zone
	Rule   Rule
	Object Finding
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
	streak                       int
	refX, refY, refSize          float64    // anchor and box height where the stay began
	box                          vision.Box // the latest, to match accumulated places
}

// Engine evaluates the rules of one camera. Not safe for concurrent use,
// except SetClasses.
type Engine struct {
	zones     []ZoneRules
	stays     map[stayKey]*stay
	spots     map[[2]string][]*spot   // by zone and rule, for rules that accumulate
	lastAlert map[[2]string]time.Time // by zone and rule, for Cooldown
	index     map[[2]string][2]int    // zone and rule ID → position in zones; never changes

	mu      sync.Mutex          // guards pending
	pending map[[2]int][]string // class sets waiting for ApplyClasses
}

// NewEngine returns an engine for the given zones. It keeps its own copy of
// the rules, so SetClasses never changes the caller's.
func NewEngine(zones []ZoneRules) *Engine {
	e := &Engine{
		zones:     slices.Clone(zones),
		stays:     map[stayKey]*stay{},
		spots:     map[[2]string][]*spot{},
		lastAlert: map[[2]string]time.Time{},
		index:     map[[2]string][2]int{},
		pending:   map[[2]int][]string{},
	}
	for i := range e.zones {
		e.zones[i].Rules = slices.Clone(e.zones[i].Rules)
		for j, r := range e.zones[i].Rules {
			e.index[[2]string{e.zones[i].Zone.ID, r.ID}] = [2]int{i, j}
		}
	}
	return e
}

// SetClasses replaces the classes that rule in zone counts, for a rule whose
// classes follow the model (one configured without classes counts its
// type's defaults that the running model has, and a hot swap changes the
// model). It is safe to call from any goroutine: the new set waits for
// ApplyClasses, which the engine's own goroutine calls between frames, so
// a frame is judged by one set of classes, the one for the model that saw
// it. A later call for the same rule replaces a waiting set. Objects whose
// class no longer counts are not cut short: their stays end after the
// rule's gap tolerance, like objects gone unseen. It reports whether the
// engine has the rule.
func (e *Engine) SetClasses(zone, rule string, classes []string) bool {
	at, ok := e.index[[2]string{zone, rule}]
	if !ok {
		return false
	}
	e.mu.Lock()
	e.pending[at] = slices.Clone(classes)
	e.mu.Unlock()
	return true
}

// ApplyClasses makes the class sets given to SetClasses since its last
// call the ones Observe and Watches use, and reports whether any rule's
// classes changed. Call it from the goroutine that calls Observe, between
// two frames.
func (e *Engine) ApplyClasses() bool {
	e.mu.Lock()
	pending := e.pending
	if len(pending) == 0 {
		e.mu.Unlock()
		return false
	}
	e.pending = map[[2]int][]string{}
	e.mu.Unlock()
	changed := false
	for at, classes := range pending {
		r := &e.zones[at[0]].Rules[at[1]]
		if !slices.Equal(r.Classes, classes) {
			r.Classes = classes
			changed = true
		}
	}
	return changed
}

// Observe takes the tracks seen in a w×h frame at now and returns the
// violations that fired.
func (e *Engine) Observe(now time.Time, w, h int, tracks []track.Track) []Violation {
	var out []Violation
	for _, zr := range e.zones {
		for _, r := range zr.Rules {
			allowed := r.allowedAt(now)
			for _, tr := range tracks {
				if !r.counts(tr.Class, tr.Score) {
					continue
				}
				k := stayKey{zr.Zone.ID, r.ID, tr.ID}
				if allowed || !zr.Zone.Covers(tr.Box, w, h) {
					// Seen outside (or in allowed hours): the object left;
					// unlike a missed detection this ends the stay.
					delete(e.stays, k)
					continue
				}
				if v, ok := e.step(now, k, zr.Zone, r, tr); ok {
					out = append(out, v)
				}
			}
		}
	}
	e.forget(now)
	return out
}

func (e *Engine) step(now time.Time, k stayKey, z Zone, r Rule, tr track.Track) (Violation, bool) {
	a := z.anchor(tr.Box)
	ax, ay := a.X, a.Y
	size := float64(tr.Box.Y2 - tr.Box.Y1)
	s := e.stays[k]
	moved := s != nil && r.MaxMotion > 0 && math.Hypot(ax-s.refX, ay-s.refY) > r.MaxMotion*max(s.refSize, 1)
	if s == nil || now.Sub(s.lastInside) > r.GapTolerance || moved {
		s = &stay{since: now, refX: ax, refY: ay, refSize: size}
		e.stays[k] = s
	}
	s.lastInside = now
	s.box = tr.Box
	s.streak++
	if s.streak < r.Inertia || now.Sub(s.since) < r.Dwell {
		return Violation{}, false
	}
	if !s.lastAlert.IsZero() && (r.Realert <= 0 || now.Sub(s.lastAlert) < r.Realert) {
		return Violation{}, false
	}
	zk := [2]string{k.zone, k.rule}
	if at, ok := e.spotAlerted(zk, tr.Box); ok && s.lastAlert.IsZero() {
		s.lastAlert = at // accumulated presence raised this object already
		return Violation{}, false
	}
	if at, ok := e.trackAlerted(zk, tr.Box); ok && s.lastAlert.IsZero() {
		// Another track on the same object raised it: the detector often
		// sees one thing as two classes (a chair and a bench), and the
		// tracker follows each.
		s.lastAlert = at
		return Violation{}, false
	}
	if last, ok := e.lastAlert[zk]; ok && s.lastAlert.IsZero() && now.Sub(last) < r.Cooldown {
		return Violation{}, false
	}
	s.lastAlert = now
	e.lastAlert[zk] = now
	return Violation{Zone: z, Rule: r, Object: trackFinding(tr), Since: s.since, At: now}, true
}

// forget drops stays past their gap tolerance, so memory stays bounded on
// a busy street.
func (e *Engine) forget(now time.Time) {
	for k, s := range e.stays {
		if now.Sub(s.lastInside) > e.rule(k.zone, k.rule).GapTolerance {
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

// Zones returns the engine's zones and rules.
func (e *Engine) Zones() []ZoneRules { return e.zones }

// Watches reports whether any rule counts objects of class.
func (e *Engine) Watches(class string) bool {
	for _, zr := range e.zones {
		for _, r := range zr.Rules {
			for _, c := range r.Classes {
				if c == class {
					return true
				}
			}
		}
	}
	return false
}

// Stays is the number of objects currently being timed.
func (e *Engine) Stays() int { return len(e.stays) }
