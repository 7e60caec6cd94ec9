package app

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/web"
)

// bearer is an edge's per-RPC token, plaintext allowed: the tests run on
// loopback.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}
func (bearer) RequireTransportSecurity() bool { return false }

func dialToken(t *testing.T, addr, token string) xiuhuav1.EdgeServiceClient {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer(token)))
	}
	cc, err := grpc.NewClient(addr, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { cc.Close() })
	return xiuhuav1.NewEdgeServiceClient(cc)
}

// hello opens a control stream as edge-01 with pub and returns the error
// of its first answer.
func hello(t *testing.T, client xiuhuav1.EdgeServiceClient, pub ed25519.PublicKey) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	control, err := client.Connect(ctx)
	if err != nil {
		return err
	}
	if err := control.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Hello{Hello: &xiuhuav1.Hello{
		DeviceId: "edge-01", PublicKey: pub}}}); err != nil {
		_, err = control.Recv()
		return err
	}
	_, err = control.Recv()
	return err
}

// TestDeviceTokens: with auth.devices token, each refusal has its code
// and reason, and nothing refused is stored.
func TestDeviceTokens(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.Auth.Devices = config.DevicesToken
	srv := start(t, cfg)
	ctx := context.Background()
	addr := srv.app.GRPCAddr()
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)

	good, err := srv.app.Auth().AddDevice(ctx, "edge-01", []string{"cam-east-gate"})
	require.NoError(t, err)
	other, err := srv.app.Auth().AddDevice(ctx, "edge-02", nil)
	require.NoError(t, err)
	revoked, err := srv.app.Auth().AddDevice(ctx, "edge-03", nil)
	require.NoError(t, err)
	require.NoError(t, srv.app.Auth().RevokeDevice(ctx, "edge-03"))

	// The real device says Hello with its key.
	require.NoError(t, hello(t, dialToken(t, addr, good), pub))

	for _, tc := range []struct {
		name   string
		token  string
		code   codes.Code
		reason string
	}{
		{"no token", "", codes.Unauthenticated, rpcerr.ReasonBadCredentials},
		{"forged token", "xhd_edge-01.forged", codes.Unauthenticated, rpcerr.ReasonBadCredentials},
		{"malformed token", "hello", codes.Unauthenticated, rpcerr.ReasonBadCredentials},
		{"unknown device", "xhd_edge-99.whatever", codes.Unauthenticated, rpcerr.ReasonBadCredentials},
		{"revoked device", revoked, codes.Unauthenticated, rpcerr.ReasonBadCredentials},
		// edge-02's own token, reporting as edge-01.
		{"another device's report", other, codes.PermissionDenied, rpcerr.ReasonNotYours},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := dialToken(t, addr, tc.token)
			_, err := sendReport(t, client, priv, "ev-"+tc.name)
			require.Equal(t, tc.code, status.Code(err), "%v", err)
			require.Equal(t, tc.reason, rpcerr.Reason(err))
			if tc.code == codes.Unauthenticated {
				require.Equal(t, tc.code, status.Code(hello(t, client, pub)), "Connect is refused alike")
			}
		})
	}

	// edge-01 may report only for the cameras the registry lists.
	good, err = srv.app.Auth().AddDevice(ctx, "edge-01", []string{"cam-west-gate"})
	require.NoError(t, err)
	_, err = sendReport(t, dialToken(t, addr, good), priv, "ev-camera")
	require.Equal(t, codes.PermissionDenied, status.Code(err), "%v", err)
	require.Contains(t, status.Convert(err).Message(), `camera "cam-east-gate" is not registered for device "edge-01"`)

	// With its camera listed it goes through; a report signed with another
	// key is a bad signature, told apart from bad credentials.
	good, err = srv.app.Auth().AddDevice(ctx, "edge-01", []string{"cam-east-gate"})
	require.NoError(t, err)
	client := dialToken(t, addr, good)
	resp, err := sendReport(t, client, priv, "ev-ok")
	require.NoError(t, err)
	require.NotEmpty(t, resp.CaseId)
	_, forger, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	_, err = sendReport(t, client, forger, "ev-forged")
	require.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)
	require.Equal(t, rpcerr.ReasonBadSignature, rpcerr.Reason(err))

	_, body := httpGet(t, "http://"+srv.app.HTTPAddr()+"/api/v1/cases")
	var list web.CaseListJSON
	require.NoError(t, json.Unmarshal(body, &list))
	require.Len(t, list.Cases, 1, "only the accepted report made a case")
}

// TestFirstAdmin: the first start makes the admin from the environment's
// password; later starts leave it alone.
func TestFirstAdmin(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Auth.BootstrapAdmin = "chief"
	cfg.Auth.AdminPassword = "first password"
	srv := start(t, cfg)
	_, _, err := srv.app.Auth().Login(context.Background(), "chief", "first password")
	require.NoError(t, err)
	srv.stop(t)

	cfg.Auth.AdminPassword = "second password"
	srv = start(t, cfg)
	_, _, err = srv.app.Auth().Login(context.Background(), "chief", "first password")
	require.NoError(t, err, "an existing admin's password is not changed")
}
