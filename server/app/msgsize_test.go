package app

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// TestLargeRecheckAnswer: a re-check answer with two pictures just under
// limits.max_attachment_bytes (10 MiB by default) passes the control
// stream; gRPC's default 4 MiB used to break the stream.
func TestLargeRecheckAnswer(t *testing.T) {
	srv := start(t, testConfig(t.TempDir()))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := dial(t, srv.app.GRPCAddr(), nil).Connect(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Hello{Hello: &xiuhuav1.Hello{DeviceId: "edge-01"}}}))
	m, err := c.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetWelcome())

	pic := append([]byte{0xff, 0xd8, 0xff}, bytes.Repeat([]byte{1}, 10<<20-1024)...)
	require.NoError(t, c.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_RecheckResult{RecheckResult: &xiuhuav1.RecheckResult{
		RequestId: "R-none", Snapshot: pic, Annotated: pic}}}))
	require.NoError(t, c.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Heartbeat{Heartbeat: &xiuhuav1.Heartbeat{SentAt: timestamppb.Now()}}}))
	for {
		m, err = c.Recv()
		require.NoError(t, err, "the stream survives the answer")
		if m.GetHeartbeatAck() != nil {
			break
		}
	}
	require.NoError(t, c.CloseSend())
}
