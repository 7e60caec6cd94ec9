package ingest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestHeartbeatWritesThrottled: every heartbeat is answered and counted,
// but only one per HeartbeatWriteInterval reaches the database.
func TestHeartbeatWritesThrottled(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.HeartbeatWriteInterval = time.Hour })
	ctx := ctxT(t)
	c := e.connect(t, ctx, "edge-01", nil)
	defer c.CloseSend()
	for i := int64(1); i <= 3; i++ {
		require.NoError(t, c.Send(heartbeatMsg(i)))
		m, err := c.Recv()
		require.NoError(t, err)
		require.NotNil(t, m.GetHeartbeatAck())
	}
	require.Equal(t, 3.0, e.counter(t, "xiuhua_heartbeats_total"))
	d, err := e.store.GetDevice(ctx, "edge-01")
	require.NoError(t, err)
	var st struct {
		OutboxPending string `json:"outbox_pending"`
	}
	require.NoError(t, json.Unmarshal(d.Status, &st))
	require.Equal(t, "1", st.OutboxPending, "the first heartbeat was written, the two after it were not")
}
