package retention

import "github.com/prometheus/client_golang/prometheus"

// Reasons a blob is deleted, the label of the deleted metrics.
const (
	reasonRetention = "retention"
	reasonOrphan    = "orphan"
)

// Metrics of the sweeper.
type Metrics struct {
	storedBlobs  prometheus.Gauge
	storedBytes  prometheus.Gauge
	deletedBlobs *prometheus.CounterVec
	deletedBytes *prometheus.CounterVec
}

// NewMetrics registers the sweeper's metrics on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		storedBlobs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xiuhua_blob_stored_blobs", Help: "Blobs in the store at the sweeper's last pass.",
		}),
		storedBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xiuhua_blob_stored_bytes", Help: "Bytes in the blob store at the sweeper's last pass.",
		}),
		deletedBlobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_blob_deleted_total", Help: "Blobs deleted, by reason (retention, orphan).",
		}, []string{"reason"}),
		deletedBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiuhua_blob_deleted_bytes_total", Help: "Bytes of blobs deleted, by reason (retention, orphan).",
		}, []string{"reason"}),
	}
	for _, r := range []string{reasonRetention, reasonOrphan} {
		m.deletedBlobs.WithLabelValues(r)
		m.deletedBytes.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.storedBlobs, m.storedBytes, m.deletedBlobs, m.deletedBytes)
	}
	return m
}
