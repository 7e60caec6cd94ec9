package pipeline

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the pipeline's Prometheus series, labelled by camera.
type Metrics struct {
	framesDetected  *prometheus.CounterVec
	detectErrors    *prometheus.CounterVec
	detectSeconds   *prometheus.HistogramVec
	violations      *prometheus.CounterVec
	violationErrors *prometheus.CounterVec
}

// NewMetrics registers the pipeline series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		framesDetected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_edge_frames_detected_total", Help: "Frames run through the detector.",
		}, []string{"camera"}),
		detectErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_edge_detect_errors_total", Help: "Frames the detector failed on.",
		}, []string{"camera"}),
		detectSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xiuhua_edge_detect_seconds", Help: "Time to detect one frame, including waiting for the shared model.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 10),
		}, []string{"camera"}),
		violations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_edge_violations_total", Help: "Violations stored in the outbox.",
		}, []string{"camera", "type"}),
		violationErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_edge_violation_errors_total", Help: "Violations that could not be turned into evidence or stored.",
		}, []string{"camera"}),
	}
	reg.MustRegister(m.framesDetected, m.detectErrors, m.detectSeconds, m.violations, m.violationErrors)
	return m
}
