package looks

import (
	"context"
	"slices"
	"time"
)

// Background work (building a violation's evidence: the whole picture
// converted, JPEG encodes, a best sighting's keyframe decoded again) uses
// the cores the looks use, but can wait for them. It takes a slot like a
// look, so the box never runs more at once than it has slots, but only
// while no camera waits for a turn. Work that has waited BackgroundWait
// joins the round-robin as if it were one more camera, so that a box that
// is never idle still builds its evidence, and gets a fair share of turns.
// Background turns are not looks: they count in no camera's rate and not
// in the busy time that decides overload, so a burst of violations (every
// camera watching the same street) does not make the box call itself
// overloaded and hold every camera to a share.

// DefaultBackgroundWait is how long background work yields to looks.
const DefaultBackgroundWait = 2 * time.Second

type bgWaiter struct {
	grant   chan struct{}
	since   time.Time
	waiting bool
}

// Background blocks until background work may run, or ctx ends. Call Done
// on the Turn when the work is over.
func (s *Scheduler) Background(ctx context.Context) (Turn, error) {
	w := &bgWaiter{grant: make(chan struct{}, 1), since: time.Now(), waiting: true}
	s.mu.Lock()
	s.bgq = append(s.bgq, w)
	s.dispatch()
	s.mu.Unlock()
	select {
	case <-w.grant:
		return Turn{s: s, bg: true, start: time.Now()}, nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.waiting {
		s.bgq = slices.DeleteFunc(s.bgq, func(o *bgWaiter) bool { return o == w })
		return Turn{}, ctx.Err()
	}
	// Granted while ctx ended: hand the slot on.
	<-w.grant
	s.free++
	s.dispatch()
	return Turn{}, ctx.Err()
}

// grantBackground gives a free slot to the oldest background waiter when
// no camera waits (next is nil), or when it has waited BackgroundWait and
// background was served less recently than next. Call with mu held and a
// slot free.
func (s *Scheduler) grantBackground(next *Camera) bool {
	if len(s.bgq) == 0 {
		return false
	}
	w := s.bgq[0]
	overdue := time.Since(w.since) >= s.cfg.BackgroundWait
	if next != nil && (!overdue || next.lastGrant < s.bgLastGrant) {
		return false
	}
	s.bgq = s.bgq[1:]
	s.free--
	s.seq++
	s.bgLastGrant = s.seq
	w.waiting = false
	w.grant <- struct{}{}
	return true
}

// backgroundDone ends a background turn that took cost.
func (s *Scheduler) backgroundDone(cost time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bgBusy[s.tick] += cost
	s.free++
	s.dispatch()
}
