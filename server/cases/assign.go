package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/xiuhua/xiuhua/server/store"
)

// MaxUnitLen bounds a dispatch's unit name, in bytes.
const MaxUnitLen = 200

// assignment decides who a step sends case c to. A dispatch goes to the
// unit asked for, else to the case's own (its grid cell's), and to the
// officer named, who must be an enabled handler: the case then shows in
// that officer's "my cases". Other steps assign nothing and refuse a unit
// or officer, which would otherwise be silently dropped.
func (s *Service) assignment(ctx context.Context, step Step, c *store.Case, req Request) (*store.Assignee, error) {
	unit, officer := strings.TrimSpace(req.Unit), strings.TrimSpace(req.Officer)
	if !step.Assigns {
		for _, f := range []struct{ name, v string }{{"unit", unit}, {"officer", officer}} {
			if f.v != "" {
				return nil, fmt.Errorf("%w: %s: only the dispatch step (%s → %s) takes it, not %s",
					ErrBadRequest, f.name, StatusFiled, StatusDispatched, step.Action)
			}
		}
		return nil, nil
	}
	if len(unit) > MaxUnitLen || strings.ContainsFunc(unit, unicode.IsControl) {
		return nil, fmt.Errorf("%w: unit: invalid value %q: allowed: at most %d bytes, no control characters", ErrBadRequest, unit, MaxUnitLen)
	}
	if unit == "" {
		unit = c.Unit
	}
	if officer != "" {
		u, err := s.store.GetUser(ctx, officer)
		why := ""
		switch {
		case errors.Is(err, store.ErrNotFound):
			why = "no such account"
		case err != nil:
			return nil, fmt.Errorf("dispatch case %s: look up officer %q: %w", c.ID, officer, err)
		case u.Disabled:
			why = "the account is disabled"
		case u.Role != RoleHandler:
			why = "the account's role is " + u.Role
		}
		if why != "" {
			return nil, fmt.Errorf("%w: officer: invalid value %q: %s: allowed: an enabled account with the %s role",
				ErrBadRequest, officer, why, RoleHandler)
		}
	}
	return &store.Assignee{Unit: unit, Officer: officer}, nil
}
