package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// maxJSONBody bounds a JSON request body.
const maxJSONBody = 64 << 10

// TransitionRequestJSON is the body of POST /api/v1/cases/{id}/transitions.
//
// Who acts, and in which role, is the signed-in officer or the API token:
// the body cannot name them.
type TransitionRequestJSON struct {
	To      string `json:"to"`
	Comment string `json:"comment"`
	// Version is the case version the officer saw; 0 skips the check.
	Version int `json:"version"`
	// Unit and Officer are who a dispatch sends the case to: the unit
	// (empty: the case's grid cell's) and the handling officer's user
	// name, an enabled handler (empty: none). Other steps refuse them.
	Unit    string `json:"unit,omitempty"`
	Officer string `json:"officer,omitempty"`
}

// TransitionErrorJSON is a refused transition: 409 with the statuses the
// case may move to, or with its current version; 403 with the roles that
// may take the step.
type TransitionErrorJSON struct {
	Error        string   `json:"error"`
	Status       string   `json:"status,omitempty"`
	Allowed      []string `json:"allowed,omitempty"`
	AllowedRoles []string `json:"allowed_roles,omitempty"`
	Version      int      `json:"version,omitempty"`
}

// decodeJSON reads exactly one JSON object with only known fields.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "application/json" {
		return fmt.Errorf("Content-Type: invalid value %q: allowed: application/json", r.Header.Get("Content-Type"))
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fmt.Errorf("body: more than %d bytes", maxJSONBody)
		}
		return fmt.Errorf("body: malformed JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("body: one JSON object expected, found more after it")
	}
	return nil
}

// transition takes a JSON body, or a multipart/form-data one whose part
// "request" is that JSON and whose part "attachment" is one image.
func (s *server) transition(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var (
		req TransitionRequestJSON
		att *pendingAttachment
		err error
	)
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		att, err = s.readMultipart(w, r, &req)
	} else {
		err = decodeJSON(w, r, &req)
	}
	if err != nil {
		var big *attachmentTooBig
		if errors.As(err, &big) {
			writeError(w, http.StatusRequestEntityTooLarge, err.Error())
			return
		}
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	p := auth.PrincipalFrom(r.Context())
	creq := cases.Request{CaseID: id, To: req.To, Version: req.Version,
		Actor: p.Name, Role: p.Role, Comment: req.Comment, Unit: req.Unit, Officer: req.Officer}
	if att != nil {
		// Stored only once the role and case checks have passed.
		creq.StoreAttachment = func() (*store.Evidence, error) { return s.storeAttachment(r.Context(), att) }
	}
	d, err := s.opts.Cases.Transition(r.Context(), creq)
	var (
		te *cases.TransitionError
		fe *cases.ForbiddenError
		na *cases.NotAssignedError
	)
	switch {
	case err == nil:
		s.log.Info("case transition", "case_id", id, "to", req.To, "actor", p.Name, "role", p.Role)
		writeJSON(w, http.StatusOK, s.toDetailJSON(d))
	case errors.As(err, &te):
		writeJSON(w, http.StatusConflict, TransitionErrorJSON{Error: err.Error(), Status: te.From, Allowed: te.Allowed})
	case errors.As(err, &na):
		writeJSON(w, http.StatusForbidden, TransitionErrorJSON{Error: err.Error()})
	case errors.As(err, &fe):
		writeJSON(w, http.StatusForbidden, TransitionErrorJSON{Error: err.Error(), AllowedRoles: append(fe.Roles, cases.RoleAdmin)})
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, fmt.Sprintf("case %q not found", id))
	case errors.Is(err, store.ErrConflict):
		out := TransitionErrorJSON{Error: "the case changed since you read it: reload it and decide again"}
		if cur, gerr := s.opts.Store.GetCase(r.Context(), id); gerr == nil {
			out.Status, out.Version, out.Allowed = cur.Status, cur.Version, cases.Allowed(cur.Status)
		}
		writeJSON(w, http.StatusConflict, out)
	case errors.Is(err, cases.ErrBadRequest), errors.Is(err, cases.ErrCommentRequired):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		s.log.Error("case transition", "case_id", id, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}
