package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

func TestSamplerRate(t *testing.T) {
	tests := []struct {
		name      string
		sourceFPS float64
		detectFPS float64
		want      int // frames taken in 10 s
	}{
		{"every frame when 0", 10, 0, 100},
		{"3 of 10", 10, 3, 30},
		{"1 of 25", 25, 1, 10},
		{"all when source is slower", 5, 15, 50},
		{"exact divisor", 10, 5, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSampler(tt.detectFPS)
			start := time.Unix(1000, 0)
			step := time.Duration(float64(time.Second) / tt.sourceFPS)
			got := 0
			for i := range int(10 * tt.sourceFPS) {
				// A little arrival jitter, as on a network.
				jitter := time.Duration(i%3-1) * time.Millisecond
				if s.take(start.Add(time.Duration(i)*step + jitter)) {
					got++
				}
			}
			require.InDelta(t, tt.want, got, 1)
		})
	}
}

func TestSamplerNoBurstAfterGap(t *testing.T) {
	s := newSampler(2)
	t0 := time.Unix(1000, 0)
	require.True(t, s.take(t0))
	// 10 s of nothing (a stall), then frames at 10 fps: one frame now, the
	// next half a second later, not a catch-up burst.
	after := t0.Add(10 * time.Second)
	require.True(t, s.take(after))
	require.False(t, s.take(after.Add(100*time.Millisecond)))
	require.False(t, s.take(after.Add(400*time.Millisecond)))
	require.True(t, s.take(after.Add(500*time.Millisecond)))
}

func TestHandoffDropsOldest(t *testing.T) {
	h := newHandoff()
	frame := func(seq uint64) Frame {
		return Frame{Seq: seq, Image: gocv.NewMatWithSize(2, 2, gocv.MatTypeCV8UC3)}
	}
	require.Equal(t, 0, h.put(frame(1)))
	require.Equal(t, 1, h.put(frame(2)))
	require.Equal(t, 1, h.put(frame(3)))
	got := <-h.ch
	require.Equal(t, uint64(3), got.Seq, "the newest frame waits")
	got.Image.Close()
	require.Equal(t, 0, h.put(frame(4)))
	require.Equal(t, 1, h.close(), "close drains the waiting frame")
	_, open := <-h.ch
	require.False(t, open)
}

func TestConfigValidate(t *testing.T) {
	ok := Config{ID: "c", URL: "rtsp://user:pw@10.0.0.1:554/stream1"}
	require.NoError(t, ok.Validate())
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no id", func(c *Config) { c.ID = "" }, "id: empty"},
		{"no url", func(c *Config) { c.URL = "" }, "url: empty"},
		{"http url", func(c *Config) { c.URL = "http://x/y" }, "url: not a valid"},
		{"transport", func(c *Config) { c.Transport = "quic" }, `transport: "quic"`},
		{"fps", func(c *Config) { c.DetectFPS = -1 }, "detect_fps"},
		{"stall", func(c *Config) { c.StallTimeout = -time.Second }, "stall_timeout"},
		{"retry order", func(c *Config) { c.RetryMin, c.RetryMax = 5*time.Second, time.Second }, "retry_max"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mod(&c)
			err := c.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			require.NotContains(t, err.Error(), "pw", "no password in errors")
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c := Config{RetryMin: time.Minute}.withDefaults()
	require.Equal(t, "tcp", c.Transport)
	require.Equal(t, DefaultStallTimeout, c.StallTimeout)
	require.Equal(t, time.Minute, c.RetryMax, "RetryMax never below RetryMin")
	require.Equal(t, "rtsp://admin:xxxxx@cam/s", redactedURL("rtsp://admin:secret@cam/s"))
}

func TestStateString(t *testing.T) {
	require.Equal(t, "connecting", StateConnecting.String())
	require.Equal(t, "streaming", StateStreaming.String())
	require.Equal(t, "retrying", StateRetrying.String())
	require.Equal(t, "State(7)", State(7).String())
}

func TestLogLimiter(t *testing.T) {
	l := logLimiter{every: time.Second}
	t0 := time.Unix(1000, 0)
	ok, n := l.allow(t0)
	require.True(t, ok)
	require.Zero(t, n)
	for i := range 5 {
		ok, _ = l.allow(t0.Add(time.Duration(i+1) * 100 * time.Millisecond))
		require.False(t, ok)
	}
	ok, n = l.allow(t0.Add(time.Second))
	require.True(t, ok)
	require.Equal(t, 5, n)
}

func TestMetricsRegisterTwiceReuses(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, b := NewMetrics(reg), NewMetrics(reg)
	require.Same(t, a.framesDecoded, b.framesDecoded)
	a.framesDecoded.WithLabelValues("cam1").Inc()
	require.Equal(t, 1.0, gauge(t, reg, "xiuhua_ingest_frames_decoded_total", "", ""))

	NewCamera(Config{ID: "cam1", URL: "rtsp://x/"}, discardLogger(), a)
	require.Equal(t, 1.0, gauge(t, reg, "xiuhua_ingest_camera_state", "state", "connecting"))
	a.Forget("cam1")
	mfs, err := reg.Gather()
	require.NoError(t, err)
	require.Empty(t, mfs, "Forget removes every series of the camera")

	// A foreign collector under our name is a wiring bug.
	reg2 := prometheus.NewRegistry()
	reg2.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "xiuhua_ingest_frames_received_total", Help: "x"}))
	require.Panics(t, func() { NewMetrics(reg2) })
}

func TestKeyframesOnlyDecision(t *testing.T) {
	tests := []struct {
		name      string
		mode      DecodeMode
		detectFPS float64
		interval  time.Duration
		want      bool
	}{
		{"forced keyframes", DecodeKeyframes, 25, time.Second, true},
		{"forced all", DecodeAll, 0.1, time.Second, false},
		{"auto, unknown GOP: keyframes first", DecodeAuto, 0.1, 0, true},
		{"auto, unknown GOP, fast detect: keyframes first", DecodeAuto, 5, 0, true},
		{"auto, every frame wanted", DecodeAuto, 0, time.Second, false},
		{"auto, below keyframe rate", DecodeAuto, 0.5, time.Second, true},
		{"auto, at keyframe rate", DecodeAuto, 1, time.Second, true},
		{"auto, at keyframe rate, interval measured long", DecodeAuto, 1, 1050 * time.Millisecond, true},
		{"auto, above keyframe rate", DecodeAuto, 2, time.Second, false},
		{"auto, 2 s GOP at 1 fps", DecodeAuto, 1, 2 * time.Second, false},
		{"auto, 2 s GOP at 1 fps, box overloaded", DecodeAuto, 1, 2 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, keyframesOnly(tt.mode, tt.detectFPS, tt.interval, !strings.Contains(tt.name, "overloaded")))
		})
	}
}

func TestKeyframeMeter(t *testing.T) {
	var k keyframeMeter
	k.key(0)
	require.Zero(t, k.interval, "one keyframe says nothing")
	k.key(2 * time.Second)
	require.Equal(t, 2*time.Second, k.interval)
	k.key(2*time.Second - time.Millisecond) // clock went back: ignored
	k.key(4 * time.Second)
	require.InDelta(t, 2*time.Second, k.interval, float64(50*time.Millisecond))
	k.reset()
	k.key(time.Hour) // new session, new clock: no interval from the jump
	require.InDelta(t, 2*time.Second, k.interval, float64(50*time.Millisecond))
	k.key(time.Hour + 4*time.Second) // a keyframe lost on the way
	require.InDelta(t, 2*time.Second, k.interval, float64(5*time.Millisecond), "one long interval does not move the median")
}

func TestConfigValidateNewFields(t *testing.T) {
	ok := Config{ID: "c", URL: "rtsp://10.0.0.1/s"}
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"half a size", func(c *Config) { c.Width = 416 }, "width, height"},
		{"negative size", func(c *Config) { c.Width, c.Height = -1, -1 }, "width, height"},
		{"mode", func(c *Config) { c.DecodeMode = "some" }, "decode_mode"},
		{"ring", func(c *Config) { c.RingDuration = time.Hour }, "ring_duration"},
		{"password alone", func(c *Config) { c.Password = "x" }, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mod(&c)
			require.ErrorContains(t, c.Validate(), tt.want)
		})
	}
	require.Equal(t, DecodeAuto, ok.withDefaults().DecodeMode)
}
