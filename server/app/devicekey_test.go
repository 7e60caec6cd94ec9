package app

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
	"github.com/xiuhua/xiuhua/server/config"
)

// TestDeviceKeyPinned: the first Hello pins the device's key; another key,
// no key and unsigned reports are refused from then on, until an operator
// rekeys the device.
func TestDeviceKeyPinned(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.Auth.Devices = config.DevicesToken
	srv := start(t, cfg)
	ctx := context.Background()
	tok, err := srv.app.Auth().AddDevice(ctx, "edge-01", nil)
	require.NoError(t, err)
	client := dialToken(t, srv.app.GRPCAddr(), tok)
	pub1, priv1, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	pub2, priv2, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)

	require.NoError(t, hello(t, client, pub1), "the first Hello pins its key")
	for name, key := range map[string]ed25519.PublicKey{"another key": pub2, "no key": nil} {
		err := hello(t, client, key)
		require.Equal(t, codes.Unauthenticated, status.Code(err), "%s: %v", name, err)
		require.Equal(t, rpcerr.ReasonDeviceKey, rpcerr.Reason(err), name)
	}
	_, err = sendReport(t, client, nil, "ev-unsigned")
	require.Equal(t, codes.Unauthenticated, status.Code(err), "unsigned once pinned: %v", err)
	require.Equal(t, rpcerr.ReasonBadSignature, rpcerr.Reason(err))
	_, err = sendReport(t, client, priv2, "ev-other-key")
	require.Equal(t, rpcerr.ReasonBadSignature, rpcerr.Reason(err), "%v", err)
	_, err = sendReport(t, client, priv1, "ev-pinned")
	require.NoError(t, err)

	// A replaced box: rekey unpins, and its first Hello pins the new key.
	require.NoError(t, srv.app.Auth().RekeyDevice(ctx, "edge-01", nil))
	require.NoError(t, hello(t, client, pub2))
	require.Error(t, hello(t, client, pub1), "the old key is refused now")
	_, err = sendReport(t, client, priv2, "ev-new-box")
	require.NoError(t, err)
	_, err = sendReport(t, client, priv1, "ev-old-box")
	require.Equal(t, rpcerr.ReasonBadSignature, rpcerr.Reason(err), "%v", err)
}

// TestDeviceKeyAtAdd: with auth.device_keys add, only a key given to the
// registry is accepted; a device without one cannot say Hello.
func TestDeviceKeyAtAdd(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.Auth.Devices = config.DevicesToken
	cfg.Auth.DeviceKeys = config.DeviceKeysAdd
	srv := start(t, cfg)
	ctx := context.Background()
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)

	tok, err := srv.app.Auth().AddDevice(ctx, "edge-01", nil)
	require.NoError(t, err)
	client := dialToken(t, srv.app.GRPCAddr(), tok)
	err = hello(t, client, pub)
	require.Equal(t, rpcerr.ReasonDeviceKey, rpcerr.Reason(err), "no key pinned: %v", err)
	require.Contains(t, status.Convert(err).Message(), "server device rekey -public-key FILE edge-01")

	tok, err = srv.app.Auth().AddDeviceWithKey(ctx, "edge-01", nil, pub)
	require.NoError(t, err)
	client = dialToken(t, srv.app.GRPCAddr(), tok)
	require.NoError(t, hello(t, client, pub))
	_, err = sendReport(t, client, priv, "ev-1")
	require.NoError(t, err)
}
