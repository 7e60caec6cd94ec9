package ingest

import (
	"sync"
	"time"
)

// logLimiter lets one warning through per interval and counts the ones it
// holds back, so that a camera sending garbage at 25 fps logs a line every
// few seconds with a count, not 25 lines a second.
type logLimiter struct {
	every time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether to log now, and how many were held back since the
// last one that was logged.
func (l *logLimiter) allow(now time.Time) (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < l.every {
		l.suppressed++
		return false, 0
	}
	l.last = now
	suppressed, l.suppressed = l.suppressed, 0
	return true, suppressed
}
