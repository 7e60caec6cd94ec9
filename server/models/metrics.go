package models

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics count uploads, assignments and what edges report.
type Metrics struct {
	uploads      *prometheus.CounterVec // by result: accepted, rejected_<check>, error
	checkSeconds prometheus.Histogram
	assignments  prometheus.Counter
	statuses     *prometheus.CounterVec // by state
	rollouts     prometheus.Counter
	exported     *prometheus.CounterVec // images by split
}

// NewMetrics registers the metrics with reg; nil leaves them unregistered.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "xiuhua_model_uploads_total",
			Help: "Model uploads by result: accepted, existing, rejected_<check> or error."}, []string{"result"}),
		checkSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "xiuhua_model_check_seconds",
			Help: "Time to load, inspect and smoke-run an uploaded model.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 10)}),
		assignments: prometheus.NewCounter(prometheus.CounterOpts{Name: "xiuhua_model_assignments_sent_total",
			Help: "ModelAssignment commands sent to edges (resends included)."}),
		statuses: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "xiuhua_model_status_changes_total",
			Help: "Model status changes edges reported, by state."}, []string{"state"}),
		rollouts: prometheus.NewCounter(prometheus.CounterOpts{Name: "xiuhua_model_rollouts_total",
			Help: "Rollouts created."}),
		exported: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "xiuhua_dataset_export_images_total",
			Help: "Images written to training data exports, by split."}, []string{"split"}),
	}
	if reg != nil {
		reg.MustRegister(m.uploads, m.checkSeconds, m.assignments, m.statuses, m.rollouts, m.exported)
	}
	return m
}

func (m *Metrics) upload(err error) {
	switch r, ok := IsRejection(err); {
	case err == nil:
		m.uploads.WithLabelValues("accepted").Inc()
	case ok:
		m.uploads.WithLabelValues("rejected_" + r.Check).Inc()
	default:
		m.uploads.WithLabelValues("error").Inc()
	}
}
