package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/internal/testdata"
	"github.com/xiuhua/xiuhua/internal/testpki"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// TestMutualTLS sets a deployment up as docs/deployment.md tells an
// operator to, with a private CA made here: the server's gRPC side asks
// for client certificates (grpc.tls.client_ca) and its pages are HTTPS
// (http.tls); the edge has its own certificate. A case goes from camsim
// through the edge to the server over mutual TLS; a box holding the
// edge's token but another box's certificate is refused; plain HTTP gets
// nothing; a key of another certificate and a certificate for another
// device stop the binaries at start with status 2.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	rtspAddr, httpAddr, grpcAddr, edgeHTTP := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	ca := testpki.NewCA(t, dir, "ca")
	srvPair := ca.Server(t, "server", "127.0.0.1")
	edgePair := ca.Client(t, "edge-tls", "edge-tls")
	otherPair := ca.Client(t, "edge-other", "edge-other")
	roots := x509.NewCertPool()
	caPEM, err := os.ReadFile(ca.CAFile)
	require.NoError(t, err)
	require.True(t, roots.AppendCertsFromPEM(caPEM))
	httpClients.Store(httpAddr, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}})

	camsim := start(t, dir, "camsim", "-listen", rtspAddr, "-stream", "cam1="+testdata.Path(t, "media", "vtest.avi"))
	server, base, tokenFiles := startServerYAML(t, dir, "https://"+httpAddr, fmt.Sprintf(`http:
  listen: %q
  tls: {cert_file: %q, key_file: %q}
grpc:
  listen: %q
  tls: {cert_file: %q, key_file: %q, client_ca: %q}
auth: {devices: token}
`, httpAddr, srvPair.CertFile, srvPair.KeyFile, grpcAddr, srvPair.CertFile, srvPair.KeyFile, ca.CAFile),
		nil, map[string][]string{"edge-tls": {"cam1"}})

	resp, err := clientFor(base).Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "max-age=31536000", resp.Header.Get("Strict-Transport-Security"))
	resp, err = http.Get("http://" + httpAddr + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "plain HTTP to the HTTPS listener")

	edgeYAML := func(id string, pair testpki.Pair) string {
		return lingerEdge{ID: id, Dir: dir, GRPC: grpcAddr, HTTP: edgeHTTP, RTSP: rtspAddr, TokenFile: tokenFiles["edge-tls"],
			TLS: fmt.Sprintf("ca_file: %q, cert_file: %q, key_file: %q", ca.CAFile, pair.CertFile, pair.KeyFile)}.yaml(t)
	}
	// A certificate for another box is caught at start.
	exitsWith2(t, dir, "edge", edgeYAML("edge-tls", otherPair),
		`server.cert_file: invalid value "`+otherPair.CertFile+`": allowed: a certificate whose common name or a DNS name is device.id "edge-tls" (it names CN "edge-other")`)
	exitsWith2(t, dir, "server", fmt.Sprintf("grpc: {tls: {cert_file: %q, key_file: %q}}\n", srvPair.CertFile, edgePair.KeyFile),
		`grpc.tls.key_file: invalid value "`+edgePair.KeyFile+`": allowed: the private key of grpc.tls.cert_file "`+srvPair.CertFile+`" (this key belongs to another certificate)`)

	edgeCfg := filepath.Join(dir, "edge.yaml")
	writeFile(t, edgeCfg, edgeYAML("edge-tls", edgePair))
	edge := start(t, dir, "edge", "-config", edgeCfg)
	cases := waitForCases(t, base, edge)
	var detail apiCaseDetail
	getJSON(t, base+"/api/v1/cases/"+cases[0].ID, &detail)
	require.NotEmpty(t, detail.Reports)
	require.True(t, detail.Reports[0].SignatureVerified)

	// The edge's token with another box's certificate: refused, saying why.
	tok, err := os.ReadFile(tokenFiles["edge-tls"])
	require.NoError(t, err)
	err = helloWith(t, grpcAddr, roots, otherPair, string(tok[:len(tok)-1]), "edge-tls")
	require.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)
	require.ErrorContains(t, err, `the client certificate names "edge-other", not device "edge-tls"`)

	for _, p := range []*proc{edge, server, camsim} {
		require.NoError(t, p.stop(t), "%s did not exit cleanly:\n%s", p.name, p.output())
	}
}

// exitsWith2 runs binary on config and wants exit status 2 and want in its
// output.
func exitsWith2(t *testing.T, dir, binary, config, want string) {
	t.Helper()
	cfg := filepath.Join(dir, binary+"-bad.yaml")
	writeFile(t, cfg, config)
	cmd := exec.Command(bin(binary), "-config", cfg)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "want exit status 2, got %v; output:\n%s", err, out)
	require.Equal(t, 2, exit.ExitCode(), "output:\n%s", out)
	require.Contains(t, string(out), want)
}

// helloWith opens a control stream as device with pair's certificate and
// token, and returns the error of the first answer.
func helloWith(t *testing.T, addr string, roots *x509.CertPool, pair testpki.Pair, token, device string) error {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(pair.CertFile, pair.KeyFile)
	require.NoError(t, err)
	creds := credentials.NewTLS(&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{cert}})
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds), grpc.WithPerRPCCredentials(bearer(token)))
	require.NoError(t, err)
	defer cc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	control, err := xiuhuav1.NewEdgeServiceClient(cc).Connect(ctx)
	if err != nil {
		return err
	}
	pub, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	_ = control.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Hello{Hello: &xiuhuav1.Hello{DeviceId: device, PublicKey: pub}}})
	_, err = control.Recv()
	if err == io.EOF {
		return errors.New("stream ended without an answer")
	}
	return err
}

// bearer is a device token as per-RPC credentials (TLS required).
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}
func (bearer) RequireTransportSecurity() bool { return true }
