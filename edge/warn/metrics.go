package warn

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a Play, the "outcome" label of plays_total.
const (
	outcomePlayed        = "played"
	outcomeNoBackChannel = "no_backchannel"
	outcomeBusy          = "busy"
	outcomeFailed        = "failed"
	outcomeCanceled      = "canceled"
)

// Metrics are the warn series, labelled by camera and player
// ("backchannel" or "http"). One Metrics serves every player of a box.
type Metrics struct {
	plays        *prometheus.CounterVec
	attempts     *prometheus.CounterVec
	audioSeconds *prometheus.CounterVec
	startDelay   *prometheus.HistogramVec
	outcomes     *prometheus.CounterVec
}

// NewMetrics makes the warn metrics and registers them with reg (nil: not
// registered). Registering twice with the same reg reuses the first set.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	return &Metrics{
		plays: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "xiuhua", Subsystem: "warn", Name: "plays_total",
			Help: "Warnings by outcome: played, no_backchannel, busy, failed (mid-play or after retries), canceled.",
		}, []string{"camera", "player", "outcome"})),
		attempts: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "xiuhua", Subsystem: "warn", Name: "http_attempts_total",
			Help: "HTTP speaker requests, retries included, by result: 2xx, 4xx, 5xx..., timeout, error.",
		}, []string{"camera", "result"})),
		audioSeconds: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "xiuhua", Subsystem: "warn", Name: "backchannel_audio_seconds_total",
			Help: "Seconds of warning audio sent over camera back channels.",
		}, []string{"camera"})),
		startDelay: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "xiuhua", Subsystem: "warn", Name: "start_delay_seconds",
			Help:    "From Play to the first audio packet (back channel) or the speaker's answer (HTTP).",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10},
		}, []string{"player"})),
		outcomes: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "xiuhua", Subsystem: "warn", Name: "violations_total",
			Help: "Violations through the warn-first flow by how they ended: policy_file, quiet_hours, warning_failed, filed_after_warning, corrected.",
		}, []string{"camera", "type", "outcome"})),
	}
}

func (m *Metrics) played(camera, player, outcome string) {
	if m != nil {
		m.plays.WithLabelValues(camera, player, outcome).Inc()
	}
}

func (m *Metrics) ended(camera, typ, outcome string) {
	if m != nil {
		m.outcomes.WithLabelValues(camera, typ, outcome).Inc()
	}
}

func register[T prometheus.Collector](reg prometheus.Registerer, c T) T {
	if reg == nil {
		return c
	}
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(T); ok {
			return existing
		}
	}
	panic(fmt.Sprintf("warn: register metrics: %v", err)) // a wiring bug
}
