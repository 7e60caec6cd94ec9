// Package recheck is the AI re-check (智能核查): when a case reaches
// reported (处理反馈), the server asks the edge box that found it to look
// at the camera's zone again. The edge answers present or absent with a
// fresh snapshot: absent moves the case to verified (a reviewer may still
// reopen it), present sends it back to handling with the new evidence. No
// answer in time, an edge offline that long, or an edge that cannot look
// leave the case in reported for a human, with an audit entry saying why.
//
// Every re-check lives in the database (store.Rechecks), so the package is
// level-triggered and safe on several replicas: each replica's poller files
// a re-check for every reported case that has none for its version (one per
// case version, by a unique key); whichever replica holds the device's
// control stream sends it (Service implements ingest.Control) until it is
// answered; an answer is applied once, by a conditional update, and a
// repeated or late one is ignored with a log line.
package recheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// Actor and Role are who the audit trail names for the re-check's entries.
const (
	Actor = "ai-recheck"
	Role  = store.SystemActor
)

// ActionNote is the audit action of an entry that leaves the status as it
// is (no answer, edge could not look, case moved on).
const ActionNote = "ai_recheck"

// Outcomes, as kept in the re-check row and counted in the metrics.
const (
	OutcomeAbsent      = "absent"      // the zone is clear: verified
	OutcomePresent     = "present"     // still there: back to handling
	OutcomeUnavailable = "unavailable" // the edge could not look
	OutcomeTimeout     = "timeout"     // sent, no answer in time
	OutcomeOffline     = "offline"     // never sent: the edge was away
	OutcomeSuperseded  = "superseded"  // the case moved on first
)

// Reasons an answer is ignored.
const (
	ignoredRepeated = "repeated" // already finished: a repeat or a late answer
	ignoredUnknown  = "unknown"  // no such re-check, or another device's
	ignoredInvalid  = "invalid"  // malformed answer
)

// Options configure a Service. Store and Blobs are required.
type Options struct {
	Store store.Store
	Blobs blob.Store
	// Events says which sinks want case events; the re-check's
	// transitions are announced like an officer's. Nil writes none.
	Events cases.Events
	// Kick asks this replica's control stream of a device, if it holds
	// one, to send its commands now (ingest.Service.Kick); nil waits for
	// the next heartbeat.
	Kick func(deviceID string)
	// Timeout is how long a case waits for the answer; default 2m.
	Timeout time.Duration
	// Look is how long the edge may look before it answers; default 20s.
	Look time.Duration
	// Resend is how long an unanswered request waits before it is sent
	// again; default 30s.
	Resend time.Duration
	// Poll is how often Run looks for newly reported cases and expired
	// re-checks; default 2s.
	Poll time.Duration
	// MaxSnapshotBytes bounds each picture of an answer; default 10 MiB.
	MaxSnapshotBytes int64
	Metrics          *Metrics     // default: unregistered
	Log              *slog.Logger // default: slog.Default()
	Now              func() time.Time
}

// Service files, sends and applies re-checks.
type Service struct {
	opts Options
	log  *slog.Logger
	m    *Metrics
}

// New returns a Service.
func New(opts Options) *Service {
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	if opts.Look <= 0 {
		opts.Look = 20 * time.Second
	}
	if opts.Resend <= 0 {
		opts.Resend = 30 * time.Second
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.MaxSnapshotBytes <= 0 {
		opts.MaxSnapshotBytes = 10 << 20
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{opts: opts, log: opts.Log.With("component", "recheck"), m: opts.Metrics}
}

// Name names the control in ingest's logs.
func (s *Service) Name() string { return "recheck" }

// Run files re-checks for cases that reached reported and leaves those
// past their timeout to a human, every Poll, until ctx ends. Errors are
// logged and tried again at the next poll.
func (s *Service) Run(ctx context.Context) error {
	tick := time.NewTicker(s.opts.Poll)
	defer tick.Stop()
	for {
		if err := s.Poll(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("re-check poll", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Poll does one round of Run's work.
func (s *Service) Poll(ctx context.Context) error {
	return errors.Join(s.fileNew(ctx), s.expire(ctx))
}

// comment is the audit trail's words for an outcome.
func comment(outcome, detail string) string {
	if detail == "" {
		return "AI re-check: " + outcome
	}
	return fmt.Sprintf("AI re-check: %s (%s)", outcome, detail)
}
