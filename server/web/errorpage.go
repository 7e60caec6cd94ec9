package web

import (
	"net/http"
	"strings"

	"github.com/xiuhua/xiuhua/server/auth"
)

var errorTemplate = pageTemplate("error.html")

type errorPageData struct {
	pageBase
	Code int
	Text string
}

// errorPage answers a page request that failed with code, inside the
// layout and in the officer's language (a bare English line is no page
// for an officer); detail is logged, never shown: it is for the operator.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, code int, detail string) {
	if detail != "" {
		s.log.Info("page refused", "path", r.URL.Path, "status", code, "detail", detail)
	}
	key := errorKey(code)
	data := &errorPageData{pageBase: s.base(w, r, "error", key), Code: code}
	data.Text = data.T(key + "_text")
	var buf strings.Builder
	if err := errorTemplate.ExecuteTemplate(&buf, "page", data); err != nil {
		s.log.Error("render error page", "err", err)
		http.Error(w, http.StatusText(code), code)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(buf.String()))
}

// notFoundPage answers a path no route has: JSON under /api/, else a page,
// with the officer's navigation when they are signed in.
func (s *server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeError(w, http.StatusNotFound, "no such API path")
		return
	}
	if p, err := s.principal(r); err == nil {
		r = r.WithContext(auth.WithPrincipal(r.Context(), p))
	}
	s.errorPage(w, r, http.StatusNotFound, "")
}
