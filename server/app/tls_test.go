package app

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
	"github.com/xiuhua/xiuhua/internal/testpki"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/config"
)

// TestMutualTLS: with grpc.tls.client_ca a box needs a certificate from
// that CA naming the device its token belongs to; with http.tls the pages
// are HTTPS only, over HTTP/2, with HSTS and Secure cookies.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, dir, "ca")
	srvPair := ca.Server(t, "server", "127.0.0.1")
	cfg := testConfig(filepath.Join(dir, "data"))
	cfg.Auth.Devices = config.DevicesToken
	cfg.Auth.BootstrapAdmin, cfg.Auth.AdminPassword = "chief", "chief password"
	cfg.GRPC.TLS = config.TLS{CertFile: srvPair.CertFile, KeyFile: srvPair.KeyFile, ClientCA: ca.CAFile}
	cfg.HTTP.TLS = config.HTTPTLS{CertFile: srvPair.CertFile, KeyFile: srvPair.KeyFile, HSTSMaxAge: config.DefaultHSTSMaxAge}
	srv := start(t, cfg)
	tok, err := srv.app.Auth().AddDevice(context.Background(), "edge-01", nil)
	require.NoError(t, err)
	pub, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	roots := pool(t, ca.CAFile)

	dialCert := func(p *testpki.Pair) xiuhuav1.EdgeServiceClient {
		c := &tls.Config{RootCAs: roots}
		if p != nil {
			cert, err := tls.LoadX509KeyPair(p.CertFile, p.KeyFile)
			require.NoError(t, err)
			c.Certificates = []tls.Certificate{cert}
		}
		cc, err := grpc.NewClient(srv.app.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(c)),
			grpc.WithPerRPCCredentials(bearer(tok)))
		require.NoError(t, err)
		t.Cleanup(func() { cc.Close() })
		return xiuhuav1.NewEdgeServiceClient(cc)
	}

	own := ca.Client(t, "edge-01", "edge-01")
	require.NoError(t, hello(t, dialCert(&own), pub), "the box's own certificate and token")

	sanOnly := ca.Client(t, "san-only", "box 17", "edge-01")
	require.NoError(t, hello(t, dialCert(&sanOnly), pub), "the device id as a DNS name")

	other := ca.Client(t, "edge-02", "edge-02")
	err = hello(t, dialCert(&other), pub)
	require.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)
	require.Equal(t, rpcerr.ReasonClientCertificate, rpcerr.Reason(err))
	require.ErrorContains(t, err, `the client certificate names "edge-02", not device "edge-01"`)

	err = hello(t, dialCert(nil), pub)
	require.Equal(t, codes.Unavailable, status.Code(err), "no client certificate: the handshake fails: %v", err)

	foreign := testpki.NewCA(t, t.TempDir(), "foreign").Client(t, "edge-01", "edge-01")
	err = hello(t, dialCert(&foreign), pub)
	require.Equal(t, codes.Unavailable, status.Code(err), "a certificate of another CA: %v", err)

	// HTTPS, over HTTP/2, with HSTS.
	base := "https://" + srv.app.HTTPAddr()
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	client := &http.Client{CheckRedirect: noRedirect, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 2, resp.ProtoMajor)
	require.Equal(t, "max-age=31536000", resp.Header.Get("Strict-Transport-Security"))

	resp, err = client.PostForm(base+"/login", url.Values{"user": {"chief"}, "password": {"chief password"}, "next": {"/"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	cookies := resp.Cookies()
	require.NotEmpty(t, cookies)
	for _, c := range cookies {
		require.True(t, c.Secure, "cookie %s is not Secure", c.Name)
	}

	// Plain HTTP gets told to use HTTPS, nothing else.
	plain, err := http.Get("http://" + srv.app.HTTPAddr() + "/healthz")
	require.NoError(t, err)
	body, _ := io.ReadAll(plain.Body)
	plain.Body.Close()
	require.Equal(t, http.StatusBadRequest, plain.StatusCode)
	require.True(t, strings.Contains(string(body), "HTTPS"), "%s", body)
}

func pool(t *testing.T, file string) *x509.CertPool {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	p := x509.NewCertPool()
	require.True(t, p.AppendCertsFromPEM(b))
	return p
}
