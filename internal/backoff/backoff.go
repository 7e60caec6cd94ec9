// Package backoff computes retry delays for the edge's reconnects and
// outbox and the server's notification retries alike: capped exponential
// growth with jitter, so that a fleet of boxes reconnecting after an outage
// does not hammer the server in lockstep.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff yields growing delays between Min and Max. The zero value is not
// usable; set Min and Max. Not safe for concurrent use.
type Backoff struct {
	Min, Max time.Duration
	attempt  int
}

// Next returns the delay before the next attempt: Delay(Min, Max, n) for
// the n-th call since the last Reset.
func (b *Backoff) Next() time.Duration {
	d := Delay(b.Min, b.Max, b.attempt)
	b.attempt++
	return d
}

// Delay is the wait after attempt failures (0 for the first retry): a
// random duration in [d/2, d] where d = min(max, min·2^attempt). Keeping
// half of d fixed stops jitter from collapsing the wait to nothing. For
// callers that keep the attempt count themselves (a queue row's attempts).
func Delay(min, max time.Duration, attempt int) time.Duration {
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(d-half+1)
}

// Reset starts again from Min after a success.
func (b *Backoff) Reset() { b.attempt = 0 }

// Attempt is the number of delays handed out since the last Reset.
func (b *Backoff) Attempt() int { return b.attempt }

// Sleep waits for Next() or until ctx is done; it reports whether the full
// delay passed.
func (b *Backoff) Sleep(ctx context.Context) bool { return Wait(ctx, b.Next()) }

// Wait waits d or until ctx is done; it reports whether d passed. For
// callers that log the delay before waiting it out.
func Wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
