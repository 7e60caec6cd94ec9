package app

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/edge/decode"
)

// fleetCollector exports the look scheduler's state at scrape time.
type fleetCollector struct {
	f                             *fleet
	overloaded, busy, background  *prometheus.Desc
	rate, target, limit, lookSecs *prometheus.Desc
	reopens                       *prometheus.Desc
}

func (f *fleet) collector() prometheus.Collector {
	cam := []string{"camera"}
	return &fleetCollector{
		f:          f,
		overloaded: prometheus.NewDesc("xiuhua_edge_overloaded", "1 while the box cannot look as often as its cameras ask (looks are then shared evenly).", nil, nil),
		busy:       prometheus.NewDesc("xiuhua_edge_look_busy_ratio", "Share of the detector's time spent looking, over the scheduler's window.", nil, nil),
		background: prometheus.NewDesc("xiuhua_edge_look_background_ratio",
			"Share of the detector's slot time spent on background work (violations' evidence), over the scheduler's window.", nil, nil),
		rate:     prometheus.NewDesc("xiuhua_edge_camera_look_rate", "Looks per second the camera achieved over the scheduler's window.", cam, nil),
		target:   prometheus.NewDesc("xiuhua_edge_camera_look_target", "Looks per second the camera is configured for (detect_fps).", cam, nil),
		limit:    prometheus.NewDesc("xiuhua_edge_camera_look_limit", "Looks per second the camera is held to while the box is overloaded; 0: none.", cam, nil),
		lookSecs: prometheus.NewDesc("xiuhua_edge_camera_look_seconds", "Smoothed time one look of the camera takes.", cam, nil),
		reopens: prometheus.NewDesc("xiuhua_edge_decoder_reopens_total",
			"Keyframes decoded from nothing, with a parked decoder context (from=parked, cheap) or a new one (from=new).", []string{"from"}, nil),
	}
}

func (c *fleetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.overloaded, c.busy, c.background, c.rate, c.target, c.limit, c.lookSecs, c.reopens} {
		ch <- d
	}
}

func (c *fleetCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.f.sched.Status()
	over := 0.0
	if st.Overloaded {
		over = 1
	}
	ch <- prometheus.MustNewConstMetric(c.overloaded, prometheus.GaugeValue, over)
	ch <- prometheus.MustNewConstMetric(c.busy, prometheus.GaugeValue, st.Busy)
	ch <- prometheus.MustNewConstMetric(c.background, prometheus.GaugeValue, st.Background)
	parked, opened := decode.IdleStats()
	ch <- prometheus.MustNewConstMetric(c.reopens, prometheus.CounterValue, float64(parked), "parked")
	ch <- prometheus.MustNewConstMetric(c.reopens, prometheus.CounterValue, float64(opened), "new")
	for _, cs := range st.Cameras {
		ch <- prometheus.MustNewConstMetric(c.rate, prometheus.GaugeValue, cs.Rate, cs.ID)
		ch <- prometheus.MustNewConstMetric(c.target, prometheus.GaugeValue, cs.Target, cs.ID)
		ch <- prometheus.MustNewConstMetric(c.limit, prometheus.GaugeValue, cs.Limit, cs.ID)
		ch <- prometheus.MustNewConstMetric(c.lookSecs, prometheus.GaugeValue, cs.LookCost.Seconds(), cs.ID)
	}
}
