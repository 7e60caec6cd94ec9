package ingest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// TestReportRate: the bucket holds a minute's worth and refills at the
// rate; devices are counted apart.
func TestReportRate(t *testing.T) {
	l := newDeviceLimits(100, 3)
	t0 := time.Unix(1000, 0)
	for range 3 {
		release, err := l.acquire("edge-01", t0)
		require.NoError(t, err)
		release()
	}
	_, err := l.acquire("edge-01", t0)
	require.Equal(t, codes.ResourceExhausted, status.Code(err))
	require.Contains(t, err.Error(), "more than 3 reports a minute")
	_, err = l.acquire("edge-02", t0)
	require.NoError(t, err, "another device has its own bucket")
	_, err = l.acquire("edge-01", t0.Add(20*time.Second))
	require.NoError(t, err, "a third of a minute refills one")
	_, err = l.acquire("edge-01", t0.Add(20*time.Second))
	require.Error(t, err)
}

// TestReportStreamsPerDevice: a device with its streams in use is refused
// another until one ends; the refused one stores nothing.
func TestReportStreamsPerDevice(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxReportStreamsPerDevice = 1 })
	snap := snapshot(10_000)
	msgs := fullStream(newReport("ev-slow", snap), snap)

	slow, err := e.client.ReportViolation(ctxT(t))
	require.NoError(t, err)
	require.NoError(t, slow.Send(msgs[0])) // the report; its evidence later
	require.Eventually(t, func() bool {
		e.svc.limits.mu.Lock()
		defer e.svc.limits.mu.Unlock()
		d := e.svc.limits.devices["edge-01"]
		return d != nil && d.streams == 1
	}, 20*time.Second, 10*time.Millisecond)

	other := snapshot(100)
	_, err = e.send(t, fullStream(newReport("ev-second", other), other))
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "%v", err)
	require.Contains(t, status.Convert(err).Message(), "at most 1 allowed")
	e.requireNothingStored(t, "ev-second")

	for _, m := range msgs[1:] {
		require.NoError(t, slow.Send(m))
	}
	_, err = slow.CloseAndRecv()
	require.NoError(t, err)
	_, err = e.send(t, fullStream(newReport("ev-second", other), other))
	require.NoError(t, err, "admitted once the first ended")
}

// TestReportTimeout: a sender that stalls mid-report is cut off at the
// report timeout and nothing is stored.
func TestReportTimeout(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.ReportTimeout = 300 * time.Millisecond })
	snap := snapshot(10_000)
	stalled, err := e.client.ReportViolation(ctxT(t))
	require.NoError(t, err)
	msgs := fullStream(newReport("ev-stall", snap), snap)
	require.NoError(t, stalled.Send(msgs[0]))
	require.NoError(t, stalled.Send(msgs[1])) // then nothing more, without closing
	err = stalled.RecvMsg(new(xiuhuav1.ReportViolationResponse))
	require.Equal(t, codes.DeadlineExceeded, status.Code(err), "%v", err)
	require.Contains(t, status.Convert(err).Message(), "limits.grpc.report_timeout")
	e.requireNothingStored(t, "ev-stall")
	require.Equal(t, 1.0, e.counter(t, "xiuhua_reports_refused_total", "reason", reasonDeadline))
}

// BenchmarkDeviceLimits is the cost the per-device limits add to a report:
// one acquire and release.
func BenchmarkDeviceLimits(b *testing.B) {
	l := newDeviceLimits(4, 1<<30)
	now := time.Now()
	for b.Loop() {
		release, err := l.acquire("edge-01", now)
		if err != nil {
			b.Fatal(err)
		}
		release()
	}
}
