package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/xiuhua/xiuhua/server/store"
)

// MaxCommentLen bounds a transition's comment, in bytes.
const MaxCommentLen = 4000

// Request asks to move a case to another status.
type Request struct {
	CaseID string
	To     string
	// Version is the case version the officer saw; 0 means "whatever is
	// current" (a client that does not track versions).
	Version int
	Actor   string
	Role    string
	Comment string
	// Attachment is a file already in the blob store (the handler's
	// photo); nil for none.
	Attachment *store.Evidence
	// StoreAttachment, when set, puts the attachment in the blob store
	// and returns it; it is called only once every check has passed, so
	// that a refused step stores nothing. It replaces Attachment.
	StoreAttachment func() (*store.Evidence, error)
	// Unit and Officer are who a dispatch sends the case to (assign.go):
	// the unit, empty for the case's own, and the handling officer's
	// user name, empty for none. Other steps take neither.
	Unit, Officer string
}

// TransitionError is a step the state machine does not have. Allowed lists
// where the case may go from its current status.
type TransitionError struct {
	From, To string
	Allowed  []string
}

func (e *TransitionError) Error() string {
	allowed := strings.Join(e.Allowed, ", ")
	if allowed == "" {
		allowed = "none, " + e.From + " is final"
	}
	return fmt.Sprintf("cannot move a case from %s to %s: allowed: %s", e.From, e.To, allowed)
}

// ForbiddenError is a step the actor's role may not take.
type ForbiddenError struct {
	Role  string
	Step  Step
	Roles []string
}

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("role %q may not %s a case (%s → %s): allowed roles: %s, admin",
		e.Role, e.Step.Action, e.Step.From, e.Step.To, strings.Join(e.Roles, ", "))
}

// ErrCommentRequired is returned for a step that must say why (a
// rejection's reason) when the comment is empty.
var ErrCommentRequired = errors.New("this step needs a comment saying why")

// ErrBadRequest wraps a request that is malformed whatever the case's state.
var ErrBadRequest = errors.New("bad transition request")

// Transition checks req against the state machine and the actor's role and
// applies it. It returns a *TransitionError for a step that does not exist
// from the case's status, a *ForbiddenError for the wrong role,
// ErrCommentRequired, store.ErrNotFound, or store.ErrConflict when the case
// changed since req.Version (or since it was read, if another officer won
// the race).
func (s *Service) Transition(ctx context.Context, req Request) (*store.CaseDetail, error) {
	if !KnownStatus(req.To) {
		return nil, fmt.Errorf("%w: to: invalid value %q: allowed: %s", ErrBadRequest, req.To, strings.Join(Statuses, ", "))
	}
	if !KnownRole(req.Role) {
		return nil, fmt.Errorf("%w: role: invalid value %q: allowed: %s", ErrBadRequest, req.Role, strings.Join(Roles, ", "))
	}
	if strings.TrimSpace(req.Actor) == "" {
		return nil, fmt.Errorf("%w: actor: must not be empty", ErrBadRequest)
	}
	if len(req.Comment) > MaxCommentLen {
		return nil, fmt.Errorf("%w: comment: %d bytes: allowed: at most %d", ErrBadRequest, len(req.Comment), MaxCommentLen)
	}
	d, err := s.store.GetCase(ctx, req.CaseID)
	if err != nil {
		return nil, err
	}
	if req.Version != 0 && req.Version != d.Version {
		return nil, fmt.Errorf("case %s is at version %d, not %d: %w", d.ID, d.Version, req.Version, store.ErrConflict)
	}
	step, ok := FindStep(d.Status, req.To)
	if !ok {
		return nil, &TransitionError{From: d.Status, To: req.To, Allowed: Allowed(d.Status)}
	}
	if !step.MayTake(req.Role) {
		return nil, &ForbiddenError{Role: req.Role, Step: step, Roles: step.Roles}
	}
	if err := s.MayAct(ctx, &d.Case, req.Actor, req.Role); err != nil {
		return nil, err
	}
	if step.NeedsComment && strings.TrimSpace(req.Comment) == "" {
		return nil, fmt.Errorf("%s (%s → %s): %w", step.Action, step.From, step.To, ErrCommentRequired)
	}
	assign, err := s.assignment(ctx, step, &d.Case, req)
	if err != nil {
		return nil, err
	}
	if req.StoreAttachment != nil {
		if req.Attachment, err = req.StoreAttachment(); err != nil {
			return nil, err
		}
	}
	t := store.Transition{
		CaseID: d.ID, Version: d.Version, From: d.Status, To: req.To,
		Actor: req.Actor, Role: req.Role, Action: step.Action, Comment: req.Comment,
		At: s.now(), Attachment: req.Attachment, Assign: assign,
	}
	if t.Events, err = TransitionEvents(s.cfg.Events, &d.Case, t); err != nil {
		return nil, err
	}
	err = s.store.Transition(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("case %s: %s: %w", d.ID, step.Action, err)
	}
	return s.store.GetCase(ctx, d.ID)
}

// StageTimes returns when the case entered each status it has been in,
// the latest entry for a status it entered more than once.
func StageTimes(d *store.CaseDetail) map[string]store.AuditEntry {
	out := map[string]store.AuditEntry{}
	for _, a := range d.Audit {
		out[a.To] = a
	}
	return out
}

// transitionEvent is the event of step t on case c, as c will be after it.
func transitionEvent(c *store.Case, t store.Transition) Event {
	ec := EventCase{ID: c.ID, Number: c.Number, Status: t.To, ViolationType: c.ViolationType, DeviceID: c.DeviceID,
		CameraID: c.CameraID, ZoneID: c.ZoneID, CategoryCode: c.CategoryCode, SubcategoryCode: c.SubcategoryCode,
		GridCode: c.GridCode, Unit: c.Unit, Assignee: c.Assignee, Version: c.Version + 1}
	if a := t.Assign; a != nil {
		ec.Unit, ec.Assignee = a.Unit, a.Officer
	}
	if c.Location != nil {
		ec.Location = &EventGeo{Lat: c.Location.Lat, Lon: c.Location.Lon}
	}
	return Event{Event: EventTransitioned, At: t.At.UTC(), Case: ec, Transition: &EventTransition{
		From: t.From, To: t.To, Action: t.Action, Actor: t.Actor, Role: t.Role, Comment: t.Comment}}
}
