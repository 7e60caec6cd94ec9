package cases

import (
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// DefaultDeadlines is how long a case may stay in each working status
// before it is overdue. Terminal statuses have none. Cities set their own
// in the server configuration (cases.deadlines).
func DefaultDeadlines() map[string]time.Duration {
	return map[string]time.Duration{
		StatusPendingReview: 2 * time.Hour,
		StatusFiled:         time.Hour,
		StatusDispatched:    2 * time.Hour,
		StatusHandling:      24 * time.Hour,
		StatusReported:      4 * time.Hour,
		StatusVerified:      2 * time.Hour,
	}
}

// Deadline returns when c's current stage is due; ok is false when the
// status has no deadline.
func (s *Service) Deadline(c store.Case) (due time.Time, ok bool) {
	d, ok := s.cfg.Deadlines[c.Status]
	if !ok || d <= 0 || Terminal(c.Status) {
		return time.Time{}, false
	}
	return c.StatusSince.Add(d), true
}

// Overdue reports whether c's current stage is past its deadline at now.
func (s *Service) Overdue(c store.Case, now time.Time) bool {
	due, ok := s.Deadline(c)
	return ok && now.After(due)
}

// Deadlines returns the configured deadlines of the working statuses
// (those of final statuses and those not above zero left out), a copy:
// what the statistics measure each stage against and the 超期 view
// filters by.
func (s *Service) Deadlines() map[string]time.Duration {
	out := map[string]time.Duration{}
	for st, d := range s.cfg.Deadlines {
		if d > 0 && !Terminal(st) {
			out[st] = d
		}
	}
	return out
}
