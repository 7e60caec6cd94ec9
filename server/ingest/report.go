package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/server/store"

	"github.com/xiuhua/xiuhua/internal/reportsig"
	"github.com/xiuhua/xiuhua/internal/rpcerr"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

type reportStream = grpc.ClientStreamingServer[xiuhuav1.ReportViolationRequest, xiuhuav1.ReportViolationResponse]

// ReportViolation receives one report and its evidence; see the package
// documentation for what it answers.
//
// The work runs in a goroutine of its own so that Options.ReportTimeout
// can end a stream whose sender stalls: a blocked Recv returns only once
// the handler has returned and gRPC has torn the stream down.
func (s *Service) ReportViolation(stream reportStream) error {
	s.m.received.Inc()
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	type result struct {
		resp *xiuhuav1.ReportViolationResponse
		log  *slog.Logger
		err  error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := firstReport(stream)
		if err != nil {
			done <- result{log: s.log, err: err}
			return
		}
		log := s.log.With("event_id", rep.EventId, "device_id", rep.DeviceId, "camera_id", rep.CameraId)
		resp, err := s.receiveReport(ctx, stream, rep)
		if err == nil {
			if resp.Duplicate {
				log.Info("duplicate report", "case_id", resp.CaseId)
			} else {
				log.Info("report stored", "case_id", resp.CaseId, "evidence", len(rep.Evidence))
			}
		}
		done <- result{resp: resp, log: log, err: err}
	}()
	timer := time.NewTimer(s.opts.ReportTimeout)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return s.refused(r.log, r.err)
		}
		if r.resp.Duplicate {
			s.m.duplicate.Inc()
		} else {
			s.m.stored.Inc()
		}
		return stream.SendAndClose(r.resp)
	case <-timer.C:
		cancel() // the database work, if any, stops; the goroutine ends with the stream
		return s.refused(s.log, refuse(codes.DeadlineExceeded, reasonDeadline,
			"report stream open longer than %s (limits.grpc.report_timeout): send it again", s.opts.ReportTimeout))
	}
}

// firstReport reads the report that must open the stream.
func firstReport(stream reportStream) (*xiuhuav1.ViolationReport, error) {
	first, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		return nil, refuse(codes.InvalidArgument, reasonUnexpectedMessage, "empty stream: the first message must be the report")
	}
	if err != nil {
		return nil, err
	}
	rep := first.GetReport()
	if rep == nil {
		return nil, refuse(codes.InvalidArgument, reasonUnexpectedMessage,
			"the first message must be the report, got %s", describe(first))
	}
	return rep, nil
}

// refused counts and logs a refusal and returns the error for gRPC.
func (s *Service) refused(log *slog.Logger, err error) error {
	var r *refusal
	if !errors.As(err, &r) {
		// The stream itself broke: the client went away or cancelled.
		s.m.refused.WithLabelValues(reasonAborted).Inc()
		log.Info("report stream ended early", "err", err)
		if _, ok := status.FromError(err); ok {
			return err
		}
		return status.FromContextError(err).Err()
	}
	s.m.refused.WithLabelValues(r.reason).Inc()
	level := slog.LevelWarn
	if r.code == codes.Unavailable {
		level = slog.LevelError
	}
	if r.detail != nil {
		log.Log(context.Background(), level, "report refused", "code", r.code.String(), "reason", r.reason, "err", r.msg, "detail", r.detail)
		return r
	}
	log.Log(context.Background(), level, "report refused", "code", r.code.String(), "reason", r.reason, "err", r.msg)
	return r
}

// receiveReport checks the report, receives its evidence and stores it.
func (s *Service) receiveReport(ctx context.Context, stream reportStream, rep *xiuhuav1.ViolationReport) (*xiuhuav1.ReportViolationResponse, error) {
	if err := validateReport(rep); err != nil {
		return nil, err
	}
	// Before anything is looked up: a device learns nothing about another
	// device's events.
	if err := s.authorize(ctx, rep.DeviceId, rep.CameraId); err != nil {
		return nil, err
	}
	release, err := s.limits.acquire(rep.DeviceId, time.Now())
	if err != nil {
		return nil, err
	}
	defer release()
	if err := s.validateEvidence(rep); err != nil {
		return nil, err
	}
	// A resend of a stored report is answered before its signature is
	// checked: it stores nothing, and a box whose key changed since must
	// still be able to clear its outbox.
	caseID, err := s.opts.Store.ReportCase(ctx, rep.EventId)
	switch {
	case err == nil:
		if err := drain(stream, rep); err != nil {
			return nil, err
		}
		return &xiuhuav1.ReportViolationResponse{EventId: rep.EventId, CaseId: caseID, Duplicate: true}, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, storageRefusal(fmt.Sprintf("look up event %q", rep.EventId), err)
	}
	signed, verified, err := s.checkSignature(ctx, rep)
	if err != nil {
		return nil, err
	}

	recv := newReceiver(ctx, s.opts.Blobs, s.m, rep.Evidence)
	defer recv.abort()
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		c := msg.GetChunk()
		if c == nil {
			return nil, refuse(codes.InvalidArgument, reasonUnexpectedMessage,
				"after the report only evidence chunks may follow, got %s", describe(msg))
		}
		if err := recv.chunk(c); err != nil {
			return nil, err
		}
	}
	if err := recv.finish(); err != nil {
		return nil, err
	}
	if err := recv.commit(); err != nil {
		return nil, err
	}

	caseID, dup, err := s.record(ctx, toStore(rep, signed, verified))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, storageRefusal(fmt.Sprintf("store report %q", rep.EventId), err)
	}
	return &xiuhuav1.ReportViolationResponse{EventId: rep.EventId, CaseId: caseID, Duplicate: dup}, nil
}

// checkSignature verifies the report with the device's pinned key (see
// Options.PinnedKey), or without a registry the key of its latest Hello.
// Without a known key the report is accepted unverified; the signed bytes
// are kept either way so that it can be checked later. Once a key is
// pinned, an unsigned report is refused like a forged one.
func (s *Service) checkSignature(ctx context.Context, rep *xiuhuav1.ViolationReport) ([]byte, bool, error) {
	key, err := s.reportKey(ctx, rep.DeviceId)
	if err != nil {
		return nil, false, storageRefusal(fmt.Sprintf("look up device %q", rep.DeviceId), err)
	}
	if len(key) == 0 {
		signed, err := reportsig.SignedBytes(rep)
		if err != nil {
			return nil, false, refuse(codes.InvalidArgument, reasonInvalidReport, "%v", err)
		}
		return signed, false, nil
	}
	signed, err := reportsig.Verify(key, rep)
	if err != nil {
		r := refuse(codes.Unauthenticated, reasonBadSignature,
			"report %q: signature check with the key of device %q failed: %v", rep.EventId, rep.DeviceId, err)
		r.rpcReason = rpcerr.ReasonBadSignature
		return nil, false, r
	}
	return signed, true, nil
}

// drain reads a duplicate's evidence to the end without storing it, so the
// edge's stream completes normally. It stops a client that sends more than
// the report declared.
func drain(stream reportStream, rep *xiuhuav1.ViolationReport) error {
	var declared, got int64
	for _, f := range rep.Evidence {
		declared += f.Size
	}
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		got += int64(len(msg.GetChunk().GetData()))
		if got > declared {
			return refuse(codes.InvalidArgument, reasonOverflow,
				"report %q: more evidence bytes than the %d declared", rep.EventId, declared)
		}
	}
}

func describe(m *xiuhuav1.ReportViolationRequest) string {
	switch x := m.Msg.(type) {
	case *xiuhuav1.ReportViolationRequest_Report:
		return "a second report"
	case *xiuhuav1.ReportViolationRequest_Chunk:
		return "a chunk of " + strconv.Quote(x.Chunk.GetName())
	default:
		return "an empty message"
	}
}

// reportKey is the key rep's device signs with, or nil when none is known.
func (s *Service) reportKey(ctx context.Context, deviceID string) ([]byte, error) {
	if s.opts.PinnedKey != nil {
		key, decides, err := s.opts.PinnedKey(ctx, deviceID)
		if err != nil || decides {
			return key, err
		}
	}
	dev, err := s.opts.Store.GetDevice(ctx, deviceID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return dev.PublicKey, nil
}
