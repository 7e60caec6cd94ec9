package recheck

import (
	"context"
	"errors"
	"fmt"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/store"
)

// Commands implements ingest.Control: the device's pending re-checks not
// sent in the last Resend. Called after the Welcome, after each heartbeat
// and on Kick, on whichever replica holds the stream; the store hands each
// re-check to one caller per Resend.
func (s *Service) Commands(ctx context.Context, deviceID string) ([]*xiuhuav1.ServerMessage, error) {
	now := s.opts.Now()
	due, err := s.opts.Store.SendRechecks(ctx, deviceID, now, now.Add(-s.opts.Resend))
	if err != nil {
		return nil, err
	}
	var (
		out  []*xiuhuav1.ServerMessage
		errs []error
	)
	for _, r := range due {
		d, ok, err := s.current(ctx, r)
		if err != nil {
			errs = append(errs, fmt.Errorf("re-check %s: %w", r.ID, err))
			continue
		}
		if !ok {
			if err := s.supersede(ctx, r, d); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		out = append(out, &xiuhuav1.ServerMessage{Msg: &xiuhuav1.ServerMessage_Recheck{Recheck: s.request(r)}})
		s.m.sent.Inc()
		s.log.Info("re-check sent", "case", r.CaseID, "recheck", r.ID, "device_id", deviceID, "attempt", r.Attempts)
	}
	return out, errors.Join(errs...)
}

func (s *Service) request(r store.Recheck) *xiuhuav1.RecheckRequest {
	req := &xiuhuav1.RecheckRequest{
		RequestId:      r.ID,
		CaseId:         r.CaseID,
		CameraId:       r.CameraID,
		ZoneId:         r.ZoneID,
		ViolationType:  r.ViolationType,
		TimeoutSeconds: uint32(s.opts.Look.Seconds()),
	}
	if b := r.Box; b != nil {
		req.Box = &xiuhuav1.Box{X: b.X, Y: b.Y, Width: b.Width, Height: b.Height}
		req.FrameWidth, req.FrameHeight = uint32(r.FrameWidth), uint32(r.FrameHeight)
	}
	return req
}
