package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/notify"
	"github.com/xiuhua/xiuhua/server/store"
)

// setup is one server's worth of notify: a case service writing events
// for one webhook named "hook" at rcv, and a dispatcher delivering them.
func setup(t *testing.T, st store.Store, rcv *receiver) (*cases.Service, *notify.Dispatcher) {
	hook := notify.NewWebhook("hook", rcv.URL, secret, 5*time.Second)
	t.Cleanup(hook.Close)
	router := notify.NewRouter([]notify.Route{{Sink: hook}})
	cfg := cases.DefaultConfig()
	cfg.Events = router
	svc := cases.New(st, cfg)
	d := &notify.Dispatcher{Store: st, Sinks: router.Sinks(), Poll: 10 * time.Millisecond, Backoff: fastRetry,
		Metrics: notify.NewMetrics(prometheus.NewRegistry()), Log: quietLog()}
	return svc, d
}

func TestWebhookSignedEventsWithIDs(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t, tempDB(t))
	defer st.Close()
	rcv := newReceiver(t)
	svc, d := setup(t, st, rcv)

	ids := record(t, svc, "e", 3)
	_, err := svc.Transition(ctx, cases.Request{CaseID: ids[0], To: cases.StatusRejected, Actor: "li", Role: "reviewer",
		Comment: "a shadow"})
	require.NoError(t, err)
	run(t, d)
	waitFor(t, "4 events", func() bool { return rcv.unique() == 4 })
	// The receiver counts an event before the dispatcher has its answer.
	waitFor(t, "4 deliveries counted", func() bool { return value(d.Metrics.Delivered.WithLabelValues("hook")) == 4 })

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	kinds := map[string]int{}
	for id, e := range rcv.events {
		require.Len(t, id, 36, "a UUID")
		require.Equal(t, 1, rcv.seen[id], "no failure, so no repeat")
		kinds[e.Event]++
		if e.Event == cases.EventTransitioned {
			require.Equal(t, ids[0], e.Case.ID)
			require.Equal(t, &cases.EventTransition{From: cases.StatusPendingReview, To: cases.StatusRejected,
				Action: "reject", Actor: "li", Role: "reviewer", Comment: "a shadow"}, e.Transition)
			require.Equal(t, 2, e.Case.Version)
		} else {
			require.Equal(t, cases.StatusPendingReview, e.Case.Status)
			require.Contains(t, ids, e.Case.ID)
			require.NotNil(t, e.Report)
		}
	}
	require.Equal(t, map[string]int{cases.EventCreated: 3, cases.EventTransitioned: 1}, kinds)
}

func TestWebhookRetriedUntilDelivered(t *testing.T) {
	st := openSQLite(t, tempDB(t))
	defer st.Close()
	rcv := newReceiver(t)
	rcv.failNext = 5
	svc, d := setup(t, st, rcv)
	record(t, svc, "e", 4)
	run(t, d)
	waitFor(t, "4 events", func() bool { return rcv.unique() == 4 })
	waitFor(t, "empty outbox", func() bool {
		n, err := st.PendingOutbox(context.Background())
		return err == nil && n["hook"] == 0
	})

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	require.Equal(t, 4+5, rcv.requests, "every failed attempt was repeated, nothing else")
	for id, n := range rcv.seen {
		require.Equal(t, 1, n, "event %s accepted once", id)
	}
	require.Equal(t, 5.0, value(d.Metrics.Failed.WithLabelValues("hook")))
	require.Equal(t, 4.0, value(d.Metrics.Delivered.WithLabelValues("hook")))
}

// TestRestartDelivers stops a dispatcher while its receiver is down and
// the database with it; after a restart everything still arrives.
func TestRestartDelivers(t *testing.T) {
	path := tempDB(t)
	st := openSQLite(t, path)
	rcv := newReceiver(t)
	rcv.failNext = 1 << 30 // down
	svc, d := setup(t, st, rcv)
	record(t, svc, "e", 5)
	stop := run(t, d)
	waitFor(t, "failed attempts", func() bool { return value(d.Metrics.Failed.WithLabelValues("hook")) >= 5 })
	stop()
	require.NoError(t, st.Close())

	rcv.mu.Lock()
	rcv.failNext = 0 // back up
	rcv.mu.Unlock()
	st = openSQLite(t, path)
	defer st.Close()
	_, d = setup(t, st, rcv)
	run(t, d)
	waitFor(t, "5 events after the restart", func() bool { return rcv.unique() == 5 })
}

func TestWebhookTimeoutRetried(t *testing.T) {
	st := openSQLite(t, tempDB(t))
	defer st.Close()
	rcv := newReceiver(t)
	rcv.delay = 300 * time.Millisecond
	hook := notify.NewWebhook("hook", rcv.URL, secret, 50*time.Millisecond)
	defer hook.Close()
	err := hook.Deliver(context.Background(), notify.Message{ID: "x", Kind: "created", Payload: []byte(`{"id":"x","event":"created"}`)})
	require.ErrorContains(t, err, "deadline exceeded")
}
