package auth

import (
	"fmt"
	"sync"
	"time"
)

// Sign-in back-off defaults: a name may fail this many times from one
// address freely (a mistyped password), then every further failure doubles
// the wait before the next try, from DefaultLoginBackoff up to
// DefaultLoginLockout. Enough for people, far too slow for guessing: after
// the first quarter of an hour, four guesses an hour.
const (
	DefaultMaxFailedLogins = 5
	DefaultLoginBackoff    = time.Second
	DefaultLoginLockout    = 15 * time.Minute
)

// maxThrottled bounds the (name, address) pairs remembered, so that
// guessing many names cannot grow memory without end; the oldest go first.
const maxThrottled = 10000

// ThrottledError is a sign-in refused, or a failure answered, with a wait:
// the name has failed too often from this address. It is also ErrBadLogin,
// so that a caller that only knows that one refuses alike. It says nothing
// about whether the name exists: unknown names are counted the same way.
type ThrottledError struct {
	Until time.Time
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins: try again after %s", e.Until.Format(time.RFC3339))
}

// Is makes a ThrottledError match ErrBadLogin.
func (e *ThrottledError) Is(target error) bool { return target == ErrBadLogin }

// backoff counts failed sign-ins per (name, client address), not per name
// or per address alone: a guesser at `admin` does not lock the real admin
// out from their own desk, and officers behind one proxy address do not
// lock each other out. It is per process: with several replicas a guesser
// gets its tries per replica, still far too few.
type backoff struct {
	free      int
	base, max time.Duration

	mu       sync.Mutex
	failures map[backoffKey]*failures
}

type backoffKey struct{ name, addr string }

type failures struct {
	n     int
	until time.Time // no try before this
	last  time.Time
}

func newBackoff(free int, base, max time.Duration) *backoff {
	return &backoff{free: free, base: base, max: max, failures: map[backoffKey]*failures{}}
}

// forgotten reports whether f is old enough to start again from zero: a
// full max wait has passed since its last failure and since its wait
// ended; a guesser who tries again as each wait ends keeps the longest.
func (b *backoff) forgotten(f *failures, now time.Time) bool {
	end := f.last
	if f.until.After(end) {
		end = f.until
	}
	return !now.Before(end.Add(b.max))
}

// waiting returns until when (name, addr) must wait, or false.
func (b *backoff) waiting(name, addr string, now time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := backoffKey{name, addr}
	f := b.failures[k]
	if f == nil {
		return time.Time{}, false
	}
	if b.forgotten(f, now) {
		delete(b.failures, k)
		return time.Time{}, false
	}
	return f.until, now.Before(f.until)
}

// fail records a failure and returns the wait it sets, if any.
func (b *backoff) fail(name, addr string, now time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := backoffKey{name, addr}
	f := b.failures[k]
	if f == nil || b.forgotten(f, now) {
		if len(b.failures) >= maxThrottled {
			b.evictOldest()
		}
		f = &failures{}
		b.failures[k] = f
	}
	f.n++
	f.last = now
	if f.n <= b.free {
		return time.Time{}, false
	}
	wait := b.max
	if over := f.n - b.free - 1; over < 30 {
		wait = min(b.max, b.base<<over)
	}
	f.until = now.Add(wait)
	return f.until, true
}

func (b *backoff) reset(name, addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.failures, backoffKey{name, addr})
}

func (b *backoff) evictOldest() {
	var (
		oldest backoffKey
		at     time.Time
		found  bool
	)
	for k, f := range b.failures {
		if !found || f.last.Before(at) {
			oldest, at, found = k, f.last, true
		}
	}
	delete(b.failures, oldest)
}

// resetName forgets name's failures from every address (an admin enabled
// the account or set its password).
func (b *backoff) resetName(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.failures {
		if k.name == name {
			delete(b.failures, k)
		}
	}
}
