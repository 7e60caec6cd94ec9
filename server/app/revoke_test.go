package app

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/config"
)

// TestRevokedDeviceLosesStream: revoking a device, replacing its token or
// its key ends its open control stream at the next message it sends, and
// that message is not acted on.
func TestRevokedDeviceLosesStream(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.Auth.Devices = config.DevicesToken
	srv := start(t, cfg)
	auth := srv.app.Auth()
	pub, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	heartbeat := &xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Heartbeat{Heartbeat: &xiuhuav1.Heartbeat{SentAt: timestamppb.Now()}}}
	answer := &xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_RecheckResult{RecheckResult: &xiuhuav1.RecheckResult{RequestId: "R-1"}}}

	for _, tc := range []struct {
		name   string
		take   func(ctx context.Context) error
		msg    *xiuhuav1.EdgeMessage
		reason string
	}{
		{"revoked, heartbeat", func(ctx context.Context) error { return auth.RevokeDevice(ctx, "edge-01") }, heartbeat, rpcerr.ReasonBadCredentials},
		{"revoked, re-check answer", func(ctx context.Context) error { return auth.RevokeDevice(ctx, "edge-01") }, answer, rpcerr.ReasonBadCredentials},
		{"new token", func(ctx context.Context) error {
			_, err := auth.AddDevice(ctx, "edge-01", nil)
			return err
		}, heartbeat, rpcerr.ReasonBadCredentials},
		{"rekeyed", func(ctx context.Context) error {
			other, _, err := ed25519.GenerateKey(nil)
			require.NoError(t, err)
			return auth.RekeyDevice(ctx, "edge-01", other)
		}, heartbeat, rpcerr.ReasonDeviceKey},
		{"unpinned", func(ctx context.Context) error { return auth.RekeyDevice(ctx, "edge-01", nil) }, heartbeat, rpcerr.ReasonDeviceKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			tok, err := auth.AddDevice(ctx, "edge-01", nil)
			require.NoError(t, err)
			require.NoError(t, auth.RekeyDevice(ctx, "edge-01", pub))
			c, err := dialToken(t, srv.app.GRPCAddr(), tok).Connect(ctx)
			require.NoError(t, err)
			require.NoError(t, c.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Hello{Hello: &xiuhuav1.Hello{DeviceId: "edge-01", PublicKey: pub}}}))
			m, err := c.Recv()
			require.NoError(t, err)
			require.NotNil(t, m.GetWelcome())
			require.NoError(t, c.Send(heartbeat))
			m, err = c.Recv()
			require.NoError(t, err)
			require.NotNil(t, m.GetHeartbeatAck(), "allowed so far")

			require.NoError(t, tc.take(ctx))
			require.NoError(t, c.Send(tc.msg))
			for {
				m, err = c.Recv()
				if err != nil {
					break
				}
				require.Nil(t, m.GetHeartbeatAck(), "no answer after the revocation")
			}
			require.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)
			require.Equal(t, tc.reason, rpcerr.Reason(err))
			require.Eventually(t, func() bool { return srv.app.ingest.Registry().Len() == 0 }, 10*time.Second, 10*time.Millisecond)
		})
	}
}
