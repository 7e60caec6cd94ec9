package ingest

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

func TestCameraStreamsSampledFrames(t *testing.T) {
	for _, transport := range []string{"tcp", "udp"} {
		t.Run(transport, func(t *testing.T) {
			srv := startCamsim(t, transport == "udp", "", "")
			reg := prometheus.NewRegistry()
			const fps = 4.0
			cam := NewCamera(Config{ID: "cam1", URL: srv.URL("cam1"), Transport: transport, DetectFPS: fps},
				discardLogger(), NewMetrics(reg))
			stop := running(t, cam)

			// Wait for the first frame, then count for a few seconds.
			var first Frame
			select {
			case first = <-cam.Frames():
			case <-time.After(30 * time.Second):
				t.Fatalf("no frame within 30s; status %+v", cam.Status())
			}
			checkFrame(t, first)
			first.Image.Close()

			const window = 3 * time.Second
			n, lastSeq := 0, first.Seq
			end := time.After(window)
		collect:
			for {
				select {
				case f := <-cam.Frames():
					checkFrame(t, f)
					require.Greater(t, f.Seq, lastSeq)
					lastSeq = f.Seq
					f.Image.Close()
					n++
				case <-end:
					break collect
				}
			}
			rate := float64(n) / window.Seconds()
			// 10 fps source sampled at 4 fps; bounds are loose for busy CI
			// machines but would catch "every frame" (10) and "none".
			require.InDelta(t, fps, rate, 2.5, "handed-out rate")

			st := cam.Status()
			require.Equal(t, StateStreaming, st.State)
			require.Positive(t, st.FramesDecoded)
			require.GreaterOrEqual(t, st.FramesReceived, st.FramesDecoded)
			// All decoded, about 4 in 10 handed out.
			require.Greater(t, st.FramesDecoded, lastSeq)
			require.Positive(t, st.BytesReceived)
			require.Zero(t, st.DecodeErrors)

			require.Equal(t, 1.0, gauge(t, reg, "xiuhua_ingest_camera_state", "state", "streaming"))
			require.Equal(t, 0.0, gauge(t, reg, "xiuhua_ingest_camera_state", "state", "retrying"))
			require.Positive(t, gauge(t, reg, "xiuhua_ingest_frames_decoded_total", "", ""))
			require.Positive(t, gauge(t, reg, "xiuhua_ingest_bytes_received_total", "", ""))

			stop()
			_, open := <-cam.Frames()
			require.False(t, open, "Frames is closed when Run returns")
		})
	}
}

func checkFrame(t *testing.T, f Frame) {
	t.Helper()
	require.Equal(t, "cam1", f.CameraID)
	require.Equal(t, 576, f.Image.Rows())
	require.Equal(t, 768, f.Image.Cols())
	require.Equal(t, gocv.MatTypeCV8UC3, f.Image.Type())
	require.WithinDuration(t, time.Now(), f.Captured, 10*time.Second)
}

func TestCameraCredentialsInURL(t *testing.T) {
	srv := startCamsim(t, false, "admin", "s3cret")
	withCreds := func(user, pass string) string {
		u, err := url.Parse(srv.URL("cam1"))
		require.NoError(t, err)
		u.User = url.UserPassword(user, pass)
		return u.String()
	}

	t.Run("right", func(t *testing.T) {
		var logs logBuffer
		cam := NewCamera(Config{ID: "cam1", URL: withCreds("admin", "s3cret"), DetectFPS: 5}, logs.logger(), nil)
		running(t, cam)
		select {
		case f := <-cam.Frames():
			checkFrame(t, f)
			f.Image.Close()
		case <-time.After(30 * time.Second):
			t.Fatalf("no frame within 30s; status %+v", cam.Status())
		}
		require.NotContains(t, logs.String(), "s3cret", "password never logged")
	})

	t.Run("fields", func(t *testing.T) {
		var logs logBuffer
		cam := NewCamera(Config{ID: "cam1", URL: srv.URL("cam1"), Username: "admin", Password: "s3cret", DetectFPS: 5},
			logs.logger(), nil)
		running(t, cam)
		f := takeFrame(t, cam, 30*time.Second)
		checkFrame(t, f)
		f.Image.Close()
		require.NotContains(t, logs.String(), "s3cret", "password never logged")
	})

	t.Run("wrong", func(t *testing.T) {
		var logs logBuffer
		cam := NewCamera(Config{ID: "cam1", URL: withCreds("admin", "wrong"), RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond},
			logs.logger(), nil)
		running(t, cam)
		eventually(t, 20*time.Second, "retrying after auth failure", func() bool {
			st := cam.Status()
			return st.State == StateRetrying && st.LastError != "" && st.Reconnects >= 1
		})
		require.NotContains(t, logs.String(), "wrong@", "password never logged")
		t.Log(cam.Status().LastError)
	})
}

func TestCameraUnreachableRetries(t *testing.T) {
	var logs logBuffer
	cam := NewCamera(Config{ID: "dead", URL: "rtsp://" + closedPort(t) + "/cam", RetryMin: 10 * time.Millisecond, RetryMax: 40 * time.Millisecond},
		logs.logger(), nil)
	stop := running(t, cam)
	eventually(t, 20*time.Second, "Reconnects grows", func() bool { return cam.Status().Reconnects >= 5 })
	eventually(t, 5*time.Second, "state retrying", func() bool { return cam.Status().State == StateRetrying })
	st := cam.Status()
	require.Contains(t, st.LastError, `connect camera "dead"`)
	require.Contains(t, st.LastError, "refused")
	require.False(t, st.LastErrorTime.IsZero())

	start := time.Now()
	stop()
	require.Less(t, time.Since(start), 5*time.Second, "Run returns promptly")
	// Warnings are rate-limited: dozens of failures, one or two warnings.
	require.LessOrEqual(t, strings.Count(logs.String(), "level=WARN"), 2)
}

func TestCameraCancelWhileServerHangs(t *testing.T) {
	// The server accepts and never answers, so Run is blocked in DESCRIBE
	// (gortsplib's own timeout is 10 s) when it is cancelled.
	cam := NewCamera(Config{ID: "hung", URL: startMuteTCP(t)}, discardLogger(), nil)
	stop := running(t, cam)
	time.Sleep(300 * time.Millisecond)
	require.Equal(t, StateConnecting, cam.Status().State)
	start := time.Now()
	stop()
	require.Less(t, time.Since(start), 5*time.Second, "Run returns promptly")
}

func TestCameraStallReconnects(t *testing.T) {
	url := startSilentServer(t, &format.H264{PayloadTyp: 96, PacketizationMode: 1})
	cam := NewCamera(Config{ID: "stall", URL: url, StallTimeout: 300 * time.Millisecond, RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond},
		discardLogger(), nil)
	running(t, cam)
	eventually(t, 20*time.Second, "stall detected and reconnecting", func() bool {
		st := cam.Status()
		return st.Reconnects >= 2 && contains(st.LastError, "stalled")
	})
}

func TestCameraRejectsOtherCodecs(t *testing.T) {
	url := startSilentServer(t, &format.MJPEG{})
	cam := NewCamera(Config{ID: "mjpeg", URL: url, RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond}, discardLogger(), nil)
	running(t, cam)
	eventually(t, 20*time.Second, "error names the missing codec", func() bool {
		return contains(cam.Status().LastError, "no H.264 or H.265 video track (tracks: video/M-JPEG)")
	})
}

func TestCameraDropsOldestWhenNobodyReads(t *testing.T) {
	srv := startCamsim(t, false, "", "")
	// Every frame (10 fps) handed out, nobody reading.
	cam := NewCamera(Config{ID: "cam1", URL: srv.URL("cam1")}, discardLogger(), nil)
	stop := running(t, cam)
	eventually(t, 30*time.Second, "drops counted", func() bool { return cam.Status().FramesDropped >= 5 })

	// The waiting frame is a recent one, not the first.
	f := <-cam.Frames()
	checkFrame(t, f)
	require.Greater(t, f.Seq, uint64(5))
	f.Image.Close()

	stop()
	_, open := <-cam.Frames()
	require.False(t, open)
	// Every handed-out frame was either taken (one) or dropped and closed,
	// including one left waiting when Run returned.
	st := cam.Status()
	require.Equal(t, st.FramesDropped+1, lastSeq(cam))
}

func TestCameraInvalidConfigWaitsForCancel(t *testing.T) {
	cam := NewCamera(Config{ID: "bad", URL: "http://example.com/x", Transport: "sctp"}, discardLogger(), nil)
	stop := running(t, cam)
	eventually(t, 5*time.Second, "config error reported", func() bool {
		st := cam.Status()
		return contains(st.LastError, "transport") && contains(st.LastError, "url")
	})
	require.Zero(t, cam.Status().Reconnects, "no retry loop on a bad config")
	stop()
}

func TestCameraRunTwicePanics(t *testing.T) {
	cam := NewCamera(Config{ID: "x", URL: "rtsp://" + closedPort(t) + "/"}, discardLogger(), nil)
	stop := running(t, cam)
	eventually(t, 5*time.Second, "first Run started", cam.started.Load)
	require.Panics(t, func() { cam.Run(t.Context()) })
	stop()
}

func lastSeq(c *Camera) uint64 { return c.seq.Load() }

// gauge reads one series of a gathered metric, matching an extra label
// when label is set (camera is always "cam1").
func gauge(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if !hasLabel(m, "camera", "cam1") || label != "" && !hasLabel(m, label, value) {
				continue
			}
			if m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("metric %s{%s=%q} not found", name, label, value)
	return 0
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}
