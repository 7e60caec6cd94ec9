package recheck

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the re-check counters.
type Metrics struct {
	requests prometheus.Counter
	sent     prometheus.Counter
	outcomes *prometheus.CounterVec
	timeouts prometheus.Counter
	ignored  *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg when it is not
// nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_recheck_requests_total",
			Help: "AI re-checks asked for cases that reached reported.",
		}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_recheck_sent_total",
			Help: "AI re-check requests sent to edge boxes, resends included.",
		}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_recheck_outcomes_total",
			Help: "AI re-checks finished, by outcome (absent, present, unavailable, timeout, offline, superseded).",
		}, []string{"outcome"}),
		timeouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_recheck_timeouts_total",
			Help: "AI re-checks left to a human because no answer came in time (edge offline included).",
		}),
		ignored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_recheck_answers_ignored_total",
			Help: "AI re-check answers ignored, by reason (repeated, late, unknown, invalid).",
		}, []string{"reason"}),
	}
	for _, o := range []string{OutcomeAbsent, OutcomePresent, OutcomeUnavailable, OutcomeTimeout, OutcomeOffline, OutcomeSuperseded} {
		m.outcomes.WithLabelValues(o)
	}
	for _, r := range []string{ignoredRepeated, ignoredUnknown, ignoredInvalid} {
		m.ignored.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.sent, m.outcomes, m.timeouts, m.ignored)
	}
	return m
}
