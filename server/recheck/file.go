package recheck

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// batch bounds the cases or re-checks one poll handles; the rest wait for
// the next.
const batch = 100

// fileNew files a re-check for every reported case that has none for its
// version, and kicks the device's stream if this replica holds it. Two
// replicas filing the same case at once store one re-check.
func (s *Service) fileNew(ctx context.Context) error {
	todo, err := s.opts.Store.CasesToRecheck(ctx, cases.StatusReported, batch)
	if err != nil {
		return err
	}
	var errs []error
	for _, cv := range todo {
		if err := s.file(ctx, cv); err != nil {
			errs = append(errs, fmt.Errorf("case %s: %w", cv.CaseID, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) file(ctx context.Context, cv store.CaseVersion) error {
	d, err := s.opts.Store.GetCase(ctx, cv.CaseID)
	if err != nil {
		return err
	}
	if d.Version != cv.Version || d.Status != cases.StatusReported {
		return nil // moved on since; the next poll sees it as it is
	}
	now := s.opts.Now()
	nr := store.NewRecheck{
		ID: uuid.NewString(), CaseID: d.ID, CaseVersion: d.Version,
		DeviceID: d.DeviceID, CameraID: d.CameraID, ZoneID: d.ZoneID, ViolationType: d.ViolationType,
		CreatedAt: now, Deadline: now.Add(s.opts.Timeout),
	}
	// Where the violation was last seen: the newest report with a box.
	for i := len(d.Reports) - 1; i >= 0; i-- {
		r := d.Reports[i]
		if len(r.Detections) > 0 && r.FrameWidth > 0 && r.FrameHeight > 0 {
			b := r.Detections[0]
			nr.Box, nr.FrameWidth, nr.FrameHeight = &b, r.FrameWidth, r.FrameHeight
			break
		}
	}
	created, err := s.opts.Store.CreateRecheck(ctx, nr)
	if err != nil || !created {
		return err
	}
	s.m.requests.Inc()
	s.log.Info("re-check asked", "case", d.ID, "recheck", nr.ID, "device_id", d.DeviceID, "camera", d.CameraID, "zone", d.ZoneID)
	if s.opts.Kick != nil {
		s.opts.Kick(d.DeviceID)
	}
	return nil
}

// current reports whether the case is still where the re-check found it.
func (s *Service) current(ctx context.Context, r store.Recheck) (*store.CaseDetail, bool, error) {
	d, err := s.opts.Store.GetCase(ctx, r.CaseID)
	if err != nil {
		return nil, false, err
	}
	return d, d.Version == r.CaseVersion && d.Status == cases.StatusReported, nil
}

// supersede finishes a re-check whose case moved on (an officer acted
// first): nothing to say in the trail, the officer's step is there.
func (s *Service) supersede(ctx context.Context, r store.Recheck, d *store.CaseDetail) error {
	err := s.opts.Store.FinishRecheck(ctx, store.RecheckFinish{ID: r.ID, Outcome: OutcomeSuperseded,
		Detail: fmt.Sprintf("case moved to %s (version %d) first", d.Status, d.Version), At: s.opts.Now()})
	if errors.Is(err, store.ErrRecheckDone) {
		return nil
	}
	if err == nil {
		s.m.outcomes.WithLabelValues(OutcomeSuperseded).Inc()
		s.log.Info("re-check dropped: the case moved on", "case", r.CaseID, "recheck", r.ID, "status", d.Status)
	}
	return err
}
