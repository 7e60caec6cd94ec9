package notify

import (
	"time"

	"github.com/xiuhua/xiuhua/internal/backoff"
)

// Backoff is capped exponential back-off with jitter for delivery retries.
type Backoff struct {
	Base time.Duration // the first delay; 1s when zero
	Max  time.Duration // the cap; 5m when zero
}

// Delay is the wait before attempt number attempt+1, after attempt (1 or
// more) attempts failed: Base·2^(attempt-1) capped at Max, then drawn from
// its upper half so that many failed items do not retry in step.
func (b Backoff) Delay(attempt int) time.Duration {
	base, ceiling := b.Base, b.Max
	if base <= 0 {
		base = time.Second
	}
	if ceiling <= 0 {
		ceiling = 5 * time.Minute
	}
	return backoff.Delay(base, ceiling, max(attempt-1, 0))
}
