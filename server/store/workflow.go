package store

import (
	"context"
	"errors"
	"time"
)

// ErrConflict is returned by Transition when the case is no longer at the
// version (and status) the caller read: someone else acted on it first.
var ErrConflict = errors.New("store: case changed since it was read")

// Workflow is the part of the store that moves cases between statuses. The
// cases package decides what is allowed; the store only applies a decided
// step atomically and records it.
type Workflow interface {
	// Transition moves a case from t.From to t.To if it is still at
	// t.Version and t.From, bumps its version, sets its status time, and
	// appends t to the case's audit trail, all in one transaction. It
	// returns ErrNotFound for an unknown case and ErrConflict when the
	// version or status differs.
	Transition(ctx context.Context, t Transition) error
}

// Transition is one decided step of a case, and its audit entry.
type Transition struct {
	CaseID  string
	Version int // the version the actor saw
	From    string
	To      string
	Actor   string
	Role    string
	Action  string
	Comment string
	At      time.Time
	// Attachment is a file stored in the blob store beforehand (the
	// handler's photo); nil for none. Only its Kind, ContentType, Size and
	// SHA256 are kept.
	Attachment *Evidence
	// Assign, when not nil, sets the case's unit and assignee (the
	// dispatch step) in the same UPDATE, and is kept in the audit entry.
	Assign *Assignee
	// Events are written to the outbox in the transition's transaction.
	Events []OutboxEvent
}

// KindAttachment is the kind of a transition's attachment.
const KindAttachment = "attachment"

// AuditEntry is one line of a case's append-only history. The case's
// opening is the first entry (From empty, Actor "system").
type AuditEntry struct {
	ID      int64
	CaseID  string
	At      time.Time
	Actor   string
	Role    string
	Action  string
	From    string
	To      string
	Comment string
	// Attachment is the file that came with the step, nil for none.
	Attachment *Evidence
	// Assign is who the step sent the case to, nil for a step that
	// assigned nothing.
	Assign *Assignee
}

// SystemActor is the actor of entries the server makes itself.
const SystemActor = "system"

// ActionOpen is the action of a case's first audit entry.
const ActionOpen = "open"
