package notify_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/logtest"
	"github.com/xiuhua/xiuhua/server/notify"
)

// A sink removed from the configuration leaves its events in the outbox:
// they are counted and the operator is told, once.
func TestEventsOfARemovedSinkAreCountedAndReported(t *testing.T) {
	st := openSQLite(t, tempDB(t))
	defer st.Close()
	// Yesterday's configuration had "hook"; its events were never sent.
	svc, _ := setup(t, st, newReceiver(t))
	record(t, svc, "e", 3)

	// Today's has only "other".
	rcv := newReceiver(t)
	other := notify.NewWebhook("other", rcv.URL, secret, 5*time.Second)
	t.Cleanup(other.Close)
	var logs logtest.Buffer
	m := notify.NewMetrics(prometheus.NewRegistry())
	d := &notify.Dispatcher{Store: st, Sinks: []notify.Sink{other}, Poll: 10 * time.Millisecond, Backoff: fastRetry,
		Metrics: m, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	run(t, d)

	waitFor(t, "the pending gauge of the removed sink", func() bool {
		var g dto.Metric
		require.NoError(t, m.Pending.WithLabelValues("hook").Write(&g))
		return g.GetGauge().GetValue() == 3
	})
	waitFor(t, "a warning", func() bool { return strings.Contains(logs.String(), "wait for a sink that is not configured") })
	// Let several polls pass: still one warning.
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, 1, strings.Count(logs.String(), "wait for a sink that is not configured"), logs.String())
	require.Contains(t, logs.String(), "sink=hook")
	require.Zero(t, rcv.unique(), "another sink's events are not delivered here")
}
