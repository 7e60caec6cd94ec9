package recheck

import (
	"context"
	"errors"
	"fmt"

	"github.com/xiuhua/xiuhua/server/store"
)

// expire leaves the re-checks past their deadline to a human: the case
// stays reported, and its trail says why.
func (s *Service) expire(ctx context.Context) error {
	due, err := s.opts.Store.ExpiredRechecks(ctx, s.opts.Now(), batch)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range due {
		if err := s.expireOne(ctx, r); err != nil {
			errs = append(errs, fmt.Errorf("re-check %s: %w", r.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) expireOne(ctx context.Context, r store.Recheck) error {
	d, ok, err := s.current(ctx, r)
	if err != nil {
		return err
	}
	if !ok {
		return s.supersede(ctx, r, d)
	}
	outcome, detail := OutcomeTimeout, fmt.Sprintf("no answer from edge %s within %s; waiting for a reviewer", r.DeviceID, s.opts.Timeout)
	if r.Attempts == 0 {
		outcome, detail = OutcomeOffline, fmt.Sprintf("edge %s was offline for %s; waiting for a reviewer", r.DeviceID, s.opts.Timeout)
	}
	now := s.opts.Now()
	err = s.opts.Store.FinishRecheck(ctx, store.RecheckFinish{ID: r.ID, Outcome: outcome, Detail: detail, At: now,
		Note: &store.AuditEntry{CaseID: r.CaseID, At: now, Actor: Actor, Role: Role, Action: ActionNote,
			From: d.Status, To: d.Status, Comment: comment(outcome, detail)}})
	if errors.Is(err, store.ErrRecheckDone) {
		return nil // an answer, or another replica, came first
	}
	if err != nil {
		return err
	}
	s.m.outcomes.WithLabelValues(outcome).Inc()
	s.m.timeouts.Inc()
	s.log.Warn("re-check timed out: the case waits for a reviewer", "case", r.CaseID, "recheck", r.ID,
		"device_id", r.DeviceID, "outcome", outcome, "attempts", r.Attempts)
	return nil
}
