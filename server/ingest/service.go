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
// On any refusal nothing is stored in the database, and evidence is
// committed to the blob store only once the whole stream has arrived and
// checked out, just before the report is recorded. Blobs committed for a
// report whose recording then failed are orphans that the resend refers to
// again, or the retention sweeper removes after its grace age.
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
	Blobs blob.Store
	// ModelsDir holds <name>/<version>/model.onnx and manifest.yaml.
	ModelsDir string
	// Models, when set, serves registered models from the blob store
	// first; ModelsDir serves what it does not hold.
	Models ModelSource
	// MaxEvidenceBytes bounds each evidence file, MaxEvidenceFiles their
	// number per report.
	MaxEvidenceBytes int64
	MaxEvidenceFiles int
	// ReportTimeout bounds one report stream from its first message to
	// its answer (a slow or stalled sender frees its resources); default
	// 10m.
	ReportTimeout time.Duration
	// MaxReportStreamsPerDevice and ReportsPerMinute bound one device's
	// report streams open at once and reports started a minute; 0: no
	// bound.
	MaxReportStreamsPerDevice int
	ReportsPerMinute          int
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
	// CheckKey, when set, checks the public key of a device's Hello
	// against the one pinned for it (pinning it when none is and the
	// mode allows); its error is a gRPC status returned as is.
	// auth.DeviceAuth implements it.
	CheckKey func(ctx context.Context, deviceID string, key []byte) error
	// PinnedKey, when set, returns the key a device's reports must be
	// signed with and whether it decides: when it does, a report is
	// checked with that key (none pinned yet: accepted unverified), and
	// the key of the latest Hello is not used. auth.DeviceAuth
	// implements it.
	PinnedKey func(ctx context.Context, deviceID string) (key []byte, decides bool, err error)
	// Reauthorize, when set, checks on every heartbeat, before a
	// device's answer is handled and before commands are sent, that the
	// stream's caller is still allowed (not revoked, same token, same
	// pinned key); its error ends the stream. auth.DeviceAuth implements
	// it.
	Reauthorize func(ctx context.Context, helloKey []byte) error
	// HeartbeatWriteInterval is how often a device's heartbeat is written
	// to the database (last seen and status); the ones in between are
	// only counted. Default 1m.
	HeartbeatWriteInterval time.Duration
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
	limits   *deviceLimits // nil: none
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
	if opts.ReportTimeout <= 0 {
		opts.ReportTimeout = 10 * time.Minute
	}
	if opts.HeartbeatWriteInterval <= 0 {
		opts.HeartbeatWriteInterval = time.Minute
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
	var limits *deviceLimits
	if opts.MaxReportStreamsPerDevice > 0 || opts.ReportsPerMinute > 0 {
		streams, perMinute := opts.MaxReportStreamsPerDevice, opts.ReportsPerMinute
		if streams <= 0 {
			streams = int(^uint(0) >> 1)
		}
		if perMinute <= 0 {
			perMinute = int(^uint32(0) >> 1)
		}
		limits = newDeviceLimits(streams, perMinute)
	}
	return &Service{
		limits:   limits,
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
