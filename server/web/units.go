package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// UnitJSON is a unit a case may be dispatched to, with the enabled
// handlers in it (the dispatch form's officers).
type UnitJSON struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Officers []string `json:"officers"`
}

// UnitsJSON is GET /api/v1/units. Configured is false when cases.units
// lists none: the units are then the grid's (their code is their name)
// and a dispatch takes any unit name.
type UnitsJSON struct {
	Units      []UnitJSON `json:"units"`
	Configured bool       `json:"configured"`
	// Unassigned are enabled handlers in no unit (none configured: all).
	Unassigned []string `json:"unassigned"`
}

// UserJSON is an account as GET /api/v1/users lists it.
type UserJSON struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Unit     string `json:"unit"`
	Disabled bool   `json:"disabled"`
}

// dispatchUnits are the units a dispatch may name, with their enabled
// handlers: the configured units, or the grid's when none are.
func (s *server) dispatchUnits(ctx context.Context) (UnitsJSON, error) {
	units := s.opts.Cases.Units()
	out := UnitsJSON{Units: []UnitJSON{}, Unassigned: []string{}, Configured: len(units) > 0}
	if !out.Configured {
		units = cases.UnitsFromNames(s.units("")...)
	}
	index := map[string]int{}
	for i, u := range units {
		index[u.Code] = i
		out.Units = append(out.Units, UnitJSON{Code: u.Code, Name: u.Name, Officers: []string{}})
	}
	var users []store.User
	if s.opts.Auth != nil {
		var err error
		if users, err = s.opts.Auth.Users(ctx); err != nil {
			return out, err
		}
	}
	for _, u := range users {
		if u.Disabled || u.Role != cases.RoleHandler {
			continue
		}
		if i, ok := index[u.Unit]; ok && out.Configured {
			out.Units[i].Officers = append(out.Units[i].Officers, u.Name)
		} else {
			out.Unassigned = append(out.Unassigned, u.Name)
		}
	}
	return out, nil
}

func (s *server) listUnits(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.Query()) > 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("query: unexpected parameters %q: allowed: none", r.URL.RawQuery))
		return
	}
	out, err := s.dispatchUnits(r.Context())
	if err != nil {
		s.log.Error("list units", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// listUsers lists the accounts with their units; admin only, as adding
// them is.
func (s *server) listUsers(w http.ResponseWriter, r *http.Request) {
	if p := auth.PrincipalFrom(r.Context()); p.Role != cases.RoleAdmin {
		writeJSON(w, http.StatusForbidden, TransitionErrorJSON{Error: "only an admin may list accounts", AllowedRoles: []string{cases.RoleAdmin}})
		return
	}
	users, err := s.opts.Auth.Users(r.Context())
	if err != nil {
		s.log.Error("list users", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	out := struct {
		Users []UserJSON `json:"users"`
	}{Users: []UserJSON{}}
	for _, u := range users {
		out.Users = append(out.Users, UserJSON{Name: u.Name, Role: u.Role, Unit: u.Unit, Disabled: u.Disabled})
	}
	writeJSON(w, http.StatusOK, out)
}
