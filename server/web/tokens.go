package web

import (
	"errors"
	"net/http"

	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// TokenRequestJSON is POST /api/v1/tokens: an integration's token.
type TokenRequestJSON struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// TokenJSON is the new token, shown this once.
type TokenJSON struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Token string `json:"token"`
}

// createToken lets an admin make an API token.
func (s *server) createToken(w http.ResponseWriter, r *http.Request) {
	p := auth.PrincipalFrom(r.Context())
	if p.Role != cases.RoleAdmin {
		writeJSON(w, http.StatusForbidden, TransitionErrorJSON{Error: "only an admin may create API tokens", AllowedRoles: []string{cases.RoleAdmin}})
		return
	}
	var req TokenRequestJSON
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	tok, err := s.opts.Auth.AddAPIToken(r.Context(), req.Name, req.Role, p.Name)
	switch {
	case err == nil:
		writeJSON(w, http.StatusCreated, TokenJSON{Name: req.Name, Role: req.Role, Token: tok})
	case errors.Is(err, store.ErrExists):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, auth.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		s.log.Error("create api token", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}
