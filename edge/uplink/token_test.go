package uplink

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTokenSentWithEveryReport: the configured token goes out as
// "authorization: Bearer ..." metadata.
func TestTokenSentWithEveryReport(t *testing.T) {
	srv := newTestServer()
	srv.wantToken = "xhd_box-1.secret"
	addr, _ := serve(t, "127.0.0.1:0", srv)
	e := newEdge(t)
	put(t, e, "ev-1")
	cfg := testConfig(addr)
	cfg.Token = "xhd_box-1.secret"
	start(t, e, cfg)
	require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	require.Equal(t, []string{"Bearer xhd_box-1.secret"}, srv.auths)
}

// TestBadTokenKeepsReportsQueued: a server that refuses the device's token
// leaves every report in the outbox, none in dead/; once the operator puts
// the right token in the token file, the same reports go through without a
// restart.
func TestBadTokenKeepsReportsQueued(t *testing.T) {
	srv := newTestServer()
	srv.wantToken = "good"
	addr, _ := serve(t, "127.0.0.1:0", srv)
	e := newEdge(t)
	put(t, e, "ev-1")
	put(t, e, "ev-2")
	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte("revoked\n"), 0o600))
	cfg := testConfig(addr)
	cfg.TokenFile = file
	start(t, e, cfg)

	refused := func() int { srv.mu.Lock(); defer srv.mu.Unlock(); return len(srv.auths) }
	require.Eventually(t, func() bool { return refused() >= 3 }, waitFor, tick, "retried")
	require.Equal(t, 2, pending(e))
	require.Zero(t, e.outbox.DeadCount(), "a credentials problem sends nothing to dead/")
	require.Empty(t, srv.storedIDs())

	require.NoError(t, os.WriteFile(file, []byte("good\n"), 0o600))
	require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
	require.Equal(t, map[string]bool{"ev-1": true, "ev-2": true}, srv.storedIDs())
	require.Zero(t, e.outbox.DeadCount())
}

func TestTokenConfig(t *testing.T) {
	cfg := testConfig("127.0.0.1:1")
	cfg.Token, cfg.TokenFile = "a", "/b"
	require.ErrorContains(t, cfg.Validate(), "Token, TokenFile: give one or neither")
}

// TestTokenNeedsTLSOffLoopback: without TLS the token is not sent at all;
// the only plaintext allowed is to loopback, where Insecure is set.
func TestTokenNeedsTLSOffLoopback(t *testing.T) {
	require.True(t, deviceToken{token: "x"}.RequireTransportSecurity())
	require.False(t, deviceToken{token: "x", plaintext: true}.RequireTransportSecurity())
	_, err := deviceToken{file: filepath.Join(t.TempDir(), "missing")}.GetRequestMetadata(t.Context())
	require.ErrorContains(t, err, "server token file")
}
