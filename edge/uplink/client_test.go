package uplink

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/internal/reportsig"
	"github.com/xiuhua/xiuhua/internal/rpcerr"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	waitFor = 20 * time.Second
	tick    = 10 * time.Millisecond
)

type edge struct {
	outbox *outbox.Outbox
	id     *identity.Identity
	dir    string
}

func newEdge(t *testing.T) *edge {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	id := identity.New(priv)
	dir := t.TempDir()
	ob, err := outbox.Open(dir, testLogger(t), nil, outbox.WithSigner(id.Sign))
	require.NoError(t, err)
	t.Cleanup(func() { ob.Close() })
	return &edge{outbox: ob, id: id, dir: dir}
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
	}
	return nil
}

func testConfig(addr string) Config {
	return Config{
		ServerAddr:        addr,
		TLS:               TLSConfig{Insecure: true},
		DeviceID:          "box-1",
		RetryMin:          10 * time.Millisecond,
		RetryMax:          100 * time.Millisecond,
		ChunkSize:         1000, // many chunks per clip
		HeartbeatInterval: 50 * time.Millisecond,
		SendTimeout:       10 * time.Second,
		RescanInterval:    time.Minute, // deliveries must come from Notify
		StatsInterval:     100 * time.Millisecond,
	}
}

// start runs a Client until the test ends; stop cancels it and waits for Run.
func start(t *testing.T, e *edge, cfg Config) (stop func()) {
	t.Helper()
	c, err := New(cfg, e.outbox, e.id, func() *xiuhuav1.Hello {
		return &xiuhuav1.Hello{SoftwareVersion: "test", Hostname: "edge-test"}
	}, nil, testLogger(t))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(waitFor):
			t.Fatal("Run did not return after cancel")
		}
	}
	t.Cleanup(stop)
	return stop
}

// put queues a violation whose clip is a few chunks long.
func put(t *testing.T, e *edge, id string) []byte {
	t.Helper()
	clip := bytes.Repeat([]byte(id+"|"), 1200)
	r := &xiuhuav1.ViolationReport{
		EventId: id, DeviceId: "box-1", CameraId: "cam-1", ViolationType: "street_vending",
		ObservedAt: timestamppb.Now(),
	}
	require.NoError(t, e.outbox.Put(r, []outbox.File{
		{Name: "snapshot.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, ContentType: "image/jpeg", Data: []byte("jpeg " + id)},
		{Name: "clip.mp4", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP, ContentType: "video/mp4", Data: clip},
	}))
	return clip
}

func pending(e *edge) int {
	n, _, _ := e.outbox.Stats()
	return n
}

func TestDeliversOldestFirstAndAcks(t *testing.T) {
	srv := newTestServer()
	addr, _ := serve(t, "127.0.0.1:0", srv)
	e := newEdge(t)
	want := map[string][]byte{}
	for i := range 5 {
		id := fmt.Sprintf("ev-%d", i)
		want[id] = put(t, e, id)
	}
	start(t, e, testConfig(addr))

	require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
	requireStoredIntact(t, srv, want)

	// Signed with the key announced in Hello; oldest first; one attempt each.
	require.Eventually(t, func() bool { return srv.helloCount() > 0 }, waitFor, tick)
	func() {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		hello := srv.hellos[0]
		require.Equal(t, "box-1", hello.GetDeviceId())
		require.Equal(t, "test", hello.GetSoftwareVersion())
		require.Equal(t, []byte(e.id.PublicKey()), hello.GetPublicKey())
		for id, st := range srv.stored {
			require.True(t, verifies(hello.GetPublicKey(), st.report), "signature of %s", id)
		}
		require.Equal(t, []string{"ev-0", "ev-1", "ev-2", "ev-3", "ev-4"}, srv.received)
	}()

	// A later Put wakes the idle sender, long before the next rescan.
	require.Greater(t, testConfig(addr).RescanInterval, 2*waitFor)
	put(t, e, "ev-late")
	require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
}

func TestKeepsEverythingWhileNothingListensThenDeliversAll(t *testing.T) {
	// Find a free port, and leave it closed for now.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := lis.Addr().String()
	require.NoError(t, lis.Close())

	e := newEdge(t)
	const n = 6
	want := map[string][]byte{}
	for i := range n {
		id := fmt.Sprintf("ev-%d", i)
		want[id] = put(t, e, id)
	}
	start(t, e, testConfig(addr))

	// Several failed attempts, and nothing lost.
	require.Eventually(t, func() bool {
		it, ok := e.outbox.Oldest()
		return ok && it.Attempts >= 3
	}, waitFor, tick)
	require.Equal(t, n, pending(e))
	require.Zero(t, e.outbox.DeadCount())

	srv := newTestServer()
	serve(t, addr, srv)
	require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
	requireStoredIntact(t, srv, want)
	for id := range want {
		require.Equal(t, 1, srv.attemptsFor(id))
	}
}

func TestLostAckIsResentAndStoredOnce(t *testing.T) {
	srv := newTestServer()
	srv.loseAck["ev-lost"] = true
	addr, _ := serve(t, "127.0.0.1:0", srv)
	e := newEdge(t)
	want := map[string][]byte{"ev-lost": put(t, e, "ev-lost"), "ev-next": put(t, e, "ev-next")}
	start(t, e, testConfig(addr))

	require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
	require.Equal(t, 2, srv.attemptsFor("ev-lost"))
	require.Equal(t, 1, srv.attemptsFor("ev-next"))
	requireStoredIntact(t, srv, want)
	require.Zero(t, e.outbox.DeadCount())
}

func TestServerMayAcknowledgeADuplicateEarly(t *testing.T) {
	srv := newTestServer()
	srv.loseAck["ev-1"] = true
	srv.answerEarly = true
	addr, _ := serve(t, "127.0.0.1:0", srv)
	e := newEdge(t)
	want := map[string][]byte{"ev-1": put(t, e, "ev-1")}
	start(t, e, testConfig(addr))

	require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
	require.Equal(t, 2, srv.attemptsFor("ev-1"))
	requireStoredIntact(t, srv, want)
}

// Every status code the server may answer with: a permanent refusal sends
// the item to dead/ with the server's message; anything else is retried until
// it goes through.
func TestServerErrorsRetriedOrRejected(t *testing.T) {
	tests := []struct {
		code      codes.Code
		permanent bool
		reason    string // an rpcerr reason the server attaches
	}{
		{codes.InvalidArgument, true, ""},
		{codes.DataLoss, true, ""},
		{codes.FailedPrecondition, true, ""},
		// A forged or broken signature cannot get better by resending...
		{codes.Unauthenticated, true, rpcerr.ReasonBadSignature},
		// ...but a bad device token is fixed on the box or the server, and
		// then the same report goes through.
		{codes.Unauthenticated, false, rpcerr.ReasonBadCredentials},
		{codes.Unauthenticated, false, ""},
		{codes.PermissionDenied, true, ""},
		{codes.Unavailable, false, ""},
		{codes.DeadlineExceeded, false, ""},
		{codes.ResourceExhausted, false, ""},
		{codes.Aborted, false, ""},
		{codes.Internal, false, ""},
		{codes.Unknown, false, ""},
		{codes.Canceled, false, ""},
		{codes.NotFound, false, ""},
		{codes.Unimplemented, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.code.String()+" "+tt.reason, func(t *testing.T) {
			srv := newTestServer()
			msg := "refused because " + tt.code.String()
			srv.failFirst["ev-1"] = rpcerr.New(tt.code, tt.reason, msg).Err()
			addr, _ := serve(t, "127.0.0.1:0", srv)
			e := newEdge(t)
			put(t, e, "ev-1")
			clip2 := put(t, e, "ev-2")
			start(t, e, testConfig(addr))

			require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
			if tt.permanent {
				require.Equal(t, 1, srv.attemptsFor("ev-1"))
				requireStoredIntact(t, srv, map[string][]byte{"ev-2": clip2})
				reason, err := os.ReadFile(filepath.Join(e.dir, "dead", "ev-1", "reason.txt"))
				require.NoError(t, err)
				require.Contains(t, string(reason), "server refused: "+tt.code.String()+": "+msg)
				_, err = os.Stat(filepath.Join(e.dir, "dead", "ev-1", "clip.mp4"))
				require.NoError(t, err, "evidence kept in dead/")
			} else {
				require.Equal(t, 2, srv.attemptsFor("ev-1"))
				require.Len(t, srv.storedIDs(), 2)
				require.Zero(t, e.outbox.DeadCount())
			}
		})
	}
}

func TestCorruptItemIsSetAsideLocally(t *testing.T) {
	srv := newTestServer()
	addr, _ := serve(t, "127.0.0.1:0", srv)
	e := newEdge(t)
	put(t, e, "ev-bad")
	clip := put(t, e, "ev-good")
	it, ok := e.outbox.Oldest()
	require.True(t, ok)
	require.NoError(t, os.Truncate(filepath.Join(it.Dir, "clip.mp4"), 10))
	start(t, e, testConfig(addr))

	require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
	requireStoredIntact(t, srv, map[string][]byte{"ev-good": clip})
	require.Zero(t, srv.attemptsFor("ev-bad"), "nothing sent for a corrupt item")
	reason, err := os.ReadFile(filepath.Join(e.dir, "dead", "ev-bad", "reason.txt"))
	require.NoError(t, err)
	require.Contains(t, string(reason), "unreadable on the edge")
}

func TestHeartbeatsCarryOutboxState(t *testing.T) {
	srv := newTestServer()
	srv.failAll = status.Error(codes.Unavailable, "store is down")
	srv.sendUnknown = true
	addr, _ := serve(t, "127.0.0.1:0", srv)
	e := newEdge(t)
	put(t, e, "ev-1")
	put(t, e, "ev-2")
	start(t, e, testConfig(addr))

	require.Eventually(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		for _, hb := range srv.beats {
			if hb.GetOutboxPending() == 2 && hb.GetOutboxOldestAgeSeconds() > 0 && hb.GetSentAt().IsValid() {
				return true
			}
		}
		return false
	}, waitFor, tick)
	// The unknown message did not break the stream.
	require.Equal(t, 1, srv.helloCount())
	require.Equal(t, 2, pending(e))
}

func TestControlStreamReconnects(t *testing.T) {
	srv := newTestServer()
	addr, stop := serve(t, "127.0.0.1:0", srv)
	e := newEdge(t)
	start(t, e, testConfig(addr))
	require.Eventually(t, func() bool { return srv.helloCount() == 1 }, waitFor, tick)

	stop()
	serve(t, addr, srv)
	require.Eventually(t, func() bool { return srv.helloCount() == 2 }, waitFor, tick)
}

func TestRunReturnsWhenCancelled(t *testing.T) {
	for _, listening := range []bool{true, false} {
		t.Run(fmt.Sprintf("listening=%v", listening), func(t *testing.T) {
			defer goleak.VerifyNone(t)
			srv := newTestServer()
			addr := "127.0.0.1:1"
			var stopServer func()
			if listening {
				addr, stopServer = serve(t, "127.0.0.1:0", srv)
			}
			e := newEdge(t)
			put(t, e, "ev-1")
			stop := start(t, e, testConfig(addr))
			if listening {
				require.Eventually(t, func() bool { return srv.helloCount() == 1 && pending(e) == 0 }, waitFor, tick)
			} else {
				require.Eventually(t, func() bool {
					it, ok := e.outbox.Oldest()
					return ok && it.Attempts > 0
				}, waitFor, tick)
			}
			stop()
			if stopServer != nil {
				stopServer()
			}
		})
	}
}

func TestRunTwiceFails(t *testing.T) {
	e := newEdge(t)
	c, err := New(testConfig("127.0.0.1:1"), e.outbox, e.id, nil, nil, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	require.Eventually(t, func() bool { return c.running.Load() }, waitFor, tick)
	require.ErrorContains(t, c.Run(ctx), "twice")
	cancel()
	require.NoError(t, <-done)
}

func TestTLSWithCAFile(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(caFile, certPEM, 0o600))
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)

	srv := newTestServer()
	addr, _ := serve(t, "127.0.0.1:0", srv,
		grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}})))
	e := newEdge(t)
	want := map[string][]byte{"ev-1": put(t, e, "ev-1")}
	cfg := testConfig(addr)
	cfg.TLS = TLSConfig{CAFile: caFile}
	start(t, e, cfg)

	require.Eventually(t, func() bool { return pending(e) == 0 }, waitFor, tick)
	requireStoredIntact(t, srv, want)
}

func TestTLSWithUnknownCAKeepsItems(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	otherCA, _ := selfSigned(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, otherCA, 0o600))
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)

	srv := newTestServer()
	addr, _ := serve(t, "127.0.0.1:0", srv,
		grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}})))
	e := newEdge(t)
	put(t, e, "ev-1")
	cfg := testConfig(addr)
	cfg.TLS = TLSConfig{CAFile: caFile}
	start(t, e, cfg)

	require.Eventually(t, func() bool {
		it, ok := e.outbox.Oldest()
		return ok && it.Attempts >= 2
	}, waitFor, tick)
	require.Empty(t, srv.storedIDs())
	require.Zero(t, e.outbox.DeadCount(), "a TLS failure is not the item's fault")
}

func TestConfigValidation(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("not pem"), 0o600))
	tests := []struct {
		name    string
		modify  func(*Config)
		wantErr string
	}{
		{"ok", func(*Config) {}, ""},
		{"defaults", func(c *Config) {
			*c = Config{ServerAddr: "localhost:7443", DeviceID: "b", TLS: TLSConfig{Insecure: true}}
		}, ""},
		{"unix target", func(c *Config) { c.ServerAddr = "unix:///run/xiuhua.sock" }, ""},
		{"no addr", func(c *Config) { c.ServerAddr = "" }, "ServerAddr: empty"},
		{"no port", func(c *Config) { c.ServerAddr = "server" }, "ServerAddr:"},
		{"no device", func(c *Config) { c.DeviceID = "" }, "DeviceID: empty"},
		{"negative retry", func(c *Config) { c.RetryMin = -time.Second }, "RetryMin:"},
		{"max below min", func(c *Config) { c.RetryMin, c.RetryMax = time.Minute, time.Second }, "RetryMax:"},
		{"huge chunk", func(c *Config) { c.ChunkSize = 8 << 20 }, "ChunkSize:"},
		{"negative chunk", func(c *Config) { c.ChunkSize = -1 }, "ChunkSize:"},
		{"plaintext off loopback", func(c *Config) { c.ServerAddr = "10.0.0.5:7443" }, "TLS.Insecure: plaintext is allowed only to a loopback"},
		{"plaintext by name", func(c *Config) { c.ServerAddr = "xiuhua.example:7443" }, "TLS.Insecure"},
		{"plaintext ipv6 loopback", func(c *Config) { c.ServerAddr = "[::1]:7443" }, ""},
		{"insecure with CA", func(c *Config) { c.TLS.CAFile = "ca.pem" }, "cannot be combined"},
		{"cert without key", func(c *Config) { c.TLS = TLSConfig{CertFile: "c.pem"} }, "give both or neither"},
		{"missing CA file", func(c *Config) { c.TLS = TLSConfig{CAFile: "/nonexistent/ca.pem"} }, "TLS.CAFile:"},
		{"CA file not PEM", func(c *Config) { c.TLS = TLSConfig{CAFile: bad} }, "holds no PEM certificate"},
	}
	e := newEdge(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig("127.0.0.1:7443")
			tt.modify(&cfg)
			_, err := New(cfg, e.outbox, e.id, nil, nil, nil)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
	_, err := New(testConfig("127.0.0.1:7443"), nil, e.id, nil, nil, nil)
	require.Error(t, err)
}

func TestPermanent(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"invalid argument", status.Error(codes.InvalidArgument, "x"), true},
		{"data loss", status.Error(codes.DataLoss, "x"), true},
		{"failed precondition", status.Error(codes.FailedPrecondition, "x"), true},
		{"unauthenticated, no reason", status.Error(codes.Unauthenticated, "x"), false},
		{"bad credentials", rpcerr.New(codes.Unauthenticated, rpcerr.ReasonBadCredentials, "x").Err(), false},
		{"bad signature", rpcerr.New(codes.Unauthenticated, rpcerr.ReasonBadSignature, "x").Err(), true},
		{"wrapped bad signature", fmt.Errorf("send: %w", rpcerr.New(codes.Unauthenticated, rpcerr.ReasonBadSignature, "x").Err()), true},
		{"permission denied", status.Error(codes.PermissionDenied, "x"), true},
		{"wrapped status", fmt.Errorf("send: %w", status.Error(codes.InvalidArgument, "x")), true},
		{"corrupt item", fmt.Errorf("%w: short", outbox.ErrCorrupt), true},
		{"unavailable", status.Error(codes.Unavailable, "x"), false},
		{"deadline", status.Error(codes.DeadlineExceeded, "x"), false},
		{"resource exhausted", status.Error(codes.ResourceExhausted, "x"), false},
		{"aborted", status.Error(codes.Aborted, "x"), false},
		{"internal", status.Error(codes.Internal, "x"), false},
		{"unknown", status.Error(codes.Unknown, "x"), false},
		{"context deadline", context.DeadlineExceeded, false},
		{"connection refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
		{"io", io.ErrUnexpectedEOF, false},
		{"plain", errors.New("x"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, permanent(tt.err))
		})
	}
}

func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "xiuhua test server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// verifies reports whether r carries pub's valid signature.
func verifies(pub ed25519.PublicKey, r *xiuhuav1.ViolationReport) bool {
	_, err := reportsig.Verify(pub, r)
	return err == nil
}

// Each refusal of the device's credentials names its own remedy: a box
// with a good token and a wrong certificate must not be told to fix its
// token.
func TestCredentialsHint(t *testing.T) {
	for _, tc := range []struct {
		reason, want string
	}{
		{rpcerr.ReasonBadCredentials, "server.token"},
		{"", "server.token"},
		{rpcerr.ReasonClientCertificate, "server.cert_file"},
		{rpcerr.ReasonDeviceKey, "server device rekey"},
	} {
		err := rpcerr.New(codes.Unauthenticated, tc.reason, "refused").Err()
		got := credentialsHint(fmt.Errorf("send: %w", err))
		require.Contains(t, got, tc.want, tc.reason)
		if tc.reason == rpcerr.ReasonClientCertificate || tc.reason == rpcerr.ReasonDeviceKey {
			require.NotContains(t, got, "server.token", tc.reason)
		}
	}
}
