package ingest

import "time"

// sampler picks frames at a target rate from a stream of arrival times.
// It keeps a schedule instead of a minimum gap, so that at 3 fps from a
// 10 fps camera it alternates 3- and 4-frame gaps and averages 3 fps, where
// a minimum gap of 333 ms would always wait 4 frames and give 2.5 fps.
type sampler struct {
	interval time.Duration // 0: take every frame
	// floor, when longer than interval, replaces it: the look scheduler's
	// limit while the box is overloaded.
	floor time.Duration
	next  time.Time
	last  time.Time // the last frame taken
}

func newSampler(fps float64) *sampler {
	if fps <= 0 {
		return &sampler{}
	}
	return &sampler{interval: time.Duration(float64(time.Second) / fps)}
}

// take reports whether the frame arriving at now is wanted.
func (s *sampler) take(now time.Time) bool { return s.takeEarly(now, 0) }

// takeEarly is take for sparse frames (keyframes only): a frame up to slack
// before its slot still gets it, so arrival jitter on a 1 s GOP sampled at
// 1 fps does not make every other keyframe miss its slot by a millisecond.
func (s *sampler) takeEarly(now time.Time, slack time.Duration) bool {
	iv := max(s.interval, s.floor)
	if iv == 0 {
		return true
	}
	if !s.last.IsZero() && s.next.After(s.last.Add(iv)) {
		// The floor was lowered or lifted since the last frame: the slot
		// it had pushed out comes back in.
		s.next = s.last.Add(iv)
	}
	if now.Add(slack).Before(s.next) {
		return false
	}
	s.next = s.next.Add(iv)
	// After a gap (start, stall, slow source) restart the schedule from now
	// rather than catching up with a burst.
	if !s.next.After(now) {
		s.next = now.Add(iv)
	}
	s.last = now
	return true
}
