package uplink

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/edge/outbox"
)

// TestRefusedItemDoesNotBlockLaterOnes: a report the server keeps
// answering Unavailable is retried behind the later ones, which are
// delivered meanwhile; once the server takes it, it is delivered too.
func TestRefusedItemDoesNotBlockLaterOnes(t *testing.T) {
	srv := newTestServer()
	srv.failAlways["ev-stuck"] = status.Error(codes.Unavailable, "try later")
	addr, _ := serve(t, "127.0.0.1:0", srv)
	e := newEdge(t)
	want := map[string][]byte{}
	for _, id := range []string{"ev-stuck", "ev-1", "ev-2"} {
		want[id] = put(t, e, id)
	}
	start(t, e, testConfig(addr))

	require.Eventually(t, func() bool { return pending(e) == 1 }, waitFor, tick, "later reports blocked behind a refused one")
	it, ok := e.outbox.Oldest()
	require.True(t, ok)
	require.Equal(t, "ev-stuck", it.ID)
	require.GreaterOrEqual(t, it.Attempts, outbox.RetryBehind)

	srv.mu.Lock()
	delete(srv.failAlways, "ev-stuck")
	srv.mu.Unlock()
	require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
	requireStoredIntact(t, srv, want)
	require.Zero(t, e.outbox.DeadCount())
}
