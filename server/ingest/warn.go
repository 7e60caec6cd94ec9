package ingest

import (
	"context"
	"fmt"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/store"
)

// maxWarnings bounds the warnings one report may carry; the edge plays at
// most five (enforcement warnings: 1 to 5).
const maxWarnings = 16

// maxWarnReason bounds the edge's words kept with a report, in bytes.
const maxWarnReason = 1024

// toWarn is the report's warn-first part for the store; nil when the
// edge did not warn first.
func toWarn(r *xiuhuav1.ViolationReport) *store.Warn {
	if r.WarnOutcome == xiuhuav1.WarnOutcome_WARN_OUTCOME_UNSPECIFIED && len(r.Warnings) == 0 {
		return nil
	}
	w := &store.Warn{Outcome: warnOutcome(r.WarnOutcome), Reason: r.WarnReason}
	for _, p := range r.Warnings {
		w.Warnings = append(w.Warnings, store.Warning{At: p.GetAt().AsTime(), Player: p.Player, OK: p.Ok, Error: p.Error})
	}
	return w
}

func warnOutcome(o xiuhuav1.WarnOutcome) string {
	switch o {
	case xiuhuav1.WarnOutcome_WARN_OUTCOME_NOT_CORRECTED:
		return store.WarnNotCorrected
	case xiuhuav1.WarnOutcome_WARN_OUTCOME_WARNING_FAILED:
		return store.WarnFailed
	case xiuhuav1.WarnOutcome_WARN_OUTCOME_QUIET_HOURS:
		return store.WarnQuietHours
	case xiuhuav1.WarnOutcome_WARN_OUTCOME_CORRECTED:
		return store.WarnCorrected
	default:
		return ""
	}
}

// warnProblem says what is wrong with the report's warn-first part, or "".
func warnProblem(r *xiuhuav1.ViolationReport) string {
	switch {
	case len(r.Warnings) > maxWarnings:
		return fmt.Sprintf("%d warnings, at most %d allowed", len(r.Warnings), maxWarnings)
	case r.WarnOutcome != xiuhuav1.WarnOutcome_WARN_OUTCOME_UNSPECIFIED && warnOutcome(r.WarnOutcome) == "":
		return fmt.Sprintf("warn_outcome %d unknown", int32(r.WarnOutcome))
	case len(r.WarnReason) > maxWarnReason:
		return fmt.Sprintf("warn_reason is %d bytes, at most %d allowed", len(r.WarnReason), maxWarnReason)
	}
	for i, p := range r.Warnings {
		if err := p.GetAt().CheckValid(); err != nil {
			return fmt.Sprintf("warnings[%d].at: %v", i, err)
		}
		if len(p.Player) > 64 || len(p.Error) > maxWarnReason {
			return fmt.Sprintf("warnings[%d]: player or error too long", i)
		}
	}
	return ""
}

// record stores the received report: a corrected record is kept and
// counted without a case; anything else goes to the cases.
func (s *Service) record(ctx context.Context, r *store.Report) (caseID string, dup bool, err error) {
	if r.Warn != nil && r.Warn.Outcome == store.WarnCorrected {
		dup, err := s.opts.Cases.RecordCorrected(ctx, r)
		if err != nil {
			return "", false, fmt.Errorf("record corrected: %w", err)
		}
		return "", dup, nil
	}
	return s.opts.Cases.Record(ctx, r)
}
