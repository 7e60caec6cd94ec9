package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/xiuhua/xiuhua/server/auth"
)

// Access is who may use a route.
type Access int

// Access levels.
const (
	// Public: health, metrics (firewall /metrics: it tells load and
	// counts), the style sheet, the OpenAPI document and the login page.
	Public Access = iota
	// Page: an officer's HTML page; without a session the browser is sent
	// to the login page.
	Page
	// API: JSON and evidence; without a session or bearer token, 401.
	API
)

// Cookie names. The CSRF cookie is readable by scripts on purpose: a
// script of this origin sends it back as the X-CSRF-Token header.
const (
	SessionCookie = "xiuhua_session"
	CSRFCookie    = "xiuhua_csrf"
	CSRFHeader    = "X-CSRF-Token"
	CSRFField     = "csrf_token"
)

// errBadAuthorization is an Authorization header that is not a bearer token.
var errBadAuthorization = errors.New("authorization: want Bearer <token>")

// guard wraps h with access's checks and puts the principal in the
// request's context.
//
// CSRF: a browser sends the session cookie on its own, so every request
// that changes state and comes with the cookie must also carry the
// session's CSRF token (header X-CSRF-Token, or form field csrf_token)
// and must not come from another site (Sec-Fetch-Site, or Origin when the
// browser sends no Sec-Fetch-Site). The token is random per session and
// kept with it on the server (a synchronizer token), so a sibling
// subdomain that can plant cookies still cannot guess it; SameSite=Lax on
// the cookie is a third layer. Bearer tokens are never sent by a browser
// on its own, so they need none of this.
func (s *server) guard(access Access, h http.Handler) http.Handler {
	if access == Public {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		if err != nil {
			s.refuseAuth(w, r, access, err)
			return
		}
		if p.FromBrowser() && !safeMethod(r.Method) {
			if err := checkCSRF(r, p); err != nil {
				s.log.Warn("CSRF check failed", "user", p.Name, "path", r.URL.Path, "err", err)
				writeError(w, http.StatusForbidden, err.Error())
				return
			}
		}
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// principal resolves the bearer token or, failing that, the session cookie.
func (s *server) principal(r *http.Request) (*auth.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			return nil, errBadAuthorization
		}
		return s.opts.Auth.Bearer(r.Context(), tok)
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, auth.ErrNoCredentials
	}
	return s.opts.Auth.Session(r.Context(), c.Value)
}

func (s *server) refuseAuth(w http.ResponseWriter, r *http.Request, access Access, err error) {
	if !errors.Is(err, auth.ErrNoCredentials) && !errors.Is(err, auth.ErrExpired) && !errors.Is(err, errBadAuthorization) {
		s.log.Error("authenticate", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	if access == Page {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="xiuhua"`)
	writeError(w, http.StatusUnauthorized, err.Error())
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// crossSite reports a request a browser says came from another site: by
// Sec-Fetch-Site, or by Origin from a browser that sends no Sec-Fetch-Site.
// A browser that sends Sec-Fetch-Site is believed on it alone: under this
// site's Referrer-Policy no-referrer, Chromium sends "Origin: null" with
// same-origin form posts.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return false
	case "":
	default: // same-site, cross-site
		return true
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err != nil || u.Host != r.Host
	}
	return false
}

func checkCSRF(r *http.Request, p *auth.Principal) error {
	if crossSite(r) {
		return errors.New("CSRF: cross-site request refused")
	}
	tok := r.Header.Get(CSRFHeader)
	if tok == "" {
		// A form post (the logout button); multipart bodies are read by
		// their handler, so for them the header is the way.
		if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			tok = r.PostFormValue(CSRFField)
		}
	}
	if tok == "" {
		return errors.New("CSRF: token missing: send the xiuhua_csrf cookie's value as the X-CSRF-Token header")
	}
	if !auth.EqualSecret(tok, p.CSRFToken) {
		return errors.New("CSRF: token does not match the session")
	}
	return nil
}
