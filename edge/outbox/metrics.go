package outbox

import (
	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	reg                         prometheus.Registerer
	collectors                  []prometheus.Collector
	put, sent, failed, rejected prometheus.Counter
}

func newMetrics(o *Outbox, reg prometheus.Registerer) *metrics {
	m := &metrics{
		reg: reg,
		put: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_outbox_put_total", Help: "Violations written to the outbox.",
		}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_outbox_sent_total", Help: "Violations the server acknowledged, removed from the outbox.",
		}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_outbox_failed_total", Help: "Failed attempts to send a violation; it stays queued.",
		}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_outbox_rejected_total", Help: "Violations the server refused for good, moved to dead/.",
		}),
	}
	m.collectors = []prometheus.Collector{
		m.put, m.sent, m.failed, m.rejected,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "xiuhua_outbox_items", Help: "Violations waiting in the outbox.",
		}, func() float64 { n, _, _ := o.Stats(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "xiuhua_outbox_bytes", Help: "Size on disk of the violations waiting in the outbox.",
		}, func() float64 { _, b, _ := o.Stats(); return float64(b) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "xiuhua_outbox_oldest_age_seconds", Help: "How long the oldest waiting violation has waited; 0 when none waits.",
		}, func() float64 { _, _, a := o.Stats(); return a.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "xiuhua_outbox_dead_items", Help: "Violations the server refused, kept in dead/ for a person to look at.",
		}, func() float64 { return float64(o.DeadCount()) }),
	}
	return m
}

func (m *metrics) register() error {
	if m.reg == nil {
		return nil
	}
	for i, c := range m.collectors {
		if err := m.reg.Register(c); err != nil {
			for _, done := range m.collectors[:i] {
				m.reg.Unregister(done)
			}
			return err
		}
	}
	return nil
}

func (m *metrics) unregister() {
	if m.reg == nil {
		return
	}
	for _, c := range m.collectors {
		m.reg.Unregister(c)
	}
}
