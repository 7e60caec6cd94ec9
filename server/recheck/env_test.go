package recheck_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/internal/grpctest"
	"github.com/xiuhua/xiuhua/internal/logtest"
	"github.com/xiuhua/xiuhua/internal/metricstest"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/ingest"
	"github.com/xiuhua/xiuhua/server/recheck"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

// clock is the re-check's time, moved by the test: timeouts pass without
// waiting for them.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Microsecond)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// replica is one server: the re-check as a control of a real ingest
// service on loopback gRPC, over st.
type replica struct {
	st      store.Store
	cases   *cases.Service
	blobs   *blob.Folder
	ingest  *ingest.Service
	recheck *recheck.Service
	reg     *prometheus.Registry
	client  xiuhuav1.EdgeServiceClient
	logs    *logtest.Buffer
}

const (
	timeout = 2 * time.Minute
	resend  = 30 * time.Second
)

func newReplica(t *testing.T, st store.Store, clk *clock, blobDir string, mods ...func(*cases.Config, *recheck.Options)) *replica {
	t.Helper()
	blobs, err := blob.NewFolder(blobDir)
	require.NoError(t, err)
	// Every test report shows the same box: without merging each opens
	// a case of its own.
	cfg := cases.DefaultConfig()
	cfg.Merge.Types = nil
	r := &replica{st: st, blobs: blobs, reg: prometheus.NewRegistry(), logs: &logtest.Buffer{}}
	log := slog.New(slog.NewTextHandler(r.logs, nil))
	opts := recheck.Options{
		Store:   st,
		Blobs:   blobs,
		Kick:    func(id string) { r.ingest.Kick(id) },
		Timeout: timeout,
		Look:    15 * time.Second,
		Resend:  resend,
		Metrics: recheck.NewMetrics(r.reg),
		Log:     log,
		Now:     clk.Now,
	}
	for _, m := range mods {
		m(&cfg, &opts)
	}
	r.cases = cases.New(st, cfg)
	r.recheck = recheck.New(opts)
	r.ingest = ingest.New(ingest.Options{
		Store: st, Cases: r.cases, Blobs: blobs, ModelsDir: t.TempDir(),
		MaxEvidenceBytes: 1 << 20, MaxEvidenceFiles: 4,
		Controls: []ingest.Control{r.recheck},
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	cc := grpctest.Serve(t, func(s *grpc.Server) { xiuhuav1.RegisterEdgeServiceServer(s, r.ingest) }, r.ingest.Shutdown)
	r.client = xiuhuav1.NewEdgeServiceClient(cc)
	return r
}

func openSQLite(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "xiuhua.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	return st
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// reportedCase files a report of edge-01's cam-7 and walks its case to
// reported as officers would.
func reportedCase(t *testing.T, r *replica, eventID string) string {
	t.Helper()
	ctx := context.Background()
	id, _, err := r.cases.Record(ctx, &store.Report{EventID: eventID, DeviceID: "edge-01", CameraID: "cam-7", ZoneID: "z1",
		RuleID: "r1", ViolationType: "street_vending", ObservedAt: time.Now().UTC(),
		Detections: []store.Detection{{ClassName: "chair", Score: 0.8, X: 30, Y: 384, Width: 121, Height: 176}},
		FrameWidth: 768, FrameHeight: 576})
	require.NoError(t, err)
	for i, s := range []struct{ to, role string }{
		{cases.StatusFiled, cases.RoleReviewer}, {cases.StatusDispatched, cases.RoleDispatcher},
		{cases.StatusHandling, cases.RoleHandler}, {cases.StatusReported, cases.RoleHandler},
	} {
		unit := "" // a dispatch names its unit: the case has no grid cell
		if s.to == cases.StatusDispatched {
			unit = "城管中队"
		}
		_, err := r.cases.Transition(ctx, cases.Request{CaseID: id, To: s.to, Version: i + 1, Actor: "officer", Role: s.role, Comment: "ok", Unit: unit})
		require.NoError(t, err, "to %s", s.to)
	}
	return id
}

// edge is a fake edge box on a real control stream: it hands the test the
// re-check requests it receives and sends what the test answers.
type edge struct {
	stream grpc.BidiStreamingClient[xiuhuav1.EdgeMessage, xiuhuav1.ServerMessage]
	reqs   chan *xiuhuav1.RecheckRequest
	acks   chan struct{}
	cancel context.CancelFunc
}

func connect(t *testing.T, client xiuhuav1.EdgeServiceClient, deviceID string) *edge {
	t.Helper()
	ctx, cancel := context.WithCancel(ctxT(t))
	stream, err := client.Connect(ctx)
	require.NoError(t, err)
	require.NoError(t, stream.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Hello{Hello: &xiuhuav1.Hello{
		DeviceId: deviceID, Cameras: []*xiuhuav1.CameraInfo{{Id: "cam-7"}}}}}))
	e := &edge{stream: stream, reqs: make(chan *xiuhuav1.RecheckRequest, 16), acks: make(chan struct{}, 16), cancel: cancel}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := stream.Recv()
			if err != nil {
				return
			}
			if r := m.GetRecheck(); r != nil {
				e.reqs <- r
			}
			if m.GetHeartbeatAck() != nil {
				e.acks <- struct{}{}
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return e
}

func (e *edge) next(t *testing.T) *xiuhuav1.RecheckRequest {
	t.Helper()
	select {
	case r := <-e.reqs:
		return r
	case <-time.After(15 * time.Second):
		t.Fatal("no re-check request reached the edge")
		return nil
	}
}

// none asserts that no request is waiting once a heartbeat round trip has
// passed (the server polls its controls after each heartbeat).
func (e *edge) none(t *testing.T) {
	t.Helper()
	e.heartbeat(t)
	select {
	case r := <-e.reqs:
		t.Fatalf("unexpected re-check request %v", r)
	default:
	}
}

// heartbeat sends a heartbeat and waits until the server has handled it
// and sent the commands it polls after it: those follow the ack, so the
// ack of a second heartbeat comes after them (one stream, in order).
func (e *edge) heartbeat(t *testing.T) {
	t.Helper()
	for range 2 {
		require.NoError(t, e.stream.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Heartbeat{Heartbeat: &xiuhuav1.Heartbeat{SentAt: timestamppb.Now()}}}))
		select {
		case <-e.acks:
		case <-time.After(15 * time.Second):
			t.Fatal("no heartbeat ack")
		}
	}
}

func (e *edge) answer(t *testing.T, res *xiuhuav1.RecheckResult) {
	t.Helper()
	require.NoError(t, e.stream.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_RecheckResult{RecheckResult: res}}))
}

// result answers req with outcome and two real JPEGs.
func result(t *testing.T, req *xiuhuav1.RecheckRequest, outcome xiuhuav1.RecheckOutcome, detail string) *xiuhuav1.RecheckResult {
	return &xiuhuav1.RecheckResult{RequestId: req.RequestId, CaseId: req.CaseId, CameraId: req.CameraId,
		Outcome: outcome, Detail: detail, ObservedAt: timestamppb.Now(),
		Snapshot: jpegBytes(t, color.RGBA{R: 200, A: 255}), Annotated: jpegBytes(t, color.RGBA{G: 200, A: 255})}
}

func jpegBytes(t *testing.T, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, nil))
	return b.Bytes()
}

func caseOf(t *testing.T, st store.Store, id string) *store.CaseDetail {
	t.Helper()
	d, err := st.GetCase(context.Background(), id)
	require.NoError(t, err)
	return d
}

// recheckEntries are the trail's entries by the re-check.
func recheckEntries(d *store.CaseDetail) []store.AuditEntry {
	var out []store.AuditEntry
	for _, a := range d.Audit {
		if a.Actor == recheck.Actor {
			out = append(out, a)
		}
	}
	return out
}

func counter(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	return metricstest.Value(t, reg, name, labels...)
}

func hexSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
