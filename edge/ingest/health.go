package ingest

import (
	"fmt"
	"time"
)

// keyHealth watches a stream's keyframes for the two ways a camera can
// pull a box into trouble on its own: never sending one (nothing can be
// decoded, or keyframes-only decoding waits forever) and timestamps that
// lie about the rate (a clock running slow makes the GOP look long, which
// would switch auto mode to decoding every frame). Owned by the packet
// path.
type keyHealth struct {
	// wall measures the keyframe interval on the arrival clock; it is
	// reset with each session, lastKey is not, so "no keyframe for"
	// spans reconnects.
	wall    keyframeMeter
	lastKey time.Time
	noKey   bool
}

// Limits of the checks.
const (
	// minNoKeyframe is the shortest wait for a keyframe that is reported;
	// a longer measured GOP waits three intervals.
	minNoKeyframe = 5 * time.Second
	// clockSlack is how far the camera's keyframe interval may differ from
	// the arrival one before its timestamps are not believed.
	clockSlack = 1.5
)

// checkKeyframe notes a keyframe arriving at now whose interval by the
// camera's timestamps is ptsInterval, and returns the interval to decide
// the decode mode by: the arrival one when the two disagree.
func (c *Camera) checkKeyframe(now time.Time, ptsInterval time.Duration) time.Duration {
	h := &c.health
	h.wall.key(time.Duration(now.UnixNano()))
	h.lastKey, h.noKey = now, false
	wall := h.wall.interval
	if ptsInterval > 0 && wall > 0 {
		r := float64(ptsInterval) / float64(wall)
		if r > clockSlack || r < 1/clockSlack {
			// Either clock may be the wrong one (a camera's that runs
			// slow, or arrival bunched up by a busy network or box): the
			// shorter interval is the safe one, since it never makes auto
			// mode decode every frame for a GOP that is not really long.
			c.setProblem(fmt.Sprintf("camera timestamps disagree with arrival: a keyframe every %v by its clock, every %v by arrival; deciding by the shorter",
				ptsInterval.Round(100*time.Millisecond), wall.Round(100*time.Millisecond)))
			return min(wall, ptsInterval)
		}
	}
	c.setProblem("")
	return ptsInterval
}

// checkNoKeyframe runs for every access unit that is not a keyframe.
func (c *Camera) checkNoKeyframe(now time.Time, interval time.Duration) {
	h := &c.health
	if h.lastKey.IsZero() {
		h.lastKey = now // the first unit starts the wait
		return
	}
	limit := max(minNoKeyframe, 3*interval)
	if h.noKey || now.Sub(h.lastKey) <= limit {
		return
	}
	h.noKey = true
	c.setProblem(fmt.Sprintf("no keyframe for more than %v while access units arrive: nothing new can be decoded", limit.Round(time.Second)))
}

// setProblem publishes the stream's problem, logging when it changes.
func (c *Camera) setProblem(p string) {
	c.mu.Lock()
	old := c.problem
	c.problem = p
	c.mu.Unlock()
	switch {
	case p == old:
	case p == "":
		c.log.Info("stream problem cleared", "was", old)
	default:
		c.log.Warn("stream problem", "problem", p)
	}
}

// SetLookLimit caps the rate frames are handed out at fps (0: no cap
// beyond DetectFPS). The look scheduler sets it to the camera's fair share
// while the box is overloaded, so that no picture is decoded and converted
// only to wait and be replaced. Safe from any goroutine.
func (c *Camera) SetLookLimit(fps float64) {
	var ns int64
	if fps > 0 {
		ns = int64(float64(time.Second) / fps)
	}
	c.lookLimit.Store(ns)
}

// fullDecodeOK asks the box whether auto mode may decode every frame.
func (c *Camera) fullDecodeOK() bool {
	return c.cfg.FullDecodeOK == nil || c.cfg.FullDecodeOK()
}
