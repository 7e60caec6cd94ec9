package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store/postgres"
	"github.com/xiuhua/xiuhua/server/store/postgres/pgtest"
)

// TestReplicasDeliverOnce runs two dispatchers, each with its own
// connection pool (two server replicas), on one PostgreSQL database. The
// receiver never fails, so at-least-once allows no repeat: every event
// must arrive exactly once.
func TestReplicasDeliverOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	rcv := newReceiver(t)
	rcv.delay = 2 * time.Millisecond // so that the replicas overlap

	var total int
	for i, prefix := range []string{"a", "b"} {
		st, err := postgres.Open(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		svc, d := setup(t, st, rcv)
		d.Owner = "replica-" + prefix
		d.Batch = 4
		total += len(record(t, svc, prefix, 20+i))
		run(t, d)
	}
	waitFor(t, "every event", func() bool { return rcv.unique() == total })
	time.Sleep(100 * time.Millisecond) // a late double would show now; its absence is not timed
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	require.Equal(t, total, rcv.requests)
	for id, n := range rcv.seen {
		require.Equal(t, 1, n, "event %s delivered %d times", id, n)
	}
}
