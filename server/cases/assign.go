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
// unit asked for, else to the case's own (its grid cell's); either must be
// one of the configured units. The officer named, if any, must be an
// enabled handler of that unit: the case then shows in that officer's
// "my cases". The case keeps the unit's name. Other steps assign nothing and refuse a unit
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
	u, err := s.dispatchUnit(c, unit)
	if err != nil {
		return nil, err
	}
	if officer != "" {
		if err := s.checkOfficer(ctx, c, officer, u); err != nil {
			return nil, err
		}
	}
	return &store.Assignee{Unit: u.Name, Officer: officer}, nil
}

// dispatchUnit is the known unit a dispatch names (by code or name), or
// the case's own (its grid cell's) when it names none.
func (s *Service) dispatchUnit(c *store.Case, asked string) (Unit, error) {
	v := asked
	if v == "" {
		v = c.Unit
	}
	if u, ok := s.FindUnit(v); ok {
		return u, nil
	}
	if len(s.cfg.Units) == 0 && v != "" {
		// No units anywhere (none configured, a grid naming none): the
		// unit is free text, as before units were listed.
		return Unit{Code: v, Name: v}, nil
	}
	codes := make([]string, 0, len(s.cfg.Units))
	for _, u := range s.cfg.Units {
		codes = append(codes, u.Code)
	}
	allowed := strings.Join(codes, ", ")
	if allowed == "" {
		allowed = "any unit's name (none configured in cases.units)"
	}
	if asked == "" {
		return Unit{}, fmt.Errorf("%w: unit: required: the case has no known unit of its own (%q): allowed: %s", ErrBadRequest, c.Unit, allowed)
	}
	return Unit{}, fmt.Errorf("%w: unit: invalid value %q: no such unit: allowed: %s", ErrBadRequest, asked, allowed)
}

// checkOfficer holds a dispatch's named officer to an enabled handler of
// the unit the case goes to.
func (s *Service) checkOfficer(ctx context.Context, c *store.Case, officer string, unit Unit) error {
	u, err := s.store.GetUser(ctx, officer)
	why := ""
	switch {
	case errors.Is(err, store.ErrNotFound):
		why = "no such account"
	case err != nil:
		return fmt.Errorf("dispatch case %s: look up officer %q: %w", c.ID, officer, err)
	case u.Disabled:
		why = "the account is disabled"
	case u.Role != RoleHandler:
		why = "the account's role is " + u.Role
	case len(s.cfg.Units) > 0 && u.Unit != unit.Code:
		why = fmt.Sprintf("the account is in unit %q, not %q", u.Unit, unit.Code)
	}
	if why != "" {
		return fmt.Errorf("%w: officer: invalid value %q: %s: allowed: an enabled account with the %s role in unit %q",
			ErrBadRequest, officer, why, RoleHandler, unit.Code)
	}
	return nil
}
