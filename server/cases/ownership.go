package cases

import (
	"fmt"

	"github.com/xiuhua/xiuhua/server/store"
)

// NotAssignedError is a handler's step on a case dispatched to another
// handling officer.
type NotAssignedError struct {
	Actor, Assignee string
}

func (e *NotAssignedError) Error() string {
	return fmt.Sprintf("case is assigned to %q, not to %q: only its handling officer (or a dispatcher re-dispatching it) may act on it", e.Assignee, e.Actor)
}

// checkAssignee keeps a handler to the cases dispatched to them: a case
// with a named handling officer may be accepted and reported only by that
// officer. A case dispatched to a unit without a named officer is the
// unit's to share (accounts carry no unit yet, so any handler may take
// it). Other roles are bound by the steps' roles alone.
func checkAssignee(c *store.Case, req Request) error {
	if req.Role != RoleHandler || c.Assignee == "" || c.Assignee == req.Actor {
		return nil
	}
	return &NotAssignedError{Actor: req.Actor, Assignee: c.Assignee}
}
