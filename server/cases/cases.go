// Package cases turns reports into cases. Today every new report opens a
// case of its own; merging a report into an open case for the same
// violation at the same place, grid cells, and the six-stage state machine
// come later, and all of it grows here, behind Assign and Service.
package cases

import (
	"context"

	"github.com/xiuhua/xiuhua/server/store"
)

// Case statuses. A new case waits for an officer to review its evidence.
const (
	StatusPendingReview = "pending_review"
)

// Statuses lists every status in workflow order.
var Statuses = []string{StatusPendingReview}

// KnownStatus reports whether s is a case status.
func KnownStatus(s string) bool {
	for _, k := range Statuses {
		if k == s {
			return true
		}
	}
	return false
}

// Assign decides which case a new report belongs to; it runs inside the
// store's report transaction. For now: a new case per report.
func Assign(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
	return tx.OpenCase(ctx, store.NewCase{
		Status:        StatusPendingReview,
		ViolationType: r.ViolationType,
		DeviceID:      r.DeviceID,
		CameraID:      r.CameraID,
		ZoneID:        r.ZoneID,
		RuleID:        r.RuleID,
	})
}

// Service is the case logic in front of the store.
type Service struct {
	store store.Store
}

// New returns a Service on st.
func New(st store.Store) *Service { return &Service{store: st} }

// Record stores a report and files it into a case in one transaction. For
// an event id stored before it stores nothing and returns that report's case
// with duplicate true.
func (s *Service) Record(ctx context.Context, r *store.Report) (caseID string, duplicate bool, err error) {
	return s.store.SaveReport(ctx, r, Assign)
}
