package ingest

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the Prometheus series of every camera, labelled camera="ID".
// One Metrics serves any number of cameras.
type Metrics struct {
	framesReceived *prometheus.CounterVec
	framesDecoded  *prometheus.CounterVec
	framesDropped  *prometheus.CounterVec
	framesSkipped  *prometheus.CounterVec
	decodeErrors   *prometheus.CounterVec
	reconnects     *prometheus.CounterVec
	bytesReceived  *prometheus.CounterVec
	packetsLost    *prometheus.CounterVec
	state          *prometheus.GaugeVec

	keyframeInterval *prometheus.GaugeVec
	keyframesOnly    *prometheus.GaugeVec
	lag              *prometheus.GaugeVec
}

// NewMetrics makes the ingest metrics and registers them with reg (nil: not
// registered). Registering twice with the same reg reuses the first set,
// so two components may each ask for it.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string) *prometheus.CounterVec {
		return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "xiuhua", Subsystem: "ingest", Name: name, Help: help,
		}, []string{"camera"}))
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		return register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "xiuhua", Subsystem: "ingest", Name: name, Help: help,
		}, []string{"camera"}))
	}
	return &Metrics{
		framesSkipped:    counter("frames_skipped_total", "Access units not decoded because keyframes-only decoding did not need them."),
		keyframeInterval: gauge("keyframe_interval_seconds", "Measured time between keyframes."),
		keyframesOnly:    gauge("keyframes_only", "1 while only keyframes are decoded, 0 while every access unit is."),
		lag:              gauge("lag_seconds", "How far behind the camera's clock the last handed-out frame was at hand-off."),
		framesReceived:   counter("frames_received_total", "Access units received from the camera."),
		framesDecoded:    counter("frames_decoded_total", "Pictures decoded."),
		framesDropped:    counter("frames_dropped_total", "Sampled frames replaced before the consumer took them."),
		decodeErrors:     counter("decode_errors_total", "Broken RTP payloads, decoder errors and failed conversions."),
		reconnects:       counter("reconnects_total", "Connection attempts after the first."),
		bytesReceived:    counter("bytes_received_total", "RTP bytes received on the video track."),
		packetsLost:      counter("rtp_packets_lost_total", "RTP packets that never arrived."),
		state: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "xiuhua", Subsystem: "ingest", Name: "camera_state",
			Help: "1 for the state the camera is in (connecting, streaming, retrying), 0 for the others.",
		}, []string{"camera", "state"})),
	}
}

// Forget deletes a removed camera's series.
func (m *Metrics) Forget(cameraID string) {
	for _, v := range []*prometheus.CounterVec{m.framesReceived, m.framesDecoded, m.framesDropped, m.framesSkipped,
		m.decodeErrors, m.reconnects, m.bytesReceived, m.packetsLost} {
		v.DeleteLabelValues(cameraID)
	}
	for _, v := range []*prometheus.GaugeVec{m.keyframeInterval, m.keyframesOnly, m.lag} {
		v.DeleteLabelValues(cameraID)
	}
	m.state.DeletePartialMatch(prometheus.Labels{"camera": cameraID})
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
	// A different collector under our name is a wiring bug.
	panic(fmt.Sprintf("ingest: register metrics: %v", err))
}

// counter counts into a Status field and a Prometheus series at once.
type counter struct {
	n    atomic.Uint64
	prom prometheus.Counter
}

func (c *counter) add(n uint64) {
	c.n.Add(n)
	c.prom.Add(float64(n))
}

func (c *counter) load() uint64 { return c.n.Load() }
