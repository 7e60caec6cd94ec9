package app

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/web"

	"github.com/xiuhua/xiuhua/internal/reportsig"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testConfig(dataDir string) config.Config {
	cfg := config.Default()
	cfg.DataDir = dataDir
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.GRPC.Listen = "127.0.0.1:0"
	// These tests are about ingest and the API; device tokens have their
	// own tests in auth_test.go.
	cfg.Auth.Devices = config.DevicesOpen
	return cfg
}

// apiTokens holds an admin API token per HTTP address, made by start.
var apiTokens sync.Map

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// running is an App serving in the background.
type running struct {
	app    *App
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, cfg config.Config) *running {
	t.Helper()
	a, err := New(cfg, WithLogger(quietLogger()))
	require.NoError(t, err)
	tok, err := a.Auth().AddAPIToken(context.Background(), "test", "admin", "test")
	require.NoError(t, err)
	apiTokens.Store(a.HTTPAddr(), tok)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{app: a, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels Run and waits for it; safe to call twice.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok {
			require.NoError(t, err)
			close(r.done)
		}
	case <-time.After(2 * ShutdownTimeout):
		t.Fatal("Run did not return after cancel")
	}
}

func dial(t *testing.T, addr string, creds credentials.TransportCredentials) xiuhuav1.EdgeServiceClient {
	t.Helper()
	if creds == nil {
		creds = insecure.NewCredentials()
	}
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	require.NoError(t, err)
	t.Cleanup(func() { cc.Close() })
	return xiuhuav1.NewEdgeServiceClient(cc)
}

func jpegBytes(t *testing.T, w, h int, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: c.R + uint8(x), G: c.G + uint8(y), B: c.B, A: 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

func hexSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

type evFile struct {
	name string
	kind xiuhuav1.EvidenceKind
	data []byte
}

// sendReport streams a report and its files in 64 KiB chunks, as an edge does.
func sendReport(t *testing.T, client xiuhuav1.EdgeServiceClient, key ed25519.PrivateKey, eventID string, files ...evFile) (*xiuhuav1.ReportViolationResponse, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	now := time.Now()
	rep := &xiuhuav1.ViolationReport{
		EventId: eventID, DeviceId: "edge-01", CameraId: "cam-east-gate", ZoneId: "zone-1", RuleId: "no-vending-east",
		ViolationType: "street_vending", ObservedAt: timestamppb.New(now), StartedAt: timestamppb.New(now.Add(-6 * time.Minute)),
		DwellSeconds: 360, FrameWidth: 640, FrameHeight: 360,
		Detections: []*xiuhuav1.Detection{{ClassName: "umbrella", Score: 0.8, Box: &xiuhuav1.Box{X: 10, Y: 20, Width: 100, Height: 80}, TrackId: 3}},
		Model:      &xiuhuav1.ModelRef{Name: "yolox_nano", Version: "1", Sha256: strings.Repeat("ab", 32)},
	}
	for _, f := range files {
		rep.Evidence = append(rep.Evidence, &xiuhuav1.EvidenceFile{Name: f.name, Kind: f.kind, ContentType: "image/jpeg",
			Size: int64(len(f.data)), Sha256: hexSum(f.data)})
	}
	if key != nil { // nil: unsigned
		require.NoError(t, reportsig.Sign(key, rep))
	}
	stream, err := client.ReportViolation(ctx)
	if err != nil {
		return nil, err
	}
	if err := stream.Send(&xiuhuav1.ReportViolationRequest{Msg: &xiuhuav1.ReportViolationRequest_Report{Report: rep}}); err != nil {
		require.ErrorIs(t, err, io.EOF)
		return stream.CloseAndRecv()
	}
	for _, f := range files {
		for off := 0; off < len(f.data); off += 64 << 10 {
			end := min(off+64<<10, len(f.data))
			if err := stream.Send(&xiuhuav1.ReportViolationRequest{Msg: &xiuhuav1.ReportViolationRequest_Chunk{Chunk: &xiuhuav1.EvidenceChunk{
				Name: f.name, Offset: int64(off), Data: f.data[off:end],
			}}}); err != nil {
				require.ErrorIs(t, err, io.EOF)
				return stream.CloseAndRecv()
			}
		}
	}
	return stream.CloseAndRecv()
}

// httpGet gets url with the admin API token of the server it names.
func httpGet(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if u, err := neturl.Parse(url); err == nil {
		if tok, ok := apiTokens.Load(u.Host); ok {
			req.Header.Set("Authorization", "Bearer "+tok.(string))
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func TestEndToEnd(t *testing.T) {
	dataDir := t.TempDir()
	srv := start(t, testConfig(dataDir))
	base := "http://" + srv.app.HTTPAddr()
	client := dial(t, srv.app.GRPCAddr(), nil)

	// The edge box says Hello with its key.
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	control, err := client.Connect(ctx)
	require.NoError(t, err)
	require.NoError(t, control.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Hello{Hello: &xiuhuav1.Hello{
		DeviceId: "edge-01", SoftwareVersion: "0.1.0", Hostname: "box", PublicKey: pub,
		Cameras: []*xiuhuav1.CameraInfo{{Id: "cam-east-gate", Name: "东门"}},
	}}}))
	m, err := control.Recv()
	require.NoError(t, err)
	require.Equal(t, uint32(10), m.GetWelcome().GetHeartbeatIntervalSeconds())

	snapshot := jpegBytes(t, 640, 360, color.RGBA{R: 40, G: 80, B: 120})
	annotated := jpegBytes(t, 640, 360, color.RGBA{R: 200, G: 30, B: 30})
	files := []evFile{
		{"snapshot.jpg", xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, snapshot},
		{"annotated.jpg", xiuhuav1.EvidenceKind_EVIDENCE_KIND_ANNOTATED, annotated},
	}
	resp, err := sendReport(t, client, priv, "ev-e2e-1", files...)
	require.NoError(t, err)
	require.False(t, resp.Duplicate)
	caseID := resp.CaseId

	// The case is listed, with the annotated picture as its thumbnail.
	r, body := httpGet(t, base+"/api/v1/cases")
	require.Equal(t, http.StatusOK, r.StatusCode)
	var list web.CaseListJSON
	require.NoError(t, json.Unmarshal(body, &list))
	require.Len(t, list.Cases, 1)
	require.Equal(t, caseID, list.Cases[0].ID)
	require.Equal(t, "pending_review", list.Cases[0].Status)
	require.Equal(t, "cam-east-gate", list.Cases[0].CameraID)
	require.Equal(t, hexSum(annotated), list.Cases[0].Thumbnail.SHA256)

	// Its detail has both files; the snapshot downloads byte for byte.
	_, body = httpGet(t, base+"/api/v1/cases/"+caseID)
	var detail web.CaseDetailJSON
	require.NoError(t, json.Unmarshal(body, &detail))
	require.Len(t, detail.Reports, 1)
	require.True(t, detail.Reports[0].SignatureVerified)
	require.Len(t, detail.Reports[0].Evidence, 2)
	snapURL := detail.Reports[0].Evidence[0].URL
	require.Equal(t, "/evidence/"+hexSum(snapshot), snapURL)
	r, body = httpGet(t, base+snapURL)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "image/jpeg", r.Header.Get("Content-Type"))
	require.True(t, bytes.Equal(snapshot, body), "downloaded snapshot differs")
	_, err = jpeg.Decode(bytes.NewReader(body))
	require.NoError(t, err)

	// The page shows it.
	r, body = httpGet(t, base+"/")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, string(body), caseID)
	require.Contains(t, string(body), "cam-east-gate")
	require.Contains(t, string(body), "占道经营")
	require.Contains(t, string(body), `<img src="/evidence/`+hexSum(annotated)+`"`)

	// The same event again: one case, answered as a duplicate.
	resp, err = sendReport(t, client, priv, "ev-e2e-1", files...)
	require.NoError(t, err)
	require.True(t, resp.Duplicate)
	require.Equal(t, caseID, resp.CaseId)
	_, body = httpGet(t, base+"/api/v1/cases")
	require.NoError(t, json.Unmarshal(body, &list))
	require.Len(t, list.Cases, 1)

	// A tampered report is refused.
	_, err = sendReport(t, client, ed25519.NewKeyFromSeed(make([]byte, 32)), "ev-e2e-2", files...)
	require.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)

	r, body = httpGet(t, base+"/metrics")
	require.Equal(t, http.StatusOK, r.StatusCode)
	for _, want := range []string{
		"xiuhua_reports_stored_total 1",
		"xiuhua_reports_duplicate_total 1",
		`xiuhua_reports_refused_total{reason="bad_signature"} 1`,
		"xiuhua_devices_connected 1",
		"go_goroutines",
	} {
		require.Contains(t, string(body), want)
	}
	r, _ = httpGet(t, base+"/healthz")
	require.Equal(t, http.StatusOK, r.StatusCode)

	// Stopping ends the open control stream and returns cleanly.
	srv.stop(t)
	_, err = control.Recv()
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)

	// Everything is still there after a restart.
	srv2 := start(t, testConfig(dataDir))
	_, body = httpGet(t, "http://"+srv2.app.HTTPAddr()+"/api/v1/cases/"+caseID)
	require.NoError(t, json.Unmarshal(body, &detail))
	require.Equal(t, caseID, detail.Case.ID)
	r, body = httpGet(t, "http://"+srv2.app.HTTPAddr()+snapURL)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, snapshot, body)
	require.FileExists(t, filepath.Join(dataDir, DBFile))
}

func TestNewRefusesBadConfig(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.Log.Level = "loud"
	_, err := New(cfg)
	var errs conf.Errors
	require.ErrorAs(t, err, &errs)
	require.EqualError(t, err, `log.level: invalid value "loud": allowed: debug, info, warn, error`)
}

func TestNewListenFailureReleasesEverything(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.HTTP.Listen = busy.Addr().String()
	_, err = New(cfg, WithLogger(quietLogger()))
	require.ErrorContains(t, err, "http.listen: ")
	require.ErrorContains(t, err, "address already in use")

	// The database was closed: a new App opens it.
	a, err := New(testConfig(dir), WithLogger(quietLogger()))
	require.NoError(t, err)
	require.NoError(t, a.Close())
}

func TestCloseWithoutRun(t *testing.T) {
	a, err := New(testConfig(t.TempDir()), WithLogger(quietLogger()))
	require.NoError(t, err)
	require.NoError(t, a.Close())
	require.NoError(t, a.Close())
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	cfg := testConfig(filepath.Join(dir, "data"))
	cfg.GRPC.TLS = config.TLS{CertFile: certFile, KeyFile: keyFile}
	srv := start(t, cfg)

	client := dial(t, srv.app.GRPCAddr(), credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: "localhost"}))
	_, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	resp, err := sendReport(t, client, priv, "ev-tls", evFile{"s.jpg", xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, []byte("jpeg")})
	require.NoError(t, err)
	require.NotEmpty(t, resp.CaseId)

	// Plain text is refused.
	plain := dial(t, srv.app.GRPCAddr(), nil)
	_, err = sendReport(t, plain, priv, "ev-plain")
	require.Error(t, err)
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)

	cfg.GRPC.TLS.KeyFile = filepath.Join(dir, "missing.key")
	_, err = New(cfg, WithLogger(quietLogger()))
	require.ErrorContains(t, err, `grpc.tls.key_file: invalid value "`+filepath.Join(dir, "missing.key")+`": allowed: a readable PEM private key file`)
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestPageURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/",
		"0.0.0.0:8080":   "http://localhost:8080/",
		"[::]:8080":      "http://localhost:8080/",
		"[::1]:8080":     "http://[::1]:8080/",
	} {
		require.Equal(t, want, pageURL(addr), addr)
	}
}
