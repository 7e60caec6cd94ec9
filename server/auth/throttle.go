package auth

import (
	"sync"
	"time"
)

// Sign-in throttling defaults: after this many failures for one name
// within the window, further attempts for it are refused until the window
// has passed since the last failure. Enough for a mistyped password, far
// too few for guessing.
const (
	DefaultMaxFailedLogins = 5
	DefaultLoginLockout    = 15 * time.Minute
)

// AddrFailuresPerName: an address is locked after this many times a
// name's allowance of failures (20 by default), enough for an office of
// officers mistyping on a Monday morning.
const AddrFailuresPerName = 4

// maxThrottled bounds the names remembered, so that guessing many names
// cannot grow memory without end; the oldest entries go first.
const maxThrottled = 10000

// throttle counts failed sign-ins per name. It is per process: with
// several replicas an attacker gets max failures per replica, still far
// too few to guess a password.
type throttle struct {
	max    int
	window time.Duration

	mu       sync.Mutex
	failures map[string]*failures
}

type failures struct {
	n    int
	last time.Time
}

func newThrottle(max int, window time.Duration) *throttle {
	return &throttle{max: max, window: window, failures: map[string]*failures{}}
}

// locked reports whether name is locked out at now.
func (t *throttle) locked(name string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.failures[name]
	if f == nil {
		return false
	}
	if now.Sub(f.last) >= t.window {
		delete(t.failures, name)
		return false
	}
	return f.n >= t.max
}

// fail records a failed sign-in and reports whether name is now locked.
func (t *throttle) fail(name string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.failures[name]
	if f == nil || now.Sub(f.last) >= t.window {
		if len(t.failures) >= maxThrottled {
			t.evictOldest()
		}
		f = &failures{}
		t.failures[name] = f
	}
	f.n++
	f.last = now
	return f.n >= t.max
}

func (t *throttle) reset(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, name)
}

func (t *throttle) evictOldest() {
	var oldest string
	var at time.Time
	for name, f := range t.failures {
		if oldest == "" || f.last.Before(at) {
			oldest, at = name, f.last
		}
	}
	delete(t.failures, oldest)
}
