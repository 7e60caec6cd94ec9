package looks

import (
	"math"
	"time"
)

// Thresholds of the overload state. Entering needs the slots busy nearly
// all the time and the cameras short of what they ask for. Leaving is
// judged on capacity, not on how busy the slots are: while overloaded the
// cameras are held to their shares, so idle slots mean the shares were
// cautious, not that the box could serve every camera in full. It leaves
// when the looks' measured cost has said for a whole window that the slots
// could serve everything that is asked with a margin, so that a box at the
// edge does not flap.
const (
	enterBusy     = 0.90
	enterAchieved = 0.90
	leaveCapacity = 1.1
	// headroom is how far above its fair share an overloaded camera may
	// offer looks, so that its share grows back when capacity frees up.
	headroom = 1.2
)

// Status is the scheduler's state as of the last tick.
type Status struct {
	Overloaded bool
	// Busy is the share of slot time spent looking over the window;
	// Background the share spent on background work (not looks).
	Busy, Background float64
	// Achieved and Demand are looks per second over the window: done, and
	// wanted by the cameras that asked for turns (+Inf when one of them
	// wants every frame). Capacity is what the slots could do without a
	// pause at the looks' measured cost (+Inf before any look).
	Achieved, Demand, Capacity float64
	Cameras                    []CameraStatus
}

// CameraStatus is one camera's measurements.
type CameraStatus struct {
	ID string
	// Target is the configured rate; Rate the achieved looks per second
	// over the window; Limit the rate it is asked to offer (0: none).
	Target, Rate, Limit float64
	// LookCost is the smoothed time one of its looks takes.
	LookCost time.Duration
}

// Status is a snapshot as of the last tick.
func (s *Scheduler) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.summary
	st.Cameras = append([]CameraStatus(nil), st.Cameras...)
	return st
}

// Settled reports whether a whole window has been measured: before, the
// overload state says nothing yet.
func (s *Scheduler) Settled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ticks >= s.cfg.Window
}

// Overloaded reports whether the box is overloaded now.
func (s *Scheduler) Overloaded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overld
}

type limitCall struct {
	f   func(float64)
	fps float64
}

// measure closes the current tick: rates, the overload state, shares.
func (s *Scheduler) measure() {
	s.mu.Lock()
	s.ticks++
	n := min(s.ticks, s.cfg.Window)
	span := (time.Duration(n) * s.cfg.Tick).Seconds()
	var busy, bg time.Duration
	for i, b := range s.busy {
		busy += b
		bg += s.bgBusy[i]
	}
	slotSecs := span * float64(s.cfg.Slots)
	st := Status{Busy: busy.Seconds() / slotSecs, Background: bg.Seconds() / slotSecs}
	totalLooks := 0
	var targets []float64
	for _, c := range s.cams {
		looks := 0
		for _, l := range c.looks {
			looks += l
		}
		totalLooks += looks
		cs := CameraStatus{ID: c.id, Target: c.target, Rate: float64(looks) / span, LookCost: c.cost}
		st.Achieved += cs.Rate
		if c.asked >= 0 && s.ticks-c.asked <= s.cfg.Window {
			t := c.target
			if t <= 0 {
				t = math.Inf(1)
			}
			st.Demand += t
			targets = append(targets, t)
		}
		st.Cameras = append(st.Cameras, cs)
	}
	if totalLooks > 0 {
		// Looks a second the slots could give with no pause between
		// looks, at the cost they measured.
		st.Capacity = float64(s.cfg.Slots) * float64(totalLooks) / busy.Seconds()
	} else {
		st.Capacity = math.Inf(1)
	}
	was := s.overld
	if s.ticks >= s.cfg.Window {
		// Judged on full windows only: the first seconds after a start
		// are not a measurement.
		short := st.Achieved < enterAchieved*st.Demand
		switch {
		case !s.overld && st.Busy >= enterBusy && short:
			s.overld = true
		case s.overld && st.Capacity >= leaveCapacity*st.Demand:
			// Only after a whole window of it: one cheap second on a
			// busy box is not the end of an overload.
			s.calm++
			if s.calm >= s.cfg.Window {
				s.overld = false
			}
		default:
			s.calm = 0
		}
	}
	st.Overloaded = s.overld
	share := 0.0
	if s.overld {
		share = FairShare(st.Capacity, targets)
	}
	calls := s.setLimits(&st, share)
	s.summary = st
	// Next bucket.
	s.tick = (s.tick + 1) % s.cfg.Window
	s.busy[s.tick] = 0
	s.bgBusy[s.tick] = 0
	for _, c := range s.cams {
		c.looks[s.tick] = 0
	}
	s.mu.Unlock()

	if s.overld != was {
		s.logChange(st, share)
	}
	for _, call := range calls {
		call.f(call.fps)
	}
}

// setLimits works out each camera's limit from the fair share (0 when not
// overloaded) into st, and returns the calls to make for those that
// changed. Call with mu held; make the calls without it.
func (s *Scheduler) setLimits(st *Status, share float64) []limitCall {
	var calls []limitCall
	for i, c := range s.cams {
		limit := 0.0
		if s.overld && !math.IsInf(share, 1) && (c.target <= 0 || share*headroom < c.target) {
			limit = share * headroom
		}
		if limit != c.limit {
			c.limit = limit
			if c.onLimit != nil {
				calls = append(calls, limitCall{c.onLimit, limit})
			}
		}
		st.Cameras[i].Limit = limit
	}
	return calls
}

func (s *Scheduler) logChange(st Status, share float64) {
	if st.Overloaded {
		s.cfg.Log.Warn("box overloaded: looks are shared evenly between cameras",
			"cameras", len(st.Cameras), "looks_per_s", round2(st.Achieved), "wanted_per_s", round2(st.Demand),
			"capacity_per_s", round2(st.Capacity), "busy", round2(st.Busy), "share_per_camera", round2(share))
		return
	}
	s.cfg.Log.Info("box no longer overloaded", "looks_per_s", round2(st.Achieved), "wanted_per_s", round2(st.Demand),
		"capacity_per_s", round2(st.Capacity), "busy", round2(st.Busy))
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
