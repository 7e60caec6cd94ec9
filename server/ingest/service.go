// Package ingest is the gRPC service edge boxes talk to (xiuhua.v1
// EdgeService): their control stream (Connect), their violation reports with
// evidence (ReportViolation) and model downloads (FetchModel).
//
// A report is acknowledged only once it and every evidence file are durably
// stored. Refusals carry a gRPC code an edge can act on:
//
//   - InvalidArgument: the stream breaks the protocol and resending it as is
//     will fail again — no report first, a missing or malformed field, a bad
//     evidence declaration, a chunk for an undeclared file, a chunk that does
//     not continue its file where the previous one ended, more bytes than
//     declared.
//   - DataLoss: the stream was well formed but the evidence is not what the
//     report declared — a file ended short, or its sha256 differs.
//   - Unauthenticated: the device has a known key and the report's signature
//     does not verify with it (or is missing).
//   - Unavailable: the server could not store it now (database or disk);
//     retry later.
//
// A report whose event id is already stored is drained and answered with
// duplicate=true and the existing case, before its signature is checked: it
// stores nothing, and a box whose key changed must still clear its outbox.
//
// On any refusal nothing is stored in the database. Evidence blobs already
// written stay in the blob store: they are content-addressed, so they are
// harmless and a resend finds them in place.
package ingest

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Store is the part of the database ingest uses directly; reports go through
// a Recorder (the cases package).
type Store interface {
	ReportCase(ctx context.Context, eventID string) (caseID string, err error)
	UpsertDevice(ctx context.Context, d *store.Device) error
	Heartbeat(ctx context.Context, deviceID string, at time.Time, status json.RawMessage) error
	GetDevice(ctx context.Context, id string) (*store.Device, error)
}

// Recorder files a new report into a case, or keeps a "corrected after
// warning" record without one; cases.Service implements it.
type Recorder interface {
	Record(ctx context.Context, r *store.Report) (caseID string, duplicate bool, err error)
	RecordCorrected(ctx context.Context, r *store.Report) (duplicate bool, err error)
}

// Options configure a Service. Store, Cases and Blobs are required.
type Options struct {
	Store Store
	Cases Recorder
	Blobs *blob.Store
	// ModelsDir holds <name>/<version>/model.onnx and manifest.yaml.
	ModelsDir string
	// MaxEvidenceBytes bounds each evidence file, MaxEvidenceFiles their
	// number per report.
	MaxEvidenceBytes int64
	MaxEvidenceFiles int
	// HeartbeatInterval is what Welcome asks edges for; default 10s.
	HeartbeatInterval time.Duration
	// HelloTimeout is how long a control stream may stay silent before its
	// Hello; default 30s.
	HelloTimeout time.Duration
	// Authorize, when set, checks that the authenticated caller may act
	// for deviceID and cameraID (empty: any camera of it); its error is a
	// gRPC status (PermissionDenied) returned as is. auth.DeviceAuth
	// implements it.
	Authorize func(ctx context.Context, deviceID, cameraID string) error
	// Controls take part in every control stream; see Control and
	// AddControl.
	Controls []Control
	Metrics  *Metrics     // default: unregistered metrics
	Log      *slog.Logger // default: slog.Default()
}

// Service implements xiuhuav1.EdgeServiceServer.
type Service struct {
	xiuhuav1.UnimplementedEdgeServiceServer

	opts     Options
	log      *slog.Logger
	m        *Metrics
	registry *Registry
	models   modelSums
	controls []Control

	closeOnce sync.Once
	closing   chan struct{} // closed by Shutdown
}

// New returns a Service.
func New(opts Options) *Service {
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 10 * time.Second
	}
	if opts.HelloTimeout <= 0 {
		opts.HelloTimeout = 30 * time.Second
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Service{
		opts:     opts,
		log:      opts.Log.With("component", "ingest"),
		m:        opts.Metrics,
		registry: newRegistry(opts.Metrics),
		controls: opts.Controls,
		closing:  make(chan struct{}),
	}
}

// Registry returns the devices connected now.
func (s *Service) Registry() *Registry { return s.registry }

// Shutdown ends every control stream with Unavailable, so that a graceful
// gRPC stop does not wait for them forever; reports in flight finish.
func (s *Service) Shutdown() {
	s.closeOnce.Do(func() { close(s.closing) })
}
