package outbox

import (
	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	reg                         prometheus.Registerer
	collectors                  []prometheus.Collector
	put, sent, failed, rejected prometheus.Counter
	deferred, shedBytes         prometheus.Counter
	shedItems                   *prometheus.CounterVec
}

// shed counts a shedding pass.
func (m *metrics) shed(st shedStats) {
	m.shedItems.WithLabelValues("clip").Add(float64(st.clips))
	m.shedItems.WithLabelValues("pictures").Add(float64(st.pictures))
	m.shedItems.WithLabelValues("report").Add(float64(st.reports))
	m.shedBytes.Add(float64(st.freed))
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
		deferred: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_outbox_deferred_total", Help: "Times a violation that kept failing was put behind the others.",
		}),
		shedBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_outbox_shed_bytes_total", Help: "Bytes freed by shedding evidence and reports (quota or full disk).",
		}),
		shedItems: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_outbox_shed_total",
			Help: "Queued violations that lost evidence to the quota or a full disk: what=clip (their clip), pictures (all their files), report (dropped whole, listed in shed.log).",
		}, []string{"what"}),
	}
	for _, w := range []string{"clip", "pictures", "report"} {
		m.shedItems.WithLabelValues(w)
	}
	m.collectors = []prometheus.Collector{
		m.put, m.sent, m.failed, m.rejected, m.deferred, m.shedBytes, m.shedItems,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "xiuhua_outbox_disk_full", Help: "1 while the outbox's disk is full (the last write found no room), else 0.",
		}, func() float64 {
			if full, _, _ := o.DiskFull(); full {
				return 1
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "xiuhua_outbox_quota_bytes", Help: "The outbox's byte quota (outbox.max_bytes); 0 means none.",
		}, func() float64 { return float64(o.quota.MaxBytes) }),
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
