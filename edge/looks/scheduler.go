package looks

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Defaults for zero Config fields.
const (
	DefaultSlots  = 1
	DefaultTick   = time.Second
	DefaultWindow = 10
)

// Config tunes a Scheduler; the zero value is usable.
type Config struct {
	// Slots is how many looks may run at once: the copies of the model
	// the detector holds (fleet.parallel_looks). Default one.
	Slots int
	// Tick is how often rates are measured and shares worked out; Window
	// how many ticks the measurements span.
	Tick   time.Duration
	Window int
	// BackgroundWait is how long background work yields to the cameras'
	// looks before it takes turns with them (background.go).
	BackgroundWait time.Duration
	Log            *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Slots <= 0 {
		c.Slots = DefaultSlots
	}
	if c.Tick <= 0 {
		c.Tick = DefaultTick
	}
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.BackgroundWait <= 0 {
		c.BackgroundWait = DefaultBackgroundWait
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return c
}

// Scheduler grants looks to cameras. Make it with New, Register every
// camera, and Run it for the measurements; Wait works without Run, only
// the overload state and the shares stay unmeasured.
type Scheduler struct {
	cfg Config

	mu      sync.Mutex
	cams    []*Camera
	free    int    // slots not granted
	seq     uint64 // grants so far; a camera's last grant orders the queue
	busy    []time.Duration
	tick    int // index of the current bucket in busy and each camera's looks
	ticks   int // ticks measured so far
	overld  bool
	calm    int    // ticks in a row that said an overload could end
	summary Status // as of the last tick
	// bgq waits for background turns, oldest first; bgLastGrant is the
	// grant sequence of the last one given; bgBusy the slot time they
	// took, per tick bucket.
	bgq         []*bgWaiter
	bgLastGrant uint64
	bgBusy      []time.Duration
}

// New makes a scheduler.
func New(cfg Config) *Scheduler {
	cfg = cfg.withDefaults()
	return &Scheduler{cfg: cfg, free: cfg.Slots, busy: make([]time.Duration, cfg.Window), bgBusy: make([]time.Duration, cfg.Window)}
}

// Register adds a camera that wants target looks a second (0: as many as
// it can get). limit, when not nil, is called from Run whenever the rate
// the camera should offer changes: its fair share while the box is
// overloaded (a little above it, so that it can grow back), 0 (no limit)
// otherwise.
func (s *Scheduler) Register(id string, target float64, limit func(fps float64)) *Camera {
	c := &Camera{s: s, id: id, target: target, onLimit: limit, grant: make(chan struct{}, 1),
		looks: make([]int, s.cfg.Window), asked: -1}
	s.mu.Lock()
	s.cams = append(s.cams, c)
	// Listed with its target before the first measurement.
	s.summary.Cameras = append(s.summary.Cameras, CameraStatus{ID: id, Target: target})
	s.mu.Unlock()
	return c
}

// Run measures once a tick until ctx is done.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.measure()
		}
	}
}

// dispatch grants free slots to waiting cameras, least recently served
// first, and to background work when none waits (background.go). Call
// with mu held.
func (s *Scheduler) dispatch() {
	for s.free > 0 {
		var next *Camera
		for _, c := range s.cams {
			if c.waiting && (next == nil || c.lastGrant < next.lastGrant) {
				next = c
			}
		}
		if s.grantBackground(next) {
			continue
		}
		if next == nil {
			return
		}
		s.free--
		s.seq++
		next.waiting, next.lastGrant = false, s.seq
		next.grant <- struct{}{} // buffered, and empty: the camera was waiting
	}
}
