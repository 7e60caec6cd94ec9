package ingest

import "github.com/prometheus/client_golang/prometheus"

// Refusal reasons, the values of the reason label.
const (
	reasonUnexpectedMessage = "unexpected_message"
	reasonInvalidReport     = "invalid_report"
	reasonInvalidEvidence   = "invalid_evidence"
	reasonUndeclaredFile    = "undeclared_file"
	reasonBadOffset         = "bad_offset"
	reasonOverflow          = "overflow"
	reasonIncomplete        = "incomplete"
	reasonSHA256Mismatch    = "sha256_mismatch"
	reasonBadSignature      = "bad_signature"
	reasonNotAuthorized     = "not_authorized" // another device's or camera's report
	reasonUnavailable       = "unavailable"
	reasonAborted           = "aborted" // the client went away mid-stream
	reasonRateLimited       = "rate_limited"
	reasonDeadline          = "deadline" // the report took longer than Options.ReportTimeout
)

var reasons = []string{
	reasonUnexpectedMessage, reasonInvalidReport, reasonInvalidEvidence, reasonUndeclaredFile,
	reasonBadOffset, reasonOverflow, reasonIncomplete, reasonSHA256Mismatch, reasonBadSignature,
	reasonNotAuthorized, reasonUnavailable, reasonAborted, reasonRateLimited, reasonDeadline,
}

// Metrics are the ingest counters.
type Metrics struct {
	received      prometheus.Counter
	stored        prometheus.Counter
	duplicate     prometheus.Counter
	refused       *prometheus.CounterVec
	evidenceBytes prometheus.Counter
	connected     prometheus.Gauge
	heartbeats    prometheus.Counter
	commands      prometheus.Counter
	modelBytes    prometheus.Counter
}

// NewMetrics creates the metrics and registers them with reg when it is not
// nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_reports_received_total",
			Help: "Violation report streams opened by edge boxes.",
		}),
		stored: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_reports_stored_total",
			Help: "Violation reports stored with all their evidence.",
		}),
		duplicate: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_reports_duplicate_total",
			Help: "Violation reports received again for an event id already stored.",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_reports_refused_total",
			Help: "Violation reports refused, by reason.",
		}, []string{"reason"}),
		evidenceBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_evidence_bytes_total",
			Help: "Evidence bytes received.",
		}),
		connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xiuhua_devices_connected",
			Help: "Edge boxes with an open control stream.",
		}),
		heartbeats: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_heartbeats_total",
			Help: "Heartbeats received from edge boxes.",
		}),
		commands: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_control_commands_sent_total",
			Help: "Commands (re-checks, model assignments) sent on control streams.",
		}),
		modelBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiuhua_model_bytes_sent_total",
			Help: "Model file bytes sent to edge boxes.",
		}),
	}
	for _, r := range reasons {
		m.refused.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.received, m.stored, m.duplicate, m.refused, m.evidenceBytes,
			m.connected, m.heartbeats, m.commands, m.modelBytes)
	}
	return m
}
