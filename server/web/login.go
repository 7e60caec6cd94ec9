package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/xiuhua/xiuhua/server/auth"
)

var loginTemplate = pageTemplate("login.html")

type loginPageData struct {
	pageBase
	Next string
	// Error is a message key.
	Error string
	// WaitUntil, when set, is the time of day (in the pages' time zone)
	// before which this name may not try again from this address.
	WaitUntil string
}

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, &loginPageData{Next: localNext(r.URL.Query().Get("next"))})
}

func (s *server) renderLogin(w http.ResponseWriter, r *http.Request, code int, d *loginPageData) {
	d.pageBase = s.base(w, r, "login", "login.title")
	var buf bytes.Buffer
	if err := loginTemplate.ExecuteTemplate(&buf, "page", d); err != nil {
		s.log.Error("render login page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// login checks the form and sets the session and CSRF cookies. There is no
// session yet to hold a CSRF token, so a cross-site post (login CSRF:
// signing the victim in as the attacker) is refused by its Sec-Fetch-Site
// or Origin.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	if crossSite(r) {
		http.Error(w, "CSRF: cross-site sign-in refused", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	next := localNext(r.PostFormValue("next"))
	// The auth service logs failures; what was typed as the name is not
	// logged here (people type their password into it).
	id, sess, err := s.opts.Auth.LoginFrom(r.Context(), r.PostFormValue("user"), r.PostFormValue("password"), s.clientAddr(r))
	var wait *auth.ThrottledError
	if errors.As(err, &wait) {
		secs := int(wait.Until.Sub(s.now()).Seconds()) + 1
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		s.renderLogin(w, r, http.StatusTooManyRequests, &loginPageData{Next: next, Error: "login.wrong",
			WaitUntil: wait.Until.In(s.opts.Location).Format("15:04:05")})
		return
	}
	if errors.Is(err, auth.ErrBadLogin) {
		s.renderLogin(w, r, http.StatusUnauthorized, &loginPageData{Next: next, Error: "login.wrong"})
		return
	}
	if err != nil {
		s.log.Error("sign in", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.setCookies(w, r, id, sess.CSRFToken, sess.ExpiresAt)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session; the guard has checked its CSRF token.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	p := auth.PrincipalFrom(r.Context())
	if err := s.opts.Auth.Logout(r.Context(), p); err != nil {
		s.log.Error("sign out", "err", err)
	}
	s.streams.endSession(p)
	s.setCookies(w, r, "", "", time.Unix(1, 0))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// setCookies sets (or, with an expiry in the past, clears) both cookies.
// Secure when the request came over TLS or the server sits behind a TLS
// proxy (auth.secure_cookies).
func (s *server) setCookies(w http.ResponseWriter, r *http.Request, session, csrf string, expires time.Time) {
	secure := r.TLS != nil || s.opts.SecureCookies
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: session, Path: "/", Expires: expires,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: csrf, Path: "/", Expires: expires,
		HttpOnly: false, Secure: secure, SameSite: http.SameSiteStrictMode})
}

// SessionJSON is GET /api/v1/session: who the caller is, and the CSRF
// token a browser script must send back.
type SessionJSON struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	CSRFToken string `json:"csrf_token,omitempty"`
}

func (s *server) session(w http.ResponseWriter, r *http.Request) {
	p := auth.PrincipalFrom(r.Context())
	writeJSON(w, http.StatusOK, SessionJSON{Name: p.Name, Role: p.Role, CSRFToken: p.CSRFToken})
}
