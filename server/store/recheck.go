package store

import (
	"context"
	"errors"
	"time"
)

// Rechecks keeps the AI re-checks (智能核查) asked of edge boxes and their
// answers. A re-check is wanted state: it stays pending in the database
// until one answer (or its deadline) finishes it, so that whichever server
// replica holds the device's control stream sends it, as often as the
// stream is re-opened, and a result is applied once however often it
// arrives.
type Rechecks interface {
	// CreateRecheck stores a pending re-check. There is at most one per
	// case and case version: for a second one it stores nothing and
	// returns created false.
	CreateRecheck(ctx context.Context, r NewRecheck) (created bool, err error)
	// GetRecheck returns one re-check, or ErrNotFound.
	GetRecheck(ctx context.Context, id string) (*Recheck, error)
	// CaseRechecks returns a case's re-checks, oldest first.
	CaseRechecks(ctx context.Context, caseID string) ([]Recheck, error)
	// SendRechecks returns the pending re-checks of a device that are
	// before their deadline and were not sent since notSince, and marks
	// them sent at now (counting an attempt), in one statement: of two
	// streams asking at once each re-check goes to one.
	SendRechecks(ctx context.Context, deviceID string, now, notSince time.Time) ([]Recheck, error)
	// ExpiredRechecks returns up to limit pending re-checks whose deadline
	// is at or before now, oldest deadline first.
	ExpiredRechecks(ctx context.Context, now time.Time, limit int) ([]Recheck, error)
	// FinishRecheck applies a re-check's outcome in one transaction: it
	// finishes the re-check if it is still pending, then applies
	// f.Transition (a case step, conditional on the case's version and
	// status like Workflow.Transition) or appends f.Note to the case's
	// audit trail. It returns ErrRecheckDone when the re-check was already
	// finished (a repeated or late answer: nothing changes), ErrNotFound
	// for an unknown re-check, and ErrConflict — with nothing changed —
	// when the case is no longer at the transition's version and status.
	FinishRecheck(ctx context.Context, f RecheckFinish) error
	// CasesToRecheck returns up to limit cases found by a device that are
	// in status and have no re-check for their current version, longest
	// there first.
	CasesToRecheck(ctx context.Context, status string, limit int) ([]CaseVersion, error)
}

// CaseVersion names a case as it was at one version.
type CaseVersion struct {
	CaseID  string
	Version int
}

// ErrRecheckDone is returned by FinishRecheck for a re-check that another
// answer, or its deadline, finished first.
var ErrRecheckDone = errors.New("store: re-check already finished")

// Re-check states.
const (
	RecheckPending = "pending"
	RecheckDone    = "done"
)

// NewRecheck is a re-check about to be asked.
type NewRecheck struct {
	ID     string // unique, the request id the edge answers with
	CaseID string
	// CaseVersion is the case's version when it reached reported: the
	// outcome applies only while the case is still there.
	CaseVersion   int
	DeviceID      string
	CameraID      string
	ZoneID        string
	ViolationType string
	// Box is where the violation was in a FrameWidth × FrameHeight
	// frame; nil when only the zone is known.
	Box                     *Detection
	FrameWidth, FrameHeight int
	CreatedAt               time.Time
	// Deadline is when a re-check still unanswered leaves the case to a
	// human.
	Deadline time.Time
}

// Recheck is a stored re-check.
type Recheck struct {
	NewRecheck
	State    string // RecheckPending or RecheckDone
	Attempts int    // times sent
	SentAt   time.Time
	// Outcome, Detail and DoneAt are set when the re-check is done.
	Outcome string
	Detail  string
	DoneAt  time.Time
}

// RecheckFinish is a re-check's outcome, decided by the recheck package.
type RecheckFinish struct {
	ID      string
	Outcome string
	Detail  string
	At      time.Time
	// Transition moves the case; Note, when Transition is nil, is an
	// audit entry that leaves the status as it is (its From and To are
	// the case's status). Both nil: the re-check is only finished.
	Transition *Transition
	Note       *AuditEntry
}
