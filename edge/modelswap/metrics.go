package modelswap

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// Metrics are the model manager's Prometheus series.
type Metrics struct {
	swaps, rollbacks, failures prometheus.Counter
	rulesOff                   prometheus.Gauge
	info                       *prometheus.GaugeVec
}

// NewMetrics registers the series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := newMetrics()
	reg.MustRegister(m.swaps, m.rollbacks, m.failures, m.rulesOff, m.info)
	return m
}

func newMetrics() *Metrics {
	return &Metrics{
		swaps: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_edge_model_swaps_total", Help: "Models swapped in (each then on probation).",
		}),
		rollbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_edge_model_rollbacks_total", Help: "Models rolled back for run-time errors on probation.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_edge_model_install_failures_total", Help: "Models refused before running: download, checksum, load, input size, smoke run.",
		}),
		rulesOff: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xiuhua_edge_model_rules_off", Help: "Rules switched off because the running model has none of their classes.",
		}),
		info: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "xiuhua_edge_model_info", Help: "The model frames go through: 1 for the running one.",
		}, []string{"name", "version", "sha256"}),
	}
}

func (m *Metrics) setActive(i vision.ModelInfo) {
	m.info.Reset()
	m.info.WithLabelValues(i.Name, i.Version, i.SHA256).Set(1)
}
