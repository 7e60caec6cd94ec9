package notify

import "github.com/prometheus/client_golang/prometheus"

// Metrics count deliveries by sink.
type Metrics struct {
	Pending   *prometheus.GaugeVec
	Delivered *prometheus.CounterVec
	Failed    *prometheus.CounterVec
}

// NewMetrics registers the notify metrics on reg; nil reg registers none.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Pending: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "xiuhua_notify_pending",
			Help: "Case events not yet delivered, by sink.",
		}, []string{"sink"}),
		Delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_notify_delivered_total",
			Help: "Case events delivered, by sink.",
		}, []string{"sink"}),
		Failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_notify_failed_total",
			Help: "Failed delivery attempts (each retried later), by sink.",
		}, []string{"sink"}),
	}
	if reg != nil {
		reg.MustRegister(m.Pending, m.Delivered, m.Failed)
	}
	return m
}
