package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/internal/grpctest"
	"github.com/xiuhua/xiuhua/internal/metricstest"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env is a real ingest service on loopback TCP over a real SQLite file.
type env struct {
	client    xiuhuav1.EdgeServiceClient
	svc       *Service
	store     *sqlite.Store
	blobs     *blob.Folder
	reg       *prometheus.Registry
	modelsDir string
}

func newEnv(t *testing.T, mod ...func(*Options)) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "xiuhua.db"))
	require.NoError(t, err)
	blobs, err := blob.NewFolder(filepath.Join(dir, "evidence"))
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	opts := Options{
		Store:            st,
		Cases:            cases.New(st, cases.DefaultConfig()),
		Blobs:            blobs,
		ModelsDir:        filepath.Join(dir, "models"),
		MaxEvidenceBytes: 1 << 20,
		MaxEvidenceFiles: 4,
		Metrics:          NewMetrics(reg),
		Log:              slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, m := range mod {
		m(&opts)
	}
	svc := New(opts)
	// Cleanups run last first: the store closes after the server stopped.
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	cc := grpctest.Serve(t, func(s *grpc.Server) { xiuhuav1.RegisterEdgeServiceServer(s, svc) }, svc.Shutdown)
	return &env{client: xiuhuav1.NewEdgeServiceClient(cc), svc: svc, store: st, blobs: blobs, reg: reg, modelsDir: opts.ModelsDir}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// file is an evidence file for a test report.
type file struct {
	name string
	kind xiuhuav1.EvidenceKind
	ct   string
	data []byte
}

func hexSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

var observed = time.Date(2025, 6, 1, 8, 30, 0, 0, time.UTC)

func newReport(eventID string, files ...file) *xiuhuav1.ViolationReport {
	r := &xiuhuav1.ViolationReport{
		EventId:       eventID,
		DeviceId:      "edge-01",
		CameraId:      "cam-7",
		ZoneId:        "zone-a",
		RuleId:        "rule-1",
		ViolationType: "street_vending",
		ObservedAt:    timestamppb.New(observed),
		StartedAt:     timestamppb.New(observed.Add(-7 * time.Minute)),
		DwellSeconds:  420,
		Detections: []*xiuhuav1.Detection{{ClassName: "umbrella", Score: 0.9,
			Box: &xiuhuav1.Box{X: 1, Y: 2, Width: 3, Height: 4}, TrackId: 5}},
		Location:    &xiuhuav1.GeoPoint{Lat: 31.23, Lon: 121.47},
		Model:       &xiuhuav1.ModelRef{Name: "yolox_nano", Version: "1", Sha256: hexSum([]byte("m"))},
		FrameWidth:  1920,
		FrameHeight: 1080,
	}
	for _, f := range files {
		r.Evidence = append(r.Evidence, &xiuhuav1.EvidenceFile{
			Name: f.name, Kind: f.kind, ContentType: f.ct, Size: int64(len(f.data)), Sha256: hexSum(f.data),
		})
	}
	return r
}

func reportMsg(r *xiuhuav1.ViolationReport) *xiuhuav1.ReportViolationRequest {
	return &xiuhuav1.ReportViolationRequest{Msg: &xiuhuav1.ReportViolationRequest_Report{Report: r}}
}

func chunkMsg(name string, off int64, data []byte) *xiuhuav1.ReportViolationRequest {
	return &xiuhuav1.ReportViolationRequest{Msg: &xiuhuav1.ReportViolationRequest_Chunk{Chunk: &xiuhuav1.EvidenceChunk{
		Name: name, Offset: off, Data: data,
	}}}
}

// chunks splits a file into messages of at most size bytes.
func chunks(f file, size int) []*xiuhuav1.ReportViolationRequest {
	var out []*xiuhuav1.ReportViolationRequest
	for off := 0; off < len(f.data); off += size {
		out = append(out, chunkMsg(f.name, int64(off), f.data[off:min(off+size, len(f.data))]))
	}
	return out
}

// fullStream is the report then every file's chunks, file after file.
func fullStream(r *xiuhuav1.ViolationReport, files ...file) []*xiuhuav1.ReportViolationRequest {
	msgs := []*xiuhuav1.ReportViolationRequest{reportMsg(r)}
	for _, f := range files {
		msgs = append(msgs, chunks(f, 4096)...)
	}
	return msgs
}

// send sends msgs on one ReportViolation stream and returns the answer. A
// server that answers early makes Send return io.EOF; the answer then comes
// from CloseAndRecv.
func (e *env) send(t *testing.T, msgs []*xiuhuav1.ReportViolationRequest) (*xiuhuav1.ReportViolationResponse, error) {
	t.Helper()
	stream, err := e.client.ReportViolation(ctxT(t))
	require.NoError(t, err)
	for _, m := range msgs {
		if err := stream.Send(m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
	}
	return stream.CloseAndRecv()
}

func snapshot(n int) file {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 7)
	}
	return file{name: "snapshot.jpg", kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, ct: "image/jpeg", data: data}
}

func annotated(n int) file {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 13)
	}
	return file{name: "annotated.jpg", kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_ANNOTATED, ct: "image/jpeg", data: data}
}

// requireNothingStored checks that neither a case nor the report exists,
// that no evidence blob was committed (a refused report leaves nothing in
// the blob store) and that no spool file is left behind.
func (e *env) requireNothingStored(t *testing.T, eventID string) {
	t.Helper()
	ctx := context.Background()
	page, err := e.store.ListCases(ctx, store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	require.Empty(t, page.Cases)
	_, err = e.store.ReportCase(ctx, eventID)
	require.ErrorIs(t, err, store.ErrNotFound)
	tmp, err := filepath.Glob(filepath.Join(e.blobs.Dir(), "tmp", "*", "put-*"))
	require.NoError(t, err)
	require.Empty(t, tmp, "temporary evidence files left behind")
	var blobs []string
	require.NoError(t, e.blobs.Walk(ctx, func(i blob.Info) error { blobs = append(blobs, i.SHA256); return nil }))
	require.Empty(t, blobs, "evidence of a refused report committed to the blob store")
}

// counter reads a counter or gauge from the registry.
func (e *env) counter(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	return metricstest.Value(t, e.reg, name, labels...)
}
