package looks

import (
	"context"
	"time"
)

// Camera is one camera's place in the scheduler. Its Wait is called by one
// goroutine, the camera's loop.
type Camera struct {
	s       *Scheduler
	id      string
	target  float64
	onLimit func(fps float64)
	grant   chan struct{}

	// Guarded by s.mu.
	waiting   bool
	lastGrant uint64
	looks     []int // completed looks per tick bucket
	asked     int   // the tick count when it last asked for a turn; -1 never
	cost      time.Duration
	limit     float64
}

// Turn is a granted look, or a background turn (Scheduler.Background);
// call Done when it is over.
type Turn struct {
	c     *Camera
	s     *Scheduler // background turns
	bg    bool
	start time.Time
}

// Wait blocks until the camera may look, or ctx ends.
func (c *Camera) Wait(ctx context.Context) (Turn, error) {
	s := c.s
	s.mu.Lock()
	c.asked = s.ticks
	c.waiting = true
	s.dispatch()
	s.mu.Unlock()
	select {
	case <-c.grant:
		return Turn{c: c, start: time.Now()}, nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.waiting {
		c.waiting = false
		return Turn{}, ctx.Err()
	}
	// Granted while ctx ended: hand the slot on.
	<-c.grant
	s.free++
	s.dispatch()
	return Turn{}, ctx.Err()
}

// Done ends the look and accounts for its cost. Safe on a zero Turn.
func (t Turn) Done() {
	if t.bg {
		t.s.backgroundDone(time.Since(t.start))
		return
	}
	c := t.c
	if c == nil {
		return
	}
	cost := time.Since(t.start)
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy[s.tick] += cost
	c.looks[s.tick]++
	if c.cost == 0 {
		c.cost = cost
	} else {
		c.cost = (7*c.cost + cost) / 8
	}
	s.free++
	s.dispatch()
}

// ID is the camera's name.
func (c *Camera) ID() string { return c.id }

// Background is the scheduler's Background: a turn for this camera's work
// that may wait for the looks (its violations' evidence).
func (c *Camera) Background(ctx context.Context) (Turn, error) { return c.s.Background(ctx) }
