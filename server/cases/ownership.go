package cases

import (
	"context"
	"errors"
	"fmt"

	"github.com/xiuhua/xiuhua/server/store"
)

// NotAssignedError is a handler's step on a case dispatched to another
// handling officer, or to a unit the handler is not in.
type NotAssignedError struct {
	Actor, Assignee string
	// Unit is set, and Assignee empty, for a case dispatched to a unit
	// without a named officer.
	Unit string
}

func (e *NotAssignedError) Error() string {
	if e.Assignee == "" {
		return fmt.Sprintf("case is dispatched to unit %q, and %q is not one of its handlers: only the unit's handlers (or a dispatcher re-dispatching it) may act on it", e.Unit, e.Actor)
	}
	return fmt.Sprintf("case is assigned to %q, not to %q: only its handling officer (or a dispatcher re-dispatching it) may act on it", e.Assignee, e.Actor)
}

// MayAct says whether a handler may take a step on c: a case with a named
// handling officer is that officer's alone; one dispatched to a unit
// without a named officer is for the handlers of that unit (an account's
// unit, server user set-unit) to share. Other roles are bound by the
// steps' roles alone. It returns a *NotAssignedError when not.
func (s *Service) MayAct(ctx context.Context, c *store.Case, actor, role string) error {
	if role != RoleHandler || c.Assignee == actor {
		return nil
	}
	if c.Assignee != "" {
		return &NotAssignedError{Actor: actor, Assignee: c.Assignee}
	}
	if len(s.cfg.Units) == 0 {
		return nil // no units, no accounts in them: any handler, as before
	}
	refuse := &NotAssignedError{Actor: actor, Unit: c.Unit}
	unit, ok := s.FindUnit(c.Unit)
	if !ok {
		return refuse // a unit no longer known has no handlers
	}
	u, err := s.store.GetUser(ctx, actor)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return refuse // an API token has no unit
	case err != nil:
		return fmt.Errorf("case %s: look up the unit of %q: %w", c.ID, actor, err)
	case u.Unit != unit.Code:
		return refuse
	}
	return nil
}
